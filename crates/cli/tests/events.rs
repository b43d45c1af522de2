//! The closed loop through the API, on SQLite and PostgreSQL: report → verify → dispatch →
//! sign → handle → check (fail, then pass) → rate, with roles and states refused, working-
//! time deadlines across the National Day holiday, the claim race, scope, and the trail's
//! hash chain.
mod common;

use axum::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use wangge_domain::role::Role;
use wangge_store::accounts::NewAccount;
use wangge_store::load::Batch;

use common::{Ctx, GRID_A, PASSWORD};

/// 暴露垃圾-like item led by 城管 (D01): sign within 4 working hours, handle within 3 days.
const ITEM: &str = "A01-003";
/// 乱张贴小广告: claimable from the pool.
const CLAIMABLE: &str = "A01-007";

async fn call(
    ctx: &Ctx,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    ctx.call(method, path, token, body).await
}

async fn act(ctx: &Ctx, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    call(
        ctx,
        "POST",
        &format!("/api/v1/events/{id}/actions"),
        token,
        body,
    )
    .await
}

async fn report(ctx: &Ctx, token: &str, category: &str) -> i64 {
    let (s, e) = call(
        ctx,
        "POST",
        "/api/v1/events",
        token,
        json!({"category": category, "description": "3栋门口堆放垃圾三天无人清运",
               "lng": 113.105, "lat": 27.855, "address": "建设路1号3栋"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    e["id"].as_i64().unwrap()
}

/// Unix ms of a Shanghai local time.
fn local(y: i32, m: u8, d: u8, h: i64, min: i64) -> i64 {
    let date = wangge_domain::date::Date::new(y, m, d).unwrap();
    wangge_domain::date::local_midnight_ms(date) + (h * 60 + min) * 60_000
}

async fn second_department(ctx: &Ctx) {
    let mut b = Batch::new();
    b.add_department(ctx.store.next_id(), "D02", "株洲市公安局石峰分局", "公安");
    b.write(&ctx.store).await.unwrap();
    ctx.store
        .create_account(NewAccount {
            username: "handler2",
            display_name: "公安经办人",
            password: PASSWORD,
            role: Role::DeptHandler,
            scope: "430204",
            department_code: Some("D02"),
            must_change_password: false,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn an_event_runs_the_whole_loop() {
    on_each_db!(|ctx| {
        let worker = ctx.token("worker_a").await;
        let street = ctx.token("street1").await;
        let handler = ctx.token("handler").await;

        let (s, catalog) = call(&ctx, "GET", "/api/v1/catalog", &worker, Value::Null).await;
        assert_eq!(s, StatusCode::OK);
        let items = catalog.as_array().unwrap();
        assert!(items.len() >= 150, "default catalog shipped");
        let item = items.iter().find(|i| i["code"] == ITEM).unwrap();
        assert_eq!(item["lead_department"], "D01");

        // Filed on 2026-09-30 at 15:30, the afternoon before the National Day holiday.
        ctx.clock.set_ms(local(2026, 9, 30, 15, 30));
        let id = report(&ctx, &worker, ITEM).await;
        let (_, e) = call(
            &ctx,
            "GET",
            &format!("/api/v1/events/{id}"),
            &worker,
            Value::Null,
        )
        .await;
        assert_eq!(
            (e["state"].as_str(), e["grid_code"].as_str()),
            (Some("reported"), Some(GRID_A))
        );

        // A grid worker cannot open a case; a dispatch before verification is out of order.
        let (s, r) = act(&ctx, &worker, id, json!({"action": "verify"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{r}");
        let (s, r) = act(&ctx, &street, id, json!({"action": "dispatch"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{r}");
        let (s, r) = act(&ctx, &street, id, json!({"action": "decline"})).await;
        assert_eq!(
            (s, r["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")),
            "{r}"
        );

        let (s, e) = act(&ctx, &street, id, json!({"action": "verify"})).await;
        assert_eq!(
            (s, e["state"].as_str()),
            (StatusCode::OK, Some("registered")),
            "{e}"
        );
        // Without a department the catalog's lead department gets it, with 4 working hours
        // to sign: 15:30 + 2 h today, 2 h on the first working day after the holiday.
        let (s, e) = act(&ctx, &street, id, json!({"action": "dispatch"})).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(e["department"], "D01");
        assert_eq!(e["deadline_text"], "2026-10-08 10:30");

        // The department signs at 16:00: 3 working days of 7.5 hours (1,350 minutes) to
        // handle it — 90 minutes today, 450 on 10-08 and on 10-09, then 360 on Saturday
        // 10-10 (a make-up working day): 210 in the morning and 150 from 13:30.
        ctx.clock.set_ms(local(2026, 9, 30, 16, 0));
        let (s, e) = act(&ctx, &handler, id, json!({"action": "sign"})).await;
        assert_eq!(
            (s, e["state"].as_str()),
            (StatusCode::OK, Some("handling")),
            "{e}"
        );
        assert_eq!(e["deadline_text"], "2026-10-10 16:00");
        let (s, _) = act(
            &ctx,
            &handler,
            id,
            json!({"action": "progress", "note": "已联系环卫班组"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (s, r) = act(&ctx, &handler, id, json!({"action": "handle"})).await;
        assert_eq!(
            (s, r["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("result")),
            "{r}"
        );
        let (s, e) = act(
            &ctx,
            &handler,
            id,
            json!({"action": "handle", "note": "垃圾已清运"}),
        )
        .await;
        assert_eq!(
            (s, e["state"].as_str()),
            (StatusCode::OK, Some("handled")),
            "{e}"
        );

        // The reporting worker finds it only half done: back to handling, rework counted.
        let (s, e) = act(
            &ctx,
            &worker,
            id,
            json!({"action": "check_fail", "note": "楼后仍有垃圾"}),
        )
        .await;
        assert_eq!(
            (s, e["state"].as_str(), e["rework_count"].as_i64()),
            (StatusCode::OK, Some("handling"), Some(1)),
            "{e}"
        );
        let (_, e) = act(
            &ctx,
            &handler,
            id,
            json!({"action": "handle", "note": "楼后垃圾已清运"}),
        )
        .await;
        assert_eq!(e["state"], "handled");
        let (s, e) = act(&ctx, &street, id, json!({"action": "check_pass"})).await;
        assert_eq!(
            (s, e["state"].as_str()),
            (StatusCode::OK, Some("closed")),
            "{e}"
        );
        assert!(e["closed_at"].is_i64());
        let (s, r) = act(&ctx, &worker, id, json!({"action": "rate", "score": 6})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        let (s, e) = act(&ctx, &worker, id, json!({"action": "rate", "score": 5})).await;
        assert_eq!((s, e["rating"].as_i64()), (StatusCode::OK, Some(5)), "{e}");
        let (s, _) = act(&ctx, &worker, id, json!({"action": "rate", "score": 4})).await;
        assert_eq!(s, StatusCode::CONFLICT, "rated once");

        // The trail: every step, in order, chained.
        let (_, e) = call(
            &ctx,
            "GET",
            &format!("/api/v1/events/{id}"),
            &street,
            Value::Null,
        )
        .await;
        let actions: Vec<&str> = e["trail"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "report",
                "verify",
                "dispatch",
                "sign",
                "progress",
                "handle",
                "check_fail",
                "handle",
                "check_pass",
                "rate"
            ]
        );
        assert_eq!(e["trail_intact"], true);
        // Editing a step in the database breaks the chain.
        ctx.store
            .connection()
            .execute_unprepared(&format!(
                "UPDATE event_step SET note = '垃圾已全部清运' WHERE event_id = {id} AND seq = 6"
            ))
            .await
            .unwrap();
        let (_, e) = call(
            &ctx,
            "GET",
            &format!("/api/v1/events/{id}"),
            &street,
            Value::Null,
        )
        .await;
        assert_eq!(e["trail_intact"], false);

        // Lists: the department sees its events; an unknown action names the field.
        let (s, list) = call(
            &ctx,
            "GET",
            "/api/v1/events?state=closed",
            &handler,
            Value::Null,
        )
        .await;
        assert_eq!(
            (s, list["total"].as_u64()),
            (StatusCode::OK, Some(1)),
            "{list}"
        );
        let (s, r) = act(&ctx, &street, id, json!({"action": "fly"})).await;
        assert_eq!(
            (s, r["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("action"))
        );
    });
}

#[tokio::test]
async fn events_stay_within_scope() {
    on_each_db!(|ctx| {
        let worker = ctx.token("worker_a").await;
        let id = report(&ctx, &worker, ITEM).await;
        second_department(&ctx).await;
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
        let other_street = ctx.token("street2").await;
        let (s, _) = call(
            &ctx,
            "GET",
            &format!("/api/v1/events/{id}"),
            &other_street,
            Value::Null,
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = act(&ctx, &other_street, id, json!({"action": "verify"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // A department sees nothing before dispatch to it.
        let handler = ctx.token("handler").await;
        let (s, _) = call(
            &ctx,
            "GET",
            &format!("/api/v1/events/{id}"),
            &handler,
            Value::Null,
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // A report outside the worker's grid is refused with the field named.
        let (s, r) = call(
            &ctx,
            "POST",
            "/api/v1/events",
            &worker,
            json!({"category": ITEM, "description": "x", "lng": 113.125, "lat": 27.855}),
        )
        .await;
        assert_eq!(
            (s, r["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("lng")),
            "{r}"
        );
        let (s, r) = call(
            &ctx,
            "POST",
            "/api/v1/events",
            &worker,
            json!({"category": "Z99-999", "description": "x", "lng": 113.105, "lat": 27.855}),
        )
        .await;
        assert_eq!(
            (s, r["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("category")),
            "{r}"
        );
        // The other department gets 403 on signing an event dispatched to D01.
        let street = ctx.token("street1").await;
        act(&ctx, &street, id, json!({"action": "verify"})).await;
        act(
            &ctx,
            &street,
            id,
            json!({"action": "dispatch", "department": "D01"}),
        )
        .await;
        let handler2 = ctx.token("handler2").await;
        let (s, _) = act(&ctx, &handler2, id, json!({"action": "sign"})).await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "not visible to another department"
        );
        // Returned (not ours), then re-dispatched to D02, which signs.
        let (s, e) = act(
            &ctx,
            &handler,
            id,
            json!({"action": "return", "note": "属公安职责"}),
        )
        .await;
        assert_eq!(
            (s, e["state"].as_str()),
            (StatusCode::OK, Some("registered")),
            "{e}"
        );
        let (s, e) = act(
            &ctx,
            &street,
            id,
            json!({"action": "dispatch", "department": "D02"}),
        )
        .await;
        assert_eq!(
            (s, e["return_count"].as_i64()),
            (StatusCode::OK, Some(1)),
            "{e}"
        );
        let (s, e) = act(&ctx, &handler2, id, json!({"action": "sign"})).await;
        assert_eq!(
            (s, e["state"].as_str()),
            (StatusCode::OK, Some("handling")),
            "{e}"
        );
    });
}

#[tokio::test]
async fn two_departments_claiming_at_once_one_wins() {
    on_each_db!(|ctx| {
        second_department(&ctx).await;
        let worker = ctx.token("worker_a").await;
        let street = ctx.token("street1").await;
        let id = report(&ctx, &worker, CLAIMABLE).await;
        let (_, e) = act(&ctx, &street, id, json!({"action": "verify"})).await;
        assert_eq!(e["state"], "registered");
        let (h1, h2) = (ctx.token("handler").await, ctx.token("handler2").await);
        // Both departments see it in the pool.
        for t in [&h1, &h2] {
            let (_, list) = call(
                &ctx,
                "GET",
                "/api/v1/events?state=registered",
                t,
                Value::Null,
            )
            .await;
            assert_eq!(list["total"], 1, "{list}");
        }
        let (a, b) = tokio::join!(
            act(&ctx, &h1, id, json!({"action": "claim"})),
            act(&ctx, &h2, id, json!({"action": "claim"}))
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{} / {}",
            a.1,
            b.1
        );
        // A claim arriving after the winner's commit is told the same, not "not found".
        for t in [&h1, &h2] {
            let (s, e) = act(&ctx, t, id, json!({"action": "claim"})).await;
            assert_eq!(s, StatusCode::CONFLICT, "{e}");
        }
        let (_, e) = call(
            &ctx,
            "GET",
            &format!("/api/v1/events/{id}"),
            &street,
            Value::Null,
        )
        .await;
        let claims = e["trail"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["action"] == "claim")
            .count();
        assert_eq!(claims, 1);
        // A non-claimable item cannot be claimed.
        let other = report(&ctx, &worker, ITEM).await;
        act(&ctx, &street, other, json!({"action": "verify"})).await;
        let (s, _) = act(&ctx, &h1, other, json!({"action": "claim"})).await;
        assert_ne!(s, StatusCode::OK);
    });
}

#[tokio::test]
async fn the_sweeper_raises_warnings_and_overdue_flags_once() {
    on_each_db!(|ctx| {
        let worker = ctx.token("worker_a").await;
        let street = ctx.token("street1").await;
        // Dispatched on Monday 2026-11-23 at 09:00 with 4 working hours to sign: the warning
        // is due after 3 h 12 min (3 h to 12:00, 12 min after lunch: 13:42), overdue at 14:30.
        ctx.clock.set_ms(local(2026, 11, 23, 9, 0));
        let id = report(&ctx, &worker, ITEM).await;
        act(&ctx, &street, id, json!({"action": "verify"})).await;
        let (_, e) = act(&ctx, &street, id, json!({"action": "dispatch"})).await;
        assert_eq!(e["deadline_text"], "2026-11-23 14:30");
        assert_eq!(ctx.store.sweep_deadlines().await.unwrap().warnings, 0);
        ctx.clock.set_ms(local(2026, 11, 23, 13, 42));
        let swept = ctx.store.sweep_deadlines().await.unwrap();
        assert_eq!((swept.warnings, swept.overdue), (1, 0));
        ctx.clock.set_ms(local(2026, 11, 23, 14, 30));
        let swept = ctx.store.sweep_deadlines().await.unwrap();
        assert_eq!((swept.warnings, swept.overdue), (0, 1));
        // Two sweepers at once (two servers) record nothing twice.
        let (a, b) = tokio::join!(ctx.store.sweep_deadlines(), ctx.store.sweep_deadlines());
        assert_eq!(a.unwrap().overdue + b.unwrap().overdue, 0);
        // Sessions time out while the clock moves: sign in again.
        let street = ctx.token("street1").await;
        let (_, e) = call(
            &ctx,
            "GET",
            &format!("/api/v1/events/{id}"),
            &street,
            Value::Null,
        )
        .await;
        assert_eq!(
            (e["warning"].as_bool(), e["overdue"].as_bool()),
            (Some(true), Some(true)),
            "{e}"
        );
        let flags: Vec<&str> = e["trail"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["action"].as_str().unwrap())
            .filter(|a| *a == "warn" || *a == "overdue")
            .collect();
        assert_eq!(flags, ["warn", "overdue"]);
        assert_eq!(e["trail_intact"], true);
        let (_, list) = call(
            &ctx,
            "GET",
            "/api/v1/events?overdue=true",
            &street,
            Value::Null,
        )
        .await;
        assert_eq!(list["total"], 1);
    });
}

#[tokio::test]
async fn admins_edit_the_calendar_and_deadlines_follow_it() {
    on_each_db!(|ctx| {
        let street = ctx.token("street1").await;
        let (s, cal) = call(&ctx, "GET", "/api/v1/calendar", &street, Value::Null).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(cal["periods"], "08:30-12:00,13:30-17:30");
        assert!(
            cal["days"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["date"] == "2026-10-10" && d["kind"] == "work")
        );
        let body = json!({"kind": "off", "note": "临时放假"});
        let (s, _) = call(
            &ctx,
            "PUT",
            "/api/v1/calendar/days/2026-11-24",
            &street,
            body.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "admins only");
        let code = ctx.totp_now();
        let (_, v) = ctx
            .post_json(
                "/api/v1/session",
                &json!({"username": "admin", "password": PASSWORD, "totp": code}).to_string(),
            )
            .await;
        let admin = v["token"].as_str().unwrap().to_string();
        let (s, r) = call(
            &ctx,
            "PUT",
            "/api/v1/calendar/days/2026-13-01",
            &admin,
            body.clone(),
        )
        .await;
        assert_eq!(
            (s, r["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("date"))
        );
        let (s, _) = call(
            &ctx,
            "PUT",
            "/api/v1/calendar/days/2026-11-24",
            &admin,
            body,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (s, r) = call(
            &ctx,
            "PUT",
            "/api/v1/calendar/periods",
            &admin,
            json!({"periods": "09:00-12:00,11:00-17:00"}),
        )
        .await;
        assert_eq!(
            (s, r["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("periods")),
            "overlapping periods"
        );
        // Dispatched on Monday 2026-11-23 at 16:30 with 4 working hours to sign: one hour
        // today, Tuesday is now a day off, three hours on Wednesday: 11:30.
        ctx.clock.set_ms(local(2026, 11, 23, 16, 30));
        let worker = ctx.token("worker_a").await;
        let street = ctx.token("street1").await;
        let id = report(&ctx, &worker, ITEM).await;
        act(&ctx, &street, id, json!({"action": "verify"})).await;
        let (_, e) = act(&ctx, &street, id, json!({"action": "dispatch"})).await;
        assert_eq!(e["deadline_text"], "2026-11-25 11:30", "{e}");
    });
}
