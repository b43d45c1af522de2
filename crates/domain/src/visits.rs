//! The visit-rule engine (走访规则): which households a grid worker owes a visit, by when
//! and how overdue, and how well a grid, community or street kept its visits over a month
//! or a half year. Pure: subjects, their visit dates and today's date are passed in.
//!
//! # Semantics
//! - **Subjects** are households (or any place a worker visits). A subject carries the
//!   tags of its members, each with the date it was recorded, the grids it belonged to
//!   (`from` up to, not including, `until`), and the Shanghai dates of its visits.
//! - **Rules** ([`Rule`]) name a target (every household, the key-person group, or tags),
//!   an [`Interval`] and a grace in days. Calendar periods: a day, an ISO week (Monday to
//!   Sunday), a calendar month, a half year (January–June, July–December). A rolling
//!   `EveryDays(n)` period is the `n` days after the last visit.
//! - **Owed.** A period is owed when, on its last day (or today, while it runs), the
//!   subject belongs to some grid and carries a tag of the rule (recorded on or before
//!   that day). So a household that arrives mid-month owes that month; one that leaves
//!   before a month ends does not owe it; a newly tagged key person owes from the month
//!   of the tag.
//! - **Grace and lateness.** A visit serves the period it falls in. A period with no visit
//!   of its own is made up, *late*, by a visit in the `grace` days after its end, provided
//!   the next period has a visit on another day too (so one visit never serves two
//!   periods, and one missed period does not push every later visit back into the grace
//!   of the one before). So a period made up in its grace shows as late once its
//!   successor has its own visit, which may come after the due-by date. A period's
//!   **due-by** date is its last day plus the grace; until then it is not overdue, and
//!   while the grace runs the worker's list shows the period before rather than the new
//!   one. A rolling period is served by the first visit up to
//!   its due-by date (late after its last day), and the next starts the day after.
//! - **Overdue.** A period with no visit by its due-by date is *missed*. A subject's
//!   [`Due::overdue_days`] counts from the due-by date of the first period of the run of
//!   missed periods just before the open one; a visit in the open period ends the run.
//! - **Moves.** Visits belong to the subject, not to a grid: after a move to another grid
//!   (the old membership ends the day the new one starts), earlier visits still count for
//!   the running period, and the subject is due to the new grid's worker from the move
//!   date. In coverage each period counts for the grid the subject belonged to on its last
//!   day (or today, while it runs).
//! - **Worker lists** ([`worker_list`]) hold, for each subject of a region, its most urgent
//!   undone period among the rules: listed when it is overdue or its due-by date falls
//!   within the horizon (today, or this week up to Sunday). Order: most overdue first, then
//!   the earliest due-by date, then building, room and household id.
//! - **Coverage** ([`coverage`]) counts the owed periods that end within a window and have
//!   begun by today: on time, late, missed, or pending (not visited, due-by still ahead).
//!   So a month's coverage counts each month of a monthly rule, the weeks ending in it of a
//!   weekly rule, and a half-year rule only in June and December.

mod coverage;
mod periods;
mod rule;

#[cfg(test)]
mod tests;

use std::cmp::Reverse;

pub use coverage::{Coverage, Tally, Window, coverage, coverage_by_grid, never_visited, roll_up};
pub use rule::{Interval, MAX_RULES, Rule, RuleError, RuleSet, TagSet, Target};

use crate::date::Date;
use crate::population::TagKind;
use periods::{Clock, Day, Obligation, Outcome, Rolling, Span, date, day};

/// A tag a subject carries and the day it was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    pub kind: TagKind,
    pub since: Date,
}

/// A stretch of days a subject belongs to a grid: from `from` up to, not including,
/// `until` (`None`: still there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership<'a> {
    pub grid: &'a str,
    pub from: Date,
    pub until: Option<Date>,
}

/// One household as the engine sees it. Every field is borrowed, so a caller can lay out
/// millions over a few flat arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject<'a> {
    pub id: i64,
    /// Building code (19 digits) and room, to order a worker's list as a walk.
    pub building: &'a str,
    pub room: &'a str,
    pub tags: &'a [Tag],
    /// The grids it belonged to, not overlapping, in any order.
    pub memberships: &'a [Membership<'a>],
    /// Dates of its visits, oldest first; a date may repeat.
    pub visits: &'a [Date],
}

