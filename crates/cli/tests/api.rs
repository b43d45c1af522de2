//! Integration tests through the router, on SQLite and PostgreSQL: login, lockout, idle
//! timeout, second factor, scoping (out-of-scope ids answer 404), masking and auditing of
//! personal data, the audit chain, and bad input.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::Value;

use common::{GRID_A, GRID_B, GRID_C, PASSWORD};

const MINUTE: i64 = 60_000;

#[tokio::test]
async fn login_gives_a_token_that_opens_the_api() {
    on_each_db!(|ctx| {
        let token = ctx.token("district").await;
        let (s, me) = ctx.get("/api/v1/me", &token).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(me["role"], "operator");
        assert_eq!(me["scope"], "430204");
        let (s, root) = ctx.get("/api/v1/regions/430204", &token).await;
        assert_eq!(s, StatusCode::OK, "{root}");
        assert_eq!(root["level"], "county");
        assert_eq!(root["counts"]["grids"], 3);
        assert_eq!(root["counts"]["persons"], 6);
        assert_eq!(root["children"].as_array().unwrap().len(), 2);
        let (s, grid) = ctx.get(&format!("/api/v1/grids/{GRID_A}"), &token).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(grid["boundary"]["type"], "Polygon");
        assert_eq!(
            grid["boundary"]["coordinates"][0].as_array().unwrap().len(),
            5
        );
        assert_eq!(grid["staff"][0]["phone"], "13912345678");
        assert_eq!(grid["buildings"].as_array().unwrap().len(), 1);
        let (s, _) = ctx.get("/api/v1/me", "not-a-token").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        // Logging out ends the token.
        let req = Request::delete("/api/v1/session")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(ctx.send(req).await.0, StatusCode::NO_CONTENT);
        assert_eq!(
            ctx.get("/api/v1/me", &token).await.0,
            StatusCode::UNAUTHORIZED
        );
    });
}

#[tokio::test]
async fn five_failures_lock_the_account_for_thirty_minutes() {
    on_each_db!(|ctx| {
        for i in 1..=4 {
            let (s, v) = ctx.login_with("worker_a", "Wrong-password-1").await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}: {v}");
            assert_eq!(v["error"]["code"], "bad_credentials");
        }
        let (s, v) = ctx.login_with("worker_a", "Wrong-password-1").await;
        assert_eq!(s, StatusCode::LOCKED, "{v}");
        // Even the right password is refused while locked.
        let (s, v) = ctx.login_with("worker_a", PASSWORD).await;
        assert_eq!(s, StatusCode::LOCKED);
        assert!(v["error"]["message"].as_str().unwrap().contains("锁定"));
        ctx.clock.advance_ms(29 * MINUTE);
        assert_eq!(
            ctx.login_with("worker_a", PASSWORD).await.0,
            StatusCode::LOCKED
        );
        ctx.clock.advance_ms(2 * MINUTE);
        assert_eq!(ctx.login_with("worker_a", PASSWORD).await.0, StatusCode::OK);
        // Unknown users get the same answer as a wrong password.
        let (s, v) = ctx.login_with("nobody", PASSWORD).await;
        assert_eq!(
            (s, v["error"]["code"].clone()),
            (StatusCode::UNAUTHORIZED, Value::from("bad_credentials"))
        );
    });
}

#[tokio::test]
async fn sessions_expire_after_thirty_idle_minutes() {
    on_each_db!(|ctx| {
        let token = ctx.token("street1").await;
        ctx.clock.advance_ms(20 * MINUTE);
        assert_eq!(ctx.get("/api/v1/me", &token).await.0, StatusCode::OK);
        // Activity keeps it alive: 40 minutes after login, 20 after the last call.
        ctx.clock.advance_ms(20 * MINUTE);
        assert_eq!(ctx.get("/api/v1/me", &token).await.0, StatusCode::OK);
        ctx.clock.advance_ms(31 * MINUTE);
        let (s, v) = ctx.get("/api/v1/me", &token).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("超时"));
    });
}

