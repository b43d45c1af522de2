//! Assessment through the API and the page on SQLite and PostgreSQL: a known March of events
//! with a moved clock, then every dimension of the grid workers and the department, their
//! totals and ranks, the weights (admins only, checked), the scope and the errors.
mod common;
#[path = "support/pdf.rs"]
mod pdf;

use axum::http::StatusCode;
use serde_json::{Value, json};

use common::{Ctx, GRID_A, GRID_B, GRID_C, march_2026};

/// Grid A's worker reports three events in the week of 2 March: E1 handled and checked
/// within half an hour (rated 5), E2 handled on Tuesday and checked two working days later
/// (rated 3), E3 settled on the spot.
async fn march(ctx: &Ctx) {
    let worker = ctx.token("worker_a").await;
    let street = ctx.token("street1").await;
    let handler = ctx.token("handler").await;
    ctx.clock.set_ms(march_2026(2, 9, 0));
    let e1 = ctx.report_in_grid_a(&worker).await;
    let e2 = ctx.report_in_grid_a(&worker).await;
    let e3 = ctx.report_in_grid_a(&worker).await;
    for id in [e1, e2] {
        ctx.act(&street, id, json!({"action": "verify"})).await;
        ctx.act(&street, id, json!({"action": "dispatch"})).await;
    }
    ctx.clock.set_ms(march_2026(2, 9, 30));
    for id in [e1, e2] {
        ctx.act(&handler, id, json!({"action": "sign"})).await;
    }
    ctx.act(&worker, e3, json!({"action": "settle", "note": "已劝离"}))
        .await;
    ctx.clock.set_ms(march_2026(2, 10, 30));
    ctx.act(&handler, e1, json!({"action": "handle", "note": "已清运"}))
        .await;
    ctx.clock.set_ms(march_2026(2, 11, 0));
    ctx.act(&worker, e1, json!({"action": "check_pass"})).await;
    ctx.act(&worker, e1, json!({"action": "rate", "score": 5}))
        .await;
    ctx.clock.set_ms(march_2026(3, 10, 0));
    ctx.act(&handler, e2, json!({"action": "handle", "note": "已清运"}))
        .await;
    ctx.clock.set_ms(march_2026(5, 10, 0));
    ctx.act(&worker, e2, json!({"action": "check_pass"})).await;
    ctx.act(&worker, e2, json!({"action": "rate", "score": 3}))
        .await;
}

fn row<'a>(a: &'a Value, code: &str) -> &'a Value {
    a["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("{code} missing: {a}"))
}

