//! Replaying planned events without a database: the fields a live step would set, the
//! sweeper's flags at the minute it would raise them, an unbroken hash chain, and illegal
//! steps refused.
use std::collections::HashMap;

use wangge_domain::audit::{GENESIS, to_hex};
use wangge_domain::case::Action;
use wangge_domain::catalog::default_catalog;
use wangge_domain::date::{Date, local_midnight_ms};

use super::*;
use crate::events::step_hash;

const GRID: &str = "430204001001001";

/// Local time in Shanghai on a day of November 2026.
fn nov(day: u8, h: i64, m: i64) -> i64 {
    local_midnight_ms(Date::new(2026, 11, day).unwrap()) + (h * 60 + m) * 60_000
}

fn dept_id(code: &str) -> i64 {
    100 + code[1..].parse::<i64>().unwrap()
}

fn cast(now: i64) -> Cast {
    let active = default_catalog();
    let depts: Vec<Dept> = (1..=27)
        .map(|i| {
            let code = format!("D{i:02}");
            Dept {
                id: dept_id(&code),
                code,
                handler: None,
                head: None,
            }
        })
        .collect();
    Cast {
        now,
        backend: DbBackend::Sqlite,
        calendar: WorkCalendar::china_2026(),
        catalog: active.iter().map(|i| (i.code.clone(), i.clone())).collect(),
        active,
        by_code: depts
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code.clone(), i))
            .collect(),
        depts,
        workers: HashMap::from([(GRID.to_owned(), ("王网格".to_owned(), Some(7)))]),
        regions: HashMap::from([
            ("430204".to_owned(), "石峰区".to_owned()),
            ("430204001".to_owned(), "清水塘街道".to_owned()),
            ("430204001001".to_owned(), "清水社区".to_owned()),
        ]),
        operators: Vec::new(),
        leaders: Vec::new(),
    }
}

fn step(at: i64, actor: ActorIn, action: Action, note: &str) -> StepIn {
    StepIn {
        at,
        actor,
        action,
        note: note.into(),
        department: None,
        co_departments: None,
        review_date: None,
        duplicate_of: None,
        score: None,
        days: None,
    }
}

fn d01() -> ActorIn {
    ActorIn::Department {
        code: "D01".into(),
        name: "李明".into(),
    }
}

fn event(category: &str, steps: Vec<StepIn>) -> EventIn {
    EventIn {
        id: history_id(nov(23, 9, 0), 0),
        grid_code: GRID.into(),
        category: category.into(),
        description: "巡查发现建设路1号门前积存垃圾渣土，已堆积3天无人清运。".into(),
        address: "石峰区清水塘街道建设路1号门前".into(),
        lng: 113.1,
        lat: 27.9,
        urgent: false,
        source: "patrol".into(),
        reporter: ActorIn::GridWorker,
        created_at: nov(23, 9, 0),
        steps,
    }
}

