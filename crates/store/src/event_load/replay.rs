//! Replays one planned event: the report, then each step through `case::step` with the
//! event's fields changed as the live step would change them (departments, extension,
//! rating, deadline on the working calendar), and between steps the deadline sweeper's
//! warnings and overdue flags at the minute it would have raised them. Every trail row is
//! chained to the one before by `events::step_hash`.
use wangge_domain::audit::{GENESIS, to_hex};
use wangge_domain::case::{self, Action, Request, State};
use wangge_domain::catalog::CatalogItem;

use super::{ActorIn, Cast, EventIn, Resolved, StepIn};
use crate::StoreError;
use crate::entity::{event, event_step};
use crate::event_actions::{LOW_RATING, apply_deadline};
use crate::events::{CheckedEvent, co_codes, flags_of, set_transition, step_hash};
use crate::scope::county_of;

const MINUTE_MS: i64 = 60_000;

struct Replay<'c> {
    cast: &'c Cast,
    input: &'c EventIn,
    item: &'c CatalogItem,
    e: event::Model,
    steps: Vec<event_step::Model>,
}

/// The event as it stands at the cast's "now" and its whole trail.
pub(super) fn replay(
    cast: &Cast,
    input: &EventIn,
) -> Result<(event::Model, Vec<event_step::Model>), StoreError> {
    let item = cast.catalog.get(&input.category).ok_or_else(|| {
        StoreError::invalid(
            "category",
            format!("事项编码“{}”不在事项清单中", input.category),
        )
    })?;
    let county = county_of(&input.grid_code)
        .ok_or_else(|| StoreError::invalid("grid", format!("网格“{}”无效", input.grid_code)))?;
    let mut r = Replay {
        cast,
        input,
        item,
        e: reported(input, item, county),
        steps: Vec::with_capacity(input.steps.len() + 3),
    };
    r.report();
    for step in &input.steps {
        r.sweep(step.at, false);
        r.step(step)?;
    }
    r.sweep(cast.now, true);
    Ok((r.e, r.steps))
}

/// The event as filed, before its first trail row: the same row a live report makes.
fn reported(input: &EventIn, item: &CatalogItem, county: i32) -> event::Model {
    CheckedEvent {
        item: item.clone(),
        description: input.description.clone(),
        address: input.address.clone(),
        urgency: if input.urgent { "urgent" } else { "normal" },
        lng: input.lng,
        lat: input.lat,
        grid: input.grid_code.clone(),
    }
    .into_row(
        county,
        input.id,
        input.created_at,
        &input.source,
        None,
        String::new(),
    )
}

/// The sweeper runs every minute: it sees an instant at the next whole minute.
fn next_minute(at: i64) -> i64 {
    (at.div_euclid(MINUTE_MS) + 1) * MINUTE_MS
}

