//! Indicators through the API on SQLite and PostgreSQL: a small known week of events run
//! through the loop with a moved clock, then every indicator's numerator and denominator,
//! the scope, the filter errors and the trend buckets.
mod common;

use axum::http::StatusCode;
use serde_json::{Value, json};
use wangge_domain::role::Role;
use wangge_store::accounts::NewAccount;

use common::{Ctx, GRID_A, PASSWORD, march_2026};

/// Led by 城管 (D01): sign within 4 working hours, handle within 3 working days.
const PERIOD: &str = "from=2026-03-02&to=2026-03-09";

/// `(numerator, denominator)` of one indicator.
fn nd(report: &Value, key: &str) -> (u64, Option<u64>) {
    let i = report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("{key} missing: {report}"));
    (i["numerator"].as_u64().unwrap(), i["denominator"].as_u64())
}

fn value(report: &Value, key: &str) -> Option<f64> {
    report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap()["value"]
        .as_f64()
}

/// Six events in the week of 2026-03-02 (see the comments for each).
async fn history(ctx: &Ctx) {
    let worker = ctx.token("worker_a").await;
    let street = ctx.token("street1").await;
    let handler = ctx.token("handler").await;

    // Monday: E1 closed on time and rated 5; E2 signed, handled after its deadline.
    ctx.clock.set_ms(march_2026(2, 9, 0));
    let e1 = ctx.report_in_grid_a(&worker).await;
    let e2 = ctx.report_in_grid_a(&worker).await;
    for id in [e1, e2] {
        ctx.act(&street, id, json!({"action": "verify"})).await;
        ctx.act(&street, id, json!({"action": "dispatch"})).await;
    }
    ctx.clock.set_ms(march_2026(2, 9, 30));
    for id in [e1, e2] {
        ctx.act(&handler, id, json!({"action": "sign"})).await;
    }
    ctx.clock.set_ms(march_2026(2, 10, 30));
    ctx.act(&handler, e1, json!({"action": "handle", "note": "已清运"}))
        .await;
    ctx.clock.set_ms(march_2026(2, 11, 0));
    let e = ctx.act(&worker, e1, json!({"action": "check_pass"})).await;
    assert_eq!(e["state"], "closed");
    ctx.act(&worker, e1, json!({"action": "rate", "score": 5}))
        .await;

    // Tuesday: E3 returned, dispatched again, reworked once, closed on time.
    ctx.clock.set_ms(march_2026(3, 9, 0));
    let e3 = ctx.report_in_grid_a(&worker).await;
    ctx.act(&street, e3, json!({"action": "verify"})).await;
    ctx.act(&street, e3, json!({"action": "dispatch"})).await;
    ctx.clock.set_ms(march_2026(3, 9, 10));
    let e = ctx
        .act(
            &handler,
            e3,
            json!({"action": "return", "note": "不属本部门"}),
        )
        .await;
    assert_eq!(e["state"], "registered");
    ctx.clock.set_ms(march_2026(3, 9, 20));
    ctx.act(&street, e3, json!({"action": "dispatch"})).await;
    ctx.clock.set_ms(march_2026(3, 9, 30));
    ctx.act(&handler, e3, json!({"action": "sign"})).await;
    ctx.clock.set_ms(march_2026(3, 10, 0));
    ctx.act(&handler, e3, json!({"action": "handle", "note": "已清运"}))
        .await;
    ctx.clock.set_ms(march_2026(3, 10, 10));
    ctx.act(
        &worker,
        e3,
        json!({"action": "check_fail", "note": "楼后仍有"}),
    )
    .await;
    ctx.clock.set_ms(march_2026(3, 10, 30));
    ctx.act(
        &handler,
        e3,
        json!({"action": "handle", "note": "楼后已清运"}),
    )
    .await;
    ctx.clock.set_ms(march_2026(3, 11, 0));
    ctx.act(&worker, e3, json!({"action": "check_pass"})).await;

    // Wednesday: E4 dispatched and never signed (overdue at 14:30); E5 settled on the spot.
    ctx.clock.set_ms(march_2026(4, 9, 0));
    let e4 = ctx.report_in_grid_a(&worker).await;
    ctx.act(&street, e4, json!({"action": "verify"})).await;
    ctx.act(&street, e4, json!({"action": "dispatch"})).await;
    ctx.clock.set_ms(march_2026(4, 10, 0));
    let e5 = ctx.report_in_grid_a(&worker).await;
    let e = ctx
        .act(&worker, e5, json!({"action": "settle", "note": "已劝离"}))
        .await;
    assert_eq!(e["state"], "settled");

    // Thursday: E6 reported and left waiting.
    ctx.clock.set_ms(march_2026(5, 9, 0));
    ctx.report_in_grid_a(&worker).await;

    // Friday: the sweeper flags E2 (handle deadline Thursday 09:30) and E4 (sign deadline
    // Wednesday 14:30); E2 is then handled and closed late, and rated 2.
    ctx.clock.set_ms(march_2026(6, 10, 0));
    let swept = ctx.store.sweep_deadlines().await.unwrap();
    assert_eq!(swept.overdue, 2, "{swept:?}");
    ctx.clock.set_ms(march_2026(6, 10, 30));
    ctx.act(&handler, e2, json!({"action": "handle", "note": "已清运"}))
        .await;
    ctx.clock.set_ms(march_2026(6, 11, 0));
    ctx.act(&worker, e2, json!({"action": "check_pass"})).await;
    ctx.act(&worker, e2, json!({"action": "rate", "score": 2}))
        .await;
}