/// The trail's chain recomputed from its rows, as `Store::event` checks it.
fn assert_chained(e: &event::Model, steps: &[event_step::Model]) {
    let mut prev = to_hex(&GENESIS);
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(s.seq, i as i32 + 1);
        assert_eq!(s.prev_hash, prev);
        assert_eq!(step_hash(&prev, s), s.hash);
        prev = s.hash.clone();
    }
    assert_eq!(e.trail_hash, prev);
    assert_eq!(e.version, steps.len() as i32 - 1);
    assert!(steps.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn a_closed_loop_is_written_as_the_live_steps_write_it() {
    let mut dispatch = step(nov(23, 10, 0), ActorIn::Center, Action::Dispatch, "");
    dispatch.department = Some("D01".into());
    let mut rate = step(nov(26, 9, 0), ActorIn::Center, Action::Rate, "拖了很久");
    rate.score = Some(2);
    let input = event(
        "A01-004",
        vec![
            step(nov(23, 9, 30), ActorIn::Center, Action::Verify, ""),
            dispatch,
            step(nov(23, 11, 0), d01(), Action::Sign, ""),
            step(nov(25, 10, 0), d01(), Action::Handle, "已清运完毕"),
            step(nov(25, 15, 0), ActorIn::GridWorker, Action::CheckPass, ""),
            rate,
        ],
    );
    let (e, steps) = replay::replay(&cast(nov(30, 12, 0)), &input).unwrap();
    assert_chained(&e, &steps);
    assert_eq!(steps.len(), 7, "no flag was due");
    assert_eq!(e.state, "closed");
    assert_eq!(e.department_id, Some(dept_id("D01")));
    assert_eq!(e.co_departments, ",D03,", "the catalog's co-department");
    assert_eq!(e.closed_at, Some(nov(25, 15, 0)));
    assert_eq!(e.updated_at, nov(26, 9, 0));
    assert_eq!((e.rating, e.low_rating), (Some(2), true));
    assert_eq!(e.rating_comment.as_deref(), Some("拖了很久"));
    assert!(e.deadline.is_none() && e.phase.is_none() && !e.warning && !e.overdue);
    assert_eq!(
        (e.reporter_name.as_str(), e.reporter_account),
        ("王网格", Some(7))
    );
    let names: Vec<&str> = steps.iter().map(|s| s.actor.as_str()).collect();
    assert_eq!(
        names,
        [
            "王网格",
            "清水社区网格工作站",
            "清水社区网格工作站",
            "李明",
            "李明",
            "王网格",
            "清水社区网格工作站"
        ]
    );
    assert_eq!(steps[0].note, input.description);
    assert_eq!(steps[6].note, "拖了很久；满意度2分");
    assert_eq!(steps[3].department_id, Some(dept_id("D01")));
    assert_eq!(steps[3].role, "dept_handler");
    assert_eq!(
        (steps[3].from_state.as_str(), steps[3].to_state.as_str()),
        ("dispatched", "handling")
    );
}

#[test]
fn the_sweeper_flags_appear_at_the_minute_it_would_raise_them() {
    let mut dispatch = step(nov(23, 9, 20), ActorIn::Center, Action::Dispatch, "");
    dispatch.department = Some("D01".into());
    let steps = vec![
        step(nov(23, 9, 10), ActorIn::Center, Action::Verify, ""),
        dispatch,
    ];
    // 4 working hours to sign from 09:20: 160 minutes to noon, 80 after 13:30, so the
    // deadline is 14:50 and the warning (192 minutes) 14:02.
    let (e, trail) =
        replay::replay(&cast(nov(23, 16, 0)), &event("A01-003", steps.clone())).unwrap();
    assert_chained(&e, &trail);
    assert_eq!(
        (e.warning_at, e.deadline),
        (Some(nov(23, 14, 2)), Some(nov(23, 14, 50)))
    );
    let flags: Vec<(&str, i64)> = trail[3..]
        .iter()
        .map(|s| (s.action.as_str(), s.at))
        .collect();
    assert_eq!(
        flags,
        [("warn", nov(23, 14, 3)), ("overdue", nov(23, 14, 51))]
    );
    assert!(e.warning && e.overdue && e.state == "dispatched");
    assert_eq!(
        (trail[4].actor.as_str(), trail[4].role.as_str()),
        ("系统", "")
    );
    assert_eq!(trail[4].department_id, Some(dept_id("D01")));

    // At "now" the flags are those due by then, even within the sweeper's minute.
    let (e, trail) = replay::replay(
        &cast(nov(23, 14, 50) + 30_000),
        &event("A01-003", steps.clone()),
    )
    .unwrap();
    assert_eq!(
        trail.last().map(|s| (s.action.as_str(), s.at)),
        Some(("overdue", nov(23, 14, 50) + 30_000))
    );
    assert!(e.overdue);
    let (e, _) = replay::replay(&cast(nov(23, 14, 1)), &event("A01-003", steps.clone())).unwrap();
    assert!(!e.warning && !e.overdue);

    // Signed late: the flags stay in the trail, the new deadline clears them.
    let mut late = steps;
    late.push(step(nov(23, 15, 0), d01(), Action::Sign, ""));
    let (e, trail) = replay::replay(&cast(nov(23, 16, 0)), &event("A01-003", late)).unwrap();
    assert_chained(&e, &trail);
    let actions: Vec<&str> = trail.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        actions,
        ["report", "verify", "dispatch", "warn", "overdue", "sign"]
    );
    assert!(!e.warning && !e.overdue && e.phase.as_deref() == Some("handle"));
}

