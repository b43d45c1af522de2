//! What one event contributes to the indicators, kept on the event itself as its trail
//! grows, so indicators are sums over event rows (or over daily rollups of them) instead of
//! a scan of every trail.
//!
//! [`Milestones`] are folded from the trail one step at a time ([`Milestones::note`]); a
//! [`Tally`] is what an event adds to each count of [`Counts`](crate::indicators::Counts),
//! computed from its milestones and its current state ([`tally`]). Rollups keep the sum of
//! tallies per day and community and are maintained by adding `tally(after) −
//! tally(before)` at every step.

use crate::case::State;
use crate::indicators::{Counts, DISPATCH_LIMIT_MS};

/// Firsts and flags of an event's trail that the indicators need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Milestones {
    /// The first `verify` (立案).
    pub verified_at: Option<i64>,
    /// The first `dispatch` or `claim`.
    pub dispatched_at: Option<i64>,
    /// The first `sign`.
    pub signed_at: Option<i64>,
    /// The first `handle`.
    pub handled_at: Option<i64>,
    /// Returned by a department at least once.
    pub returned: bool,
    /// A check failed at least once (rework).
    pub check_failed: bool,
    /// Flagged overdue while waiting to be signed for.
    pub sign_late: bool,
    /// Flagged overdue while being handled.
    pub handle_late: bool,
    /// Flagged overdue at any stage.
    pub ever_late: bool,
}

