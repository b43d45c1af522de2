//! The responsible people of a grid and the list of grids lacking a worker or a backup;
//! exporting lists to .xlsx (masked, formula-like cells neutralised, audited). On SQLite and
//! PostgreSQL, with in-scope and out-of-scope callers.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

use common::{Ctx, GRID_A, GRID_C};
use wangge_sheet::{Format, Limits, Table, read_table};

async fn send_json(
    ctx: &Ctx,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let body = body.map_or(Body::empty(), |b| Body::from(b.to_string()));
    let (s, v, _) = ctx.send(req.body(body).unwrap()).await;
    (s, v)
}

async fn xlsx(ctx: &Ctx, path: &str, token: &str) -> (StatusCode, Option<Table>) {
    let req = Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let resp = ctx.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let table = (status == StatusCode::OK)
        .then(|| read_table(Format::Xlsx, &bytes, &Limits::default()).unwrap());
    (status, table)
}

fn gap_codes(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn staff_are_put_on_grids_and_gaps_listed() {
    on_each_db!(|ctx| {
        let district = ctx.token("district").await;
        // Every fixture grid has a full-time worker but no AB backup.
        let (s, gaps) = send_json(&ctx, "GET", "/api/v1/staffing", &district, None).await;
        assert_eq!(s, StatusCode::OK, "{gaps}");
        assert_eq!(gap_codes(&gaps).len(), 3, "{gaps}");
        assert_eq!(gaps["items"][0]["missing"], json!(["ab_backup"]));

        let path = format!("/api/v1/grids/{GRID_A}/staff");
        let body = json!({"duty": "ab_backup", "name": "赵敏", "phone": "139 0731 0002"});
        let (s, added) = send_json(&ctx, "POST", &path, &district, Some(body.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{added}");
        assert_eq!(added["duty_label"], "AB岗");
        assert_eq!(added["phone"], "13907310002");
        let (_, gaps) = send_json(&ctx, "GET", "/api/v1/staffing", &district, None).await;
        assert!(!gap_codes(&gaps).contains(&GRID_A.to_string()), "{gaps}");
        let (_, grid) = send_json(
            &ctx,
            "GET",
            &format!("/api/v1/grids/{GRID_A}"),
            &district,
            None,
        )
        .await;
        assert!(
            grid["staff"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["name"] == "赵敏")
        );

        // Bad input names its field; a worker may not staff grids; another street's grid is absent.
        let bad = json!({"duty": "ab_backup", "name": "赵敏", "phone": "12345"});
        let (s, e) = send_json(&ctx, "POST", &path, &district, Some(bad)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["field"], "phone");
        let bad = json!({"duty": "boss", "name": "赵敏", "phone": "13907310002"});
        let (s, e) = send_json(&ctx, "POST", &path, &district, Some(bad)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["field"], "duty");
        let worker = ctx.token("worker_a").await;
        let (s, _) = send_json(&ctx, "POST", &path, &worker, Some(body.clone())).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let street1 = ctx.token("street1").await;
        let other = format!("/api/v1/grids/{GRID_C}/staff");
        let (s, _) = send_json(&ctx, "POST", &other, &street1, Some(body)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, gaps) = send_json(&ctx, "GET", "/api/v1/staffing", &street1, None).await;
        assert!(
            !gap_codes(&gaps).contains(&GRID_C.to_string()),
            "out of scope: {gaps}"
        );

        // Removing takes the person off again, and the gap is back.
        let id = added["id"].as_i64().unwrap();
        let (s, _) = send_json(&ctx, "DELETE", &format!("{path}/{id}"), &street1, None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = send_json(&ctx, "DELETE", &format!("{path}/{id}"), &street1, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, gaps) = send_json(&ctx, "GET", "/api/v1/staffing", &district, None).await;
        assert!(gap_codes(&gaps).contains(&GRID_A.to_string()));
    });
}

#[tokio::test]
async fn lists_export_to_masked_workbooks() {
    on_each_db!(|ctx| {
        let street1 = ctx.token("street1").await;
        let (s, table) = xlsx(&ctx, "/api/v1/export/persons.xlsx", &street1).await;
        assert_eq!(s, StatusCode::OK);
        let table = table.unwrap();
        assert_eq!(table.headers[0], "姓名");
        assert_eq!(
            table.rows.len(),
            4,
            "street 1 holds grids A and B, two persons each"
        );
        let id_column = table.headers.iter().position(|h| h == "身份证号").unwrap();
        for row in &table.rows {
            assert!(row.cells[id_column].contains("********"), "{:?}", row.cells);
        }
        // The same filters as the list.
        let (_, table) = xlsx(&ctx, "/api/v1/export/persons.xlsx?name=%E7%8E%8B", &street1).await;
        assert_eq!(table.unwrap().rows.len(), 2);
        let (s, _) = xlsx(
            &ctx,
            "/api/v1/export/persons.xlsx?region=430204002",
            &street1,
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "another street is out of scope");
        let auditor = ctx.token("auditor").await;
        let (s, _) = xlsx(&ctx, "/api/v1/export/persons.xlsx", &auditor).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // A household address that looks like a formula leaves as text.
        let db = ctx.store.connection();
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("UPDATE household SET address = '=HYPERLINK(\"http://x\",\"点我\")'")
            .await
            .unwrap();
        let (s, table) = xlsx(&ctx, "/api/v1/export/households.xlsx", &street1).await;
        assert_eq!(s, StatusCode::OK);
        let table = table.unwrap();
        assert!(
            table.rows[0].cells[1].starts_with("'="),
            "{:?}",
            table.rows[0]
        );
        let (s, table) = xlsx(&ctx, "/api/v1/export/buildings.xlsx", &street1).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(table.unwrap().rows.len(), 2);

        let exports = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'export'",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            exports.try_get::<i64>("", "n").unwrap(),
            4,
            "every export is audited"
        );
    });
}