impl<'a> Subject<'a> {
    /// The grid the subject belongs to on `day`.
    pub fn grid_at(&self, day: Date) -> Option<&'a str> {
        grid_at(self.memberships, day)
    }

    /// The visits on or before `today`.
    fn visits_until(&self, today: Date) -> &'a [Date] {
        &self.visits[..self.visits.partition_point(|v| *v <= today)]
    }
}

fn grid_at<'a>(memberships: &[Membership<'a>], day: Date) -> Option<&'a str> {
    memberships
        .iter()
        .find(|m| m.from <= day && m.until.is_none_or(|u| day < u))
        .map(|m| m.grid)
}

/// Earlier than any date a rule or subject names.
const EVER: Date = Date {
    year: i32::MIN,
    month: 1,
    day: 1,
};

/// The day from which `rule` applies to a subject with `tags`: the earliest date of a
/// matching tag, or always for a rule over every household; `None` when no tag matches.
fn applies_since(rule: &Rule, tags: &[Tag]) -> Option<Date> {
    match rule.target().tags() {
        None => Some(EVER),
        Some(set) => tags
            .iter()
            .filter(|t| set.contains(t.kind))
            .map(|t| t.since)
            .min(),
    }
}

/// A subject's open period under one rule, as of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// The rule's index in its [`RuleSet`].
    pub rule: usize,
    /// The period: its first day, and the day after its last.
    pub from: Date,
    pub to: Date,
    /// The last day a visit counts for the period: its last day plus the grace.
    pub due_by: Date,
    /// The period has its visit: nothing is owed until the next one. Never set for a
    /// rolling rule, whose next period starts the day after a visit.
    pub done: bool,
    /// The period has ended and its grace runs: a visit now counts for it, late.
    pub in_grace: bool,
    /// Owed periods missed in a row just before this one.
    pub missed: u32,
    /// Days since the first of those missed periods passed its due-by date; 0 when none.
    pub overdue_days: u32,
    /// The latest visit on or before the day asked about.
    pub last_visit: Option<Date>,
}

impl Due {
    /// Days from `today` to the due-by date (0 on it).
    pub fn days_left(&self, today: Date) -> i64 {
        day(self.due_by) - day(today)
    }

    /// Sort key: most overdue first, then the earliest due-by date.
    fn urgency(&self) -> (Reverse<u32>, Date) {
        (Reverse(self.overdue_days), self.due_by)
    }
}

/// The rules around one day, with each rule's current and previous period worked out
/// once: ask it for many subjects' open periods.
#[derive(Debug)]
pub struct Agenda<'r> {
    rules: &'r RuleSet,
    today: Date,
    clocks: Vec<Clock>,
}

impl<'r> Agenda<'r> {
    pub fn new(rules: &'r RuleSet, today: Date) -> Agenda<'r> {
        Agenda {
            rules,
            today,
            clocks: rules.rules().iter().map(|r| Clock::new(r, today)).collect(),
        }
    }

    pub fn today(&self) -> Date {
        self.today
    }

    /// Each rule's open period for `subject`, for the rules that apply to it; nothing
    /// when the subject belongs to no grid today.
    pub fn due<'s>(&'s self, subject: &Subject<'s>) -> impl Iterator<Item = Due> + use<'s, 'r> {
        let subject = *subject;
        let visits = subject.visits_until(self.today);
        (0..self.clocks.len()).filter_map(move |i| self.due_under(i, &subject, visits, true))
    }

    /// The open period under rule `index`; with `shortcut` off a rolling walk starts at
    /// the subject's first period (for tests).
    fn due_under(
        &self,
        index: usize,
        subject: &Subject<'_>,
        visits: &[Date],
        shortcut: bool,
    ) -> Option<Due> {
        let clock = &self.clocks[index];
        subject.grid_at(clock.today_date)?;
        let ob = Obligation::new(clock, &self.rules.rules()[index], subject, visits)?;
        let t = clock.today;
        // (from, to, due_by), done, and the missed run before.
        let (dates, span, done, (missed, missed_since)) =
            if let Interval::EveryDays(n) = clock.interval {
                let mut walk = Rolling::new(&ob, n, t, shortcut);
                walk.run(Day::MAX, &mut |_, _| {});
                let s = walk.span;
                let dates = (date(s.from), date(s.to), date(clock.due_by(s)));
                (dates, s, false, (walk.missed, walk.missed_since))
            } else {
                let (now, before) = (&clock.now, &clock.before);
                // The period before, in its grace and not yet visited, comes first.
                let open = if ob.owed(before) && ob.outcome(before) == Outcome::Pending {
                    before
                } else {
                    now
                };
                let done = open == now && visits.last().is_some_and(|v| *v >= now.from);
                let missed = if done {
                    (0, 0)
                } else {
                    missed_before(&ob, open.span)
                };
                let dates = (open.from, open.to, open.due_by_date);
                (dates, open.span, done, missed)
            };
        Some(Due {
            rule: index,
            from: dates.0,
            to: dates.1,
            due_by: dates.2,
            done,
            in_grace: !done && span.to <= t,
            missed,
            overdue_days: if missed > 0 {
                u32::try_from(t - missed_since).unwrap_or(u32::MAX)
            } else {
                0
            },
            last_visit: visits.last().copied(),
        })
    }
}