impl Replay<'_> {
    /// Who acts, and how the state machine sees them on this event (reporter, lead
    /// department, co-department), as `events::actor_of` sees an account.
    fn resolve(&self, who: &ActorIn) -> Resolved {
        let reporter = *who == self.input.reporter;
        let mut r = self
            .cast
            .resolve(who, &self.e.grid_code, &self.e.level, reporter);
        if let ActorIn::Department { code, .. } = who {
            r.actor.is_assigned_department =
                r.department.is_some() && r.department == self.e.department_id;
            r.actor.is_co_department = co_codes(&self.e.co_departments).any(|c| c == code);
        }
        r.actor.is_reporter = reporter;
        r
    }

    /// The first trail row, written with the event.
    fn report(&mut self) {
        let who = self.resolve(&self.input.reporter);
        self.e.reporter_account = who.account;
        self.e.reporter_name = who.name.clone();
        let step = event_step::Model {
            county: self.e.county,
            event_id: self.e.id,
            seq: 1,
            at: self.e.created_at,
            account_id: who.account,
            actor: who.name,
            role: who.role.into(),
            action: "report".into(),
            from_state: String::new(),
            to_state: State::Reported.as_str().into(),
            note: self.e.description.clone(),
            department_id: None,
            photos: String::new(),
            prev_hash: to_hex(&GENESIS),
            hash: String::new(),
        };
        self.chain(step, false);
    }

    /// Appends a trail row after the last one and moves the event to its version.
    fn chain(&mut self, mut step: event_step::Model, bump: bool) {
        step.seq = self.steps.len() as i32 + 1;
        step.prev_hash = if self.steps.is_empty() {
            to_hex(&GENESIS)
        } else {
            self.e.trail_hash.clone()
        };
        step.hash = step_hash(&step.prev_hash, &step);
        self.e.trail_hash = step.hash.clone();
        crate::tally::note_step(&mut self.e, &step);
        // The report is version 0; every later row bumps it, as `write_step` does.
        if bump {
            self.e.version += 1;
        }
        self.steps.push(step);
    }

    /// Raises the flags whose instant the sweeper would have seen before `until` (the
    /// next step), or by `until` itself at the end (the generation's "now").
    fn sweep(&mut self, until: i64, last: bool) {
        loop {
            let warn = self.e.warning_at.filter(|_| !self.e.warning);
            let due = self.e.deadline.filter(|_| !self.e.overdue);
            let Some(first) = warn.into_iter().chain(due).min() else {
                return;
            };
            let seen = next_minute(first).max(self.e.updated_at);
            let at = match (last, seen < until) {
                (_, true) => seen,
                (true, false) if first <= until => until,
                _ => return,
            };
            let overdue = due.is_some_and(|d| d <= at);
            let step = event_step::Model {
                county: self.e.county,
                event_id: self.e.id,
                seq: 0,
                at,
                account_id: None,
                actor: "系统".into(),
                role: String::new(),
                action: if overdue { "overdue" } else { "warn" }.into(),
                from_state: self.e.state.clone(),
                to_state: self.e.state.clone(),
                note: if overdue {
                    "已超过办理时限，系统标记超期"
                } else {
                    "办理时限已用去80%，系统预警"
                }
                .into(),
                department_id: self.e.department_id,
                photos: String::new(),
                prev_hash: String::new(),
                hash: String::new(),
            };
            self.e.warning = true;
            self.e.overdue |= overdue;
            self.e.updated_at = at;
            self.chain(step, true);
        }
    }

    /// One step of the loop, as `Store::apply_action` takes it.
    fn step(&mut self, s: &StepIn) -> Result<(), StoreError> {
        let cast = self.cast;
        let bad = |message: String| {
            StoreError::invalid(
                "events",
                format!(
                    "事件{}的第{}步（{}）：{message}",
                    self.e.id,
                    self.steps.len() + 1,
                    s.action.as_str()
                ),
            )
        };
        let who = self.resolve(&s.actor);
        let (lead, co): (Option<i64>, Vec<i64>) = match s.action {
            Action::Dispatch => {
                let code = s.department.as_deref().unwrap_or(&self.item.lead);
                let lead = cast
                    .dept(code)
                    .ok_or_else(|| bad(format!("部门“{code}”不存在")))?;
                let mut co = Vec::new();
                let codes = s.co_departments.as_ref().unwrap_or(&self.item.co);
                for code in codes {
                    match cast.dept(code) {
                        Some(d) if d.id != lead.id && !co.contains(&d.id) => co.push(d.id),
                        Some(_) => {}
                        // The catalog may name departments a district lacks, as live.
                        None if s.co_departments.is_none() => {}
                        None => return Err(bad(format!("协办部门“{code}”不存在"))),
                    }
                }
                (Some(lead.id), co)
            }
            Action::Claim => (who.department, Vec::new()),
            _ => (None, Vec::new()),
        };
        let state = State::parse(&self.e.state).unwrap_or(State::Reported);
        let flags = flags_of(&self.e);
        let mut request = Request::new(s.action).note(&s.note);
        if let Some(lead) = lead {
            request = request.department(lead, &co);
        }
        if let Some(d) = s.review_date {
            request = request.review_date(d);
        }
        if let Some(t) = s.duplicate_of {
            request = request.duplicate_of(t);
        }
        if let Some(v) = s.score {
            request = request.score(v);
        }
        let t = case::step(state, &flags, &who.actor, &request).map_err(|r| bad(r.message))?;

        let before = self.e.clone();
        let e = &mut self.e;
        set_transition(e, &t);
        e.review_date = match s.review_date {
            Some(d) => Some(d.to_string()),
            None if t.state == State::Suspended => before.review_date.clone(),
            None => None,
        };
        match s.action {
            Action::Dispatch | Action::Claim => {
                e.department_id = lead;
                e.co_departments = cast.co_list(&co);
            }
            Action::Return | Action::Escalate => {
                e.department_id = None;
                e.co_departments = String::new();
            }
            Action::RequestExtension => e.extension_days = s.days,
            Action::ApproveExtension | Action::RejectExtension => e.extension_days = None,
            Action::Rate => {
                e.rating = s.score.map(i32::from);
                e.rating_comment = Some(s.note.trim().to_string()).filter(|c| !c.is_empty());
                e.low_rating = s.score.is_some_and(|v| v <= LOW_RATING);
            }
            _ => {}
        }
        apply_deadline(
            e,
            t.deadline,
            &cast.calendar,
            Some(self.item),
            before.urgency == "urgent",
            s.at,
            before.extension_days,
        );
        if t.state.is_closed() && before.closed_at.is_none() {
            e.closed_at = Some(s.at);
        }
        crate::tally::note_close(e, &cast.calendar, s.at);
        e.updated_at = s.at;
        let step = event_step::Model {
            county: e.county,
            event_id: e.id,
            seq: 0,
            at: s.at,
            account_id: who.account,
            actor: who.name,
            role: who.role.into(),
            action: s.action.as_str().into(),
            from_state: before.state,
            to_state: e.state.clone(),
            note: step_note(s),
            department_id: lead.or(who.department),
            photos: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        self.chain(step, true);
        Ok(())
    }
}

/// What the trail says of a step, as `event_actions` writes it.
fn step_note(s: &StepIn) -> String {
    let mut parts = vec![s.note.trim().to_string()];
    match s.action {
        Action::RequestExtension => parts.push(format!("申请延期{}个工作日", s.days.unwrap_or(0))),
        Action::Rate => parts.push(format!("满意度{}分", s.score.unwrap_or(0))),
        Action::Suspend => parts.push(format!(
            "复查日期{}",
            s.review_date.map(|d| d.to_string()).unwrap_or_default()
        )),
        Action::Merge => parts.push(format!("与事件{}重复", s.duplicate_of.unwrap_or(0))),
        _ => {}
    }
    parts.retain(|p| !p.is_empty());
    parts.join("；")
}