#[tokio::test]
async fn admins_need_a_second_factor_that_cannot_be_replayed() {
    on_each_db!(|ctx| {
        let (s, v) = ctx.login_with("admin", PASSWORD).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(v["error"]["code"], "totp_required");
        let body = |code: &str| {
            serde_json::json!({"username": "admin", "password": PASSWORD, "totp": code}).to_string()
        };
        let (s, v) = ctx.post_json("/api/v1/session", &body("000000")).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("totp_invalid"))
        );
        let code = ctx.totp_now();
        assert_eq!(
            ctx.post_json("/api/v1/session", &body(&code)).await.0,
            StatusCode::OK
        );
        let (s, v) = ctx.post_json("/api/v1/session", &body(&code)).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("totp_invalid")),
            "replayed code"
        );
    });
}

#[tokio::test]
async fn initial_passwords_must_be_changed_before_the_api_opens() {
    on_each_db!(|ctx| {
        let (s, v) = ctx.login_with("newbie", PASSWORD).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(v["error"]["field"], "password");
    });
}

#[tokio::test]
async fn a_grid_worker_sees_only_their_grid() {
    on_each_db!(|ctx| {
        let token = ctx.token("worker_a").await;
        assert_eq!(
            ctx.get(&format!("/api/v1/grids/{GRID_A}"), &token).await.0,
            StatusCode::OK
        );
        for path in [
            format!("/api/v1/grids/{GRID_B}"),
            format!("/api/v1/grids/{GRID_C}"),
            "/api/v1/regions/430204".to_string(),
            "/api/v1/regions/430204001001".to_string(),
            format!("/api/v1/persons/{}", ctx.person_c),
            format!("/api/v1/persons?region={GRID_B}"),
            format!("/api/v1/buildings?region={GRID_C}"),
            "/api/v1/persons/999999999".to_string(),
        ] {
            let (s, v) = ctx.get(&path, &token).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{} {path}: {v}", ctx.backend);
            assert_eq!(v["error"]["code"], "not_found");
        }
        let (s, page) = ctx.get("/api/v1/persons", &token).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(page["total"], 2);
        assert!(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["grid_code"] == GRID_A)
        );
        assert_eq!(
            ctx.get(&format!("/api/v1/persons/{}", ctx.person_a), &token)
                .await
                .0,
            StatusCode::OK
        );
    });
}

#[tokio::test]
async fn a_street_operator_sees_only_their_street() {
    on_each_db!(|ctx| {
        let token = ctx.token("street1").await;
        let (s, v) = ctx.get("/api/v1/regions/430204001", &token).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["counts"]["grids"], 2);
        assert_eq!(
            v["parent"],
            Value::Null,
            "the district above is not offered"
        );
        assert_eq!(
            ctx.get("/api/v1/regions/430204002", &token).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            ctx.get(&format!("/api/v1/grids/{GRID_C}"), &token).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            ctx.get(&format!("/api/v1/persons/{}", ctx.person_c), &token)
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        let (s, v) = ctx.get("/api/v1/households", &token).await;
        assert_eq!((s, v["total"].as_u64()), (StatusCode::OK, Some(2)));
        let (s, v) = ctx.get("/api/v1/buildings?per_page=1&page=2", &token).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            (v["total"].as_u64(), v["items"].as_array().unwrap().len()),
            (Some(2), 1)
        );
    });
}

