//! Administering the handling catalog and the working calendar, through the router on
//! SQLite and PostgreSQL: .xlsx export and re-import, a bad file refused whole with every
//! bad cell named, admin-only writes, an edited item routing the next dispatch, the catalog
//! and calendar pages with their forms.
mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;
use wangge_sheet::{Format, Limits, Sheet, read_table, write_xlsx};
use wangge_store::load::Batch;

use common::{Ctx, PASSWORD};

const HEADERS: [&str; 10] = [
    "事项编码",
    "事项名称",
    "类别",
    "主办部门",
    "协办部门",
    "签收时限(分钟)",
    "办结时限(工作日)",
    "紧急系数",
    "结案标准",
    "可领办",
];

/// The departments the default catalog names (the test district has only D01).
async fn departments(ctx: &Ctx) {
    let mut b = Batch::new();
    b.add_department(ctx.store.next_id(), "D02", "株洲市公安局石峰分局", "公安");
    for n in 3..=27 {
        let (code, name, short) = (
            format!("D{n:02}"),
            format!("石峰区第{n}局"),
            format!("{n}局"),
        );
        b.add_department(ctx.store.next_id(), &code, &name, &short);
    }
    b.write(&ctx.store).await.unwrap();
}

async fn admin_token(ctx: &Ctx) -> String {
    let body = json!({"username": "admin", "password": PASSWORD, "totp": ctx.totp_now()});
    let (s, v) = ctx.post_json("/api/v1/session", &body.to_string()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["token"].as_str().unwrap().to_string()
}

/// A request answered with its raw body (downloads are not JSON).
async fn raw(ctx: &Ctx, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let resp = ctx.app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

async fn download(ctx: &Ctx, auth: (&str, String)) -> Vec<u8> {
    let req = Request::get("/api/v1/catalog.xlsx")
        .header(auth.0, auth.1)
        .body(Body::empty())
        .unwrap();
    let (s, h, bytes) = raw(ctx, req).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    bytes
}

async fn upload(ctx: &Ctx, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::put("/api/v1/catalog")
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(Body::from(bytes))
        .unwrap();
    let (s, _, body) = raw(ctx, req).await;
    (s, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// The sheet's rows, as text.
fn rows_of(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let t = read_table(Format::Xlsx, bytes, &Limits::default()).unwrap();
    (t.headers, t.rows.into_iter().map(|r| r.cells).collect())
}

fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    write_xlsx(&[Sheet {
        name: "事项清单",
        headers: &HEADERS,
        rows,
    }])
    .unwrap()
}

#[tokio::test]
async fn export_then_import_gives_the_same_catalog() {
    on_each_db!(|ctx| {
        departments(&ctx).await;
        let street = ctx.token("street1").await;
        let admin = admin_token(&ctx).await;
        let (_, before) = ctx.get("/api/v1/catalog", &street).await;
        let bytes = download(&ctx, ("authorization", format!("Bearer {street}"))).await;
        let (headers, rows) = rows_of(&bytes);
        assert_eq!(headers, HEADERS);
        assert_eq!(rows.len(), before.as_array().unwrap().len());
        let lamp = rows.iter().find(|r| r[1] == "路灯不亮").unwrap();
        assert_eq!(lamp[3], "区城市管理和综合执法局", "departments by name");

        let (s, v) = upload(&ctx, &admin, bytes).await;
        assert_eq!(
            (s, v["items"].as_u64()),
            (StatusCode::OK, Some(rows.len() as u64)),
            "{v}"
        );
        let (_, after) = ctx.get("/api/v1/catalog", &street).await;
        assert_eq!(after, before);
        let (_, audit) = ctx.get("/api/v1/audit?per_page=5", &admin).await;
        assert!(audit.to_string().contains("catalog.import"), "{audit}");
    });
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_and_only_admins_write() {
    on_each_db!(|ctx| {
        departments(&ctx).await;
        let worker = ctx.token("worker_a").await;
        let admin = admin_token(&ctx).await;
        let (_, before) = ctx.get("/api/v1/catalog", &worker).await;
        let (_, mut rows) =
            rows_of(&download(&ctx, ("authorization", format!("Bearer {worker}"))).await);
        rows[0][3] = "交警大队".into(); // row 2: no such department
        rows[1][6] = "-3".into(); // row 3: a negative limit
        rows[2][0] = rows[0][0].clone(); // row 4: a repeated code
        rows[5][1] = "改过的名字".into(); // a good change that must not be applied
        let bad = xlsx(&rows);

        let (s, v) = upload(&ctx, &worker, bad.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let (s, v) = upload(&ctx, &admin, bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["code"], "invalid_catalog");
        let found: Vec<(u64, &str)> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_u64().unwrap(),
                    e["column"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(found, [(2, "D"), (3, "G"), (4, "A")], "{v}");
        let errors = &v["errors"];
        assert!(
            errors[0]["message"].as_str().unwrap().contains("交警大队"),
            "{v}"
        );
        assert_eq!(errors[1]["header"], "办结时限(工作日)");
        assert!(
            errors[1]["message"].as_str().unwrap().contains("负数"),
            "{v}"
        );
        assert!(
            errors[2]["message"].as_str().unwrap().contains("重复"),
            "{v}"
        );
        let (_, after) = ctx.get("/api/v1/catalog", &worker).await;
        assert_eq!(after, before, "nothing written");

        let (s, v) = upload(&ctx, &admin, b"code\tname\n".to_vec()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(
            v["errors"][0]["message"].as_str().unwrap().contains("xlsx"),
            "{v}"
        );
        let (s, _) = ctx
            .call(
                "PATCH",
                "/api/v1/catalog/A01-003",
                &worker,
                json!({"name": "新名字"}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn an_edited_item_routes_the_next_dispatch() {
    on_each_db!(|ctx| {
        departments(&ctx).await;
        let admin = admin_token(&ctx).await;
        let path = "/api/v1/catalog/A01-003";
        let (_, before) = ctx.get("/api/v1/catalog", &admin).await;
        let bad = json!({"lead_department": "无此部门", "handle_days": -1, "urgency": 0.5});
        let (s, v) = ctx.call("PATCH", path, &admin, bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["field"], "lead_department");
        let fields: Vec<&str> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["lead_department", "handle_days"], "{v}");
        assert_eq!(ctx.get("/api/v1/catalog", &admin).await.1, before);
        let (s, _) = ctx
            .call(
                "PATCH",
                "/api/v1/catalog/Z99-001",
                &admin,
                json!({"name": "x"}),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let edit = json!({"lead_department": "公安", "co_departments": ["D01"], "sign_hours": 2, "urgency": "0.5", "claimable": true});
        let (s, item) = ctx.call("PATCH", path, &admin, edit).await;
        assert_eq!(s, StatusCode::OK, "{item}");
        assert_eq!(
            (
                &item["lead_department"],
                &item["co_departments"],
                &item["sign_hours"],
                &item["urgency"]
            ),
            (&json!("D02"), &json!(["D01"]), &json!(2), &json!(0.5))
        );
        let (_, audit) = ctx.get("/api/v1/audit?per_page=5", &admin).await;
        assert!(audit.to_string().contains("catalog.edit"), "{audit}");

        let worker = ctx.token("worker_a").await;
        let street = ctx.token("street1").await;
        let body = json!({"category": "A01-003", "description": "3栋门口堆放垃圾", "lng": 113.105, "lat": 27.855});
        let (s, e) = ctx.call("POST", "/api/v1/events", &worker, body).await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
        let actions = format!("/api/v1/events/{}/actions", e["id"]);
        let (s, _) = ctx
            .call("POST", &actions, &street, json!({"action": "verify"}))
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, e) = ctx
            .call("POST", &actions, &street, json!({"action": "dispatch"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(e["department"], "D02", "the new lead department: {e}");
    });
}

// ---- pages ----

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    let rest = &html[at + marker.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn cookie_of(h: &HeaderMap, name: &str) -> String {
    h.get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|r| r.split(';').next().unwrap().to_string())
        .unwrap_or_default()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn get_page(ctx: &Ctx, path: &str, cookie: &str) -> (StatusCode, String) {
    let req = Request::get(path)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    let (s, _, body) = raw(ctx, req).await;
    (s, String::from_utf8(body).unwrap())
}

/// Posts a form; answers the status, the page and where a redirect goes.
async fn post_form(
    ctx: &Ctx,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let req = Request::post(path)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap();
    let (s, h, body) = raw(ctx, req).await;
    let location = h
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (s, String::from_utf8_lossy(&body).into_owned(), location)
}

/// Signs in through the login form; answers the session cookie.
async fn sign_in(ctx: &Ctx, username: &str, totp: &str) -> String {
    let req = Request::get("/login").body(Body::empty()).unwrap();
    let (_, h, body) = raw(ctx, req).await;
    let csrf = hidden(&String::from_utf8(body).unwrap(), "csrf");
    let jar = format!("wangge_login_csrf={}", cookie_of(&h, "wangge_login_csrf"));
    let fields = [
        ("csrf", csrf.as_str()),
        ("username", username),
        ("password", PASSWORD),
        ("totp", totp),
    ];
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let req = Request::post("/login")
        .header("cookie", jar)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap();
    let (s, h, _) = raw(ctx, req).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{username} signs in");
    format!("wangge_session={}", cookie_of(&h, "wangge_session"))
}

async fn upload_page(
    ctx: &Ctx,
    cookie: &str,
    csrf: &str,
    file: &[u8],
) -> (StatusCode, String, String) {
    let boundary = "catalog-test-boundary";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .into_bytes();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"清单.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes());
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let req = Request::post("/catalog")
        .header("cookie", cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (s, h, body) = raw(ctx, req).await;
    let location = h
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (s, String::from_utf8_lossy(&body).into_owned(), location)
}

#[tokio::test]
async fn the_catalog_pages_for_operators_and_admins() {
    on_each_db!(|ctx| {
        departments(&ctx).await;
        let operator = sign_in(&ctx, "district", "").await;
        let (s, html) = get_page(&ctx, "/catalog", &operator).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("市容环境")
                && html.contains("路灯不亮")
                && html.contains("href=\"/catalog\""),
            "{html}"
        );
        assert!(html.contains("/api/v1/catalog.xlsx"), "export link");
        assert!(
            !html.contains("/edit\"") && !html.contains("catalog-upload"),
            "no admin tools"
        );
        let (_, html) = get_page(&ctx, "/catalog?q=%E8%B7%AF%E7%81%AF", &operator).await; // 路灯
        assert!(
            html.contains("路灯不亮") && !html.contains("燃气泄漏"),
            "{html}"
        );
        assert_eq!(
            get_page(&ctx, "/catalog/A01-003/edit", &operator).await.0,
            StatusCode::FORBIDDEN
        );
        download(&ctx, ("cookie", operator.clone())).await;

        let admin = sign_in(&ctx, "admin", &ctx.totp_now()).await;
        let (s, html) = get_page(&ctx, "/catalog", &admin).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("href=\"/catalog/A01-003/edit\"") && html.contains("catalog-upload"),
            "{html}"
        );
        let csrf = hidden(&html, "csrf");

        // The edit form: a zero limit is shown in place, then a good edit is saved.
        let (s, html) = get_page(&ctx, "/catalog/A01-003/edit", &admin).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        let name = hidden(&html, "name");
        let form = |handle: &'static str| {
            [
                ("csrf", csrf.as_str()),
                ("name", name.as_str()),
                ("lead", "D02"),
                ("co", "D01"),
                ("co", "D03"),
                ("sign_hours", "4"),
                ("handle_days", handle),
                ("urgency", "1.0"),
                ("standard", "当日清运完毕，现场照片为证"),
            ]
        };
        let path = "/catalog/A01-003/edit";
        let (s, html, _) = post_form(&ctx, path, &admin, &form("0")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("form-error") && html.contains("不能为0"),
            "{html}"
        );
        let (s, _, location) = post_form(&ctx, path, &admin, &form("2")).await;
        assert_eq!(
            (s, location.as_str()),
            (StatusCode::SEE_OTHER, "/catalog?edited=A01-003#A01-003")
        );
        let token = ctx.token("district").await;
        let (_, items) = ctx.get("/api/v1/catalog", &token).await;
        let item = items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == "A01-003")
            .unwrap()
            .clone();
        assert_eq!(
            (
                &item["lead_department"],
                &item["co_departments"],
                &item["handle_days"],
                &item["claimable"]
            ),
            (
                &json!("D02"),
                &json!(["D01", "D03"]),
                &json!(2),
                &json!(false)
            )
        );

        // The upload form: a bad file shows its error table, a good one is imported.
        let (_, mut rows) = rows_of(&download(&ctx, ("cookie", admin.clone())).await);
        rows[3][5] = "90".into();
        let (s, html, _) = upload_page(&ctx, &admin, &csrf, &xlsx(&rows)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("catalog-errors")
                && html.contains("<td>5</td><td>F</td>")
                && html.contains("60的倍数"),
            "{html}"
        );
        rows[3][5] = "120".into();
        let (s, _, location) = upload_page(&ctx, &admin, &csrf, &xlsx(&rows)).await;
        assert_eq!(
            (s, location),
            (
                StatusCode::SEE_OTHER,
                format!("/catalog?imported={}", rows.len())
            )
        );
        let (_, html) = get_page(&ctx, "/catalog?imported=1", &admin).await;
        assert!(html.contains("已导入事项清单"));
    });
}

#[tokio::test]
async fn the_calendar_page_shows_the_year_and_admins_mark_days() {
    on_each_db!(|ctx| {
        let operator = sign_in(&ctx, "district", "").await;
        let (s, html) = get_page(&ctx, "/calendar?year=2026", &operator).await;
        assert_eq!(s, StatusCode::OK);
        for day in 1..=7 {
            let date = format!("2026-10-{day:02}");
            assert!(
                html.contains(&format!("class=\"day off\" data-date=\"{date}\"")),
                "{date} drawn off"
            );
            assert!(
                html.contains(&format!("<td class=\"mono\">{date}</td>")),
                "{date} listed"
            );
        }
        for saturday in ["2026-02-14", "2026-02-28", "2026-05-09", "2026-10-10"] {
            assert!(
                html.contains(&format!("class=\"day work\" data-date=\"{saturday}\"")),
                "{saturday}"
            );
            assert!(
                html.contains(&format!("<td class=\"mono\">{saturday}</td><td>周六</td>")),
                "{saturday}"
            );
        }
        assert!(
            html.contains("08:30-12:00,13:30-17:30") && html.contains("7.5 小时"),
            "{html}"
        );
        assert!(
            !html.contains("action=\"/calendar/days\""),
            "no admin form for operators"
        );
        let csrf = hidden(&html, "csrf");
        let day = [
            ("csrf", csrf.as_str()),
            ("date", "2026-12-01"),
            ("kind", "off"),
            ("note", "临时放假"),
        ];
        assert_eq!(
            post_form(&ctx, "/calendar/days", &operator, &day).await.0,
            StatusCode::FORBIDDEN
        );

        let admin = sign_in(&ctx, "admin", &ctx.totp_now()).await;
        let (_, html) = get_page(&ctx, "/calendar", &admin).await;
        assert!(
            html.contains("action=\"/calendar/days\"") && html.contains("calendar-periods"),
            "{html}"
        );
        let csrf = hidden(&html, "csrf");
        let bad = [
            ("csrf", csrf.as_str()),
            ("date", "2026-13-01"),
            ("kind", "off"),
            ("note", ""),
        ];
        let (s, html, _) = post_form(&ctx, "/calendar/days", &admin, &bad).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("form-error") && html.contains("2026-13-01"),
            "{html}"
        );
        let day = [
            ("csrf", csrf.as_str()),
            ("date", "2026-12-01"),
            ("kind", "off"),
            ("note", "临时放假"),
        ];
        let (s, _, location) = post_form(&ctx, "/calendar/days", &admin, &day).await;
        assert_eq!(
            (s, location.as_str()),
            (
                StatusCode::SEE_OTHER,
                "/calendar?year=2026&saved=2026-12-01"
            )
        );
        let token = ctx.token("district").await;
        let (_, cal) = ctx.get("/api/v1/calendar", &token).await;
        assert!(
            cal["days"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["date"] == "2026-12-01"
                    && d["kind"] == "off"
                    && d["note"] == "临时放假"),
            "{cal}"
        );
        let (_, html) = get_page(&ctx, "/calendar?year=2026", &admin).await;
        assert!(html.contains("class=\"day off\" data-date=\"2026-12-01\""));

        let periods = [
            ("csrf", csrf.as_str()),
            ("periods", "09:00-12:00,11:00-17:00"),
        ];
        let (s, html, _) = post_form(&ctx, "/calendar/periods", &admin, &periods).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("form-error"), "{html}");
        let periods = [
            ("csrf", csrf.as_str()),
            ("periods", "09:00-12:00,13:00-17:00"),
        ];
        assert_eq!(
            post_form(&ctx, "/calendar/periods", &admin, &periods)
                .await
                .0,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            ctx.get("/api/v1/calendar", &token).await.1["periods"],
            "09:00-12:00,13:00-17:00"
        );
    });
}