#[tokio::test]
async fn indicators_count_a_known_week() {
    on_each_db!(|ctx| {
        history(&ctx).await;
        let district = ctx.token("district").await;
        let (s, r) = ctx
            .call(
                "GET",
                &format!("/api/v1/indicators?{PERIOD}"),
                &district,
                Value::Null,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(
            (r["from"].as_str(), r["to"].as_str()),
            (Some("2026-03-02"), Some("2026-03-09"))
        );
        let expected: [(&str, u64, Option<u64>); 15] = [
            ("reports", 6, None),
            ("registered", 4, None),
            ("dispatched_on_time", 4, Some(4)),
            ("accurate_dispatch", 3, Some(4)),
            ("signed_on_time", 3, Some(3)),
            ("handled_on_time", 2, Some(3)),
            ("open_overdue", 1, None),
            ("rework", 1, Some(3)),
            ("return", 1, Some(4)),
            ("closure", 3, Some(4)),
            ("closed_on_time", 2, Some(4)),
            ("settled", 1, Some(6)),
            // E1 and E3: 120 working minutes each; E2: 420 on Monday, 450 on Tuesday to
            // Thursday, 150 on Friday morning = 1,920.
            ("handling_hours", 2160, Some(3)),
            ("satisfaction", 1, Some(2)),
            ("citizen_participation", 0, Some(6)),
        ];
        for (key, n, d) in expected {
            assert_eq!(nd(&r, key), (n, d), "{key}: {r}");
        }
        assert_eq!(value(&r, "closure"), Some(75.0));
        assert_eq!(value(&r, "closed_on_time"), Some(50.0));
        assert_eq!(value(&r, "handling_hours"), Some(12.0));
        assert_eq!(value(&r, "satisfaction"), Some(50.0));

        // A grid's figures are summed over the event rows, the district's read from the
        // daily rollup: all six events are in grid A, so both answer the same.
        let (_, g) = ctx
            .call(
                "GET",
                &format!("/api/v1/indicators?{PERIOD}&region={GRID_A}"),
                &district,
                Value::Null,
            )
            .await;
        for (key, _, _) in expected {
            assert_eq!(nd(&g, key), nd(&r, key), "{key}: {g}");
        }
        // The social-governance index: today's from the same counts, (30×50 + 15×75 +
        // 20×50 + 10×100 + 10×75 + 15×(16.7/30×100)) / 100; the kept days before.
        assert_eq!(ctx.store.keep_governance_index().await.unwrap(), 90);
        assert_eq!(
            ctx.store.keep_governance_index().await.unwrap(),
            0,
            "each day once"
        );
        let (s, ix) = ctx
            .call(
                "GET",
                "/api/v1/governance-index?days=7",
                &district,
                Value::Null,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{ix}");
        let index_value =
            (1500.0 + 1125.0 + 1000.0 + 1000.0 + 750.0 + 15.0 * 100.0 / 6.0 / 0.3) / 100.0;
        assert!(
            (ix["value"].as_f64().unwrap() - index_value).abs() < 1e-9,
            "{ix}"
        );
        let points = ix["points"].as_array().unwrap();
        assert_eq!(points.len(), 7);
        assert_eq!(points[6]["day"], "2026-03-05");
        assert!(
            (points[6]["value"].as_f64().unwrap() - index_value).abs() < 1e-9,
            "{ix}"
        );
        assert_eq!(points[0]["day"], "2026-02-27");
        assert!(
            points[0]["value"].is_null(),
            "no report in the window: {ix}"
        );
        let (s, _) = ctx
            .call(
                "GET",
                "/api/v1/governance-index?days=0",
                &district,
                Value::Null,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

        // A category alone reads the catalog items' rollup rows; with a street it sums the
        // event rows: all six events are of A01-003, so both answer the district's figures.
        for query in ["category=A01", "category=A01-003&region=430204001"] {
            let (_, c) = ctx
                .call(
                    "GET",
                    &format!("/api/v1/indicators?{PERIOD}&{query}"),
                    &district,
                    Value::Null,
                )
                .await;
            for (key, _, _) in expected {
                assert_eq!(nd(&c, key), nd(&r, key), "{query} {key}: {c}");
            }
        }

        // The rollup kept step by step is the one rebuilt from the trails.
        let kept = ctx.store.indicator_rollup().await.unwrap();
        assert!(!kept.is_empty());
        let rebuilt = ctx.store.rebuild_indicator_facts().await.unwrap();
        assert_eq!(
            (rebuilt.events, rebuilt.events_corrected),
            (6, 0),
            "{rebuilt:?}"
        );
        assert_eq!(ctx.store.indicator_rollup().await.unwrap(), kept);

        // Filters: the department sees the four dispatched to it; a category prefix.
        let handler = ctx.token("handler").await;
        let (_, r) = ctx
            .call(
                "GET",
                &format!("/api/v1/indicators?{PERIOD}"),
                &handler,
                Value::Null,
            )
            .await;
        assert_eq!(nd(&r, "reports"), (4, None), "{r}");
        // The department's own view sums its event rows; the district asking for the
        // department reads the department's rollup rows: the same figures.
        let (_, by_district) = ctx
            .call(
                "GET",
                &format!("/api/v1/indicators?{PERIOD}&department=D01"),
                &district,
                Value::Null,
            )
            .await;
        for (key, _, _) in expected {
            assert_eq!(nd(&by_district, key), nd(&r, key), "{key}: {by_district}");
        }
        let (_, r) = ctx
            .call(
                "GET",
                &format!("/api/v1/indicators?{PERIOD}&department=D01&category=A01"),
                &district,
                Value::Null,
            )
            .await;
        assert_eq!(nd(&r, "reports"), (4, None), "{r}");
        let (_, r) = ctx
            .call(
                "GET",
                &format!("/api/v1/indicators?{PERIOD}&category=B"),
                &district,
                Value::Null,
            )
            .await;
        assert_eq!(nd(&r, "reports"), (0, None), "{r}");
        assert_eq!(value(&r, "closure"), None, "no denominator, no rate");
        // The default period is the last 30 days before now (2026-03-06): all six.
        let (_, r) = ctx
            .call("GET", "/api/v1/indicators", &district, Value::Null)
            .await;
        assert_eq!(
            (r["from"].as_str(), r["to"].as_str()),
            (Some("2026-02-05"), Some("2026-03-07"))
        );
        assert_eq!(nd(&r, "reports"), (6, None), "{r}");

        // Trend: per day (the whole period, empty days as zeros), per week, per month.
        let (s, t) = ctx
            .call(
                "GET",
                &format!("/api/v1/indicators/trend?{PERIOD}&bucket=day"),
                &district,
                Value::Null,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{t}");
        let rows: Vec<(String, u64, u64, u64, Option<f64>)> = t["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["bucket"].as_str().unwrap().to_string(),
                    p["reports"].as_u64().unwrap(),
                    p["closed"].as_u64().unwrap(),
                    p["overdue"].as_u64().unwrap(),
                    p["satisfaction"].as_f64(),
                )
            })
            .collect();
        let day = |d: &str, r, c, o, sat| (d.to_string(), r, c, o, sat);
        assert_eq!(
            rows,
            [
                day("2026-03-02", 2, 2, 1, Some(50.0)),
                day("2026-03-03", 1, 1, 0, None),
                day("2026-03-04", 2, 0, 1, None),
                day("2026-03-05", 1, 0, 0, None),
                day("2026-03-06", 0, 0, 0, None),
                day("2026-03-07", 0, 0, 0, None),
                day("2026-03-08", 0, 0, 0, None),
            ]
        );
        for (bucket, label) in [("week", "2026-03-02"), ("month", "2026-03")] {
            let (_, t) = ctx
                .call(
                    "GET",
                    &format!("/api/v1/indicators/trend?{PERIOD}&bucket={bucket}"),
                    &district,
                    Value::Null,
                )
                .await;
            let p = &t["points"];
            assert_eq!(p.as_array().unwrap().len(), 1, "{t}");
            assert_eq!(
                (
                    p[0]["bucket"].as_str(),
                    p[0]["reports"].as_u64(),
                    p[0]["closed"].as_u64(),
                    p[0]["overdue"].as_u64()
                ),
                (Some(label), Some(6), Some(3), Some(2)),
                "{t}"
            );
        }

        // The page shows the table and the chart.
        let req = axum::http::Request::get(format!("/indicators?{PERIOD}&bucket=day"))
            .header("cookie", format!("wangge_session={district}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let (s, html, _) = ctx.send(req).await;
        assert_eq!(s, StatusCode::OK);
        let html = html.to_string();
        assert!(html.contains("结案率 = 已结案 / 应结案"), "{html}");
        assert!(html.contains("<polyline"), "{html}");
        assert!(html.contains("3 / 4"), "{html}");
        // Compared by street and by department, and the governance index drawn.
        for text in [
            "各街道对比",
            "清水塘街道",
            "各部门对比",
            "区城市管理和综合执法局",
            "社会治理指数",
        ] {
            assert!(html.contains(text), "{text}: {html}");
        }
    });
}

#[tokio::test]
async fn indicators_stay_within_scope_and_name_bad_fields() {
    on_each_db!(|ctx| {
        history(&ctx).await;
        ctx.store
            .create_account(NewAccount {
                username: "street2",
                display_name: "龙头铺街道指挥中心",
                password: PASSWORD,
                role: Role::Operator,
                scope: "430204002",
                department_code: None,
                must_change_password: false,
            })
            .await
            .unwrap();
        let other = ctx.token("street2").await;
        let (s, r) = ctx
            .call(
                "GET",
                &format!("/api/v1/indicators?{PERIOD}"),
                &other,
                Value::Null,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(
            nd(&r, "reports"),
            (0, None),
            "another street sees none: {r}"
        );
        for path in ["/api/v1/indicators", "/api/v1/indicators/trend"] {
            let (s, _) = ctx
                .call(
                    "GET",
                    &format!("{path}?region=430204001"),
                    &other,
                    Value::Null,
                )
                .await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        }
        let district = ctx.token("district").await;
        for (query, field) in [
            ("from=2026-02-30", "from"),
            ("to=03/09/2026", "to"),
            ("from=2026-03-09&to=2026-03-02", "from"),
            ("department=D99", "department"),
            ("category=A01%25", "category"),
        ] {
            let (s, r) = ctx
                .call(
                    "GET",
                    &format!("/api/v1/indicators?{query}"),
                    &district,
                    Value::Null,
                )
                .await;
            assert_eq!(
                (s, r["error"]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
                "{query}: {r}"
            );
        }
        let (s, r) = ctx
            .call(
                "GET",
                "/api/v1/indicators/trend?bucket=year",
                &district,
                Value::Null,
            )
            .await;
        assert_eq!(
            (s, r["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("bucket")),
            "{r}"
        );
    });
}

#[tokio::test]
async fn a_co_handling_department_sees_its_share_from_the_rollup() {
    on_each_db!(|ctx| {
        let mut b = wangge_store::load::Batch::new();
        b.add_department(ctx.store.next_id(), "D02", "株洲市公安局石峰分局", "公安");
        b.write(&ctx.store).await.unwrap();
        ctx.store
            .create_account(NewAccount {
                username: "police",
                display_name: "公安分局",
                password: PASSWORD,
                role: Role::DeptHandler,
                scope: "430204",
                department_code: Some("D02"),
                must_change_password: false,
            })
            .await
            .unwrap();
        let worker = ctx.token("worker_a").await;
        let street = ctx.token("street1").await;
        ctx.clock.set_ms(march_2026(2, 9, 0));
        let e1 = ctx.report_in_grid_a(&worker).await;
        let e2 = ctx.report_in_grid_a(&worker).await;
        for (id, co) in [(e1, json!(["D02"])), (e2, json!([]))] {
            ctx.act(&street, id, json!({"action": "verify"})).await;
            let body = json!({"action": "dispatch", "co_departments": co});
            ctx.act(&street, id, body).await;
        }
        let police = ctx.token("police").await;
        let handler = ctx.token("handler").await;
        let ask = |token: String, query: &'static str| {
            let ctx = &ctx;
            async move {
                let path = format!("/api/v1/indicators?{PERIOD}{query}");
                let (s, r) = ctx.call("GET", &path, &token, Value::Null).await;
                assert_eq!(s, StatusCode::OK, "{r}");
                r
            }
        };
        // The county view of the co-handler reads the rollup; a street of it, the events.
        let county = ask(police.clone(), "").await;
        let street_view = ask(police, "&region=430204001").await;
        assert_eq!(nd(&county, "reports"), (1, None), "{county}");
        assert_eq!(county["indicators"], street_view["indicators"]);
        let lead = ask(handler, "").await;
        assert_eq!(nd(&lead, "reports"), (2, None), "{lead}");
        let kept = ctx.store.indicator_rollup().await.unwrap();
        let rebuilt = ctx.store.rebuild_indicator_facts().await.unwrap();
        assert_eq!(rebuilt.events_corrected, 0);
        assert_eq!(ctx.store.indicator_rollup().await.unwrap(), kept);
    });
}