#[tokio::test]
async fn personal_data_is_masked_encrypted_and_every_full_view_audited() {
    on_each_db!(|ctx| {
        let token = ctx.token("worker_a").await;
        let (_, list) = ctx.get("/api/v1/persons", &token).await;
        let first = &list["items"][0];
        assert!(
            first["id_number"].as_str().unwrap().contains("********"),
            "{first}"
        );
        assert!(first["phone"].as_str().unwrap().contains("****"));
        let (s, rec) = ctx
            .get(
                &format!("/api/v1/persons/{}?unmask=true", ctx.person_a),
                &token,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(rec["id_number"], ctx.id_number_a.as_str());
        assert_eq!(rec["unmasked"], true);
        // Key-person tags are visible to grid workers but not to leaders; elderly is derived.
        let tags = |v: &Value| {
            v["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["tag"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert!(tags(&rec).contains(&"drug_user".to_string()), "{rec}");
        assert!(tags(&rec).contains(&"elderly".to_string()), "{rec}");
        let leader = ctx.token("leader").await;
        let (s, v) = ctx
            .get(
                &format!("/api/v1/persons/{}?unmask=true", ctx.person_a),
                &leader,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let (_, masked) = ctx
            .get(&format!("/api/v1/persons/{}", ctx.person_a), &leader)
            .await;
        assert!(!tags(&masked).contains(&"drug_user".to_string()));
        // The audit log has both views.
        let auditor = ctx.token("auditor").await;
        let (s, log) = ctx.get("/api/v1/audit?per_page=200", &auditor).await;
        assert_eq!(s, StatusCode::OK);
        let actions: Vec<_> = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["action"].as_str().unwrap(),
                    r["account"].as_str().unwrap(),
                )
            })
            .collect();
        assert!(
            actions.contains(&("person.view_unmasked", "worker_a")),
            "{actions:?}"
        );
        assert!(actions.contains(&("person.view", "leader")));
        assert_eq!(
            ctx.get("/api/v1/audit", &token).await.0,
            StatusCode::FORBIDDEN
        );
        // Nothing in the database file holds the ID number or the phone in clear.
        if let Some(file) = ctx.db.sqlite_file() {
            ctx.store
                .connection()
                .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await
                .unwrap();
            let bytes = std::fs::read(&file).unwrap();
            let needle = ctx.id_number_a.as_bytes();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "ID number in clear in {}",
                file.display()
            );
            assert!(
                !bytes.windows(11).any(|w| w == b"13800000000"),
                "phone in clear"
            );
        }
    });
}

#[tokio::test]
async fn the_audit_chain_detects_an_edited_or_deleted_row() {
    on_each_db!(|ctx| {
        ctx.token("district").await;
        ctx.login_with("district", "Wrong-password-1").await;
        let auditor = ctx.token("auditor").await;
        let (_, v) = ctx.get("/api/v1/audit/verify", &auditor).await;
        assert_eq!(v["intact"], true, "{v}");
        let rows = v["rows"].as_u64().unwrap();
        assert!(rows >= 10, "account creation, logins: {rows}");
        let db = ctx.store.connection();
        // Someone with database access turns a failed login into a success.
        db.execute_unprepared(
            "UPDATE audit_log SET outcome = 'ok' WHERE outcome = 'fail:bad_password'",
        )
        .await
        .unwrap();
        let (_, v) = ctx.get("/api/v1/audit/verify", &auditor).await;
        assert_eq!(v["intact"], false, "{v}");
        assert!(v["broken_row"].as_i64().is_some());
        db.execute_unprepared("UPDATE audit_log SET outcome = 'fail:bad_password' WHERE outcome = 'ok' AND action = 'login' AND account = 'district' AND id = (SELECT MAX(id) FROM audit_log WHERE account = 'district' AND action = 'login')").await.unwrap();
        assert_eq!(
            ctx.get("/api/v1/audit/verify", &auditor).await.1["intact"],
            true,
            "restored"
        );
        // Deleting the newest row is caught by the chain head.
        db.execute_unprepared("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)")
            .await
            .unwrap();
        let (_, v) = ctx.get("/api/v1/audit/verify", &auditor).await;
        assert_eq!(v["intact"], false, "{v}");
        // Rows younger than 180 days cannot be purged.
        let err = ctx
            .store
            .purge_audit_before(common::START_MS, "test")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("180"), "{err}");
    });
}

