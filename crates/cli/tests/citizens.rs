//! Citizens and photos through the API, on SQLite and PostgreSQL: a photo with its GPS
//! position in EXIF is stored without it; a citizen reports without an account, follows
//! the report by its tracking code (no staff names, no internal notes), sees the result
//! with its photos and rates it once; a low rating notifies the command center; a report
//! near an open one of the same kind is offered for merging and its citizen then follows
//! the surviving event; phones and addresses are rate-limited; retried writes with an
//! `Idempotency-Key` are done once; re-categorizing re-routes a dispatched event.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tower::ServiceExt;

use common::Ctx;

const JPEG: &[u8] = include_bytes!("fixtures/street_light_gps.jpg");
const PNG: &[u8] = include_bytes!("fixtures/street_light_gps.png");
const WEBP: &[u8] = include_bytes!("fixtures/street_light_gps.webp");
const GIF: &[u8] = include_bytes!("fixtures/not_a_photo.gif");
/// The camera make written into the fixtures' EXIF, next to their GPS position.
const EXIF_MARK: &[u8] = b"WanggeTestCam";

/// 路灯不亮-like item (city appearance, led by 城管 D01).
const ITEM: &str = "A01-003";

/// The column `v` of the one row a query answers.
async fn column<T: sea_orm::TryGetable>(ctx: &Ctx, sql: &str) -> T {
    let db = ctx.store.connection();
    let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
    let row = db.query_one_raw(statement).await.unwrap().unwrap();
    row.try_get("", "v").unwrap()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Sends raw bytes; answers the status, the body's bytes and the headers.
async fn raw(
    ctx: &Ctx,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = ctx
        .app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, bytes.to_vec(), headers)
}

