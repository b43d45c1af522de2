//! The history as a whole: deterministic, legal for the state machine step by step, in time
//! order, with the planned shares, and every state present even in a small history.
use std::collections::HashMap;

use wangge_domain::case::{self, Action, Actor, Flags, Request, State};
use wangge_domain::catalog::{CatalogItem, default_catalog};
use wangge_domain::date::{Date, local_midnight_ms};
use wangge_domain::role::Role;
use wangge_domain::worktime::WorkCalendar;

use super::*;
use crate::config::Config;
use crate::geometry::contains;

/// 2026-12-01 21:00 in Shanghai.
fn now() -> i64 {
    local_midnight_ms(Date::new(2026, 12, 1).unwrap()) + 21 * 3_600_000
}

fn history(seed: u64, grids: u32, events: u64) -> (History, District) {
    let district = crate::district(&Config::new(seed, grids, Date::new(2026, 12, 1).unwrap()));
    let cfg = HistoryConfig {
        seed,
        events,
        now_ms: now(),
        days: HISTORY_DAYS,
    };
    let h = History::new(
        cfg,
        &district,
        &default_catalog(),
        &WorkCalendar::china_2026(),
    );
    (h, district)
}

/// The machine's actor for a planned step, built here independently of the planner.
fn actor(who: &Who, reporter: &Who, lead: Option<&str>, co: &[String]) -> Actor {
    let is_reporter = who == reporter;
    let mut a = match who {
        Who::GridWorker => Actor::staff(Role::GridWorker),
        Who::Center | Who::Hotline | Who::Video => Actor::staff(Role::Operator),
        Who::Leader => Actor::staff(Role::Leader),
        Who::Department { .. } if is_reporter => Actor::staff(Role::DeptHead),
        Who::Department { .. } => Actor::staff(Role::DeptHandler),
        Who::Citizen(_) => Actor::citizen(),
    };
    if let Who::Department { code, .. } = who {
        a.is_assigned_department = lead == Some(code.as_str());
        a.is_co_department = co.contains(code);
    }
    a.is_reporter = is_reporter;
    a
}