#[tokio::test]
async fn bad_input_gets_a_clear_json_error() {
    on_each_db!(|ctx| {
        let (s, v) = ctx
            .post_json("/api/v1/session", "{\"username\": \"a\",")
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_json")),
            "{v}"
        );
        let (s, v) = ctx
            .post_json("/api/v1/session", r#"{"username": "a"}"#)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            (v["error"]["code"].as_str(), v["error"]["field"].as_str()),
            (Some("missing_field"), Some("password"))
        );
        let (s, v) = ctx
            .post_json("/api/v1/session", r#"{"username": 5, "password": "x"}"#)
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("username")),
            "{v}"
        );
        let big = format!(
            r#"{{"username": "{}", "password": "x"}}"#,
            "a".repeat(2 * 1024 * 1024)
        );
        let (s, v) = ctx.post_json("/api/v1/session", &big).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")),
            "{v}"
        );
        let req = Request::post("/api/v1/session")
            .header("content-type", "text/plain")
            .body(Body::from("x"))
            .unwrap();
        assert_eq!(ctx.send(req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let token = ctx.token("district").await;
        let (s, v) = ctx.get("/api/v1/no/such/thing", &token).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found"))
        );
        let (s, v) = ctx.get("/api/v1/persons?page=0", &token).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("page")),
            "{v}"
        );
        let (s, v) = ctx.get("/api/v1/persons?page=abc", &token).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_query")),
            "{v}"
        );
        let (s, v) = ctx.get("/api/v1/persons?region=43x", &token).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("region")),
            "{v}"
        );
        assert_eq!(
            ctx.get("/api/v1/persons/abc", &token).await.0,
            StatusCode::NOT_FOUND
        );
    });
}

#[tokio::test]
async fn every_documented_path_exists_and_health_answers() {
    on_each_db!(|ctx| {
        let token = ctx.token("district").await;
        let (s, doc) = ctx.get("/api/v1/openapi.json", &token).await;
        assert_eq!(s, StatusCode::OK);
        for path in doc["paths"].as_object().unwrap().keys() {
            let concrete = path
                .replace("{code}", "430204")
                .replace("{id}", &ctx.person_a.to_string());
            if path == "/events/stream" {
                // A live stream never ends: check its answer's head only.
                let req = Request::get("/api/v1/events/stream")
                    .header("authorization", format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap();
                let resp = tower::ServiceExt::oneshot(ctx.app.clone(), req)
                    .await
                    .unwrap();
                assert_eq!(resp.status(), StatusCode::OK);
                assert_eq!(resp.headers()["content-type"], "text/event-stream");
                continue;
            }
            let (_, v) = ctx.get(&format!("/api/v1{concrete}"), &token).await;
            assert!(
                !v.to_string().contains("没有这个地址"),
                "{path} is documented but not routed"
            );
        }
        let req = Request::get("/healthz").body(Body::empty()).unwrap();
        assert_eq!(ctx.send(req).await.0, StatusCode::OK);
    });
}

#[tokio::test]
async fn persons_are_found_by_name_id_number_phone_tag_and_age_within_scope() {
    on_each_db!(|ctx| {
        let district = ctx.token("district").await;
        let total = |v: &Value| v["total"].as_u64().unwrap();
        let (s, v) = ctx
            .get("/api/v1/persons?q=%E7%8E%8B%E8%8A%B3", &district)
            .await; // 王芳
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(total(&v), 3, "a two-character name in three grids");
        assert!(
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["name"] == "王芳")
        );
        assert_eq!(
            total(&ctx.get("/api/v1/persons?name=%E7%8E%8B", &district).await.1),
            3,
            "surname prefix"
        );
        let (_, v) = ctx
            .get(&format!("/api/v1/persons?q={}", ctx.id_number_a), &district)
            .await;
        assert_eq!(total(&v), 1);
        assert_eq!(v["items"][0]["id"], ctx.person_a);
        assert_eq!(
            total(&ctx.get("/api/v1/persons?q=13800000000", &district).await.1),
            1,
            "phone"
        );
        assert_eq!(
            total(
                &ctx.get("/api/v1/persons?tag=living_alone", &district)
                    .await
                    .1
            ),
            3
        );
        assert_eq!(
            total(&ctx.get("/api/v1/persons?tag=elderly", &district).await.1),
            3,
            "born 1958"
        );
        assert_eq!(
            total(&ctx.get("/api/v1/persons?age_min=60", &district).await.1),
            3
        );
        assert_eq!(
            total(&ctx.get("/api/v1/persons?age_max=40", &district).await.1),
            3,
            "born 1990"
        );
        assert_eq!(
            total(
                &ctx.get(
                    "/api/v1/persons?age_min=30&age_max=40&tag=living_alone",
                    &district
                )
                .await
                .1
            ),
            0
        );
        let (s, v) = ctx
            .get("/api/v1/persons?id_number=430204195803120010", &district)
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("id_number")),
            "{v}"
        );
        let (s, v) = ctx.get("/api/v1/persons?tag=nonsense", &district).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("tag"))
        );
        // A grid worker finds only the people of their own grid.
        let worker = ctx.token("worker_a").await;
        let (_, v) = ctx
            .get("/api/v1/persons?q=%E7%8E%8B%E8%8A%B3", &worker)
            .await;
        assert_eq!(total(&v), 1);
        assert_eq!(v["items"][0]["grid_code"], GRID_A);
        let (_, v) = ctx.get("/api/v1/persons?q=13800000020", &worker).await;
        assert_eq!(total(&v), 0, "a phone from another grid is not found");
    });
}

