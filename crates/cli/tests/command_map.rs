//! The one map (一张图) through the API and the page, on SQLite and PostgreSQL: each grid's
//! measure, the open events as points, the counter strip, scope, and the drawn SVG.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use common::{Ctx, GRID_A, GRID_B};

/// Led by 城管 (D01): sign within 4 working hours.
const ITEM: &str = "A01-003";

/// Unix ms of a Shanghai local time.
fn local(y: i32, m: u8, d: u8, h: i64, min: i64) -> i64 {
    let date = wangge_domain::date::Date::new(y, m, d).unwrap();
    wangge_domain::date::local_midnight_ms(date) + (h * 60 + min) * 60_000
}

/// Files a report at a point (grid A spans lng 113.10–113.11, B 113.11–113.12, C beyond).
async fn report(ctx: &Ctx, token: &str, lng: f64) -> i64 {
    let (s, e) = ctx
        .call(
            "POST",
            "/api/v1/events",
            token,
            json!({"category": ITEM, "description": "路边堆放垃圾无人清运",
                   "lng": lng, "lat": 27.855, "address": "建设路1号"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    e["id"].as_i64().unwrap()
}

async fn act(ctx: &Ctx, token: &str, id: i64, body: Value) {
    let (s, e) = ctx
        .call("POST", &format!("/api/v1/events/{id}/actions"), token, body)
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
}

/// The measure of each grid, by code.
async fn measures(ctx: &Ctx, token: &str, query: &str) -> (Vec<(String, f64)>, Value) {
    let (s, m) = ctx.get(&format!("/api/v1/map?{query}"), token).await;
    assert_eq!(s, StatusCode::OK, "{query}: {m}");
    let grids = m["grids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            assert!(g["boundary"]["type"].is_string());
            (
                g["code"].as_str().unwrap().to_string(),
                g["value"].as_f64().unwrap(),
            )
        })
        .collect();
    (grids, m)
}

fn by_grid(a: f64, b: f64) -> Vec<(String, f64)> {
    vec![(GRID_A.to_string(), a), (GRID_B.to_string(), b)]
}

#[tokio::test]
async fn the_map_shows_measures_points_and_counters_within_scope() {
    on_each_db!(|ctx| {
        ctx.clock.set_ms(local(2026, 11, 23, 9, 0));
        let street = ctx.token("street1").await;
        let district = ctx.token("district").await;
        // Grid A: one dispatched (to go overdue), one reported, one settled and rated 5.
        let late = report(&ctx, &district, 113.105).await;
        act(&ctx, &street, late, json!({"action": "verify"})).await;
        act(&ctx, &street, late, json!({"action": "dispatch"})).await;
        let waiting = report(&ctx, &district, 113.106).await;
        let settled = report(&ctx, &district, 113.107).await;
        act(
            &ctx,
            &street,
            settled,
            json!({"action": "settle", "note": "当场清运"}),
        )
        .await;
        act(
            &ctx,
            &district,
            settled,
            json!({"action": "rate", "score": 5}),
        )
        .await;
        // Grid B one reported; grid C (another street) one reported.
        let in_b = report(&ctx, &district, 113.115).await;
        report(&ctx, &district, 113.125).await;
        let hazard = json!({"name": "配电箱外壳破损", "kind": "hazard", "grid": GRID_B, "lng": 113.115, "lat": 27.855});
        let (s, t) = ctx.call("POST", "/api/v1/things", &street, hazard).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        ctx.clock.set_ms(local(2026, 11, 23, 14, 30));
        assert_eq!(ctx.store.sweep_deadlines().await.unwrap().overdue, 1);
        // Sessions time out when idle; sign in again after the clock moved.
        let street = ctx.token("street1").await;
        let district = ctx.token("district").await;

        let (open, m) = measures(&ctx, &street, "").await;
        assert_eq!(open, by_grid(2.0, 1.0), "{}", ctx.backend);
        assert_eq!(m["region"], "430204001");
        assert_eq!(m["measure"], "open");
        let (overdue, _) = measures(&ctx, &street, "measure=overdue").await;
        assert_eq!(overdue, by_grid(1.0, 0.0));
        // Events of the last 30 days per 1,000 persons: 3 in A, 1 in B, two persons each.
        let (rate, _) = measures(&ctx, &street, "measure=per_thousand").await;
        assert_eq!(rate, by_grid(1500.0, 500.0));
        let (persons, _) = measures(&ctx, &street, "measure=persons").await;
        assert_eq!(persons, by_grid(2.0, 2.0));
        // One person per grid was born in 1958.
        let (elderly, _) = measures(&ctx, &street, "measure=elderly").await;
        assert_eq!(elderly, by_grid(1.0, 1.0));
        let (hazards, _) = measures(&ctx, &street, "measure=hazards").await;
        assert_eq!(hazards, by_grid(0.0, 1.0));
        let (s, e) = ctx.get("/api/v1/map?measure=nope", &street).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

        // The open events as points, newest first; the overdue one flagged with its department.
        let points = m["points"].as_array().unwrap();
        let ids: Vec<i64> = points.iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, [in_b, waiting, late]);
        let p = &points[2];
        assert_eq!(
            (
                p["state"].as_str(),
                p["overdue"].as_bool(),
                p["grid_code"].as_str()
            ),
            (Some("dispatched"), Some(true), Some(GRID_A))
        );
        assert_eq!(p["department_name"], "区城市管理和综合执法局");
        assert!(p["deadline"].is_i64());
        assert_eq!(
            points[1]["category_name"].as_str().map(|s| !s.is_empty()),
            Some(true)
        );
        assert_eq!(m["points_truncated"], false);

        let c = &m["counters"];
        assert_eq!(
            (
                c["reported_today"].as_i64(),
                c["open"].as_i64(),
                c["overdue"].as_i64(),
                c["closed_today"].as_i64(),
                c["rated"].as_i64(),
                c["satisfied"].as_i64(),
                c["satisfaction"].as_f64()
            ),
            (
                Some(4),
                Some(3),
                Some(1),
                Some(1),
                Some(1),
                Some(1),
                Some(1.0)
            ),
            "{c}"
        );
        // The district sees both streets; a community narrows to its grids.
        let (all, d) = measures(&ctx, &district, "").await;
        assert_eq!(all.len(), 3);
        assert_eq!(d["counters"]["reported_today"], 5);
        let (community, _) = measures(&ctx, &district, "region=430204001001").await;
        assert_eq!(community, by_grid(2.0, 1.0));
        // The next day nothing was reported or closed today, and the rest stands.
        ctx.clock.set_ms(local(2026, 11, 24, 9, 0));
        let street = ctx.token("street1").await;
        let (_, m2) = measures(&ctx, &street, "").await;
        assert_eq!(m2["counters"]["reported_today"], 0);
        assert_eq!(m2["counters"]["closed_today"], 0);
        assert_eq!(m2["counters"]["open"], 3);

        // Scope: another street, or a code that names nothing, is not found.
        let (s, _) = ctx.get("/api/v1/map?region=430204002", &street).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = ctx.get("/api/v1/map?region=430204001009", &street).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = ctx.get("/api/v1/map/grids/430204002001001", &street).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // A department's figures are its own, not the map's.
        let handler = ctx.token("handler").await;
        let (s, _) = ctx.get("/api/v1/map", &handler).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The grid card: people, open events, responsible staff.
        let (s, card) = ctx
            .get(&format!("/api/v1/map/grids/{GRID_A}"), &street)
            .await;
        assert_eq!(s, StatusCode::OK, "{card}");
        assert_eq!(card["grid"]["persons"], 2);
        assert_eq!(card["grid"]["households"], 1);
        assert_eq!(card["elderly"], 1);
        assert_eq!(card["grid"]["staff"][0]["name"], "赵敏");
        let open: Vec<i64> = card["open_events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect();
        assert_eq!(open, [waiting, late]);

        // The page draws the grids coloured, the points linked to their events, the strip.
        let html = page(&ctx, "/command", &street).await;
        assert!(html.contains(r#"<svg class="command-map""#), "{html}");
        assert_eq!(html.matches(r#"<path class="grid-cell""#).count(), 2);
        assert!(html.contains(&format!(r#"href="/command/grids/{GRID_A}""#)));
        assert_eq!(html.matches("<circle class=\"ev-point").count(), 3);
        assert!(html.contains(&format!(
            r#"<a href="/events/{late}"><circle class="ev-point state-dispatched cat-A0 overdue""#
        )));
        assert!(html.contains("live-list"));
        assert!(html.contains("<b>3</b>未结"));
        assert!(html.contains("<b>100.0%</b>满意率"));
        assert!(html.contains(r#"href="/command?region=430204001001&amp;measure=open""#));
        let html = page(
            &ctx,
            "/command?region=430204001001&measure=elderly",
            &street,
        )
        .await;
        assert!(html.contains("60岁以上老人：1") || html.contains("60岁以上老人 1"));
        let html = page(&ctx, &format!("/command/grids/{GRID_A}"), &street).await;
        assert!(html.contains("赵敏"));
        assert!(html.contains(&format!(r#"href="/events/{late}""#)));
        let req = Request::get("/command?region=430204002")
            .header("cookie", format!("wangge_session={street}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(ctx.send(req).await.0, StatusCode::NOT_FOUND);
    });
}

async fn page(ctx: &Ctx, path: &str, token: &str) -> String {
    let req = Request::get(path)
        .header("cookie", format!("wangge_session={token}"))
        .body(Body::empty())
        .unwrap();
    let (s, v, _) = ctx.send(req).await;
    let html = v.as_str().unwrap_or_default().to_string();
    assert_eq!(s, StatusCode::OK, "{path}: {html}");
    html
}
