//! Field work (F6) through the router on SQLite and PostgreSQL: a patrol started twice is
//! one patrol; positions sent twice, retried under the same key or late are held once,
//! impossible ones refused with a reason; the track is the worker's and their overseers'
//! (audited) only; the visit list orders what is due, a visit with a finding files an event
//! at once and a retry files nothing twice; a household of another grid is refused; daily
//! reports, the day board, the weekly log and the admin's rules.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use common::Ctx;

const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;

/// A call with an `Idempotency-Key`; answers the status, body and whether it was replayed.
async fn keyed(
    ctx: &Ctx,
    path: &str,
    token: &str,
    key: &str,
    body: Value,
) -> (StatusCode, Value, bool) {
    let req = Request::post(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(Body::from(body.to_string()))
        .unwrap();
    let (s, v, h) = ctx.send(req).await;
    (s, v, h.get("idempotent-replayed").is_some())
}

/// Points walking east inside grid A, one a minute from `from_ms`.
fn walk(from_ms: i64, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({"at_ms": from_ms + i as i64 * MINUTE_MS, "lng": 113.1010 + i as f64 * 0.0005,
                   "lat": 27.8550, "accuracy_m": 8.0})
        })
        .collect()
}

async fn street_token(ctx: &Ctx) -> String {
    ctx.token("street1").await
}

