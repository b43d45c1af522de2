//! Organizations (USCC validated and unique, leader phone masked) and things through the
//! API, on SQLite and PostgreSQL, within scope.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use common::{Ctx, GRID_A, GRID_C};

async fn call(
    ctx: &Ctx,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.map_or(Body::empty(), |b| Body::from(b.to_string())))
        .unwrap();
    let (s, v, _) = ctx.send(req).await;
    (s, v)
}

#[tokio::test]
async fn organizations_and_things_are_registered_within_scope() {
    on_each_db!(|ctx| {
        let street1 = ctx.token("street1").await;
        let shop = json!({"name": "惠民超市", "kind": "shop", "grid": GRID_A, "address": "建设路1号",
                          "uscc": "91350100M000100Y43", "leader": "周强", "phone": "13807319999"});
        let (s, o) = call(
            &ctx,
            "POST",
            "/api/v1/organizations",
            &street1,
            Some(shop.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        assert_eq!(o["kind_label"], "商户");
        assert_eq!(o["phone"], "138****9999");
        let (s, _) = call(
            &ctx,
            "POST",
            "/api/v1/organizations",
            &street1,
            Some(shop.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "a credit code is registered once");
        let mut bad = shop.clone();
        bad["uscc"] = json!("91350100M000100Y44");
        let (s, e) = call(&ctx, "POST", "/api/v1/organizations", &street1, Some(bad)).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("uscc")),
            "{e}"
        );
        let mut far = shop.clone();
        far["uscc"] = Value::Null;
        far["grid"] = json!(GRID_C);
        let (s, e) = call(&ctx, "POST", "/api/v1/organizations", &street1, Some(far)).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("grid")),
            "{e}"
        );

        let tree = json!({"name": "老樟树", "kind": "dangerous_tree", "grid": GRID_A, "lng": 113.105, "lat": 27.855});
        let (s, t) = call(&ctx, "POST", "/api/v1/things", &street1, Some(tree)).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        assert_eq!(t["kind_label"], "危树");
        let tree_path = format!("/api/v1/things/{}", t["id"]);
        let (s, edited) = call(
            &ctx,
            "PATCH",
            &tree_path,
            &street1,
            Some(json!({"kind": "安全隐患", "note": "树干开裂"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{edited}");
        assert_eq!(
            (
                edited["kind"].as_str(),
                edited["note"].as_str(),
                edited["name"].as_str()
            ),
            (Some("hazard"), Some("树干开裂"), Some("老樟树"))
        );
        let (s, e) = call(
            &ctx,
            "PATCH",
            &tree_path,
            &street1,
            Some(json!({"lat": 27.9})),
        )
        .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("lat")),
            "{e}"
        );
        let half = json!({"name": "井盖", "kind": "manhole_cover", "grid": GRID_A, "lng": 113.1});
        let (s, e) = call(&ctx, "POST", "/api/v1/things", &street1, Some(half)).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("lat")),
            "{e}"
        );

        // Lists are scoped: the other street sees none of it.
        let (_, list) = call(&ctx, "GET", "/api/v1/organizations", &street1, None).await;
        assert_eq!(list["total"], 1);
        let district = ctx.token("district").await;
        let (_, list) = call(
            &ctx,
            "GET",
            "/api/v1/organizations?region=430204002",
            &district,
            None,
        )
        .await;
        assert_eq!(list["total"], 0);
        let (_, things) = call(&ctx, "GET", "/api/v1/things?kind=hazard", &street1, None).await;
        assert_eq!(things["total"], 1);

        // Both lists export to workbooks (masked phone).
        for (path, rows) in [("organizations", 1), ("things", 1)] {
            let req = Request::get(format!("/api/v1/export/{path}.xlsx"))
                .header("authorization", format!("Bearer {street1}"))
                .body(Body::empty())
                .unwrap();
            let resp = tower::ServiceExt::oneshot(ctx.app.clone(), req)
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap();
            let table = wangge_sheet::read_table(
                wangge_sheet::Format::Xlsx,
                &bytes,
                &wangge_sheet::Limits::default(),
            )
            .unwrap();
            assert_eq!(table.rows.len(), rows, "{path}");
            if path == "organizations" {
                assert_eq!(table.rows[0].cells[5], "138****9999");
            }
        }

        // Closing takes it off the list; closing again, or from a read-only role, does not.
        let path = format!("/api/v1/organizations/{}", o["id"]);
        let leader = ctx.token("leader").await;
        assert_eq!(
            call(&ctx, "DELETE", &path, &leader, None).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            call(&ctx, "DELETE", &path, &street1, None).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            call(&ctx, "DELETE", &path, &street1, None).await.0,
            StatusCode::NOT_FOUND
        );
        let (_, list) = call(&ctx, "GET", "/api/v1/organizations", &street1, None).await;
        assert_eq!(list["total"], 0);
    });
}

#[tokio::test]
async fn a_building_is_corrected_within_scope() {
    on_each_db!(|ctx| {
        let street1 = ctx.token("street1").await;
        let (_, grid) = call(
            &ctx,
            "GET",
            &format!("/api/v1/grids/{GRID_A}"),
            &street1,
            None,
        )
        .await;
        let id = grid["buildings"][0]["id"].as_i64().unwrap();
        let path = format!("/api/v1/buildings/{id}");
        let (s, v) = call(
            &ctx,
            "PATCH",
            &path,
            &street1,
            Some(json!({"floors": 12, "name": "幸福楼"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["changed"], json!(["name", "floors"]));
        let (_, again) = call(&ctx, "PATCH", &path, &street1, Some(json!({"floors": 12}))).await;
        assert_eq!(again["changed"], json!([]));
        let (s, e) = call(&ctx, "PATCH", &path, &street1, Some(json!({"floors": 999}))).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("floors"))
        );
        let (s, e) = call(&ctx, "PATCH", &path, &street1, Some(json!({"lng": 113.1}))).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("latitude")),
            "{e}"
        );
        let (_, grid) = call(
            &ctx,
            "GET",
            &format!("/api/v1/grids/{GRID_A}"),
            &street1,
            None,
        )
        .await;
        assert_eq!(grid["buildings"][0]["name"], "幸福楼");
        assert_eq!(grid["buildings"][0]["floors"], 12);
        // Another street's building is not there; a read-only role may not edit.
        let (_, other) = call(
            &ctx,
            "GET",
            &format!("/api/v1/grids/{GRID_C}"),
            &ctx.token("district").await,
            None,
        )
        .await;
        let far = other["buildings"][0]["id"].as_i64().unwrap();
        let (s, _) = call(
            &ctx,
            "PATCH",
            &format!("/api/v1/buildings/{far}"),
            &street1,
            Some(json!({"floors": 3})),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let leader = ctx.token("leader").await;
        let (s, _) = call(&ctx, "PATCH", &path, &leader, Some(json!({"floors": 3}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    });
}
