//! One event's story as it is written: each step is put to `wangge_domain::case::step`
//! first and kept only if the state machine accepts it, so a plan can only hold legal
//! histories. The story's clock moves in working time (departments) or wall-clock time.

use wangge_domain::case::{self, Action, Actor, Flags, Request, State};
use wangge_domain::role::Role;
use wangge_domain::worktime::WorkCalendar;

use super::{PlannedStep, Who};
use crate::rng::key_of;

/// Steps are at least a minute apart, so their order is also the order of their times.
const MIN_GAP_MS: i64 = 60_000;

pub(super) struct Story<'a> {
    calendar: &'a WorkCalendar,
    reporter: Who,
    pub state: State,
    flags: Flags,
    /// The lead department's code while a department holds the case, and the co-departments.
    lead: Option<String>,
    co: Vec<String>,
    /// When the last step was taken (the report, at first).
    pub t: i64,
    pub steps: Vec<PlannedStep>,
    /// The state after each step.
    pub states: Vec<State>,
}

/// The state machine's view of who acts, from the plan's point of view: the same rules the
/// store applies to accounts (reporter, lead department, co-department).
pub(super) fn actor_of(who: &Who, reporter: &Who, lead: Option<&str>, co: &[String]) -> Actor {
    let actor = match who {
        Who::GridWorker => Actor::staff(Role::GridWorker),
        Who::Center | Who::Hotline | Who::Video => Actor::staff(Role::Operator),
        Who::Leader => Actor::staff(Role::Leader),
        Who::Department { code, .. } => {
            let mut a = Actor::staff(if who == reporter {
                Role::DeptHead
            } else {
                Role::DeptHandler
            });
            if lead == Some(code.as_str()) {
                a = a.assigned();
            }
            if co.iter().any(|c| c == code) {
                a = a.co_department();
            }
            a
        }
        Who::Citizen(_) => Actor::citizen(),
    };
    if who == reporter {
        actor.reporter()
    } else {
        actor
    }
}

/// A stand-in id for a department code in requests (the machine only compares them).
fn dept_key(code: &str) -> i64 {
    (key_of(code) >> 12) as i64
}

impl<'a> Story<'a> {
    pub(super) fn new(
        calendar: &'a WorkCalendar,
        reporter: Who,
        claimable: bool,
        reported_at: i64,
    ) -> Story<'a> {
        Story {
            calendar,
            reporter,
            state: State::Reported,
            flags: Flags {
                claimable,
                ..Flags::default()
            },
            lead: None,
            co: Vec::new(),
            t: reported_at,
            steps: Vec::new(),
            states: Vec::new(),
        }
    }

    /// `minutes` of working time after the last step.
    pub(super) fn work(&self, minutes: i64) -> i64 {
        self.calendar.add_working_minutes(self.t, minutes.max(1))
    }

    /// `minutes` of wall-clock time after the last step.
    pub(super) fn wall(&self, minutes: i64) -> i64 {
        self.t + minutes.max(1) * 60_000
    }

    pub(super) fn lead(&self) -> Option<&str> {
        self.lead.as_deref()
    }

    /// Takes the step at `at` (or a minute after the last one) if the state machine accepts
    /// it from whoever `step.who` is; false, and nothing written, otherwise.
    pub(super) fn take(&mut self, at: i64, mut step: PlannedStep, co_default: &[String]) -> bool {
        let co: Vec<String> = match (&step.co_departments, step.action) {
            (Some(list), _) => list.clone(),
            (None, Action::Dispatch) => co_default
                .iter()
                .filter(|c| Some(c.as_str()) != step.department.as_deref())
                .cloned()
                .collect(),
            (None, _) => Vec::new(),
        };
        let co_keys: Vec<i64> = co.iter().map(|c| dept_key(c)).collect();
        let mut request = Request::new(step.action);
        if !step.note.is_empty() {
            request = request.note(&step.note);
        }
        if let (Action::Dispatch, Some(d)) = (step.action, &step.department) {
            request = request.department(dept_key(d), &co_keys);
        }
        if let Some(d) = step.review_date {
            request = request.review_date(d);
        }
        if let Some(n) = step.duplicate_of {
            request = request.duplicate_of(n as i64);
        }
        if let Some(s) = step.score {
            request = request.score(s);
        }
        let actor = actor_of(&step.who, &self.reporter, self.lead.as_deref(), &self.co);
        let Ok(t) = case::step(self.state, &self.flags, &actor, &request) else {
            return false;
        };
        match step.action {
            Action::Dispatch => {
                self.lead = step.department.clone();
                self.co = co;
            }
            Action::Claim => {
                self.lead = step.department.clone();
                self.co = Vec::new();
            }
            Action::Return | Action::Escalate => {
                self.lead = None;
                self.co = Vec::new();
            }
            _ => {}
        }
        self.state = t.state;
        self.flags = t.flags;
        step.at = at.max(self.t + MIN_GAP_MS);
        self.t = step.at;
        self.steps.push(step);
        self.states.push(t.state);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_steps_leave_no_trace() {
        let cal = WorkCalendar::china_2026();
        let mut s = Story::new(&cal, Who::GridWorker, false, 0);
        // A grid worker may not verify; nothing changes.
        assert!(!s.take(10, PlannedStep::new(Action::Verify, Who::GridWorker), &[]));
        assert!(s.steps.is_empty() && s.state == State::Reported && s.t == 0);
        assert!(s.take(10, PlannedStep::new(Action::Verify, Who::Center), &[]));
        let mut dispatch = PlannedStep::new(Action::Dispatch, Who::Center);
        dispatch.department = Some("D01".into());
        assert!(s.take(5, dispatch, &["D01".into(), "D03".into()]));
        // Not earlier than a minute after the step before.
        assert_eq!(s.steps[1].at, s.steps[0].at + MIN_GAP_MS);
        assert_eq!(
            (s.lead(), s.co.as_slice()),
            (Some("D01"), &["D03".to_owned()][..])
        );
        let sign = |code: &str| {
            PlannedStep::new(
                Action::Sign,
                Who::Department {
                    code: code.into(),
                    name: "李明".into(),
                },
            )
        };
        assert!(
            !s.take(100, sign("D03"), &[]),
            "a co-department does not sign"
        );
        assert!(s.take(100, sign("D01"), &[]));
        assert_eq!(
            s.states,
            [State::Registered, State::Dispatched, State::Handling]
        );
    }
}