#[tokio::test]
async fn any_coordinate_is_located_to_its_grid_in_every_map_system() {
    use wangge_domain::coords::{wgs84_to_bd09, wgs84_to_gcj02};
    on_each_db!(|ctx| {
        let district = ctx.token("district").await;
        // Grid A is the square 113.10–113.11 × 27.85–27.86 (WGS84).
        let (s, v) = ctx
            .get("/api/v1/locate?lng=113.105&lat=27.855", &district)
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["grid"]["code"], GRID_A);
        assert_eq!(v["community"]["name"], "文塅社区");
        assert_eq!(v["street"]["code"], "430204001");
        assert_eq!(v["grid_worker"]["phone"], "13912345678");
        // The same spot as a phone's map app reports it: shifted by several hundred metres.
        let (g_lng, g_lat) = wgs84_to_gcj02(113.105, 27.855);
        let (_, v) = ctx
            .get(
                &format!("/api/v1/locate?lng={g_lng}&lat={g_lat}&crs=gcj02"),
                &district,
            )
            .await;
        assert_eq!(v["grid"]["code"], GRID_A, "{v}");
        let (b_lng, b_lat) = wgs84_to_bd09(113.125, 27.855);
        let (_, v) = ctx
            .get(
                &format!("/api/v1/locate?lng={b_lng}&lat={b_lat}&crs=bd09"),
                &district,
            )
            .await;
        assert_eq!(v["grid"]["code"], GRID_C, "{v}");
        assert_eq!(
            ctx.get("/api/v1/locate?lng=116.4&lat=39.9", &district)
                .await
                .0,
            StatusCode::NOT_FOUND,
            "outside every grid"
        );
        let (s, v) = ctx
            .get("/api/v1/locate?lng=113.1&lat=27.85&crs=mercator", &district)
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("crs"))
        );
        let (s, v) = ctx.get("/api/v1/locate?lng=200&lat=27.85", &district).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("lng"))
        );
        assert_eq!(
            ctx.get("/api/v1/locate?lng=abc&lat=1", &district).await.0,
            StatusCode::BAD_REQUEST
        );
        // A grid worker cannot locate into another grid.
        let worker = ctx.token("worker_a").await;
        assert_eq!(
            ctx.get("/api/v1/locate?lng=113.125&lat=27.855", &worker)
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            ctx.get("/api/v1/locate?lng=113.105&lat=27.855", &worker)
                .await
                .0,
            StatusCode::OK
        );
    });
}

