//! The course an event takes: the shares of its outcomes (closed through the whole loop,
//! settled on the spot, declined, merged, suspended, stuck past its deadline), the detours
//! on the way (returned, claimed, escalated, supervised, extended, reworked, late) and how
//! long each step takes, in working time for the command center and departments.

use wangge_domain::case::{Action, State};
use wangge_domain::catalog::CatalogItem;
use wangge_domain::date::{local_date, local_midnight_ms};

use super::story::Story;
use super::texts;
use super::{History, PlannedStep, Who};
use crate::rng::Rng;

/// The kind of story an event has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// The whole loop, with the detours drawn on the way.
    Loop,
    /// Settled on the spot by the grid worker (小事不出格).
    Settled,
    Declined,
    /// A duplicate of an earlier event.
    Merged,
    /// Put on hold while handled; `forever`: not resumed yet.
    Suspended {
        forever: bool,
    },
    /// The plain loop, stopped in this state (the newest events of a history).
    StopAt(State),
    /// Signed for but not handled, long past its deadline.
    LateHandling,
    /// Dispatched but never signed for.
    LateSigning,
}

/// Stories every history of at least [`FORCED_FROM`] events has, so that each screen (each
/// state, the overdue list, the suspended cases) has something to show even for a small
/// district. Counted from the newest event back, or as a share of the history.
const FORCED_FROM: u64 = 20;

pub(super) fn forced(n: u64, total: u64) -> Option<Kind> {
    if total < FORCED_FROM || n >= total {
        return None;
    }
    let stop = [
        State::Reported,
        State::Registered,
        State::Dispatched,
        State::Handling,
        State::Handled,
    ];
    if let Some(&state) = stop.get((total - 1 - n) as usize) {
        return Some(Kind::StopAt(state));
    }
    let at = |num: u64, den: u64| n == total * num / den;
    if at(1, 3) {
        Some(Kind::Settled)
    } else if at(1, 2) {
        Some(Kind::Declined)
    } else if n == total / 2 + 1 {
        Some(Kind::Merged)
    } else if at(3, 4) {
        Some(Kind::Suspended { forever: true })
    } else if at(4, 5) {
        Some(Kind::LateHandling)
    } else if at(9, 10) {
        Some(Kind::LateSigning)
    } else {
        None
    }
}

/// The shares of the outcomes: about 15 % settled on the spot, a few declined or merged,
/// one in two hundred left long past its deadline, most through the loop. With the late ones
/// among the recent, a 9,280-event history has about 150 open overdue cases, the order of
/// Shifeng's backlog of 93.
pub(super) fn draw_kind(rng: &mut Rng) -> Kind {
    let r = rng.unit();
    if r < 0.15 {
        Kind::Settled
    } else if r < 0.19 {
        Kind::Declined
    } else if r < 0.22 {
        Kind::Merged
    } else if r < 0.235 {
        Kind::Suspended {
            forever: rng.chance(0.3),
        }
    } else if r < 0.24 {
        Kind::LateHandling
    } else if r < 0.241 {
        Kind::LateSigning
    } else {
        Kind::Loop
    }
}

/// What a story is about.
pub(super) struct Setting<'h> {
    pub history: &'h History,
    pub item: &'h CatalogItem,
    pub urgent: bool,
    pub reporter: &'h Who,
    pub reported_at: i64,
    pub index: u64,
    pub duplicate_of: Option<u64>,
}

/// The steps after the report, before the history's "now", and the rating's comment.
pub(super) struct Plot {
    pub steps: Vec<PlannedStep>,
    pub comment: Option<String>,
}

/// Steps between signing and the result, at a share of the handling limit.
enum Mark {
    Progress,
    Extension,
    Supervise,
    /// Supervision once the deadline has passed.
    SuperviseLate,
}