fn score(r: &Value, key: &str) -> Option<f64> {
    r["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("{key} missing: {r}"))["score"]
        .as_f64()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

#[tokio::test]
async fn grid_workers_and_departments_are_scored_and_ranked() {
    on_each_db!(|ctx| {
        march(&ctx).await;
        let district = ctx.token("district").await;
        let path = "/api/v1/assessment?subject=grid_workers&period=2026-03";
        let (s, a) = ctx.call("GET", path, &district, Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{a}");
        assert_eq!(a["period_label"], "2026年3月");
        assert_eq!(a["rows"].as_array().unwrap().len(), 3, "{a}");

        let ga = row(&a, GRID_A);
        assert_eq!(ga["person"], "赵敏");
        assert_eq!(ga["community"], "文塅社区");
        assert_eq!(ga["street"], "清水塘街道");
        assert_eq!(score(ga, "base_data"), Some(100.0), "{ga}");
        assert_eq!(score(ga, "reporting"), Some(37.5), "3 of 8: {ga}");
        assert_eq!(
            score(ga, "settling"),
            Some(100.0),
            "1 of 3 beats 30 %: {ga}"
        );
        assert_eq!(score(ga, "checking"), Some(50.0), "E2 checked late: {ga}");
        assert_eq!(score(ga, "satisfaction"), Some(50.0), "{ga}");
        for key in ["visits", "patrol", "service_group"] {
            assert_eq!(score(ga, key), None, "{key} not recorded: {ga}");
        }
        // (15×100 + 20×37.5 + 10×100 + 15×50 + 10×50) / 70.
        assert!(close(ga["total"].as_f64(), 4500.0 / 70.0), "{ga}");
        let basis = ga["scores"][3]["basis"].as_str().unwrap();
        assert!(basis.contains("核查2件"), "{basis}");

        // Grids B and C: residents on record, nothing reported: (15×100 + 20×0) / 35.
        for code in [GRID_B, GRID_C] {
            let g = row(&a, code);
            assert!(close(g["total"].as_f64(), 1500.0 / 35.0), "{g}");
            assert_eq!(score(g, "satisfaction"), None, "{g}");
        }
        let ranks = |code: &str| {
            let r = row(&a, code);
            (
                r["rank"].as_u64(),
                r["rank_in_street"].as_u64(),
                r["rank_in_community"].as_u64(),
            )
        };
        assert_eq!(ranks(GRID_A), (Some(1), Some(1), Some(1)));
        assert_eq!(ranks(GRID_B), (Some(2), Some(2), Some(2)));
        assert_eq!(
            ranks(GRID_C),
            (Some(2), Some(1), Some(1)),
            "a tie shares rank 2"
        );
        assert_eq!(a["rows"][0]["code"], GRID_A, "best first");

        // The department that handled E1 and E2.
        let path = "/api/v1/assessment?subject=departments&period=2026Q1";
        let (s, d) = ctx.call("GET", path, &district, Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let d01 = row(&d, "D01");
        for key in ["signing", "handling", "returns", "rework", "closure"] {
            assert_eq!(score(d01, key), Some(100.0), "{key}: {d01}");
        }
        assert_eq!(score(d01, "satisfaction"), Some(50.0));
        assert_eq!(score(d01, "work_tasks"), None, "no tasks: left out");
        assert!(close(d01["total"].as_f64(), 8250.0 / 90.0), "{d01}");
        assert_eq!(d01["rank"].as_u64(), Some(1));

        // A work task of the quarter checked off with 8 of 10 points joins the score:
        // (7500 + 15×50 + 10×80) / 100.
        let leader = ctx.token("leader").await;
        let handler = ctx.token("handler").await;
        let body = json!({"title": "背街小巷环境整治", "description": "按季预安、网上销号",
                          "quarter": "2026Q1", "points": 10, "due_date": "2026-03-31",
                          "units": [{"kind": "department", "code": "D01"}]});
        let (s, t) = ctx.call("POST", "/api/v1/work-tasks", &leader, body).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let base = format!(
            "/api/v1/work-tasks/{}/assignments/{}",
            t["id"], t["assignments"][0]["id"]
        );
        let plan =
            json!({"plan": "摸排—整改—复查", "milestones": [], "planned_finish": "2026-03-20"});
        for (token, step, body) in [
            (&handler, "plan", plan),
            (&handler, "submit", json!({"evidence": "整治前后照片"})),
            (&leader, "check-off", json!({"score": 8})),
        ] {
            let (s, v) = ctx
                .call("POST", &format!("{base}/{step}"), token, body)
                .await;
            assert_eq!(s, StatusCode::OK, "{step}: {v}");
        }
        let (_, d) = ctx.call("GET", path, &district, Value::Null).await;
        let d01 = row(&d, "D01");
        assert_eq!(score(d01, "work_tasks"), Some(80.0), "{d01}");
        assert!(close(d01["total"].as_f64(), 90.5), "{d01}");

        // The department sees its own row; grid workers' assessment is not for it.
        let (s, own) = ctx.call("GET", path, &handler, Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{own}");
        assert_eq!(own["rows"].as_array().unwrap().len(), 1);
        let workers = "/api/v1/assessment?subject=grid_workers&period=2026-03";
        let (s, _) = ctx.call("GET", workers, &handler, Value::Null).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // A grid worker sees their own grid only.
        let worker = ctx.token("worker_a").await;
        let (_, mine) = ctx.call("GET", workers, &worker, Value::Null).await;
        assert_eq!(mine["rows"].as_array().unwrap().len(), 1, "{mine}");

        // The page draws the totals and shows what each score counts.
        let req = axum::http::Request::get("/assessment?subject=grid_workers&period=2026-03")
            .header("cookie", format!("wangge_session={district}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let (s, html, _) = ctx.send(req).await;
        assert_eq!(s, StatusCode::OK);
        let html = html.to_string();
        assert!(html.contains("2026年3月"), "{html}");
        assert!(html.contains("64.3"), "{html}");
        assert!(html.contains("本区尚未记录，不计入"), "{html}");
    });
}

#[tokio::test]
async fn weights_are_an_admins_and_errors_name_the_field() {
    on_each_db!(|ctx| {
        march(&ctx).await;
        let weights = "base_data=10,reporting=10,settling=10,checking=10,visits=10,\
                       patrol=10,service_group=10,satisfaction=30";
        let district = ctx.token("district").await;
        let path = "/api/v1/assessment/weights/grid_workers";
        let (s, _) = ctx
            .call("PUT", path, &district, json!({"weights": weights}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        let admin = ctx.admin_token().await;
        let bad = weights.replace("satisfaction=30", "satisfaction=31");
        let (s, e) = ctx.call("PUT", path, &admin, json!({"weights": bad})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("weights")),
            "{e}"
        );
        assert!(
            e["error"]["message"].as_str().unwrap().contains("101"),
            "{e}"
        );
        let (s, e) = ctx
            .call("PUT", path, &admin, json!({"weights": weights}))
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");

        // Grid A now: (10×100 + 10×37.5 + 10×100 + 10×50 + 30×50) / 70.
        let (_, a) = ctx
            .call(
                "GET",
                "/api/v1/assessment?period=2026-03",
                &district,
                Value::Null,
            )
            .await;
        assert!(
            close(row(&a, GRID_A)["total"].as_f64(), 4375.0 / 70.0),
            "{a}"
        );
        assert_eq!(a["weights"], weights.replace(' ', ""));

        for (query, field) in [
            ("period=2026-13", "period"),
            ("period=last-month", "period"),
            ("subject=streets", "subject"),
        ] {
            let (s, e) = ctx
                .call(
                    "GET",
                    &format!("/api/v1/assessment?{query}"),
                    &district,
                    Value::Null,
                )
                .await;
            assert_eq!(
                (s, e["error"]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
                "{query}: {e}"
            );
        }
        let (s, _) = ctx
            .call(
                "GET",
                "/api/v1/assessment?region=430204002",
                &ctx.token("street1").await,
                Value::Null,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "another street's region");
    });
}

/// The response's status, content type and body bytes.
async fn download(
    ctx: &Ctx,
    path: &str,
    cookie: Option<&str>,
    token: &str,
) -> (StatusCode, String, Vec<u8>) {
    use tower::ServiceExt;
    let mut req = axum::http::Request::get(path);
    req = match cookie {
        Some(c) => req.header("cookie", format!("wangge_session={c}")),
        None => req.header("authorization", format!("Bearer {token}")),
    };
    let resp = ctx
        .app
        .clone()
        .oneshot(req.body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let kind = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, kind, body.to_vec())
}

#[tokio::test]
async fn the_weekly_review_as_page_workbook_and_pdf() {
    on_each_db!(|ctx| {
        march(&ctx).await;
        // E4, reported on Wednesday and never signed, is overdue by Friday.
        let worker = ctx.token("worker_a").await;
        let street = ctx.token("street1").await;
        ctx.clock.set_ms(march_2026(4, 9, 0));
        let e4 = ctx.report_in_grid_a(&worker).await;
        ctx.act(&street, e4, json!({"action": "verify"})).await;
        ctx.act(&street, e4, json!({"action": "dispatch"})).await;
        ctx.clock.set_ms(march_2026(6, 10, 0));
        ctx.store.sweep_deadlines().await.unwrap();

        let district = ctx.token("district").await;
        let (s, r) = ctx
            .call(
                "GET",
                "/api/v1/reviews/weekly?period=2026-W10",
                &district,
                Value::Null,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["title"], "石峰区一周一点评（2026年第10周）");
        assert_eq!(
            (r["from"].as_str(), r["to"].as_str()),
            (Some("2026-03-02"), Some("2026-03-09"))
        );
        assert_eq!(r["indicators"][0]["numerator"], 4, "{r}");
        assert_eq!(r["previous"][0]["numerator"], 0, "the week before: {r}");
        assert_eq!(r["children_label"], "街道");
        let streets = r["children"].as_array().unwrap();
        assert_eq!(streets.len(), 1, "only 清水塘 had reports: {r}");
        assert_eq!(streets[0]["name"], "清水塘街道");
        // Closed E1, E2 on time; E4 open overdue: 2 / 3.
        assert!((streets[0]["on_time_closure"].as_f64().unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(r["best"][0]["code"], "430204001");
        assert_eq!(r["departments"][0]["code"], "D01");
        assert_eq!(r["departments"][0]["reports"], 3, "E1, E2, E4: {r}");
        let overdue = r["overdue"].as_array().unwrap();
        assert_eq!(overdue.len(), 1, "{r}");
        assert_eq!(overdue[0]["id"], e4);
        assert!(r["low_ratings"].as_array().unwrap().is_empty());

        // The workbook: a sheet a table, the first with this week beside the last.
        let (s, kind, bytes) = download(
            &ctx,
            "/api/v1/reviews/weekly/xlsx?period=2026-W10",
            None,
            &district,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(kind.contains("spreadsheetml"), "{kind}");
        let table = wangge_sheet::read_table(
            wangge_sheet::Format::Xlsx,
            &bytes,
            &wangge_sheet::Limits::default(),
        )
        .unwrap();
        assert_eq!(table.headers[..3], ["指标", "本期", "上期"]);
        assert_eq!(table.rows[0].cells[..3], ["上报数", "4 件", "0 件"]);

        // The page shows the tables and links the downloads; the PDF comes from the page.
        let req = axum::http::Request::get("/reviews/weekly?period=2026-W10")
            .header("cookie", format!("wangge_session={district}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let (s, html, _) = ctx.send(req).await;
        assert_eq!(s, StatusCode::OK);
        let html = html.to_string();
        for text in [
            "一、总体情况",
            "六、超期未结事件",
            "download-pdf",
            "清水塘街道",
        ] {
            assert!(html.contains(text), "{text}: {html}");
        }
        let (s, kind, pdf) = download(
            &ctx,
            "/reviews/weekly/pdf?period=2026-W10&region=",
            Some(&district),
            "",
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
        assert_eq!(kind, "application/pdf");
        assert!(pdf.starts_with(b"%PDF"));
        match pdf::pdf_text(&pdf).unwrap() {
            Some(text) => {
                assert!(text.contains("石峰区一周一点评（2026年第10周）"), "{text}");
                assert!(text.contains("清水塘街道"), "{text}");
            }
            None => eprintln!(
                "skipped reading the PDF back: pdftotext (poppler-utils) is not installed"
            ),
        }

        // Errors: a month for a week, an unknown kind, a department.
        let (s, e) = ctx
            .call(
                "GET",
                "/api/v1/reviews/weekly?period=2026-03",
                &district,
                Value::Null,
            )
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("period"))
        );
        let (s, _) = ctx
            .call("GET", "/api/v1/reviews/yearly", &district, Value::Null)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let handler = ctx.token("handler").await;
        let (s, _) = ctx
            .call("GET", "/api/v1/reviews/monthly", &handler, Value::Null)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, m) = ctx
            .call(
                "GET",
                "/api/v1/reviews/monthly?period=2026-03",
                &district,
                Value::Null,
            )
            .await;
        assert_eq!(
            (s, m["title"].as_str()),
            (StatusCode::OK, Some("石峰区月度通报（2026年3月）"))
        );
    });
}