#[tokio::test]
async fn a_patrol_keeps_each_position_once_and_its_track_is_private() {
    on_each_db!(|ctx| {
        let worker = ctx.token("worker_a").await;
        let (s, first) = ctx
            .call("POST", "/api/v1/patrols", &worker, json!({}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        let id = first["id"].as_i64().unwrap();
        let (s, again) = ctx
            .call("POST", "/api/v1/patrols", &worker, json!({}))
            .await;
        assert_eq!(
            (s, again["id"].as_i64()),
            (StatusCode::OK, Some(id)),
            "one patrol runs"
        );

        let started = first["started_at"].as_i64().unwrap();
        ctx.clock.advance_ms(10 * MINUTE_MS);
        let path = format!("/api/v1/patrols/{id}/points");
        let mut batch = walk(started + MINUTE_MS, 6);
        // Far outside the district, and a jump no one walks.
        batch.push(json!({"at_ms": started + 8 * MINUTE_MS, "lng": 116.40, "lat": 39.90}));
        let (s, a, replayed) =
            keyed(&ctx, &path, &worker, "batch-1", json!({"points": batch})).await;
        assert_eq!((s, replayed), (StatusCode::OK, false), "{a}");
        assert_eq!(a["added"], 6);
        assert_eq!(a["refused"].as_array().unwrap().len(), 1, "{a}");
        assert_eq!(a["refused"][0]["index"], 6);
        assert!(
            a["refused"][0]["reason"].as_str().unwrap().contains("辖区"),
            "{a}"
        );
        assert_eq!(a["stats"]["points"], 6);
        assert_eq!(a["stats"]["patrol_ms"], 5 * MINUTE_MS);
        let km = a["stats"]["distance_m"].as_f64().unwrap();
        assert!((200.0..300.0).contains(&km), "five steps of ~49 m: {km}");
        assert_eq!(a["stats"]["inside_share"], 1.0);

        // The same batch under the same key is answered again, not added again; under a
        // new key (the phone lost the answer and made a new batch) every point is a duplicate.
        let (s, b, replayed) =
            keyed(&ctx, &path, &worker, "batch-1", json!({"points": batch})).await;
        assert_eq!((s, replayed), (StatusCode::OK, true));
        assert_eq!(b, a);
        let (_, c, _) = keyed(
            &ctx,
            &path,
            &worker,
            "batch-2",
            json!({"points": walk(started + MINUTE_MS, 6)}),
        )
        .await;
        assert_eq!(
            (c["added"].as_i64(), c["duplicates"].as_i64()),
            (Some(0), Some(6)),
            "{c}"
        );
        // A late batch fills the start of the track in.
        let (_, d, _) = keyed(
            &ctx,
            &path,
            &worker,
            "batch-3",
            json!({"points": walk(started, 1)}),
        )
        .await;
        assert_eq!(d["stats"]["points"], 7, "{d}");
        assert_eq!(d["stats"]["patrol_ms"], 6 * MINUTE_MS);

        let (s, stopped) = ctx
            .call(
                "POST",
                &format!("/api/v1/patrols/{id}/stop"),
                &worker,
                json!({}),
            )
            .await;
        assert_eq!(
            (s, stopped["running"].as_bool()),
            (StatusCode::OK, Some(false)),
            "{stopped}"
        );
        let (_, current) = ctx.get("/api/v1/patrols/current", &worker).await;
        assert!(current.is_null());

        // The track: its worker, the street's command center (audited), nobody else.
        let (s, mine) = ctx.get(&format!("/api/v1/patrols/{id}"), &worker).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(mine["track"].as_array().unwrap().len(), 7);
        let street = ctx.token("street1").await;
        let (s, _) = ctx.get(&format!("/api/v1/patrols/{id}"), &street).await;
        assert_eq!(s, StatusCode::OK);
        let (audit, _) = ctx.store.audit_page(1, 50).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|r| r.action == "patrol.track.view" && r.account == "street1"),
            "a command center's look at a track is audited"
        );
        let handler = ctx.token("handler").await;
        let (s, _) = ctx.get(&format!("/api/v1/patrols/{id}"), &handler).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // Only a worker with a grid patrols.
        let (s, e) = ctx
            .call("POST", "/api/v1/patrols", &street, json!({}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");

        // The day board: six minutes of a 120-minute rule.
        let (s, board) = ctx
            .get("/api/v1/field/board?region=430204001", &street)
            .await;
        assert_eq!(s, StatusCode::OK, "{board}");
        let me = board["workers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["grid_code"] == common::GRID_A)
            .unwrap()
            .clone();
        assert_eq!(
            (me["patrol_minutes"].as_i64(), me["patrol_met"].as_bool()),
            (Some(6), Some(false)),
            "{board}"
        );

        // Once the day is over the assessment counts it against the rule: short of it.
        ctx.clock.advance_ms(DAY_MS);
        let street = ctx.token("street1").await;
        let (s, a) = ctx
            .get(
                "/api/v1/assessment?period=2026-11&region=430204001",
                &street,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{a}");
        let row = a["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == common::GRID_A)
            .unwrap()
            .clone();
        let patrol = row["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["key"] == "patrol")
            .unwrap()
            .clone();
        assert_eq!(patrol["score"], 0.0, "{patrol}");
        assert_eq!(patrol["basis"], "巡查达标0天 / 工作日16天", "{patrol}");

        // Tracks older than the retention are deleted; the patrol's figures stay.
        ctx.clock.advance_ms(180 * DAY_MS);
        assert_eq!(ctx.store.sweep_tracks().await.unwrap(), 7);
        let worker = ctx.token("worker_a").await;
        let (_, old) = ctx.get(&format!("/api/v1/patrols/{id}"), &worker).await;
        assert_eq!(old["track"].as_array().unwrap().len(), 0);
        assert_eq!(old["patrol"]["patrol_ms"], 6 * MINUTE_MS);
    });
}

#[tokio::test]
async fn a_visit_serves_the_due_list_and_its_finding_becomes_one_event() {
    on_each_db!(|ctx| {
        // Tuesday: last week's visit to the elderly person living alone was missed.
        ctx.clock.advance_ms(DAY_MS);
        let worker = ctx.token("worker_a").await;
        let (s, plan) = ctx.get("/api/v1/visits/due", &worker).await;
        assert_eq!(s, StatusCode::OK, "{plan}");
        let items = plan["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{plan}");
        let due = &items[0];
        assert!(due["overdue_days"].as_i64().unwrap() > 0, "{due}");
        assert!(
            due["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "独居老人每周必访"),
            "{due}"
        );
        let household = due["household_id"].as_i64().unwrap();

        // The county's list (every grid at once, from the households kept in memory).
        let district = ctx.token("district").await;
        let listed = |plan: &Value| {
            plan["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["household_id"].as_i64() == Some(household))
        };
        let (_, county) = ctx.get("/api/v1/visits/due", &district).await;
        assert_eq!(county["region"], "430204", "{county}");
        assert!(listed(&county), "{county}");

        let (s, card) = ctx
            .get(&format!("/api/v1/households/{household}/card"), &worker)
            .await;
        assert_eq!(s, StatusCode::OK, "{card}");
        assert_eq!(card["members"].as_array().unwrap().len(), 2);
        let (lng, lat) = (
            card["building_lng"].as_f64().unwrap(),
            card["building_lat"].as_f64().unwrap(),
        );

        let body = json!({"household_id": household, "lng": lng, "lat": lat, "accuracy_m": 15,
                          "met": "户主本人", "finding": "楼道堆放杂物，存在消防隐患", "follow_up": "三日后复查",
                          "report_event": true, "category": "A01-003"});
        let (s, v, _) = keyed(&ctx, "/api/v1/visits", &worker, "visit-1", body.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let event = v["event_id"].as_i64().expect("the finding became an event");
        assert_eq!(v["distance_m"], 0.0);
        assert!(v["position_note"].is_null());
        let (s, again, replayed) = keyed(&ctx, "/api/v1/visits", &worker, "visit-1", body).await;
        assert_eq!(
            (s, replayed, again["id"].clone()),
            (StatusCode::CREATED, true, v["id"].clone())
        );
        let (_, e) = ctx.get(&format!("/api/v1/events/{event}"), &worker).await;
        assert_eq!(e["grid_code"], common::GRID_A, "{e}");
        assert!(e["description"].as_str().unwrap().contains("楼道堆放杂物"));
        let (_, events) = ctx.get("/api/v1/events?per_page=50", &worker).await;
        assert_eq!(events["total"], 1, "the retry filed nothing: {events}");

        // Visited: nothing is due today any more, and the card shows the visit.
        let (_, plan) = ctx.get("/api/v1/visits/due", &worker).await;
        assert_eq!(plan["total"], 0, "{plan}");
        let (_, county) = ctx.get("/api/v1/visits/due", &district).await;
        assert!(
            !listed(&county),
            "the county's list saw the new visit: {county}"
        );
        let (_, card) = ctx
            .get(&format!("/api/v1/households/{household}/card"), &worker)
            .await;
        assert_eq!(card["visits"].as_array().unwrap().len(), 1);

        // The assessment counts the periods that have ended: the four weeks missed before
        // this one (whose visit counts once the week is over).
        let (_, a) = ctx
            .get(
                "/api/v1/assessment?period=2026-11&region=430204001",
                &street_token(&ctx).await,
            )
            .await;
        let row = a["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == common::GRID_A)
            .unwrap()
            .clone();
        let visits = row["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["key"] == "visits")
            .unwrap()
            .clone();
        assert_eq!(visits["basis"], "按时走访0户次 / 应走访4户次", "{visits}");

        // A household of grid C is not the worker's; a far position is flagged.
        let street = ctx.token("district").await;
        let (_, plan_c) = ctx
            .get("/api/v1/visits/due?region=430204002&horizon=week", &street)
            .await;
        let other = plan_c["items"][0]["household_id"].as_i64().unwrap();
        let (s, e) = ctx
            .call(
                "POST",
                "/api/v1/visits",
                &worker,
                json!({"household_id": other, "met": "无人"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "household_id", "{e}");
        let (s, far) = ctx
            .call(
                "POST",
                "/api/v1/visits",
                &worker,
                json!({"household_id": household, "lng": lng + 0.01, "lat": lat, "met": "邻居"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{far}");
        assert!(
            far["position_note"].as_str().unwrap().contains("米"),
            "{far}"
        );
        let (s, e) = ctx
            .call(
                "POST",
                "/api/v1/visits",
                &worker,
                json!({"household_id": household, "report_event": true, "finding": "x"}),
            )
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("category")),
            "{e}"
        );

        // Coverage this month: the street's weekly, monthly and half-year visits.
        let (s, cov) = ctx
            .get("/api/v1/visits/coverage?region=430204001", &street)
            .await;
        assert_eq!(s, StatusCode::OK, "{cov}");
        assert_eq!(cov["total"]["households"], 2);
        assert_eq!(
            cov["total"]["never_visited"], 1,
            "grid B's household: {cov}"
        );
        let month = &cov["total"]["month"];
        assert!(
            month["on_time"].as_i64().unwrap() >= 1 && month["missed"].as_i64().unwrap() >= 3,
            "{cov}"
        );
        assert_eq!(
            cov["children"].as_array().unwrap().len(),
            1,
            "one community: {cov}"
        );
    });
}

#[tokio::test]
async fn the_county_list_reads_households_again_in_the_background_after_an_hour() {
    on_each_db!(|ctx| {
        let district = ctx.token("district").await;
        let week = "/api/v1/visits/due?horizon=week";
        let due_ids = |plan: &Value| -> Vec<i64> {
            plan["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["household_id"].as_i64().unwrap())
                .collect()
        };
        let (s, before) = ctx.get(week, &district).await;
        assert_eq!(s, StatusCode::OK, "{before}");

        // A new household with an elderly person living alone: due this week.
        let person = json!({"name": "孙桂兰", "id_number": common::id_number("19400303", 41).as_str(),
                            "grid": common::GRID_A, "tags": "独居老人", "household": "H-41"});
        let (s, p) = ctx.call("POST", "/api/v1/persons", &district, person).await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        let (_, same) = ctx.get(week, &district).await;
        assert_eq!(
            due_ids(&same),
            due_ids(&before),
            "households are kept an hour"
        );

        // An hour on, the list is answered from the copy at once while a fresh one is read.
        ctx.clock.advance_ms(61 * MINUTE_MS);
        let district = ctx.token("district").await; // the session has idled out
        let (s, stale) = ctx.get(week, &district).await;
        assert_eq!(s, StatusCode::OK, "{stale}");
        assert_eq!(due_ids(&stale), due_ids(&before));
        let mut fresh = stale;
        for _ in 0..200 {
            if fresh["total"] != before["total"] {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            fresh = ctx.get(week, &district).await.1;
        }
        assert_eq!(
            fresh["total"].as_i64(),
            before["total"].as_i64().map(|n| n + 1),
            "the new household is listed once the fresh copy is read: {fresh}"
        );

        // It was registered without its building: its card has no position, a visit is
        // noted as unchecked, and a finding becomes an event where the worker stands.
        let household = due_ids(&fresh)
            .into_iter()
            .find(|h| !due_ids(&before).contains(h))
            .unwrap();
        let worker = ctx.token("worker_a").await;
        let (s, card) = ctx
            .get(&format!("/api/v1/households/{household}/card"), &worker)
            .await;
        assert_eq!(s, StatusCode::OK, "{card}");
        assert!(card["building_lng"].is_null(), "{card}");
        assert_eq!(card["members"][0]["name"], "孙桂兰", "{card}");
        let finding = json!({"household_id": household, "met": "孙桂兰", "finding": "燃气灶老化",
                             "report_event": true, "category": "A01-003"});
        let (s, e) = ctx
            .call("POST", "/api/v1/visits", &worker, finding.clone())
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("lng")),
            "no building and no position: {e}"
        );
        let mut located = finding;
        located["lng"] = json!(113.1015);
        located["lat"] = json!(27.8552);
        let (s, v) = ctx.call("POST", "/api/v1/visits", &worker, located).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert!(
            v["position_note"].as_str().unwrap().contains("未登记楼栋"),
            "{v}"
        );
        let (_, event) = ctx
            .get(&format!("/api/v1/events/{}", v["event_id"]), &worker)
            .await;
        assert_eq!(event["grid_code"], common::GRID_A, "{event}");
    });
}

#[tokio::test]
async fn daily_reports_work_logs_and_the_rules_check_what_they_are_given() {
    on_each_db!(|ctx| {
        let worker = ctx.token("worker_a").await;
        let (s, e) = ctx
            .call(
                "POST",
                "/api/v1/daily-reports",
                &worker,
                json!({"nothing": false, "content": " "}),
            )
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("content")),
            "{e}"
        );
        let (s, e) = ctx
            .call(
                "POST",
                "/api/v1/daily-reports",
                &worker,
                json!({"day": "2020-01-01", "nothing": true}),
            )
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("day")),
            "{e}"
        );
        let (s, r) = ctx
            .call(
                "POST",
                "/api/v1/daily-reports",
                &worker,
                json!({"nothing": true}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let street = ctx.token("street1").await;
        let (_, board) = ctx
            .get("/api/v1/field/board?region=430204001", &street)
            .await;
        let silent: Vec<&Value> = board["workers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["reported"] == false)
            .collect();
        assert_eq!(board["not_reported"], 1, "{board}");
        assert_eq!(silent[0]["grid_code"], common::GRID_B, "{board}");
        // The street's communities sum up its workers.
        let areas = board["areas"].as_array().unwrap();
        assert!(!areas.is_empty(), "{board}");
        let sum = |k: &str| areas.iter().map(|a| a[k].as_i64().unwrap()).sum::<i64>();
        assert_eq!(
            sum("workers"),
            board["workers"].as_array().unwrap().len() as i64
        );
        assert_eq!(sum("not_reported"), 1, "{board}");
        assert!(
            areas
                .iter()
                .all(|a| a["code"].as_str().unwrap().len() == 12 && a["name"] != a["code"]),
            "{board}"
        );
        let (_, district) = ctx
            .get("/api/v1/field/board", &ctx.token("district").await)
            .await;
        assert!(
            district["areas"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["code"].as_str().unwrap().len() == 9),
            "{district}"
        );
        let (_, grid) = ctx
            .get("/api/v1/field/board?region=430204001001", &street)
            .await;
        assert_eq!(
            grid["areas"],
            json!([]),
            "a community's grids are the workers: {grid}"
        );

        let (s, log) = ctx.get("/api/v1/work-logs/current", &worker).await;
        assert_eq!(s, StatusCode::OK, "{log}");
        assert_eq!(log["saved"], false);
        let text = log["text"].as_str().unwrap();
        assert!(
            text.contains("每日必报：") && text.contains("报送1天"),
            "{text}"
        );
        let week = log["week"].as_str().unwrap().to_string();
        let path = format!("/api/v1/work-logs/{week}");
        let (s, saved) = ctx
            .call(
                "PUT",
                &path,
                &worker,
                json!({"text": format!("{text}\n走访独居老人"), "submit": true}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{saved}");
        assert!(saved["submitted_at"].is_i64());
        let (s, _) = ctx.call("PUT", &path, &worker, json!({"text": "改"})).await;
        assert_eq!(
            s,
            StatusCode::CONFLICT,
            "a submitted log stays as submitted"
        );

        // A grid leader's draft sums the grids of the community.
        common::account(
            &ctx.store,
            "gleader",
            wangge_domain::role::Role::GridLeader,
            "430204001001",
            false,
        )
        .await;
        let leader = ctx.token("gleader").await;
        let (s, log) = ctx.get("/api/v1/work-logs/current", &leader).await;
        assert_eq!(s, StatusCode::OK, "{log}");
        let text = log["text"].as_str().unwrap();
        assert!(
            text.contains("2个网格共2个网格工作日中0个达到每日巡查要求"),
            "{text}"
        );
        assert!(text.contains("2个网格工作日中报送1个"), "{text}");

        let admin = ctx.admin_token().await;
        let (_, settings) = ctx.get("/api/v1/field/settings", &admin).await;
        let mut bad = settings.clone();
        bad["visit_rules"] =
            json!("key=x; name=每两周; target=elderly; interval=fortnightly; grace=1");
        let (s, e) = ctx.call("PUT", "/api/v1/field/settings", &admin, bad).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("visit_rules")),
            "{e}"
        );
        assert!(
            e["error"]["message"].as_str().unwrap().contains("第1行"),
            "{e}"
        );
        let mut good = settings.clone();
        good["visit_rules"] = json!(
            "key=elderly_monthly; name=老人每月必访; target=elderly; interval=monthly; grace=3"
        );
        good["patrol_daily_minutes"] = json!(90);
        let (s, v) = ctx
            .call("PUT", "/api/v1/field/settings", &admin, good)
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["patrol_daily_minutes"], 90);
        let (s, _) = ctx
            .call("PUT", "/api/v1/field/settings", &worker, settings)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn a_report_kept_on_the_phone_says_when_it_was_recorded_and_how_sure_its_place_is() {
    on_each_db!(|ctx| {
        use wangge_store::Clock;
        let worker = ctx.token("worker_a").await;
        let now = ctx.clock.now_ms();
        let report = |at: i64, accuracy: f64| {
            json!({"category": "A01-003", "description": "井盖缺失", "lng": 113.1015,
                   "lat": 27.8552, "at_ms": at, "accuracy_m": accuracy})
        };
        let url = "/api/v1/events";

        let (s, late, _) = keyed(
            &ctx,
            url,
            &worker,
            "r-1",
            report(now - 2 * 60 * MINUTE_MS, 350.0),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{late}");
        let text = late["description"].as_str().unwrap();
        assert!(text.starts_with("井盖缺失（现场记录于"), "{text}");
        assert!(
            text.contains("联网后送达；定位精度约350米，位置待核实"),
            "{text}"
        );

        let (s, at_once, _) = keyed(&ctx, url, &worker, "r-2", report(now - MINUTE_MS, 8.0)).await;
        assert_eq!(s, StatusCode::CREATED, "{at_once}");
        assert_eq!(at_once["description"], "井盖缺失");

        for (key, body) in [
            ("r-3", report(now + 10 * MINUTE_MS, 8.0)),
            ("r-4", report(now - 8 * DAY_MS, 8.0)),
        ] {
            let (s, e, _) = keyed(&ctx, url, &worker, key, body).await;
            assert_eq!(
                (s, e["error"]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("at_ms")),
                "{e}"
            );
        }
        let (s, e, _) = keyed(&ctx, url, &worker, "r-5", report(now, -3.0)).await;
        assert_eq!(e["error"]["field"], "accuracy_m", "{s} {e}");
    });
}

#[tokio::test]
async fn starts_racing_make_one_patrol_and_the_database_holds_one_running_each() {
    on_each_db!(|ctx| {
        use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
        use wangge_store::entity::patrol;
        let worker = ctx.token("worker_a").await;
        let start = || ctx.call("POST", "/api/v1/patrols", &worker, json!({}));
        let (a, b, c, d) = tokio::join!(start(), start(), start(), start());
        let ids: Vec<Option<i64>> = [&a, &b, &c, &d]
            .iter()
            .map(|r| r.1["id"].as_i64())
            .collect();
        assert!(
            ids[0].is_some() && ids.iter().all(|i| *i == ids[0]),
            "{a:?} {b:?} {c:?} {d:?}"
        );
        let created = [&a, &b, &c, &d]
            .iter()
            .filter(|r| r.0 == StatusCode::CREATED)
            .count();
        assert_eq!(created, 1, "{a:?} {b:?} {c:?} {d:?}");

        // Whatever the code does, the database refuses a second running patrol.
        let running = patrol::Entity::find()
            .filter(patrol::Column::Id.eq(ids[0].unwrap()))
            .one(ctx.store.connection())
            .await
            .unwrap()
            .unwrap();
        let twin = patrol::Model {
            id: running.id + 1,
            ..running.clone()
        };
        assert!(
            patrol::ActiveModel::from(twin.clone())
                .insert(ctx.store.connection())
                .await
                .is_err()
        );
        let stopped = patrol::Model {
            stopped_at: Some(running.started_at + 1),
            ..twin
        };
        assert!(
            patrol::ActiveModel::from(stopped)
                .insert(ctx.store.connection())
                .await
                .is_ok()
        );
    });
}
