//! Importing persons through the API on SQLite and PostgreSQL, with real .csv (UTF-8 and
//! GBK) and .xlsx files made here: the dry run's row errors, the mapping step, applying,
//! re-importing unchanged and changed rows, scope, and bad files that change nothing.
mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use common::{Ctx, GRID_A, GRID_B, GRID_C, id_number};
use wangge_sheet::{Format, Limits, Sheet, read_table, write_xlsx};

async fn upload(ctx: &Ctx, token: &str, file_name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::post(format!(
        "/api/v1/imports?kind=persons&file_name={}",
        encode(file_name)
    ))
    .header("authorization", format!("Bearer {token}"))
    .header("content-type", "application/octet-stream")
    .body(Body::from(bytes))
    .unwrap();
    let (s, v, _) = ctx.send(req).await;
    (s, v)
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Polls the job until it stops running.
async fn settle(ctx: &Ctx, token: &str, id: &Value) -> Value {
    for _ in 0..3000 {
        let (s, job) = ctx.get(&format!("/api/v1/imports/{id}"), token).await;
        assert_eq!(s, StatusCode::OK, "{job}");
        if !matches!(job["state"].as_str(), Some("checking" | "applying")) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("import {id} did not finish");
}

async fn post(ctx: &Ctx, token: &str, path: &str) -> (StatusCode, Value) {
    let req = Request::post(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (s, v, _) = ctx.send(req).await;
    (s, v)
}

/// Uploads, waits for the dry run, applies, waits for the import; returns (report, applied).
async fn import(ctx: &Ctx, token: &str, file_name: &str, bytes: Vec<u8>) -> (Value, Value) {
    let (s, job) = upload(ctx, token, file_name, bytes).await;
    assert_eq!(s, StatusCode::CREATED, "{job}");
    let checked = settle(ctx, token, &job["id"]).await;
    assert_eq!(checked["state"], "checked", "{checked}");
    let (s, _) = post(ctx, token, &format!("/api/v1/imports/{}/apply", job["id"])).await;
    assert_eq!(s, StatusCode::OK);
    let done = settle(ctx, token, &job["id"]).await;
    assert_eq!(done["state"], "applied", "{done}");
    (checked["report"].clone(), done["applied"].clone())
}

fn csv(rows: &[Vec<String>]) -> String {
    rows.iter()
        .map(|r| r.join(","))
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

async fn person_count(ctx: &Ctx) -> i64 {
    let db = ctx.store.connection();
    let r = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM person",
        ))
        .await
        .unwrap()
        .unwrap();
    r.try_get("", "n").unwrap()
}

#[tokio::test]
async fn a_gbk_csv_is_checked_row_by_row_then_imported_once() {
    on_each_db!(|ctx| {
        let token = ctx.token("street1").await;
        let zhang = id_number("19800101", 11);
        let li = id_number("19850202", 22);
        let header = row(&[
            "姓名",
            "身份证号",
            "联系电话",
            "人口类型",
            "网格",
            "标签",
            "户号",
        ]);
        let good = vec![
            header.clone(),
            row(&[
                "张伟",
                zhang.as_str(),
                "13807310001",
                "户籍",
                GRID_A,
                "低保、残疾人（二级）",
                "H1",
            ]),
            row(&["李娜", li.as_str(), "", "流动人口", GRID_B, "", "H1"]),
        ];
        let mut rows = good.clone();
        rows.push(row(&[
            "王五",
            "430204198001010019",
            "138",
            "外星",
            GRID_A,
            "",
            "",
        ]));
        rows.push(row(&[
            "钱七",
            id_number("19900303", 33).as_str(),
            "",
            "",
            GRID_C,
            "",
            "",
        ]));
        rows.push(row(&[
            "孙八",
            id_number("19900303", 44).as_str(),
            "",
            "",
            "",
            "",
            "",
        ]));
        let text = csv(&rows);
        let gbk = encoding_rs::GBK.encode(&text).0.into_owned();
        let (s, job) = upload(&ctx, &token, "人口.csv", gbk).await;
        assert_eq!(s, StatusCode::CREATED, "{job}");
        let checked = settle(&ctx, &token, &job["id"]).await;
        assert_eq!(checked["state"], "checked", "{checked}");
        let r = &checked["report"];
        assert_eq!(r["rows"], 5);
        assert_eq!(r["new"], 2);
        assert_eq!(r["bad_rows"], 3);
        let errors = r["errors"].as_array().unwrap();
        let find = |line: u64, column: &str| {
            errors
                .iter()
                .find(|e| e["line"] == line && e["column"] == column)
                .unwrap_or_else(|| panic!("no error at {line}/{column}: {errors:?}"))
        };
        assert_eq!(find(4, "身份证号")["value"], "430204198001010019");
        assert!(
            find(4, "身份证号")["reason"]
                .as_str()
                .unwrap()
                .contains("校验位")
        );
        assert_eq!(find(4, "联系电话")["value"], "138");
        assert!(
            find(4, "人口类型")["reason"]
                .as_str()
                .unwrap()
                .contains("外星")
        );
        // Street 1 may not write into street 2's grid; a row without a grid has no home.
        assert!(
            find(5, "网格")["reason"]
                .as_str()
                .unwrap()
                .contains("不在您的管辖范围")
        );
        assert!(
            find(6, "网格")["reason"]
                .as_str()
                .unwrap()
                .contains("未填写网格")
        );
        assert_eq!(person_count(&ctx).await, 6, "a dry run writes nothing");

        // The error report downloads as a real workbook.
        let req = Request::get(format!("/api/v1/imports/{}/errors.xlsx", job["id"]))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let resp = tower::ServiceExt::oneshot(ctx.app.clone(), req)
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        let table = read_table(Format::Xlsx, &bytes, &Limits::default()).unwrap();
        assert_eq!(table.headers, ["行号", "列", "值", "原因"]);
        assert_eq!(table.rows.len(), errors.len());
        assert_eq!(table.rows[0].cells[0], "4");

        let (s, _) = post(
            &ctx,
            &token,
            &format!("/api/v1/imports/{}/apply", job["id"]),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let done = settle(&ctx, &token, &job["id"]).await;
        assert_eq!(done["applied"]["totals"]["new"], 2, "{done}");
        assert_eq!(person_count(&ctx).await, 8);
        // Applying again changes nothing.
        let (s, again) = post(
            &ctx,
            &token,
            &format!("/api/v1/imports/{}/apply", job["id"]),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(again["state"], "applied");

        // Found by a two-character name; tags and derived fields are right; the grid count moved.
        let (_, found) = ctx.get("/api/v1/persons?name=张伟", &token).await;
        assert_eq!(found["total"], 1, "{found}");
        let p = &found["items"][0];
        assert_eq!(p["sex"], "男");
        let tags: Vec<&str> = p["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["tag"].as_str().unwrap())
            .collect();
        assert!(
            tags.contains(&"low_income") && tags.contains(&"disabled"),
            "{p}"
        );
        let (_, grid) = ctx
            .get(&format!("/api/v1/regions/{}", &GRID_A[..12]), &token)
            .await;
        let a = grid["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["code"] == GRID_A)
            .unwrap();
        assert_eq!(a["counts"]["persons"], 3, "{grid}");

        // The same file again: nothing new, nothing changed.
        let (report, applied) = import(&ctx, &token, "人口.csv", csv(&good).into_bytes()).await;
        assert_eq!(report["unchanged"], 2, "{report}");
        assert_eq!(applied["totals"]["new"], 0);
        assert_eq!(person_count(&ctx).await, 8);

        // A changed phone and a move to another grid update the record and are recorded.
        let changed = vec![
            header.clone(),
            row(&[
                "张伟",
                zhang.as_str(),
                "13900000002",
                "户籍",
                GRID_B,
                "低保、残疾人（二级）",
                "H1",
            ]),
        ];
        let (report, _) = import(&ctx, &token, "变更.csv", csv(&changed).into_bytes()).await;
        assert_eq!(report["changed"], 1, "{report}");
        let (_, found) = ctx.get("/api/v1/persons?phone=13900000002", &token).await;
        assert_eq!(found["total"], 1);
        assert_eq!(found["items"][0]["grid_code"], GRID_B, "{found}");
        let db = ctx.store.connection();
        let history = db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT kind, fields, grid_from, grid_to, source FROM person_history ORDER BY id",
            ))
            .await
            .unwrap();
        let last = history.last().unwrap();
        assert_eq!(last.try_get::<String>("", "kind").unwrap(), "move");
        assert_eq!(last.try_get::<String>("", "fields").unwrap(), "phone,grid");
        assert_eq!(last.try_get::<String>("", "grid_from").unwrap(), GRID_A);
        assert_eq!(
            last.try_get::<String>("", "source").unwrap(),
            "导入 变更.csv"
        );
        let imports = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'person.import'",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            imports.try_get::<i64>("", "n").unwrap(),
            3,
            "one audit row per import"
        );
    });
}

#[tokio::test]
async fn unknown_headers_wait_for_the_mapping_step() {
    on_each_db!(|ctx| {
        let token = ctx.token("worker_a").await;
        let rows = [row(&["周杰", id_number("19700505", 55).as_str(), "A"])];
        let xlsx = write_xlsx(&[Sheet {
            name: "人口",
            headers: &["姓名", "证件号", "血型"],
            rows: &rows,
        }])
        .unwrap();
        let (s, job) = upload(&ctx, &token, "人口.xlsx", xlsx).await;
        assert_eq!(s, StatusCode::CREATED, "{job}");
        assert_eq!(job["state"], "mapping");
        assert_eq!(job["missing_required"], json!(["id_number"]));
        assert_eq!(job["unknown"], json!(["证件号", "血型"]));
        let path = format!("/api/v1/imports/{}/mapping", job["id"]);
        let put = |body: Value| {
            Request::put(&path)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let (s, e, _) = ctx.send(put(json!({"columns": {"血型": "blood"}}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["message"], "列映射中的字段“blood”不存在");
        let (s, job2, _) = ctx
            .send(put(json!({"columns": {"证件号": "id_number", "血型": ""}})))
            .await;
        assert_eq!(s, StatusCode::OK, "{job2}");
        let checked = settle(&ctx, &token, &job["id"]).await;
        // A grid worker's rows without a grid column go to the worker's own grid.
        assert_eq!(checked["report"]["new"], 1, "{checked}");
        post(
            &ctx,
            &token,
            &format!("/api/v1/imports/{}/apply", job["id"]),
        )
        .await;
        settle(&ctx, &token, &job["id"]).await;
        let (_, found) = ctx.get("/api/v1/persons?name=周杰", &token).await;
        assert_eq!(found["items"][0]["grid_code"], GRID_A, "{found}");

        // Someone else's job is not there; a read-only role cannot import.
        let other = ctx.token("street1").await;
        let (s, _) = ctx
            .get(&format!("/api/v1/imports/{}", job["id"]), &other)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let leader = ctx.token("leader").await;
        let (s, e) = upload(&ctx, &leader, "a.csv", b"x".to_vec()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    });
}

#[tokio::test]
async fn bad_files_are_refused_and_change_nothing() {
    on_each_db!(|ctx| {
        let token = ctx.token("district").await;
        let before = person_count(&ctx).await;

        // A truncated workbook and UTF-16 text are refused at upload, naming the problem.
        let xlsx = write_xlsx(&[Sheet {
            name: "人口",
            headers: &["姓名", "身份证号"],
            rows: &[row(&["周杰", id_number("19700505", 55).as_str()])],
        }])
        .unwrap();
        let (s, e) = upload(&ctx, &token, "坏.xlsx", xlsx[..xlsx.len() / 2].to_vec()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("损坏或被截断"),
            "{e}"
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "姓名,身份证号\r\n"
                    .encode_utf16()
                    .flat_map(|u| u.to_le_bytes()),
            )
            .collect();
        let (s, e) = upload(&ctx, &token, "u16.csv", utf16).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            e["error"]["message"].as_str().unwrap().contains("UTF-16"),
            "{e}"
        );

        // 100,000 bad rows, a 50 MB cell and an ID number twice: all reported, none imported.
        let dup = id_number("19660606", 66);
        let mut text = String::from("姓名,身份证号,网格\r\n");
        text.push_str(&format!("甲,{},{GRID_A}\r\n", dup.as_str()));
        text.push_str(&format!("乙,{},{GRID_A}\r\n", dup.as_str()));
        text.push_str(&format!("丙,{},{GRID_A}\r\n", "x".repeat(50 * 1024 * 1024)));
        for _ in 0..100_000 {
            text.push_str("丁,123,\r\n");
        }
        let (s, job) = upload(&ctx, &token, "大.csv", text.into_bytes()).await;
        assert_eq!(s, StatusCode::CREATED, "{job}");
        let checked = settle(&ctx, &token, &job["id"]).await;
        let r = &checked["report"];
        assert_eq!(r["rows"], 100_003, "{r}");
        assert_eq!(r["bad_rows"], 100_003);
        assert_eq!(r["new"], 0);
        assert_eq!(r["error_count"], 100_003);
        let errors = r["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 200, "the page shows the first 200");
        assert!(
            errors[0]["reason"]
                .as_str()
                .unwrap()
                .contains("与第3行重复"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1]["reason"]
                .as_str()
                .unwrap()
                .contains("与第2行重复")
        );
        assert!(
            errors[2]["reason"].as_str().unwrap().contains("单元格过大"),
            "{}",
            errors[2]
        );
        post(
            &ctx,
            &token,
            &format!("/api/v1/imports/{}/apply", job["id"]),
        )
        .await;
        let done = settle(&ctx, &token, &job["id"]).await;
        assert_eq!(done["applied"]["totals"]["new"], 0, "{done}");
        assert_eq!(person_count(&ctx).await, before);

        // An upload larger than the limit is refused before it is read.
        let req = Request::post("/api/v1/imports?kind=persons&file_name=big.csv")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(vec![b'a'; 200 * 1024 * 1024 + 1]))
            .unwrap();
        let (s, e, _) = ctx.send(req).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("200 MB"));
    });
}

async fn upload_kind(ctx: &Ctx, token: &str, kind: &str, file_name: &str, bytes: Vec<u8>) -> Value {
    let req = Request::post(format!(
        "/api/v1/imports?kind={kind}&file_name={}",
        encode(file_name)
    ))
    .header("authorization", format!("Bearer {token}"))
    .body(Body::from(bytes))
    .unwrap();
    let (s, job, _) = ctx.send(req).await;
    assert_eq!(s, StatusCode::CREATED, "{job}");
    let checked = settle(ctx, token, &job["id"]).await;
    assert_eq!(checked["state"], "checked", "{checked}");
    checked
}

#[tokio::test]
async fn buildings_and_organizations_import_with_row_errors() {
    on_each_db!(|ctx| {
        let token = ctx.token("street1").await;
        let buildings = format!(
            "楼栋名称,地址,层数,单元数,经度,纬度,网格\r\n\
             9栋,建设路9号,18,3,113.105,27.855,{GRID_A}\r\n\
             10栋,建设路10号,六层,2,,,{GRID_A}\r\n\
             11栋,建设路11号,6,2,,,{GRID_C}\r\n\
             12栋,建设路12号,6,2,,,{GRID_B}\r\n"
        );
        let checked = upload_kind(
            &ctx,
            &token,
            "buildings",
            "楼栋.csv",
            buildings.clone().into_bytes(),
        )
        .await;
        let r = &checked["report"];
        assert_eq!(
            (
                r["rows"].as_u64(),
                r["new"].as_u64(),
                r["bad_rows"].as_u64()
            ),
            (Some(4), Some(2), Some(2)),
            "{r}"
        );
        let errors = r["errors"].as_array().unwrap();
        assert_eq!(errors[0]["column"], "层数");
        assert_eq!(errors[0]["value"], "六层");
        assert!(
            errors[1]["reason"]
                .as_str()
                .unwrap()
                .contains("不在您的管辖范围"),
            "{errors:?}"
        );
        let id = &checked["id"];
        post(&ctx, &token, &format!("/api/v1/imports/{id}/apply")).await;
        let done = settle(&ctx, &token, id).await;
        assert_eq!(done["applied"]["totals"]["new"], 2, "{done}");
        let (_, list) = ctx
            .get(&format!("/api/v1/buildings?region={GRID_A}"), &token)
            .await;
        assert_eq!(list["total"], 2, "the fixture's building and 9栋: {list}");
        let (_, b) = ctx.get(&format!("/api/v1/grids/{GRID_B}"), &token).await;
        let twelve = b["buildings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == "12栋")
            .unwrap()
            .clone();
        assert!(
            twelve["code"].as_str().unwrap().starts_with(GRID_B),
            "{twelve}"
        );
        // Again: nothing new; a changed floor count is an update.
        let again = upload_kind(
            &ctx,
            &token,
            "buildings",
            "楼栋.csv",
            buildings
                .replace("9栋,建设路9号,18", "9栋,建设路9号,20")
                .into_bytes(),
        )
        .await;
        assert_eq!(
            (
                again["report"]["new"].as_u64(),
                again["report"]["changed"].as_u64(),
                again["report"]["unchanged"].as_u64()
            ),
            (Some(0), Some(1), Some(1)),
            "{again}"
        );

        // Organizations from a workbook: a bad credit code and a repeated one are reported.
        let rows = [
            row(&[
                "惠民超市",
                "91350100M000100Y43",
                "商户",
                "建设路1号",
                "周强",
                "13807319999",
                GRID_A,
            ]),
            row(&[
                "坏代码公司",
                "91350100M000100Y44",
                "企业",
                "建设路2号",
                "",
                "",
                GRID_A,
            ]),
            row(&[
                "惠民超市二店",
                "91350100M000100Y43",
                "商户",
                "建设路3号",
                "",
                "",
                GRID_A,
            ]),
            row(&["阳光物业", "", "物业公司", "建设路4号", "", "", GRID_B]),
        ];
        let xlsx = write_xlsx(&[Sheet {
            name: "组织",
            headers: &[
                "单位名称",
                "统一社会信用代码",
                "类型",
                "地址",
                "负责人",
                "联系电话",
                "网格",
            ],
            rows: &rows,
        }])
        .unwrap();
        let checked = upload_kind(&ctx, &token, "organizations", "组织.xlsx", xlsx).await;
        let r = &checked["report"];
        assert_eq!(
            (r["new"].as_u64(), r["bad_rows"].as_u64()),
            (Some(2), Some(2)),
            "{r}"
        );
        let id = &checked["id"];
        post(&ctx, &token, &format!("/api/v1/imports/{id}/apply")).await;
        settle(&ctx, &token, id).await;
        let (_, orgs) = ctx.get("/api/v1/organizations", &token).await;
        assert_eq!(orgs["total"], 2, "{orgs}");
        assert!(
            orgs["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["phone"] == "138****9999")
        );
    });
}

#[tokio::test]
async fn households_are_registered_before_their_members() {
    on_each_db!(|ctx| {
        let token = ctx.token("street1").await;
        let (_, head) = ctx
            .get(&format!("/api/v1/persons/{}", ctx.person_a), &token)
            .await;
        let head_name = head["name"].as_str().unwrap().to_string();
        let households = format!(
            "户号,户主姓名,户主身份证号,现住址,楼栋,房号,网格\r\n\
             H9,{head_name},{},建设路9号,,101,{GRID_A}\r\n\
             H10,赵六,,建设路10号,,102,{GRID_A}\r\n\
             H11,钱七,430204199001010000,建设路11号,,103,{GRID_A}\r\n\
             H12,孙八,,建设路12号,不存在的楼,104,{GRID_A}\r\n\
             H13,{head_name}错,{},建设路13号,,105,{GRID_A}\r\n",
            ctx.id_number_a, ctx.id_number_a
        );
        let checked = upload_kind(
            &ctx,
            &token,
            "households",
            "户.csv",
            households.into_bytes(),
        )
        .await;
        let r = &checked["report"];
        assert_eq!(
            (r["new"].as_u64(), r["bad_rows"].as_u64()),
            (Some(2), Some(3)),
            "{r}"
        );
        let reasons: Vec<&str> = r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["reason"].as_str().unwrap())
            .collect();
        assert!(reasons.iter().any(|m| m.contains("校验位")), "{reasons:?}");
        assert!(
            reasons.iter().any(|m| m.contains("请先导入楼栋")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|m| m.contains("户主姓名与登记")),
            "{reasons:?}"
        );
        let id = &checked["id"];
        post(&ctx, &token, &format!("/api/v1/imports/{id}/apply")).await;
        settle(&ctx, &token, id).await;

        // The registered head now heads H9, recorded in their history.
        let (_, history) = ctx
            .get(&format!("/api/v1/persons/{}/history", ctx.person_a), &token)
            .await;
        assert_eq!(
            history["items"][0]["fields"],
            json!(["household", "relation"]),
            "{history}"
        );
        // A person imported later with 户号 H10 joins that household.
        let member = format!(
            "姓名,身份证号,户号,网格\r\n赵六,{},H10,{GRID_A}\r\n",
            id_number("19700707", 70).as_str()
        );
        import(&ctx, &token, "成员.csv", member.into_bytes()).await;
        let db = ctx.store.connection();
        let n = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT member_count AS n FROM household WHERE number = 'H10'",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i32>("", "n")
            .unwrap();
        assert_eq!(n, 1);
    });
}
