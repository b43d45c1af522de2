//! One person at a time through the API, on SQLite and PostgreSQL: registering (ID number
//! rules, duplicates, scope), editing, moving between grids, moving out, death, history.
mod common;

use axum::http::StatusCode;
use serde_json::{Value, json};

use common::{Ctx, GRID_A, GRID_B, GRID_C, id_number};

async fn call(
    ctx: &Ctx,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    ctx.call(method, path, token, body).await
}

#[tokio::test]
async fn a_person_is_registered_edited_moved_and_moved_out() {
    on_each_db!(|ctx| {
        let street1 = ctx.token("street1").await;
        let number = id_number("19881212", 77);
        let person = json!({"name": "刘洋", "id_number": number.as_str(), "phone": "13607310077",
                            "grid": GRID_A, "tags": "退役军人", "household": "H-77"});
        let (s, created) = call(&ctx, "POST", "/api/v1/persons", &street1, person.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let id = created["id"].as_i64().unwrap();
        let (s, again) = call(&ctx, "POST", "/api/v1/persons", &street1, person).await;
        assert_eq!(s, StatusCode::CONFLICT, "{again}");

        // Bad numbers, grids out of scope and unknown fields name the field.
        let bad = json!({"name": "刘洋", "id_number": "430204198812120771", "grid": GRID_A});
        let (s, e) = call(&ctx, "POST", "/api/v1/persons", &street1, bad).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("id_number")),
            "{e}"
        );
        let other = json!({"name": "刘洋", "id_number": id_number("19881212", 78).as_str(), "grid": GRID_C});
        let (s, e) = call(&ctx, "POST", "/api/v1/persons", &street1, other).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("grid")),
            "{e}"
        );
        let odd =
            json!({"name": "刘洋", "id_number": id_number("19881212", 79).as_str(), "blood": "A"});
        let (s, e) = call(&ctx, "POST", "/api/v1/persons", &street1, odd).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

        // Editing: a new phone; the ID number cannot change.
        let path = format!("/api/v1/persons/{id}");
        let (s, edited) = call(
            &ctx,
            "PATCH",
            &path,
            &street1,
            json!({"phone": "13607310078"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{edited}");
        assert_eq!(edited["changed"], json!(["phone"]));
        let (s, _) = call(
            &ctx,
            "PATCH",
            &path,
            &street1,
            json!({"id_number": number.as_str()}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        // Moving to grid B; grid A's worker no longer sees the person.
        let (s, moved) = call(&ctx, "PATCH", &path, &street1, json!({"grid": GRID_B})).await;
        assert_eq!(s, StatusCode::OK, "{moved}");
        assert_eq!(moved["changed"], json!(["grid"]));
        let worker = ctx.token("worker_a").await;
        assert_eq!(ctx.get(&path, &worker).await.0, StatusCode::NOT_FOUND);
        let (_, p) = ctx.get(&path, &street1).await;
        assert_eq!(p["grid_code"], GRID_B);

        // Moving out keeps the record and its story, out of the lists.
        let out = format!("{path}/move_out");
        let (s, e) = call(&ctx, "POST", &out, &street1, json!({"note": " "})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("note"))
        );
        let (s, _) = call(
            &ctx,
            "POST",
            &out,
            &street1,
            json!({"note": "迁往长沙市岳麓区"}),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = call(
            &ctx,
            "POST",
            &format!("{path}/death"),
            &street1,
            json!({"note": "2026-11-01"}),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (_, list) = ctx
            .get("/api/v1/persons?name=%E5%88%98%E6%B4%8B", &street1)
            .await;
        assert_eq!(list["total"], 0, "{list}");
        let (_, p) = ctx.get(&path, &street1).await;
        assert_eq!(p["status"], "moved_out");
        let (s, history) = ctx.get(&format!("{path}/history"), &street1).await;
        assert_eq!(s, StatusCode::OK);
        let kinds: Vec<&str> = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["move_out", "move", "update", "create"], "{history}");
        assert_eq!(history["items"][0]["note"], "迁往长沙市岳麓区");
        assert_eq!(history["items"][1]["grid_from"], GRID_A);
        assert_eq!(history["items"][1]["grid_to"], GRID_B);

        // A read-only role cannot register.
        let leader = ctx.token("leader").await;
        let someone = json!({"name": "陈静", "id_number": id_number("19900101", 80).as_str(), "grid": GRID_A});
        let (s, _) = call(&ctx, "POST", "/api/v1/persons", &leader, someone).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn persons_are_found_by_address_and_building() {
    on_each_db!(|ctx| {
        let street1 = ctx.token("street1").await;
        // Fixture households live at 建设路1号1栋1单元101 in every grid.
        let (s, found) = ctx
            .get(
                "/api/v1/persons?address=%E5%BB%BA%E8%AE%BE%E8%B7%AF",
                &street1,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{found}");
        assert_eq!(
            found["total"], 4,
            "both grids of street 1, two persons each"
        );
        // % and _ are matched as themselves, not as wildcards.
        let (_, none) = ctx.get("/api/v1/persons?address=%25", &street1).await;
        assert_eq!(none["total"], 0, "{none}");
        let (_, grid) = ctx.get(&format!("/api/v1/grids/{GRID_A}"), &street1).await;
        let building = grid["buildings"][0]["id"].as_i64().unwrap();
        let (_, found) = ctx
            .get(&format!("/api/v1/persons?building={building}"), &street1)
            .await;
        assert_eq!(found["total"], 2, "{found}");
    });
}