struct Plotter<'h, 'r> {
    s: Setting<'h>,
    rng: &'r mut Rng,
    /// The results and on-the-spot results that fit the item.
    results: Vec<&'static str>,
    settles: Vec<&'static str>,
    /// The catalog's co-departments that the district has.
    co: Vec<String>,
    story: Story<'h>,
    /// Something went badly (late, reworked): ratings drop.
    troubled: bool,
    /// The plain loop, without detours.
    plain: bool,
    comment: Option<String>,
}

pub(super) fn plot(s: Setting<'_>, rng: &mut Rng, kind: Kind) -> Plot {
    let h = s.history;
    let co = s
        .item
        .co
        .iter()
        .filter(|c| h.dept(c).is_some())
        .cloned()
        .collect();
    let story = Story::new(
        &h.calendar,
        s.reporter.clone(),
        s.item.claimable,
        s.reported_at,
    );
    let words = texts::category(&s.item.category);
    let mut p = Plotter {
        results: texts::fitting(words.results, &s.item.name),
        settles: texts::fitting(words.settles, &s.item.name),
        s,
        rng,
        co,
        story,
        troubled: false,
        plain: matches!(kind, Kind::StopAt(_)),
        comment: None,
    };
    match kind {
        Kind::Settled => p.settle(),
        Kind::Declined => {
            let at = p.story.work(p.rng.range(10, 240).into());
            let step = p.center(Action::Decline, texts::DECLINE);
            p.take(at, step);
        }
        Kind::Merged => {
            let at = p.story.work(p.rng.range(5, 120).into());
            let mut step = p.center(Action::Merge, &[""]);
            step.duplicate_of = p.s.duplicate_of;
            p.take(at, step);
        }
        _ => p.run_loop(kind),
    }
    let now = p.s.history.cfg.now_ms;
    let mut steps = std::mem::take(&mut p.story.steps);
    if let Kind::StopAt(state) = kind {
        let keep = match state {
            State::Reported => 0,
            _ => p
                .story
                .states
                .iter()
                .position(|&s| s == state)
                .map_or(steps.len(), |i| i + 1),
        };
        steps.truncate(keep);
        squeeze(&mut steps, p.s.reported_at, now);
    }
    // Only what has happened by now.
    steps.retain(|step| step.at < now);
    let rated = steps.iter().any(|step| step.action == Action::Rate);
    Plot {
        steps,
        comment: p.comment.filter(|_| rated),
    }
}

/// Moves steps planned after `now` closer to the report so they all fit before `now`,
/// keeping their order and proportions.
fn squeeze(steps: &mut [PlannedStep], from: i64, now: i64) {
    let Some(last) = steps.last().map(|s| s.at) else {
        return;
    };
    let room = now - 60_000 - from;
    if last < now || room <= 0 || last <= from {
        return;
    }
    for s in steps.iter_mut() {
        s.at = from + ((s.at - from) as i128 * i128::from(room) / i128::from(last - from)) as i64;
    }
}

impl Plotter<'_, '_> {
    fn take(&mut self, at: i64, step: PlannedStep) -> bool {
        self.story.take(at, step, &self.co)
    }