async fn public(ctx: &Ctx, method: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let (s, bytes, _) = raw(
        ctx,
        method,
        path,
        None,
        "application/json",
        if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        },
    )
    .await;
    (s, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn upload_public(ctx: &Ctx, bytes: &[u8]) -> (StatusCode, Value) {
    let (s, body, _) = raw(
        ctx,
        "POST",
        "/api/v1/public/uploads",
        None,
        "image/jpeg",
        bytes.to_vec(),
    )
    .await;
    (s, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn citizen_report(ctx: &Ctx, phone: &str, lng: f64, photos: Value) -> (StatusCode, Value) {
    public(
        ctx,
        "POST",
        "/api/v1/public/reports",
        json!({"category": ITEM, "description": "小区门口路灯不亮已三天", "lng": lng,
               "lat": 27.855, "phone": phone, "address": "建设路1号", "photos": photos}),
    )
    .await
}

async fn act(ctx: &Ctx, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    ctx.call("POST", &format!("/api/v1/events/{id}/actions"), token, body)
        .await
}

#[tokio::test]
async fn photos_are_checked_by_content_and_lose_their_exif() {
    on_each_db!(|ctx| {
        for (name, bytes, kind) in [
            ("jpeg", JPEG, "image/jpeg"),
            ("png", PNG, "image/png"),
            ("webp", WEBP, "image/webp"),
        ] {
            assert!(contains(bytes, EXIF_MARK), "{name} fixture carries EXIF");
            let (s, up) = upload_public(&ctx, bytes).await;
            assert_eq!(s, StatusCode::CREATED, "{name}: {up}");
            assert_eq!(up["content_type"], kind, "{name}");
            let reference = up["ref"].as_str().unwrap();
            assert!(reference.contains('.'), "a citizen's ref carries its token");
            let id = up["id"].as_i64().unwrap();
            let stored: Vec<u8> = column(
                &ctx,
                &format!("SELECT data AS v FROM upload WHERE id = {id}"),
            )
            .await;
            assert!(!contains(&stored, EXIF_MARK), "{name}: EXIF removed");
            assert!(
                !contains(&stored, b"Exif\0\0"),
                "{name}: no EXIF block left"
            );
            assert!(stored.len() < bytes.len(), "{name}");
        }
        // A GIF renamed as a JPEG, an empty body and a file over 10 MB are refused.
        let (s, e) = upload_public(&ctx, GIF).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "file");
        let (s, _) = upload_public(&ctx, b"").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let mut big = JPEG.to_vec();
        big.resize(11 * 1024 * 1024, 0);
        let (s, e) = upload_public(&ctx, &big).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("10 MB"));
    });
}

#[tokio::test]
async fn a_citizen_reports_follows_and_rates_once() {
    on_each_db!(|ctx| {
        let street = ctx.token("street1").await;
        let handler = ctx.token("handler").await;
        let (_, up) = upload_public(&ctx, JPEG).await;
        let photo_ref = up["ref"].as_str().unwrap().to_string();
        let photo_id = up["id"].as_i64().unwrap();

        // Bad input names the field; another's photo cannot be attached.
        let (s, e) = citizen_report(&ctx, "1234", 113.105, json!([])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "phone");
        let (s, e) = citizen_report(&ctx, "13800138000", 113.105, json!([photo_id])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "photos");

        let (s, t) = citizen_report(&ctx, "13800138000", 113.105, json!([photo_ref])).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let code = t["tracking_code"].as_str().unwrap().to_string();
        assert_eq!(code.len(), 10);
        // The same photo cannot go with a second report.
        let (s, _) = citizen_report(&ctx, "13800138001", 113.105, json!([photo_ref])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

        let (s, track) = public(
            &ctx,
            "GET",
            &format!("/api/v1/public/reports/{code}"),
            Value::Null,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{track}");
        assert_eq!(track["state"], "reported");
        assert_eq!(track["report_photos"], json!([photo_id]));
        let (s, _) = public(
            &ctx,
            "GET",
            "/api/v1/public/reports/ZZZZZZZZZZ",
            Value::Null,
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The command center's inbox has it, with the phone masked and the photo.
        let (_, inbox) = ctx.get("/api/v1/events?queue=inbox", &street).await;
        let listed = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["source"] == "citizen")
            .unwrap()
            .clone();
        let id = listed["id"].as_i64().unwrap();
        assert_eq!(listed["reporter_phone"], "138****8000");
        assert_eq!(listed["photos"], json!([photo_id]));
        let (s, bytes, headers) = raw(
            &ctx,
            "GET",
            &format!("/api/v1/uploads/{photo_id}"),
            Some(&street),
            "application/json",
            Vec::new(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(headers["content-type"], "image/jpeg");
        assert!(bytes.starts_with(&[0xFF, 0xD8]) && !contains(&bytes, EXIF_MARK));
        // The phone is stored encrypted only.
        let masked: String = column(
            &ctx,
            &format!("SELECT reporter_phone_masked AS v FROM event WHERE id = {id}"),
        )
        .await;
        assert_eq!(masked, "138****8000");

        // The loop, with a result photo from the department.
        for body in [json!({"action": "verify"}), json!({"action": "dispatch"})] {
            let (s, e) = act(&ctx, &street, id, body).await;
            assert_eq!(s, StatusCode::OK, "{e}");
        }
        let (s, e) = act(&ctx, &handler, id, json!({"action": "sign"})).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let (s, up, _) = raw(
            &ctx,
            "POST",
            "/api/v1/uploads",
            Some(&handler),
            "image/png",
            PNG.to_vec(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        let result_photo: Value = serde_json::from_slice(&up).unwrap();
        let result_id = result_photo["id"].as_i64().unwrap();
        let (s, e) = act(
            &ctx,
            &handler,
            id,
            json!({"action": "handle", "note": "已更换灯泡，恢复照明", "photos": [result_id]}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let (s, e) = act(&ctx, &street, id, json!({"action": "check_pass"})).await;
        assert_eq!(s, StatusCode::OK, "{e}");

        let (_, track) = public(
            &ctx,
            "GET",
            &format!("/api/v1/public/reports/{code}"),
            Value::Null,
        )
        .await;
        assert_eq!(track["state"], "closed", "{track}");
        assert_eq!(track["result"], "已更换灯泡，恢复照明");
        assert_eq!(track["result_photos"], json!([result_id]));
        assert_eq!(track["can_rate"], true);
        let text = track.to_string();
        assert!(
            !text.contains("street1") && !text.contains("handler"),
            "no staff names: {text}"
        );
        let (s, bytes, _) = raw(
            &ctx,
            "GET",
            &format!("/api/v1/public/reports/{code}/photos/{result_id}"),
            None,
            "application/json",
            Vec::new(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(bytes.starts_with(b"\x89PNG"));

        // A rating outside 1–5 is refused; a low one flags the event and tells the center.
        let rating = |score: u8| json!({"score": score, "comment": "等了三天"});
        let (s, _) = public(
            &ctx,
            "POST",
            &format!("/api/v1/public/reports/{code}/rating"),
            rating(7),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, track) = public(
            &ctx,
            "POST",
            &format!("/api/v1/public/reports/{code}/rating"),
            rating(2),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{track}");
        assert_eq!(track["rating"], 2);
        assert_eq!(track["can_rate"], false);
        let (s, _) = public(
            &ctx,
            "POST",
            &format!("/api/v1/public/reports/{code}/rating"),
            rating(5),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (_, low) = ctx.get("/api/v1/events?queue=low_rating", &street).await;
        assert_eq!(low["total"], 1);
        let (_, notices) = ctx.get("/api/v1/notices", &street).await;
        assert!(
            notices
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["kind"] == "low_rating" && n["event_id"] == id),
            "{notices}"
        );
        // The trail verifies with the citizen's steps in it.
        let (_, detail) = ctx.get(&format!("/api/v1/events/{id}"), &street).await;
        assert_eq!(detail["trail_intact"], true);
        assert_eq!(detail["rating_comment"], "等了三天");
    });
}

#[tokio::test]
async fn a_near_duplicate_is_offered_and_its_citizen_follows_the_survivor() {
    on_each_db!(|ctx| {
        let street = ctx.token("street1").await;
        let (_, first) = citizen_report(&ctx, "13800138000", 113.105, json!([])).await;
        // About 20 m east, same item: a possible duplicate. 300 m away: not.
        let (_, second) = citizen_report(&ctx, "13900139000", 113.1052, json!([])).await;
        let (_, _far) = citizen_report(&ctx, "13700137000", 113.108, json!([])).await;
        let (_, inbox) = ctx.get("/api/v1/events?queue=inbox", &street).await;
        let items = inbox["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        // Newest first: the far one, then the second, then the first.
        let (second_id, first_id) = (
            items[1]["id"].as_i64().unwrap(),
            items[2]["id"].as_i64().unwrap(),
        );
        let (_, detail) = ctx
            .get(&format!("/api/v1/events/{second_id}"), &street)
            .await;
        let dups = detail["duplicates"].as_array().unwrap();
        assert_eq!(dups.len(), 1, "{detail}");
        assert_eq!(dups[0]["id"], first_id);
        assert!(dups[0]["distance_m"].as_f64().unwrap() < 50.0);

        let (s, e) = act(
            &ctx,
            &street,
            second_id,
            json!({"action": "merge", "duplicate_of": first_id, "note": "同一路灯"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        act(&ctx, &street, first_id, json!({"action": "verify"})).await;
        let code2 = second["tracking_code"].as_str().unwrap();
        let (_, track) = public(
            &ctx,
            "GET",
            &format!("/api/v1/public/reports/{code2}"),
            Value::Null,
        )
        .await;
        assert_eq!(track["merged"], true, "{track}");
        assert_eq!(
            track["state"], "registered",
            "follows the survivor: {track}"
        );
        let code1 = first["tracking_code"].as_str().unwrap();
        let (_, own) = public(
            &ctx,
            "GET",
            &format!("/api/v1/public/reports/{code1}"),
            Value::Null,
        )
        .await;
        assert_eq!(own["merged"], false);
    });
}

#[tokio::test]
async fn phones_and_addresses_are_rate_limited() {
    on_each_db!(|ctx| {
        for _ in 0..5 {
            let (s, e) = citizen_report(&ctx, "13800138000", 113.105, json!([])).await;
            assert_eq!(s, StatusCode::CREATED, "{e}");
        }
        let (s, e) = citizen_report(&ctx, "13800138000", 113.105, json!([])).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("手机号"));
        // An hour later the phone may report again.
        ctx.clock.advance_ms(3_600_001);
        let (s, _) = citizen_report(&ctx, "13800138000", 113.105, json!([])).await;
        assert_eq!(s, StatusCode::CREATED);
        // One address: 20 reports an hour whatever the phones.
        let mut refused = 0;
        for n in 0..20 {
            let (s, _) = citizen_report(&ctx, &format!("1390013{n:04}"), 113.105, json!([])).await;
            refused += usize::from(s == StatusCode::TOO_MANY_REQUESTS);
        }
        assert!(refused > 0, "the address limit applies");
    });
}

#[tokio::test]
async fn a_retried_report_is_filed_once() {
    on_each_db!(|ctx| {
        let worker = ctx.token("worker_a").await;
        let body =
            json!({"category": ITEM, "description": "井盖缺失", "lng": 113.105, "lat": 27.855});
        let send = |key: &'static str, path: &'static str| {
            let body = body.clone();
            let worker = worker.clone();
            let ctx = &ctx;
            async move {
                let req = Request::post(path)
                    .header("authorization", format!("Bearer {worker}"))
                    .header("content-type", "application/json")
                    .header("idempotency-key", key)
                    .body(Body::from(body.to_string()))
                    .unwrap();
                ctx.send(req).await
            }
        };
        let (s1, e1, h1) = send("k-1", "/api/v1/events").await;
        let (s2, e2, h2) = send("k-1", "/api/v1/events").await;
        assert_eq!(s1, StatusCode::CREATED, "{e1}");
        assert_eq!(s2, StatusCode::CREATED);
        assert_eq!(e1["id"], e2["id"]);
        assert!(h1.get("idempotent-replayed").is_none());
        assert_eq!(h2["idempotent-replayed"], "true");
        let (_, list) = ctx.get("/api/v1/events?queue=mine", &worker).await;
        assert_eq!(list["total"], 1);
        // A new key files a new event; a key reused on another request is refused.
        let (s3, e3, _) = send("k-2", "/api/v1/events").await;
        assert_eq!(s3, StatusCode::CREATED);
        assert_ne!(e3["id"], e1["id"]);
        let (s4, e4, _) = send("k-1", "/api/v1/uploads").await;
        assert_eq!(s4, StatusCode::UNPROCESSABLE_ENTITY, "{e4}");
    });
}

#[tokio::test]
async fn recategorizing_reroutes_and_notices_reach_the_department() {
    on_each_db!(|ctx| {
        let worker = ctx.token("worker_a").await;
        let street = ctx.token("street1").await;
        let handler = ctx.token("handler").await;
        let (_, e) = ctx
            .call(
                "POST",
                "/api/v1/events",
                &worker,
                json!({"category": ITEM, "description": "路面塌陷", "lng": 113.105, "lat": 27.855}),
            )
            .await;
        let id = e["id"].as_i64().unwrap();
        act(&ctx, &street, id, json!({"action": "verify"})).await;
        let (s, e) = act(&ctx, &street, id, json!({"action": "dispatch"})).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(e["department"], "D01");
        // The department is told of the new dispatch.
        let (_, notices) = ctx.get("/api/v1/notices", &handler).await;
        assert!(
            notices
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["kind"] == "dispatched" && n["event_id"] == id),
            "{notices}"
        );

        // A reason is required; the new item must exist and differ.
        let (s, e) = act(
            &ctx,
            &street,
            id,
            json!({"action": "recategorize", "category": "A01-004"}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (s, e) = act(
            &ctx,
            &street,
            id,
            json!({"action": "recategorize", "category": "Z99-999", "note": "分类错误"}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "category");
        let catalog = ctx.get("/api/v1/catalog", &street).await.1;
        let other = catalog
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["lead_department"] == "D01" && i["code"] != ITEM)
            .unwrap();
        let (s, e) = act(
            &ctx,
            &street,
            id,
            json!({"action": "recategorize", "category": other["code"], "note": "实为另一事项"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(e["category"], other["code"]);
        assert_eq!(e["state"], "dispatched");
        let step = e["trail"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(step["action"], "recategorize");
        assert!(step["note"].as_str().unwrap().contains("实为另一事项"));
        // The handler does not sign; the sweeper flags it overdue and tells the department.
        ctx.clock.advance_ms(30 * 24 * 3_600_000);
        let swept = ctx.store.sweep_deadlines().await.unwrap();
        assert_eq!(swept.overdue, 1);
        // Sessions have long timed out: sign in again.
        let (handler, street) = (ctx.token("handler").await, ctx.token("street1").await);
        let (_, notices) = ctx.get("/api/v1/notices", &handler).await;
        assert!(
            notices
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["kind"] == "overdue"),
            "{notices}"
        );
        let (_, overdue) = ctx.get("/api/v1/events?queue=overdue", &street).await;
        assert_eq!(overdue["total"], 1);
    });
}
