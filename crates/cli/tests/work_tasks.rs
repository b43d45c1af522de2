//! Work tasks (五问工作法) through the router on SQLite and PostgreSQL: a leader assigns a
//! task to a department and a street; the department plans, submits evidence with a photo
//! and is checked off on time, the street is sent back once and checked off late; the
//! board and `Store::work_task_scores` give the hand-computed figures; another department
//! or street sees nothing (404), roles that may not act are refused (403), bad input is
//! answered 422 naming the field; a retried check-off is done once; the pages and forms.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use wangge_domain::role::Role;
use wangge_store::Scope;
use wangge_store::accounts::NewAccount;
use wangge_store::load::Batch;
use wangge_store::work_task_board::UnitTaskScore;

use common::{Ctx, PASSWORD};

const PNG: &[u8] = include_bytes!("fixtures/street_light_gps.png");
const DAY_MS: i64 = 86_400_000;
const STREET_1: &str = "430204001";

/// A second department with its handler, and an operator of the second street.
async fn more_units(ctx: &Ctx) {
    let mut b = Batch::new();
    b.add_department(ctx.store.next_id(), "D02", "株洲市公安局石峰分局", "公安");
    b.write(&ctx.store).await.unwrap();
    for (username, role, scope, department) in [
        ("handler2", Role::DeptHandler, "430204", Some("D02")),
        ("street2", Role::Operator, "430204002", None),
    ] {
        ctx.store
            .create_account(NewAccount {
                username,
                display_name: username,
                password: PASSWORD,
                role,
                scope,
                department_code: department,
                must_change_password: false,
            })
            .await
            .unwrap();
    }
}

fn task_body(title: &str, points: i64, due: &str, units: Value) -> Value {
    json!({
        "title": title,
        "description": "按季预安、网上销号",
        "quarter": "2026Q4",
        "points": points,
        "due_date": due,
        "units": units,
    })
}

async fn create(ctx: &Ctx, token: &str, body: Value) -> Value {
    let (s, v) = ctx.call("POST", "/api/v1/work-tasks", token, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

/// The id of the part of `task` assigned to the unit `code`.
fn part(task: &Value, code: &str) -> i64 {
    task["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["unit_code"] == code)
        .unwrap_or_else(|| panic!("no part for {code} in {task}"))["id"]
        .as_i64()
        .unwrap()
}

fn part_of<'a>(task: &'a Value, code: &str) -> &'a Value {
    let id = part(task, code);
    task["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap()
}

/// A unit's part of a task, to take steps on.
struct Part<'a> {
    ctx: &'a Ctx,
    task: i64,
    id: i64,
}

impl<'a> Part<'a> {
    /// The part of `task` assigned to the unit `code`.
    fn of(ctx: &'a Ctx, task: &Value, code: &str) -> Part<'a> {
        let id = part(task, code);
        let task = task["id"].as_i64().unwrap();
        Part { ctx, task, id }
    }

    async fn step(&self, token: &str, name: &str, body: Value) -> (StatusCode, Value) {
        let path = format!(
            "/api/v1/work-tasks/{}/assignments/{}/{name}",
            self.task, self.id
        );
        self.ctx.call("POST", &path, token, body).await
    }
}

fn plan_body(finish: &str) -> Value {
    json!({
        "plan": "摸排—整改—复查",
        "milestones": [{"date": "2026-11-25", "text": "完成摸排"}],
        "planned_finish": finish,
    })
}

async fn upload(ctx: &Ctx, token: &str) -> i64 {
    let req = Request::post("/api/v1/uploads")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "image/png")
        .body(Body::from(PNG.to_vec()))
        .unwrap();
    let (s, v, _) = ctx.send(req).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

fn scope(role: Role, region: &str) -> Scope {
    Scope {
        account_id: 1,
        username: "t".into(),
        display_name: "t".into(),
        role,
        region: region.into(),
        department_id: None,
    }
}

fn score_row<'a>(rows: &'a [UnitTaskScore], code: &str) -> &'a UnitTaskScore {
    rows.iter()
        .find(|r| r.unit_code == code)
        .unwrap_or_else(|| panic!("no row for {code}: {rows:?}"))
}