#[tokio::test]
async fn coverage_reports_the_gap_and_overlap_of_a_moved_vertex() {
    on_each_db!(|ctx| {
        let district = ctx.token("district").await;
        let (s, v) = ctx
            .get("/api/v1/regions/430204001001/coverage", &district)
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["grids"], 2);
        assert_eq!(
            v["findings"].as_array().unwrap().len(),
            0,
            "grids tile the community: {v}"
        );
        assert_eq!(
            ctx.get("/api/v1/regions/430204/coverage", &district)
                .await
                .1["findings"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        // Grid A's north-east corner moves into grid B and below the community's edge.
        let moved = serde_json::json!({"boundary": {"type": "Polygon", "coordinates": [[
            [113.10, 27.85], [113.11, 27.85], [113.115, 27.858], [113.10, 27.86], [113.10, 27.85]]]}});
        let req = Request::put(format!("/api/v1/grids/{GRID_A}"))
            .header("authorization", format!("Bearer {district}"))
            .header("content-type", "application/json")
            .body(Body::from(moved.to_string()))
            .unwrap();
        let (s, v, _) = ctx.send(req).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["boundary"]["coordinates"][0].as_array().unwrap().len(), 5);
        let (_, v) = ctx
            .get("/api/v1/regions/430204001001/coverage", &district)
            .await;
        let findings = v["findings"].as_array().unwrap();
        let of = |kind: &str| {
            findings
                .iter()
                .filter(|f| f["kind"] == kind)
                .collect::<Vec<_>>()
        };
        let overlaps = of("overlap");
        assert_eq!(overlaps.len(), 1, "{v}");
        assert_eq!(overlaps[0]["grids"], serde_json::json!([GRID_A, GRID_B]));
        // The triangle A pushed into B: ½ × 0.005° (≈ 492 m) × 0.00867° (≈ 962 m) ≈ 237,000 m².
        let area = overlaps[0]["area_m2"].as_f64().unwrap();
        assert!((225_000.0..250_000.0).contains(&area), "overlap {area} m²");
        let gaps = of("gap");
        assert!(!gaps.is_empty(), "{v}");
        assert!(gaps.iter().all(|g| g["area_m2"].as_f64().unwrap() > 1.0));
        // The locate index follows the new boundary at once: the strip A gave up is in no grid.
        let (s, v) = ctx
            .get("/api/v1/locate?lng=113.105&lat=27.8597", &district)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
        let (_, v) = ctx
            .get("/api/v1/locate?lng=113.105&lat=27.855", &district)
            .await;
        assert_eq!(v["grid"]["code"], GRID_A);
    });
}

#[tokio::test]
async fn grids_are_edited_only_by_command_centers_with_valid_boundaries() {
    on_each_db!(|ctx| {
        let put = |token: String, code: &str, body: Value| {
            Request::put(format!("/api/v1/grids/{code}"))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let district = ctx.token("district").await;
        let open_ring = serde_json::json!({"boundary": {"type": "Polygon", "coordinates": [[[113.1, 27.85], [113.11, 27.85], [113.11, 27.86], [113.1, 27.86]]]}});
        let (s, v, _) = ctx.send(put(district.clone(), GRID_A, open_ring)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["field"], "boundary");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("闭合"),
            "{v}"
        );
        let (s, v, _) = ctx
            .send(put(
                district.clone(),
                GRID_A,
                serde_json::json!({"name": "文塅社区第一网格"}),
            ))
            .await;
        assert_eq!(
            (s, v["name"].as_str()),
            (StatusCode::OK, Some("文塅社区第一网格"))
        );
        let leader = ctx.token("leader").await;
        assert_eq!(
            ctx.send(put(leader, GRID_A, serde_json::json!({"name": "x"})))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        let street = ctx.token("street1").await;
        assert_eq!(
            ctx.send(put(street, GRID_C, serde_json::json!({"name": "x"})))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        let auditor = ctx.token("auditor").await;
        let (_, log) = ctx.get("/api/v1/audit", &auditor).await;
        assert!(
            log["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["action"] == "grid.update" && r["account"] == "district")
        );
        // Every fixture grid holds one household: all under the sizing rule.
        let (s, v) = ctx.get("/api/v1/sizing", &district).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v.as_array().unwrap().len(), 3);
        assert!(
            v.as_array()
                .unwrap()
                .iter()
                .all(|g| g["verdict"] == "under")
        );
    });
}