    fn pick(&mut self, phrases: &[&'static str]) -> &'static str {
        self.rng.pick(phrases)
    }

    /// A step by the command center with one of the phrases as its note.
    fn center(&mut self, action: Action, phrases: &[&'static str]) -> PlannedStep {
        let note = self.pick(phrases);
        PlannedStep::new(action, Who::Center).note(note)
    }

    /// A step by the handler of the department now leading the case, with one of the
    /// phrases as its note.
    fn handler_step(&mut self, action: Action, phrases: &[&'static str]) -> Option<PlannedStep> {
        let note = self.pick(phrases);
        self.handler_note(action, note)
    }

    fn handler_note(&self, action: Action, note: &str) -> Option<PlannedStep> {
        let lead = self.story.lead()?;
        Some(PlannedStep::new(action, self.s.history.handler(lead, self.s.index)).note(note))
    }

    /// A department's result that fits the item.
    fn result(&mut self) -> Option<PlannedStep> {
        let note = self.rng.pick(&self.results);
        self.handler_note(Action::Handle, note)
    }

    fn chance(&mut self, p: f64) -> bool {
        !self.plain && self.rng.chance(p)
    }

    /// Working minutes allowed to sign for the case (the store's rule: the catalog's
    /// limit, halved again for an urgent report).
    fn sign_minutes(&self) -> i64 {
        self.urgent_cut(i64::from(self.s.item.effective_limits().sign_minutes))
    }

    fn handle_minutes(&self) -> i64 {
        let per_day = self.s.history.calendar.working_minutes_per_day();
        self.urgent_cut(i64::from(self.s.item.effective_limits().handle_days) * per_day)
    }

    fn urgent_cut(&self, minutes: i64) -> i64 {
        if self.s.urgent {
            (minutes / 2).max(30)
        } else {
            minutes
        }
    }

    /// The instant a share `f` of `limit` working minutes after `start` is used.
    fn at_share(&self, start: i64, limit: i64, f: f64) -> i64 {
        let minutes = (limit as f64 * f).min(1e9) as i64;
        self.s.history.calendar.add_working_minutes(start, minutes)
    }

    fn run_loop(&mut self, kind: Kind) {
        let at = self.story.work(self.rng.range(5, 150).into());
        let step = self.center(Action::Verify, texts::VERIFY);
        if !self.take(at, step) {
            return;
        }
        // A few cases are beyond the community from the start.
        if self.chance(0.01) {
            let at = self.story.work(self.rng.range(30, 240).into());
            if !self.escalate(at) {
                return;
            }
        }
        if !self.dispatch() {
            return;
        }
        if kind == Kind::LateSigning {
            let start = self.story.t;
            let share = self.rng.between(1.1, 1.6);
            let at = self.at_share(start, self.sign_minutes(), share);
            let step = self.supervisor(texts::SUPERVISE_LATE);
            self.take(at, step);
            return;
        }
        if !self.sign() {
            return;
        }
        self.handle(kind, true);
        if self.story.state != State::Handled {
            return;
        }
        self.check();
        if self.story.state == State::Closed {
            self.rate();
        }
    }

    /// Escalates the case at `at`, then the level above dispatches it again.
    fn escalate(&mut self, at: i64) -> bool {
        let step = self.center(Action::Escalate, texts::ESCALATE);
        self.take(at, step)
    }

    /// Dispatch by the command center (now and then first to the wrong department, which
    /// returns it), or a claim from the pool by the lead department.
    fn dispatch(&mut self) -> bool {
        let lead = self.s.item.lead.clone();
        let h = self.s.history;
        if self.s.item.claimable && self.chance(0.5) {
            let mut claim = PlannedStep::new(Action::Claim, h.handler(&lead, self.s.index));
            claim.department = Some(lead);
            let at = self.story.work(self.rng.range(30, 480).into());
            return self.take(at, claim);
        }
        if self.chance(0.05) {
            let other = &h.depts[self.rng.below(h.depts.len() as u32) as usize].code;
            if *other != lead {
                let mut wrong = self.center(Action::Dispatch, texts::DISPATCH);
                wrong.department = Some(other.clone());
                wrong.co_departments = Some(Vec::new());
                let at = self.story.work(self.rng.range(5, 90).into());
                if !self.take(at, wrong) {
                    return false;
                }
                let at = self.story.work(self.rng.range(30, 300).into());
                let Some(back) = self.handler_step(Action::Return, texts::RETURN) else {
                    return false;
                };
                if !self.take(at, back) {
                    return false;
                }
            }
        }
        let mut step = self.center(Action::Dispatch, texts::DISPATCH);
        step.department = Some(lead);
        let at = self.story.work(self.rng.range(5, 90).into());
        self.take(at, step)
    }

    /// Supervision by the command center or, now and then, a leader.
    fn supervisor(&mut self, phrases: &[&'static str]) -> PlannedStep {
        let who = if self.rng.chance(0.3) {
            Who::Leader
        } else {
            Who::Center
        };
        let note = self.pick(phrases);
        PlannedStep::new(Action::Supervise, who).note(note)
    }

    /// The lead department signs for the case, mostly well within the limit.
    fn sign(&mut self) -> bool {
        let (start, limit) = (self.story.t, self.sign_minutes());
        let late = self.chance(0.04);
        let f = if late {
            self.rng.between(1.1, 2.5)
        } else {
            self.rng.between(0.05, 0.7)
        };
        if late && f > 1.2 && self.rng.chance(0.5) {
            let share = self.rng.between(1.05, f - 0.1);
            let at = self.at_share(start, limit, share);
            let step = self.supervisor(texts::SUPERVISE_LATE);
            self.take(at, step);
        }
        self.troubled |= late;
        let at = self.at_share(start, limit, f);
        match self.handler_step(Action::Sign, &[""]) {
            Some(step) => self.take(at, step),
            None => false,
        }
    }

    /// Handling up to the result: progress notes, an extension asked for, supervision, a
    /// pause (suspension) or an escalation on the way.
    fn handle(&mut self, kind: Kind, may_escalate: bool) {
        let (start, mut limit) = (self.story.t, self.handle_minutes());
        let r = self.rng.unit();
        // Share of the limit used when the result comes in.
        let f = match kind {
            Kind::LateHandling => 1e4,
            _ if self.plain || r < 0.85 => self.rng.between(0.15, 0.9),
            _ if r < 0.95 => self.rng.between(1.05, 1.8),
            _ => self.rng.between(2.0, 4.0),
        };
        self.troubled |= f > 1.0;
        let before = f.min(1.0);
        if let Kind::Suspended { forever } = kind {
            self.suspend(start, limit, f, forever);
            return;
        }
        if may_escalate && self.chance(0.015) {
            let at = self.at_share(start, limit, 0.2 * before);
            if self.escalate(at) && self.dispatch() && self.sign() {
                self.handle(Kind::Loop, false);
            }
            return;
        }
        let mut marks: Vec<(f64, Mark)> = Vec::new();
        for _ in 0..self.rng.below(3) {
            marks.push((self.rng.between(0.05, 0.8) * before, Mark::Progress));
        }
        if f > 0.5 && self.chance(0.05) {
            marks.push((self.rng.between(0.4, 0.7) * before, Mark::Extension));
        }
        if self.chance(0.02) {
            marks.push((self.rng.between(0.3, 0.7) * before, Mark::Supervise));
        }
        if f > 1.1 && self.rng.chance(0.7) {
            let late = self.rng.between(1.02, (f - 0.05).min(1.3));
            marks.push((late, Mark::SuperviseLate));
        }
        marks.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (share, mark) in marks {
            let at = self.at_share(start, limit, share);
            match mark {
                Mark::Progress => {
                    if let Some(step) = self.handler_step(Action::Progress, texts::PROGRESS) {
                        self.take(at, step);
                    }
                }
                Mark::Extension => limit += self.extension(at),
                Mark::Supervise => {
                    let step = self.supervisor(texts::SUPERVISE);
                    self.take(at, step);
                }
                Mark::SuperviseLate => {
                    let step = self.supervisor(texts::SUPERVISE_LATE);
                    self.take(at, step);
                }
            }
        }
        let at = self.at_share(start, limit, f);
        if let Some(step) = self.result() {
            self.take(at, step);
        }
    }

    /// An extension asked for at `at` and decided by the command center; the working
    /// minutes it adds.
    fn extension(&mut self, at: i64) -> i64 {
        let days = self.rng.range(2, 5) as i32;
        let Some(mut ask) = self.handler_step(Action::RequestExtension, texts::EXTENSION) else {
            return 0;
        };
        ask.days = Some(days);
        if !self.take(at, ask) {
            return 0;
        }
        let at = self.story.work(self.rng.range(30, 240).into());
        if self.rng.chance(0.75) {
            let step = self.center(Action::ApproveExtension, texts::APPROVE);
            if self.take(at, step) {
                return i64::from(days) * self.s.history.calendar.working_minutes_per_day();
            }
        } else {
            let step = self.center(Action::RejectExtension, texts::REJECT);
            self.take(at, step);
        }
        0
    }

    /// Put on hold part way through handling, with a day to look again; resumed that
    /// morning unless `forever`, then finished.
    fn suspend(&mut self, start: i64, limit: i64, f: f64, forever: bool) {
        let used = 0.3 * f.min(1.0);
        let at = self.at_share(start, limit, used);
        let review = local_date(at).add_days(self.rng.range(10, 40).into());
        let mut step = self.center(Action::Suspend, texts::SUSPEND);
        step.review_date = Some(review);
        if !self.take(at, step) || forever {
            return;
        }
        let morning = local_midnight_ms(review) + 9 * 3_600_000;
        let step = self.center(Action::Resume, &[""]);
        if !self.take(morning, step) {
            return;
        }
        let at = self.at_share(self.story.t, limit, (f - used).max(0.1));
        if let Some(step) = self.result() {
            self.take(at, step);
        }
    }

    /// The check of the result by the reporting grid worker or the command center; now and
    /// then it fails and the department redoes the work.
    fn check(&mut self) {
        let checker = if *self.s.reporter == Who::GridWorker && self.rng.chance(0.4) {
            Who::GridWorker
        } else {
            Who::Center
        };
        if self.chance(0.05) {
            let note = self.pick(texts::CHECK_FAIL);
            let fail = PlannedStep::new(Action::CheckFail, checker.clone()).note(note);
            let at = self.story.work(self.rng.range(30, 480).into());
            if !self.take(at, fail) {
                return;
            }
            self.troubled = true;
            let share = self.rng.between(0.1, 0.6);
            let at = self.at_share(self.story.t, self.handle_minutes(), share);
            let Some(step) = self.result() else {
                return;
            };
            if !self.take(at, step) {
                return;
            }
        }
        let note = self.pick(texts::CHECK_PASS);
        let pass = PlannedStep::new(Action::CheckPass, checker).note(note);
        let at = self.story.work(self.rng.range(30, 480).into());
        self.take(at, pass);
    }

    /// Settled on the spot by the grid worker; the command center calls back now and then.
    fn settle(&mut self) {
        let note = self.rng.pick(&self.settles);
        let step = PlannedStep::new(Action::Settle, Who::GridWorker).note(note);
        let at = self.story.wall(self.rng.range(5, 90).into());
        if self.take(at, step) && self.rng.chance(0.3) {
            self.rate_by(Who::Center);
        }
    }

    /// Most closed cases are rated: by the citizen who reported, or on the command
    /// center's call back (回访).
    fn rate(&mut self) {
        if !self.rng.chance(0.85) {
            return;
        }
        let who = match self.s.reporter {
            Who::Citizen(name) if self.rng.chance(0.7) => Who::Citizen(name.clone()),
            _ => Who::Center,
        };
        self.rate_by(who);
    }

    fn rate_by(&mut self, who: Who) {
        // Cumulative shares of 5, 4, 3 and 2 points; the rest is 1.
        let shares = if self.troubled {
            [0.25, 0.6, 0.82, 0.93]
        } else {
            [0.55, 0.87, 0.96, 0.985]
        };
        let r = self.rng.unit();
        let score = 5 - shares.iter().take_while(|&&s| r >= s).count() as u8;
        let comment = (score <= 2 || self.rng.chance(0.5)).then(|| texts::comment(self.rng, score));
        let mut step = PlannedStep::new(Action::Rate, who).note(comment.unwrap_or(""));
        step.score = Some(score);
        let at = self.story.wall(self.rng.range(60, 2880).into());
        if self.take(at, step) {
            self.comment = comment.map(str::to_owned);
        }
    }
}