#[tokio::test]
async fn a_task_is_planned_and_checked_off_and_scored() {
    on_each_db!(|ctx| {
        more_units(&ctx).await;
        let leader = ctx.token("leader").await;
        let handler = ctx.token("handler").await;
        let units =
            json!([{"kind": "department", "code": "D01"}, {"kind": "region", "code": STREET_1}]);
        let t = create(
            &ctx,
            &leader,
            task_body("背街小巷整治", 10, "2026-11-30", units),
        )
        .await;
        assert_eq!(t["assigner"], true);
        assert_eq!(t["counts"]["assigned"], 2);
        assert_eq!(t["counts"]["waiting"], 2);
        assert_eq!(part_of(&t, "D01")["unit_name"], "区城市管理和综合执法局");
        assert_eq!(part_of(&t, STREET_1)["unit_name"], "清水塘街道");
        let (dept, street_p) = (Part::of(&ctx, &t, "D01"), Part::of(&ctx, &t, STREET_1));
        // A second task, only for the department, that will be left undone.
        let units = json!([{"kind": "department", "code": "D01"}]);
        let t2 = create(
            &ctx,
            &leader,
            task_body("矛盾纠纷排查", 20, "2026-12-01", units),
        )
        .await;

        // The department plans and submits its evidence with a photo.
        let (s, v) = dept
            .step(&handler, "submit", json!({"evidence": "x"}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "plan first: {v}");
        let (s, v) = dept.step(&handler, "plan", plan_body("2026-11-28")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let mine = part_of(&v, "D01");
        assert_eq!(mine["status"], "planned");
        assert_eq!(mine["milestones"][0]["text"], "完成摸排");
        assert_eq!(mine["planned_finish"], "2026-11-28");
        assert_eq!(
            v["assignments"].as_array().unwrap().len(),
            1,
            "a unit sees its own part"
        );
        let photo = upload(&ctx, &handler).await;
        let body = json!({"evidence": "整治前后照片、验收记录", "photos": [photo]});
        let (s, v) = dept.step(&handler, "submit", body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(part_of(&v, "D01")["photos"], json!([photo]));
        assert_eq!(
            part_of(&v, "D01")["actions"],
            json!([]),
            "waits for the assigner"
        );

        // Checked off the next day, on time: 9 of 10.
        ctx.clock.advance_ms(DAY_MS);
        // Sessions end after 30 idle minutes: sign in again after moving the clock.
        let leader = ctx.token("leader").await;
        let street = ctx.token("street1").await;
        let (s, v) = dept
            .step(&leader, "check-off", json!({"score": 9, "comment": "好"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let done = part_of(&v, "D01");
        assert_eq!(done["status"], "checked_off");
        assert_eq!(
            (done["score"].as_f64(), done["earned"].as_f64()),
            (Some(9.0), Some(9.0))
        );
        assert_eq!(done["late"], false);
        // The leader sees the evidence photo; another department does not.
        let (s, _) = ctx.get(&format!("/api/v1/uploads/{photo}"), &leader).await;
        assert_eq!(s, StatusCode::OK);
        let other = ctx.token("handler2").await;
        let (s, _) = ctx.get(&format!("/api/v1/uploads/{photo}"), &other).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The street plans and submits; it is sent back once, and checked off late.
        let (s, v) = street_p
            .step(&street, "plan", plan_body("2026-11-30"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, v) = street_p
            .step(&street, "submit", json!({"evidence": "台账"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, v) = street_p
            .step(&leader, "send-back", json!({"reason": " "}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["field"], "reason");
        let (s, v) = street_p
            .step(&leader, "send-back", json!({"reason": "缺少现场照片"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let back = part_of(&v, STREET_1);
        assert_eq!(back["status"], "planned");
        assert_eq!(back["send_back_reason"], "缺少现场照片");
        assert_eq!(back["send_back_count"], 1);
        let (s, v) = street_p
            .step(&street, "submit", json!({"evidence": "补充照片"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        // 2026-12-02 10:00: past both due dates.
        ctx.clock.set_ms(common::START_MS + 9 * DAY_MS);
        let leader = ctx.token("leader").await;
        let street = ctx.token("street1").await;
        let (s, v) = street_p
            .step(&leader, "check-off", json!({"score": 8}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let late = part_of(&v, STREET_1);
        assert_eq!(late["late"], true);
        assert_eq!(late["earned"].as_f64(), Some(6.4), "8 × 0.8");
        let trail: Vec<&str> = late["trail"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            trail,
            [
                "assign",
                "plan",
                "submit",
                "send-back",
                "submit",
                "check-off"
            ]
        );

        // Board: D01 earned 9 of 30 points (the second task undone and overdue): 30.0;
        // the street 6.4 of 10: 64.0.
        let (s, b) = ctx
            .get("/api/v1/work-tasks/board?quarter=2026Q4", &leader)
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let rows = b["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2);
        let d = &rows[0];
        assert_eq!(
            (d["unit_kind"].as_str(), d["unit_code"].as_str()),
            (Some("department"), Some("D01"))
        );
        assert_eq!(
            [
                &d["assigned"],
                &d["waiting"],
                &d["checked_off"],
                &d["overdue"],
                &d["points"]
            ],
            [&json!(2), &json!(1), &json!(1), &json!(1), &json!(30)]
        );
        assert_eq!(d["score"].as_f64(), Some(30.0));
        assert_eq!(d["earned"].as_f64(), Some(9.0));
        let r = &rows[1];
        assert_eq!(r["unit_code"], STREET_1);
        assert_eq!(
            (r["checked_off"].as_u64(), r["overdue"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(r["score"].as_f64(), Some(64.0));
        assert_eq!(b["totals"]["assigned"], 3);
        // The current quarter is the default.
        let (_, now) = ctx.get("/api/v1/work-tasks/board", &leader).await;
        assert_eq!(now["quarter"], "2026Q4");
        let (_, empty) = ctx
            .get("/api/v1/work-tasks/board?quarter=2027Q1", &leader)
            .await;
        assert_eq!(empty["rows"], json!([]));

        // The scores the assessment reads, exactly.
        let scores = ctx
            .store
            .work_task_scores(&scope(Role::Leader, "430204"), "2026Q4")
            .await
            .unwrap();
        assert_eq!(
            *score_row(&scores, "D01"),
            UnitTaskScore {
                unit_kind: wangge_domain::work_task::UnitKind::Department,
                unit_code: "D01".into(),
                unit_name: "区城市管理和综合执法局".into(),
                assigned: 2,
                checked_off: 1,
                overdue: 1,
                points: 30,
                score: Some(30.0),
            }
        );
        let street_score = score_row(&scores, STREET_1);
        assert_eq!(
            (
                street_score.assigned,
                street_score.points,
                street_score.score
            ),
            (1, 10, Some(64.0))
        );
        // A street's own view holds only its own row.
        let own = ctx
            .store
            .work_task_scores(&scope(Role::Operator, STREET_1), "2026Q4")
            .await
            .unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].unit_code, STREET_1);
        let bad = ctx
            .store
            .work_task_scores(&scope(Role::Leader, "430204"), "2026Q9")
            .await;
        assert!(matches!(
            bad,
            Err(wangge_store::StoreError::Invalid {
                field: "quarter",
                ..
            })
        ));

        // Lists: the leader both tasks, the street one.
        let (_, list) = ctx.get("/api/v1/work-tasks?quarter=2026Q4", &leader).await;
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert_eq!(list[0]["id"], t2["id"], "newest first");
        let (_, list) = ctx.get("/api/v1/work-tasks", &street).await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["counts"]["assigned"], 1);
        let (s, v) = ctx.get("/api/v1/work-tasks?quarter=Q4", &leader).await;
        assert_eq!(
            (s, &v["error"]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("quarter"))
        );
        let audit = ctx.store.audit_page(1, 100).await.unwrap().0;
        let actions: Vec<&str> = audit
            .iter()
            .map(|a| a.action.as_str())
            .filter(|a| a.starts_with("work_task."))
            .collect();
        assert_eq!(
            actions
                .iter()
                .filter(|a| **a == "work_task.check_off")
                .count(),
            2
        );
        assert_eq!(
            actions.iter().filter(|a| **a == "work_task.create").count(),
            2
        );
    });
}

#[tokio::test]
async fn scope_roles_and_bad_input() {
    on_each_db!(|ctx| {
        more_units(&ctx).await;
        let leader = ctx.token("leader").await;
        let units =
            json!([{"kind": "department", "code": "D01"}, {"kind": "region", "code": STREET_1}]);
        let t = create(
            &ctx,
            &leader,
            task_body("创文巩卫", 10, "2026-12-20", units),
        )
        .await;
        let id = t["id"].as_i64().unwrap();
        let (dept, street_p) = (Part::of(&ctx, &t, "D01"), Part::of(&ctx, &t, STREET_1));

        // Another department and another street neither see nor act: 404.
        for who in ["handler2", "street2"] {
            let token = ctx.token(who).await;
            let (s, _) = ctx.get(&format!("/api/v1/work-tasks/{id}"), &token).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who}");
            let (s, _) = dept.step(&token, "plan", plan_body("2026-12-01")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who}");
            let (_, list) = ctx.get("/api/v1/work-tasks", &token).await;
            assert_eq!(list, json!([]), "{who}");
        }
        // The department cannot reach the street's part by its id either.
        let handler = ctx.token("handler").await;
        let (s, _) = street_p
            .step(&handler, "plan", plan_body("2026-12-01"))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // A part named under another task's id: 404.
        let elsewhere = Part {
            task: id + 1,
            ..Part::of(&ctx, &t, "D01")
        };
        let (s, _) = elsewhere
            .step(&handler, "plan", plan_body("2026-12-01"))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Roles: grid workers and auditors do not assign; a unit does not check itself off;
        // the assigner does not plan for the unit.
        for who in ["worker_a", "auditor", "handler"] {
            let token = ctx.token(who).await;
            let units = json!([{"kind": "department", "code": "D01"}]);
            let (s, v) = ctx
                .call(
                    "POST",
                    "/api/v1/work-tasks",
                    &token,
                    task_body("x", 5, "2026-12-01", units),
                )
                .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {v}");
        }
        let (s, _) = dept.step(&handler, "plan", plan_body("2026-12-01")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = dept
            .step(&handler, "submit", json!({"evidence": "材料"}))
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, v) = dept.step(&handler, "check-off", json!({"score": 10})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let (s, v) = street_p
            .step(&leader, "plan", plan_body("2026-12-01"))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        // The district command center checks off too (same level as the leader).
        let district = ctx.token("district").await;

        // Bad input names the field.
        let bad = |title: &str, points: i64, due: &str, units: Value| {
            task_body(title, points, due, units)
        };
        let d01 = json!([{"kind": "department", "code": "D01"}]);
        for (body, field) in [
            (bad(" ", 10, "2026-12-01", d01.clone()), "title"),
            (bad("t", 10, "2026-13-45", d01.clone()), "due_date"),
            (bad("t", 10, "明天", d01.clone()), "due_date"),
            (bad("t", 10, "2027-01-05", d01.clone()), "due_date"),
            (bad("t", 0, "2026-12-01", d01.clone()), "points"),
            (bad("t", 101, "2026-12-01", d01.clone()), "points"),
            (bad("t", 10, "2026-12-01", json!([])), "units"),
            (
                bad(
                    "t",
                    10,
                    "2026-12-01",
                    json!([{"kind": "department", "code": "D99"}]),
                ),
                "units",
            ),
            (
                bad(
                    "t",
                    10,
                    "2026-12-01",
                    json!([{"kind": "region", "code": "430205001"}]),
                ),
                "units",
            ),
            (
                bad(
                    "t",
                    10,
                    "2026-12-01",
                    json!([{"kind": "team", "code": "D01"}]),
                ),
                "units",
            ),
            (bad("t", 10, "2026-12-01", json!([d01[0], d01[0]])), "units"),
        ] {
            let (s, v) = ctx.call("POST", "/api/v1/work-tasks", &leader, body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {v}");
            assert_eq!(v["error"]["field"], field, "{v}");
        }
        let mut no_quarter = bad("t", 10, "2026-12-01", d01.clone());
        no_quarter["quarter"] = json!("2026年4季度");
        let (s, v) = ctx
            .call("POST", "/api/v1/work-tasks", &leader, no_quarter)
            .await;
        assert_eq!(
            (s, &v["error"]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("quarter"))
        );
        let mut missing = bad("t", 10, "2026-12-01", d01.clone());
        missing.as_object_mut().unwrap().remove("due_date");
        let (s, v) = ctx
            .call("POST", "/api/v1/work-tasks", &leader, missing)
            .await;
        assert_eq!(
            (s, &v["error"]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("due_date"))
        );
        // A street's task: outside the caller's region answers 404.
        let street = ctx.token("street1").await;
        let mut outside = bad("t", 10, "2026-12-01", d01.clone());
        outside["region"] = json!("430204002");
        let (s, _) = ctx
            .call("POST", "/api/v1/work-tasks", &street, outside)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // A plan finishing after the due date, a milestone that is not a date.
        let (s, v) = street_p
            .step(&street, "plan", plan_body("2026-12-21"))
            .await;
        assert_eq!(
            (s, &v["error"]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("planned_finish"))
        );
        let body = json!({"plan": "p", "milestones": [{"date": "下周", "text": "x"}], "planned_finish": "2026-12-10"});
        let (s, v) = street_p.step(&street, "plan", body).await;
        assert_eq!(
            (s, &v["error"]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("milestones"))
        );
        let (s, v) = street_p
            .step(
                &street,
                "plan",
                json!({"plan": "", "planned_finish": "2026-12-10"}),
            )
            .await;
        assert_eq!(
            (s, &v["error"]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("plan"))
        );

        // A score above the points, or with two decimals.
        for score in [json!(10.5), json!(11), json!(-1), json!(9.25)] {
            let (s, v) = dept
                .step(&district, "check-off", json!({"score": score}))
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{score}: {v}");
            assert_eq!(v["error"]["field"], "score");
        }

        // A retried check-off is done once and answered the same.
        let path = format!("/api/v1/work-tasks/{id}/assignments/{}/check-off", dept.id);
        let send = || {
            Request::post(&path)
                .header("authorization", format!("Bearer {district}"))
                .header("content-type", "application/json")
                .header("idempotency-key", "check-off-1")
                .body(Body::from(json!({"score": 9.5}).to_string()))
                .unwrap()
        };
        let (s1, first, h1) = ctx.send(send()).await;
        assert_eq!(s1, StatusCode::OK, "{first}");
        assert!(h1.get("idempotent-replayed").is_none());
        let (s2, again, h2) = ctx.send(send()).await;
        assert_eq!(s2, StatusCode::OK, "{again}");
        assert_eq!(h2["idempotent-replayed"], "true");
        assert_eq!(first, again);
        assert_eq!(part_of(&again, "D01")["score"].as_f64(), Some(9.5));
        // Without the key, a second check-off is refused: the part is checked off.
        let (s, _) = dept.step(&district, "check-off", json!({"score": 9})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (_, t) = ctx.get(&format!("/api/v1/work-tasks/{id}"), &leader).await;
        let checks = part_of(&t, "D01")["trail"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["action"] == "check-off")
            .count();
        assert_eq!(checks, 1);
    });
}

/// A page as the signed-in `token` sees it.
async fn page(ctx: &Ctx, path: &str, token: &str) -> (StatusCode, String) {
    let req = Request::get(path)
        .header("cookie", format!("wangge_session={token}"))
        .body(Body::empty())
        .unwrap();
    let (s, v, _) = ctx.send(req).await;
    (s, v.as_str().unwrap_or_default().to_string())
}

/// Posts a form with the page's CSRF token; answers the status, the page and where a
/// redirect goes.
async fn post_form(
    ctx: &Ctx,
    path: &str,
    token: &str,
    csrf: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let mut body = format!("csrf={}", encode(csrf));
    for (k, v) in fields {
        body.push_str(&format!("&{k}={}", encode(v)));
    }
    let req = Request::post(path)
        .header("cookie", format!("wangge_session={token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (s, v, h) = ctx.send(req).await;
    let to = h.get("location").map_or("", |l| l.to_str().unwrap());
    (
        s,
        v.as_str().unwrap_or_default().to_string(),
        to.to_string(),
    )
}

fn csrf_of(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let at = html.find(marker).expect("a form with its CSRF token") + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn the_board_and_the_forms() {
    on_each_db!(|ctx| {
        let leader = ctx.token("leader").await;
        let handler = ctx.token("handler").await;
        let (s, html) = page(&ctx, "/work-tasks", &leader).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(
            html.contains(r#"<a href="/work-tasks">工作任务</a>"#),
            "nav link"
        );
        assert!(html.contains("2026年第四季度") && html.contains("交办新任务"));
        let (_, html) = page(&ctx, "/work-tasks", &handler).await;
        assert!(!html.contains("交办新任务"), "a department does not assign");
        let (s, _) = page(&ctx, "/work-tasks/new", &handler).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, html) = page(&ctx, "/work-tasks?quarter=2026Q9", &leader).await;
        assert!(html.contains("季度：季度“2026Q9”应写作如 2026Q4"), "{html}");

        // Assigning through the form: an empty title is named; then it is assigned.
        let (s, html) = page(&ctx, "/work-tasks/new", &leader).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains(r#"value="department:D01""#)
                && html.contains(r#"value="region:430204001""#)
        );
        let csrf = csrf_of(&html);
        let mut fields = vec![
            ("title", " "),
            ("quarter", "2026Q4"),
            ("points", "10"),
            ("due_date", "2026-12-20"),
            ("unit", "department:D01"),
            ("unit", "region:430204001"),
        ];
        let (s, html, _) = post_form(&ctx, "/work-tasks/new", &leader, &csrf, &fields).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("任务名称不能为空"), "{html}");
        assert!(
            html.contains(r#"value="region:430204001" checked"#),
            "ticks kept"
        );
        fields[0].1 = "背街小巷整治";
        fields[2].1 = "十分";
        let (_, html, _) = post_form(&ctx, "/work-tasks/new", &leader, &csrf, &fields).await;
        assert!(html.contains("分值应为1到100的整数"), "{html}");
        fields[2].1 = "10";
        let (s, _, to) = post_form(&ctx, "/work-tasks/new", &leader, &csrf, &fields).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let id: i64 = to.trim_start_matches("/work-tasks/").parse().unwrap();
        let (_, t) = ctx.get(&format!("/api/v1/work-tasks/{id}"), &leader).await;
        let aid = part(&t, "D01");

        // The department plans through its form: an empty roadmap is named at its part.
        let (s, html) = page(&ctx, &format!("/work-tasks/{id}"), &handler).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("区城市管理和综合执法局") && !html.contains("清水塘街道"));
        let plan_path = format!("/work-tasks/{id}/assignments/{aid}/plan");
        assert!(html.contains(&format!(r#"action="{plan_path}""#)));
        let csrf = csrf_of(&html);
        let plan = [
            ("plan", ""),
            ("milestones", "2026-12-01 完成摸排\n2026-12-10 整改到位"),
            ("planned_finish", "2026-12-15"),
        ];
        let (s, html, _) = post_form(&ctx, &plan_path, &handler, &csrf, &plan).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("路线图：路线图不能为空"), "{html}");
        assert!(
            html.contains("2026-12-10 整改到位"),
            "what was typed is kept"
        );
        let plan = [("plan", "分片包干"), plan[1], plan[2]];
        let (s, _, to) = post_form(&ctx, &plan_path, &handler, &csrf, &plan).await;
        assert_eq!(
            (s, to.as_str()),
            (
                StatusCode::SEE_OTHER,
                format!("/work-tasks/{id}#part-{aid}").as_str()
            )
        );
        let submit = format!("/work-tasks/{id}/assignments/{aid}/submit");
        let (s, _, _) =
            post_form(&ctx, &submit, &handler, &csrf, &[("evidence", "验收记录")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // The leader checks it off: a score that is not a number is named.
        let (_, html) = page(&ctx, &format!("/work-tasks/{id}"), &leader).await;
        assert!(
            html.contains("分片包干") && html.contains("整改到位") && html.contains("验收记录")
        );
        assert!(html.contains("step-check-off") && html.contains("step-send-back"));
        let csrf = csrf_of(&html);
        let check = format!("/work-tasks/{id}/assignments/{aid}/check-off");
        let (s, html, _) = post_form(
            &ctx,
            &check,
            &leader,
            &csrf,
            &[("score", "优"), ("comment", "")],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("得分：得分应为数字"), "{html}");
        let (s, html, _) = post_form(&ctx, &check, &leader, &csrf, &[("score", "12")]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("得分应在0到10分之间"), "{html}");
        let (s, _, _) = post_form(
            &ctx,
            &check,
            &leader,
            &csrf,
            &[("score", "9.5"), ("comment", "按时完成")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(&ctx, &format!("/work-tasks/{id}"), &leader).await;
        assert!(
            html.contains("已销号") && html.contains("<strong>9.5</strong>"),
            "{html}"
        );
        let (s, _, _) = post_form(&ctx, &check, &leader, "forged", &[("score", "9")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "CSRF");

        // The board shows the units with their bars.
        let (_, html) = page(&ctx, "/work-tasks?quarter=2026Q4", &leader).await;
        assert!(html.contains(r#"id="unit-D01""#) && html.contains(r#"id="unit-430204001""#));
        assert!(
            html.contains("<title>已销号 1</title>") && html.contains("95.00"),
            "{html}"
        );
        let year = &html[html.find("2026年各季度得分").expect("the year's scores")..];
        let d01 = &year[year.find("区城市管理和综合执法局").unwrap()..];
        let d01 = &d01[..d01.find("</tr>").unwrap()];
        assert_eq!(d01.matches("—").count(), 3, "Q1–Q3 had nothing: {d01}");
        assert!(d01.contains("95.00"));
    });
}