/// Each rule's open period for `subject` on `today`; [`Agenda`] does the same for many
/// subjects without working out the periods again.
pub fn due(rules: &RuleSet, subject: &Subject<'_>, today: Date) -> Vec<Due> {
    Agenda::new(rules, today).due(subject).collect()
}

/// The owed calendar periods missed in a row just before `open`, and the due-by date of
/// the first of them.
fn missed_before(ob: &Obligation<'_, '_>, open: Span) -> (u32, Day) {
    let (mut missed, mut since) = (0, 0);
    let mut span = ob.clock.interval.span_before(open);
    loop {
        let period = ob.clock.period(span);
        if !ob.owed(&period) || ob.outcome(&period) != Outcome::Missed {
            return (missed, since);
        }
        missed += 1;
        since = period.due_by;
        span = ob.clock.interval.span_before(span);
    }
}

/// How far ahead a worker's list looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Horizon {
    /// Visits due by today, and the overdue.
    Today,
    /// Visits due by this Sunday, and the overdue.
    ThisWeek,
}

impl Horizon {
    /// The last due-by date the list takes.
    pub fn last_day(self, today: Date) -> Date {
        match self {
            Horizon::Today => today,
            Horizon::ThisWeek => today.add_days(7 - i64::from(today.weekday())),
        }
    }
}

/// A set of rule indexes (a [`RuleSet`] has at most [`MAX_RULES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuleMask(pub u64);

impl RuleMask {
    pub fn contains(self, rule: usize) -> bool {
        rule < 64 && self.0 >> rule & 1 == 1
    }

    /// The indexes, smallest first.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..64).filter(move |&i| self.contains(i))
    }
}

/// One line of a worker's list: a subject with a visit due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkItem<'a> {
    /// The subject's index in the slice given to [`worker_list`].
    pub subject: usize,
    /// The grid it belongs to today.
    pub grid: &'a str,
    /// Its most urgent open period.
    pub due: Due,
    /// Every rule with a period due within the horizon; one visit serves them all.
    pub rules: RuleMask,
}

/// The visits due within `horizon` for the subjects that belong today to a grid under
/// `region` (a grid's code, or a community's or street's prefix), most urgent first; see
/// the module notes for the order.
pub fn worker_list<'a>(
    rules: &RuleSet,
    subjects: &[Subject<'a>],
    region: &str,
    today: Date,
    horizon: Horizon,
) -> Vec<WorkItem<'a>> {
    let agenda = Agenda::new(rules, today);
    let last_day = horizon.last_day(today);
    let mut items = Vec::new();
    for (i, subject) in subjects.iter().enumerate() {
        let Some(grid) = subject.grid_at(today).filter(|g| g.starts_with(region)) else {
            continue;
        };
        let mut most: Option<Due> = None;
        let mut mask = 0u64;
        for due in agenda.due(subject) {
            if due.done || (due.overdue_days == 0 && due.due_by > last_day) {
                continue;
            }
            mask |= 1 << due.rule;
            if most.is_none_or(|m| due.urgency() < m.urgency()) {
                most = Some(due);
            }
        }
        if let Some(due) = most {
            items.push(WorkItem {
                subject: i,
                grid,
                due,
                rules: RuleMask(mask),
            });
        }
    }
    items.sort_by(|a, b| {
        let (sa, sb) = (&subjects[a.subject], &subjects[b.subject]);
        (a.due.urgency(), sa.building, sa.room, sa.id).cmp(&(
            b.due.urgency(),
            sb.building,
            sb.room,
            sb.id,
        ))
    });
    items
}