/// Replays an event's steps through `case::step`; the final state, or the refusal.
fn replay(e: &PlannedEvent, item: &CatalogItem) -> Result<State, String> {
    let (mut state, mut flags) = (
        State::Reported,
        Flags {
            claimable: item.claimable,
            ..Flags::default()
        },
    );
    let (mut lead, mut co): (Option<String>, Vec<String>) = (None, Vec::new());
    let id = |code: &str| i64::from(code[1..].parse::<u16>().unwrap());
    for s in &e.steps {
        let co_next: Vec<String> = match (&s.co_departments, s.action) {
            (Some(list), _) => list.clone(),
            (None, Action::Dispatch) => item
                .co
                .iter()
                .filter(|c| Some(*c) != s.department.as_ref())
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        let co_ids: Vec<i64> = co_next.iter().map(|c| id(c)).collect();
        let mut r = Request::new(s.action);
        if !s.note.is_empty() {
            r = r.note(&s.note);
        }
        if s.action == Action::Dispatch {
            r = r.department(id(s.department.as_deref().unwrap()), &co_ids);
        }
        if let Some(d) = s.review_date {
            r = r.review_date(d);
        }
        if let Some(d) = s.duplicate_of {
            r = r.duplicate_of(d as i64);
        }
        if let Some(v) = s.score {
            r = r.score(v);
        }
        let a = actor(&s.who, &e.reporter, lead.as_deref(), &co);
        let t = case::step(state, &flags, &a, &r)
            .map_err(|refusal| format!("{:?} in {state:?}: {refusal}", s.action))?;
        match s.action {
            Action::Dispatch => (lead, co) = (s.department.clone(), co_next),
            Action::Claim => (lead, co) = (s.department.clone(), Vec::new()),
            Action::Return | Action::Escalate => (lead, co) = (None, Vec::new()),
            _ => {}
        }
        (state, flags) = (t.state, t.flags);
    }
    Ok(state)
}

fn items() -> HashMap<String, CatalogItem> {
    default_catalog()
        .into_iter()
        .map(|i| (i.code.clone(), i))
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_history() {
    let (a, _) = history(3, 6, 500);
    let (b, _) = history(3, 6, 500);
    let (c, _) = history(4, 6, 500);
    for n in [0, 1, 77, 250, 499] {
        assert_eq!(a.event(n), b.event(n));
        assert_ne!(a.event(n), c.event(n));
    }
    // Any order: planning event 9 first changes nothing.
    let late = a.event(9);
    assert_eq!(a.event(8), b.event(8));
    assert_eq!(late, b.event(9));
}

#[test]
fn every_sequence_is_legal_in_time_order_and_in_its_grid() {
    let (h, district) = history(5, 12, 3_000);
    let items = items();
    let mut last_created = i64::MIN;
    for n in 0..h.len() {
        let e = h.event(n);
        let item = &items[&e.item_code];
        replay(&e, item).unwrap_or_else(|err| panic!("event {n}: {err}\n{e:#?}"));
        assert!(e.created_at >= last_created && e.created_at < now());
        assert!(e.created_at > now() - i64::from(HISTORY_DAYS + 1) * 86_400_000);
        last_created = e.created_at;
        let mut t = e.created_at;
        for s in &e.steps {
            assert!(s.at > t && s.at < now(), "event {n}: {:?}", s.action);
            t = s.at;
        }
        let grid = district
            .grids
            .iter()
            .find(|g| g.code == e.grid_code)
            .unwrap();
        assert!(contains(&grid.ring, e.point));
        assert!(e.description.contains(&item.name) && e.description.ends_with('。'));
        if let Some(m) = e.steps.iter().find_map(|s| s.duplicate_of) {
            let original = h.event(m);
            assert!(m < n && original.grid_code == e.grid_code);
            assert_eq!(original.item_code, e.item_code);
        }
        assert_eq!(
            e.rating_comment.is_some(),
            e.steps
                .iter()
                .any(|s| s.action == Action::Rate && !s.note.is_empty())
        );
    }
}

#[test]
fn shares_are_roughly_as_planned() {
    let (h, _) = history(7, 40, 20_000);
    let items = items();
    let mut states: HashMap<State, u32> = HashMap::new();
    let mut sources: HashMap<Source, u32> = HashMap::new();
    let mut categories: HashMap<String, u32> = HashMap::new();
    let (mut urgent, mut returned, mut reworked, mut claimed, mut escalated) = (0, 0, 0, 0, 0);
    let (mut extended, mut supervised) = (0, 0);
    let mut scores = [0u32; 6];
    for n in 0..h.len() {
        let e = h.event(n);
        let item = &items[&e.item_code];
        *states.entry(replay(&e, item).unwrap()).or_default() += 1;
        *sources.entry(e.source).or_default() += 1;
        *categories.entry(item.category.clone()).or_default() += 1;
        urgent += u32::from(e.urgent);
        let has = |a: Action| e.steps.iter().any(|s| s.action == a);
        returned += u32::from(has(Action::Return));
        reworked += u32::from(has(Action::CheckFail));
        claimed += u32::from(has(Action::Claim));
        escalated += u32::from(has(Action::Escalate));
        extended += u32::from(has(Action::RequestExtension));
        supervised += u32::from(has(Action::Supervise));
        for s in e.steps.iter().filter_map(|s| s.score) {
            scores[usize::from(s)] += 1;
        }
    }
    let share = |n: u32| f64::from(n) / h.len() as f64;
    let state = |s: State| share(states.get(&s).copied().unwrap_or(0));
    assert!((0.60..0.80).contains(&state(State::Closed)), "{states:?}");
    assert!((0.12..0.18).contains(&state(State::Settled)), "{states:?}");
    assert!((0.03..0.06).contains(&state(State::Declined)), "{states:?}");
    assert!((0.02..0.045).contains(&state(State::Merged)), "{states:?}");
    for open in [State::Handling, State::Suspended] {
        assert!(state(open) > 0.003, "{open:?} {states:?}");
    }
    let source = |s: Source| share(sources.get(&s).copied().unwrap_or(0));
    assert!(
        (0.64..0.76).contains(&source(Source::Patrol)),
        "{sources:?}"
    );
    assert!(
        (0.16..0.25).contains(&source(Source::Citizen)),
        "{sources:?}"
    );
    for s in [Source::Hotline, Source::Department, Source::Video] {
        assert!(source(s) > 0.01, "{sources:?}");
    }
    assert!((0.03..0.08).contains(&share(urgent)), "{urgent}");
    assert_eq!(categories.len(), 16, "{categories:?}");
    let category = |c: &str| share(categories[c]);
    assert!(category("市容环境") > 0.13 && category("市容环境") < 0.22);
    assert!(category("农业水利") < 0.03);
    for (n, what) in [
        (returned, "returned"),
        (reworked, "reworked"),
        (claimed, "claimed"),
        (escalated, "escalated"),
        (extended, "extended"),
        (supervised, "supervised"),
    ] {
        assert!((0.005..0.2).contains(&share(n)), "{what}: {n}");
    }
    let rated: u32 = scores.iter().sum();
    assert!(
        f64::from(scores[4] + scores[5]) / f64::from(rated) > 0.75,
        "{scores:?}"
    );
    assert!(scores[1] > 0 && scores[2] > 0, "{scores:?}");
}

#[test]
fn a_small_history_has_every_state() {
    let (h, _) = history(11, 2, 80);
    let items = items();
    let mut seen: Vec<State> = (0..h.len())
        .map(|n| {
            let e = h.event(n);
            replay(&e, &items[&e.item_code]).unwrap()
        })
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen, State::ALL.to_vec());
}

#[test]
fn nothing_to_plan_without_grids_or_items() {
    let district = crate::district(&Config::new(1, 0, Date::new(2026, 12, 1).unwrap()));
    let cfg = HistoryConfig {
        seed: 1,
        events: 100,
        now_ms: now(),
        days: HISTORY_DAYS,
    };
    let cal = WorkCalendar::china_2026();
    assert!(History::new(cfg, &district, &default_catalog(), &cal).is_empty());
    let (with_grids, district) = history(1, 2, 100);
    assert_eq!(with_grids.len(), 100);
    assert!(History::new(cfg, &district, &[], &cal).is_empty());
}