#[test]
fn suspension_pauses_the_clock_and_resumption_carries_on() {
    let mut dispatch = step(nov(23, 9, 20), ActorIn::Center, Action::Dispatch, "");
    dispatch.department = Some("D01".into());
    let mut suspend = step(
        nov(23, 15, 30),
        ActorIn::Center,
        Action::Suspend,
        "待汛期结束",
    );
    suspend.review_date = Date::new(2026, 11, 30);
    let mut steps = vec![
        step(nov(23, 9, 10), ActorIn::Center, Action::Verify, ""),
        dispatch,
        step(nov(23, 9, 30), d01(), Action::Sign, ""),
        suspend,
    ];
    let (e, trail) =
        replay::replay(&cast(nov(27, 12, 0)), &event("A01-003", steps.clone())).unwrap();
    assert_eq!(e.state, "suspended");
    assert_eq!(e.review_date.as_deref(), Some("2026-11-30"));
    // Three working days (450 minutes each) from Monday 09:30 end on Thursday at 09:30;
    // from Monday 15:30 that leaves 120 + 450 + 450 + 60 minutes.
    assert_eq!(e.minutes_left, Some(1_080));
    assert!(e.deadline.is_none() && !e.overdue, "no flag while on hold");
    assert_eq!(trail.last().unwrap().note, "待汛期结束；复查日期2026-11-30");
    steps.push(step(nov(30, 9, 0), ActorIn::Center, Action::Resume, ""));
    let (e, _) = replay::replay(&cast(nov(30, 12, 0)), &event("A01-003", steps)).unwrap();
    assert_eq!((e.state.as_str(), e.minutes_left), ("handling", None));
    // 1,080 minutes from Monday 09:00: 420 that day, 450 on Tuesday, 210 on Wednesday.
    let wednesday = local_midnight_ms(Date::new(2026, 12, 2).unwrap());
    assert_eq!(e.deadline, Some(wednesday + 12 * 3_600_000));
    assert_eq!(e.review_date, None);
}

#[test]
fn claims_escalations_and_the_centers_of_each_level() {
    let mut claim = step(nov(23, 10, 0), d01(), Action::Claim, "");
    claim.department = Some("D01".into());
    let mut dispatch = step(nov(23, 14, 0), ActorIn::Center, Action::Dispatch, "");
    dispatch.department = Some("D01".into());
    let steps = vec![
        step(nov(23, 9, 10), ActorIn::Center, Action::Verify, ""),
        claim,
        step(
            nov(23, 11, 0),
            ActorIn::Center,
            Action::Escalate,
            "本级无法解决",
        ),
        dispatch,
    ];
    let (e, trail) = replay::replay(&cast(nov(23, 15, 0)), &event("A01-007", steps)).unwrap();
    assert_chained(&e, &trail);
    assert_eq!(
        (e.level.as_str(), e.state.as_str()),
        ("community", "dispatched")
    );
    assert_eq!(
        trail[2].department_id,
        Some(dept_id("D01")),
        "the claiming department"
    );
    assert_eq!(trail[3].actor, "清水社区网格工作站");
    assert_eq!(trail[4].actor, "清水社区指挥中心");
    assert_eq!(e.co_departments, "");
}

#[test]
fn an_illegal_step_is_refused_with_the_event_and_step() {
    let input = event(
        "A01-003",
        vec![step(nov(23, 9, 30), d01(), Action::Sign, "")],
    );
    let err = replay::replay(&cast(nov(30, 12, 0)), &input).unwrap_err();
    assert!(err.to_string().contains("第2步（sign）"), "{err}");
    let mut unknown = event("Z99-999", Vec::new());
    assert!(replay::replay(&cast(nov(30, 12, 0)), &unknown).is_err());
    unknown.category = "A01-003".into();
    unknown.grid_code = "x".into();
    assert!(replay::replay(&cast(nov(30, 12, 0)), &unknown).is_err());
}

#[test]
fn history_ids_follow_report_times() {
    let a = history_id(nov(23, 9, 0), 0);
    let b = history_id(nov(23, 9, 0), 1);
    let c = history_id(nov(23, 9, 0) + 1, 2);
    assert!(a < b && b < c && c < (1 << 53));
    assert_eq!(wangge_domain::ids::id_time_ms(c), nov(23, 9, 0) + 1);
}