impl Milestones {
    /// Folds one trail step in: its action, the state it left, and when.
    pub fn note(&mut self, action: &str, from_state: &str, at: i64) {
        let first = |slot: &mut Option<i64>| {
            slot.get_or_insert(at);
        };
        match action {
            "verify" => first(&mut self.verified_at),
            "dispatch" | "claim" => first(&mut self.dispatched_at),
            "sign" => first(&mut self.signed_at),
            "handle" => first(&mut self.handled_at),
            "return" => self.returned = true,
            "check_fail" => self.check_failed = true,
            "overdue" => {
                self.ever_late = true;
                match from_state {
                    "dispatched" => self.sign_late = true,
                    "handling" => self.handle_late = true,
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// The facts of one event the counts are computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventFacts {
    pub state: State,
    pub citizen: bool,
    /// The sweeper's overdue flag as it stands now.
    pub overdue: bool,
    pub rating: Option<i32>,
    pub milestones: Milestones,
    /// Working minutes from the first dispatch to the close, for a closed case.
    pub handling_minutes: Option<i64>,
}

/// What events add to the counts; sums and differences of tallies are tallies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally(pub [i64; Tally::LEN]);

impl Tally {
    pub const LEN: usize = 21;

    /// The column of each entry, in order, as stored in rollups.
    pub const COLUMNS: [&'static str; Tally::LEN] = [
        "reports",
        "citizen_reports",
        "registered",
        "dispatched",
        "dispatched_on_time",
        "dispatched_no_return",
        "returned",
        "signed",
        "signed_on_time",
        "handled",
        "handled_on_time",
        "reworked",
        "closed",
        "closed_on_time",
        "open_overdue",
        "settled",
        "rated",
        "satisfied",
        // Flagged overdue at any stage or now (the trend's 超期).
        "late",
        // Closed cases timed from dispatch to close, and their working minutes.
        "timed",
        "handling_minutes",
    ];

    pub fn plus(mut self, other: &Tally) -> Tally {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
        self
    }

    pub fn minus(mut self, other: &Tally) -> Tally {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a -= b;
        }
        self
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|&v| v == 0)
    }

    fn get(&self, column: &str) -> u64 {
        Tally::COLUMNS
            .iter()
            .position(|c| *c == column)
            .map_or(0, |i| self.0[i].max(0) as u64)
    }

    /// The counts the indicators divide.
    pub fn counts(&self) -> Counts {
        let g = |c| self.get(c);
        Counts {
            reports: g("reports"),
            citizen_reports: g("citizen_reports"),
            registered: g("registered"),
            dispatched: g("dispatched"),
            dispatched_on_time: g("dispatched_on_time"),
            dispatched_no_return: g("dispatched_no_return"),
            returned: g("returned"),
            signed: g("signed"),
            signed_on_time: g("signed_on_time"),
            handled: g("handled"),
            handled_on_time: g("handled_on_time"),
            reworked: g("reworked"),
            closed: g("closed"),
            closed_on_time: g("closed_on_time"),
            open_overdue: g("open_overdue"),
            settled: g("settled"),
            rated: g("rated"),
            satisfied: g("satisfied"),
        }
    }

    /// Overdue at any stage (the trend's figure).
    pub fn late(&self) -> u64 {
        self.get("late")
    }

    /// `(working minutes, closed cases timed)` of the handling time.
    pub fn handling(&self) -> (u64, u64) {
        (self.get("handling_minutes"), self.get("timed"))
    }
}

/// What one event adds to each count (see `indicators` for the definitions).
pub fn tally(f: &EventFacts) -> Tally {
    let m = &f.milestones;
    let closed = f.state == State::Closed;
    let dispatched = m.dispatched_at.is_some();
    let dispatched_on_time = match (m.verified_at, m.dispatched_at) {
        (Some(v), Some(d)) => d - v <= DISPATCH_LIMIT_MS,
        _ => false,
    };
    let timed = closed && dispatched && f.handling_minutes.is_some();
    let flags = [
        true,
        f.citizen,
        m.verified_at.is_some(),
        dispatched,
        dispatched_on_time,
        dispatched && !m.returned,
        dispatched && m.returned,
        m.signed_at.is_some(),
        m.signed_at.is_some() && !m.sign_late,
        m.handled_at.is_some(),
        m.handled_at.is_some() && !m.handle_late,
        m.handled_at.is_some() && m.check_failed,
        closed,
        closed && !m.ever_late,
        f.state.is_open() && f.overdue,
        f.state == State::Settled,
        f.rating.is_some(),
        f.rating.is_some_and(|r| r >= 4),
        m.ever_late || f.overdue,
        timed,
    ];
    let mut t = Tally::default();
    for (slot, flag) in t.0.iter_mut().zip(flags) {
        *slot = i64::from(flag);
    }
    t.0[Tally::LEN - 1] = if timed {
        f.handling_minutes.unwrap_or(0).max(0)
    } else {
        0
    };
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn trail(steps: &[(&str, &str, i64)]) -> Milestones {
        let mut m = Milestones::default();
        for (action, from, at) in steps {
            m.note(action, from, *at);
        }
        m
    }

    fn facts(state: State, m: Milestones) -> EventFacts {
        EventFacts {
            state,
            citizen: false,
            overdue: false,
            rating: None,
            milestones: m,
            handling_minutes: None,
        }
    }

    #[test]
    fn milestones_keep_the_firsts_and_the_stage_of_lateness() {
        let m = trail(&[
            ("report", "", 0),
            ("verify", "reported", H),
            ("dispatch", "registered", 2 * H),
            ("return", "dispatched", 3 * H),
            ("dispatch", "registered", 4 * H),
            ("overdue", "dispatched", 9 * H),
            ("sign", "dispatched", 10 * H),
            ("handle", "handling", 11 * H),
            ("check_fail", "handled", 12 * H),
            ("handle", "handling", 13 * H),
        ]);
        assert_eq!(m.verified_at, Some(H));
        assert_eq!(m.dispatched_at, Some(2 * H), "the first dispatch counts");
        assert_eq!(m.signed_at, Some(10 * H));
        assert_eq!(m.handled_at, Some(11 * H));
        assert!(m.returned && m.check_failed && m.sign_late && m.ever_late);
        assert!(!m.handle_late);
    }

    #[test]
    fn a_closed_case_on_time_and_rated() {
        let m = trail(&[
            ("verify", "reported", 0),
            ("dispatch", "registered", H),
            ("sign", "dispatched", 2 * H),
            ("handle", "handling", 3 * H),
            ("check_pass", "handled", 4 * H),
        ]);
        let f = EventFacts {
            rating: Some(5),
            handling_minutes: Some(180),
            ..facts(State::Closed, m)
        };
        let c = tally(&f).counts();
        let expect = Counts {
            reports: 1,
            registered: 1,
            dispatched: 1,
            dispatched_on_time: 1,
            dispatched_no_return: 1,
            signed: 1,
            signed_on_time: 1,
            handled: 1,
            handled_on_time: 1,
            closed: 1,
            closed_on_time: 1,
            rated: 1,
            satisfied: 1,
            ..Counts::default()
        };
        assert_eq!(c, expect);
        assert_eq!(tally(&f).handling(), (180, 1));
        assert_eq!(tally(&f).late(), 0);
    }

    #[test]
    fn open_overdue_and_late_dispatch() {
        // Verified, dispatched 25 hours later, never signed, flagged overdue.
        let m = trail(&[
            ("verify", "reported", 0),
            ("dispatch", "registered", 25 * H),
            ("overdue", "dispatched", 30 * H),
        ]);
        let f = EventFacts {
            overdue: true,
            ..facts(State::Dispatched, m)
        };
        let t = tally(&f);
        let c = t.counts();
        assert_eq!((c.dispatched, c.dispatched_on_time), (1, 0));
        assert_eq!((c.open_overdue, c.closed), (1, 0));
        assert_eq!(t.late(), 1);
        assert_eq!(t.handling(), (0, 0), "an open case is not timed");
    }

    #[test]
    fn differences_move_a_case_between_counts() {
        let m = trail(&[("verify", "reported", 0), ("dispatch", "registered", H)]);
        let before = tally(&EventFacts {
            overdue: true,
            ..facts(State::Handled, m)
        });
        let after = tally(&EventFacts {
            handling_minutes: Some(60),
            ..facts(State::Closed, m)
        });
        let delta = after.minus(&before);
        let c = Tally::default().plus(&before).plus(&delta);
        assert_eq!(c, after);
        assert_eq!(delta.counts().reports, 0, "still one report");
        assert!(!delta.is_zero());
        assert!(after.minus(&after).is_zero());
        // Negative parts read as 0 in counts, never wrap around.
        assert_eq!(delta.counts().open_overdue, 0);
        assert_eq!(
            delta.0[Tally::COLUMNS
                .iter()
                .position(|c| *c == "open_overdue")
                .unwrap()],
            -1
        );
    }

    #[test]
    fn settled_and_citizen_reports() {
        let f = EventFacts {
            citizen: true,
            ..facts(State::Settled, Milestones::default())
        };
        let c = tally(&f).counts();
        assert_eq!((c.reports, c.citizen_reports, c.settled), (1, 1, 1));
        assert_eq!(c.registered, 0);
    }
}
