//! Coverage (走访覆盖): for each grid, community or street, how many owed visits of a
//! month or half year were done on time, late or not at all, and the households never
//! visited. Periods count for the grid a subject belonged to on their last day.

use std::collections::BTreeMap;

use super::periods::{Clock, Day, Obligation, Outcome, Period, Rolling, Span, date, day};
use super::rule::{Interval, RuleSet};
use super::{Subject, grid_at};
use crate::date::Date;
use crate::region::Level;

/// A range of days to count over: `from` up to, not including, `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Date,
    pub to: Date,
}

impl Window {
    /// `None` unless `from` is before `to`.
    pub fn new(from: Date, to: Date) -> Option<Window> {
        (from < to).then_some(Window { from, to })
    }

    /// The period of `interval` holding `day` (for a rolling interval, the `n` days from
    /// `day`).
    pub fn of(interval: Interval, day: Date) -> Window {
        let s = interval.span_containing(super::periods::day(day));
        Window {
            from: date(s.from),
            to: date(s.to),
        }
    }

    /// The calendar month holding `day`.
    pub fn month(day: Date) -> Window {
        Window::of(Interval::Monthly, day)
    }

    /// The half year (January–June or July–December) holding `day`.
    pub fn half_year(day: Date) -> Window {
        Window::of(Interval::HalfYear, day)
    }
}

/// Owed periods by how they went. `due` is the sum of the other four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub due: u32,
    /// Visited within the period.
    pub on_time: u32,
    /// Visited in the grace after it.
    pub late: u32,
    /// Not visited by the due-by date.
    pub missed: u32,
    /// Not visited yet, with the due-by date still ahead.
    pub pending: u32,
}

impl Tally {
    pub(super) fn count(&mut self, outcome: Outcome) {
        self.due += 1;
        *match outcome {
            Outcome::OnTime => &mut self.on_time,
            Outcome::Late => &mut self.late,
            Outcome::Missed => &mut self.missed,
            Outcome::Pending => &mut self.pending,
        } += 1;
    }

    pub fn add(&mut self, other: &Tally) {
        self.due += other.due;
        self.on_time += other.on_time;
        self.late += other.late;
        self.missed += other.missed;
        self.pending += other.pending;
    }

    /// The share of due periods visited on time; `None` when none was due.
    pub fn on_time_share(&self) -> Option<f64> {
        (self.due > 0).then(|| f64::from(self.on_time) / f64::from(self.due))
    }

    /// The share of due periods visited at all (on time or late).
    pub fn done_share(&self) -> Option<f64> {
        (self.due > 0).then(|| f64::from(self.on_time + self.late) / f64::from(self.due))
    }
}

/// The coverage of one region over one window, as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    /// All rules together.
    pub total: Tally,
    /// One tally per rule, in the rule set's order.
    pub by_rule: Vec<Tally>,
    /// Subjects that belong to the region today.
    pub households: u32,
    /// Of those, the ones with no visit on record at all.
    pub never_visited: u32,
}

impl Coverage {
    fn new(rules: usize) -> Coverage {
        Coverage {
            by_rule: vec![Tally::default(); rules],
            ..Coverage::default()
        }
    }

    /// Adds another region's coverage (of the same rule set) to this one.
    pub fn add(&mut self, other: &Coverage) {
        self.total.add(&other.total);
        if self.by_rule.len() < other.by_rule.len() {
            self.by_rule.resize(other.by_rule.len(), Tally::default());
        }
        for (mine, theirs) in self.by_rule.iter_mut().zip(&other.by_rule) {
            mine.add(theirs);
        }
        self.households += other.households;
        self.never_visited += other.never_visited;
    }

    fn count(&mut self, event: Event) {
        match event {
            Event::Household { never_visited } => {
                self.households += 1;
                self.never_visited += u32::from(never_visited);
            }
            Event::Period { rule, outcome } => {
                self.total.count(outcome);
                self.by_rule[rule].count(outcome);
            }
        }
    }
}

/// What one subject adds to its grid's coverage.
#[derive(Debug, Clone, Copy)]
enum Event {
    Household { never_visited: bool },
    Period { rule: usize, outcome: Outcome },
}

/// The coverage over `window`, as of `today`, of the subjects in grids under `region` (a
/// grid's code, or a community's or street's prefix).
pub fn coverage(
    rules: &RuleSet,
    subjects: &[Subject<'_>],
    region: &str,
    window: Window,
    today: Date,
) -> Coverage {
    let plan = Plan::new(rules, window, today);
    let mut total = Coverage::new(rules.len());
    for subject in subjects {
        plan.count(subject, &mut |grid, event| {
            if grid.starts_with(region) {
                total.count(event);
            }
        });
    }
    total
}

/// The coverage of every grid at once, by grid code; [`roll_up`] sums it to communities
/// and streets.
pub fn coverage_by_grid<'a>(
    rules: &RuleSet,
    subjects: &[Subject<'a>],
    window: Window,
    today: Date,
) -> BTreeMap<&'a str, Coverage> {
    let plan = Plan::new(rules, window, today);
    let mut by_grid: BTreeMap<&str, Coverage> = BTreeMap::new();
    // Subjects mostly come grid by grid: count into the last grid's coverage, and look
    // the map up only when the grid changes.
    let mut current: Option<(&str, Coverage)> = None;
    for subject in subjects {
        plan.count(subject, &mut |grid, event| match &mut current {
            Some((g, c)) if *g == grid => c.count(event),
            _ => {
                if let Some((g, c)) = current.take() {
                    by_grid.entry(g).or_default().add(&c);
                }
                let mut c = Coverage::new(rules.len());
                c.count(event);
                current = Some((grid, c));
            }
        });
    }
    if let Some((g, c)) = current {
        by_grid.entry(g).or_default().add(&c);
    }
    by_grid
}

/// Sums grids' coverage to the regions of `level` above them (a code's prefix).
pub fn roll_up<'a>(
    by_grid: &BTreeMap<&'a str, Coverage>,
    level: Level,
) -> BTreeMap<&'a str, Coverage> {
    let mut out: BTreeMap<&str, Coverage> = BTreeMap::new();
    for (grid, c) in by_grid {
        let region = grid.get(..level.code_len()).unwrap_or(grid);
        out.entry(region).or_default().add(c);
    }
    out
}

/// The subjects in grids under `region` today with no visit on or before today.
pub fn never_visited<'s, 'a>(
    subjects: &'s [Subject<'a>],
    region: &'s str,
    today: Date,
) -> impl Iterator<Item = &'s Subject<'a>> {
    subjects.iter().filter(move |s| {
        s.visits.first().is_none_or(|v| *v > today)
            && s.grid_at(today).is_some_and(|g| g.starts_with(region))
    })
}

/// The rules' periods that end within a window, worked out once for all subjects.
struct Plan<'r> {
    rules: &'r RuleSet,
    today: Date,
    clocks: Vec<Clock>,
    /// For each calendar rule, its periods that end within the window and have begun by
    /// today.
    periods: Vec<Vec<Period>>,
    from: Day,
    to: Day,
}

impl<'r> Plan<'r> {
    fn new(rules: &'r RuleSet, window: Window, today: Date) -> Plan<'r> {
        let (from, to, t) = (day(window.from), day(window.to), day(today));
        let clocks: Vec<Clock> = rules.rules().iter().map(|r| Clock::new(r, today)).collect();
        let periods = clocks
            .iter()
            .map(|clock| {
                let mut out = Vec::new();
                if clock.interval.is_rolling() {
                    return out;
                }
                let mut span = clock.interval.span_containing(from);
                while span.last() < to && span.from <= t {
                    out.push(clock.period(span));
                    span = clock.interval.span_after(span);
                }
                out
            })
            .collect();
        Plan {
            rules,
            today,
            clocks,
            periods,
            from,
            to,
        }
    }

    /// Sends `sink` the subject's household count (for its grid today) and each owed
    /// period of each rule that ends within the window and has begun by today (for the
    /// grid of the period's last day, or today).
    fn count<'a>(&self, subject: &Subject<'a>, sink: &mut impl FnMut(&'a str, Event)) {
        let today = self.today;
        let visits = subject.visits_until(today);
        if let Some(grid) = subject.grid_at(today) {
            let never_visited = visits.is_empty();
            sink(grid, Event::Household { never_visited });
        }
        for (i, (rule, clock)) in self.rules.rules().iter().zip(&self.clocks).enumerate() {
            let Some(ob) = Obligation::new(clock, rule, subject, visits) else {
                continue;
            };
            let mut emit = |last: Date, outcome: Outcome| {
                if let Some(grid) = grid_at(subject.memberships, last.min(today)) {
                    sink(grid, Event::Period { rule: i, outcome });
                }
            };
            let Interval::EveryDays(n) = clock.interval else {
                for period in &self.periods[i] {
                    if ob.owed(period) {
                        emit(period.last, ob.outcome(period));
                    }
                }
                continue;
            };
            let (from, to, t) = (self.from, self.to, clock.today);
            let mut emit_span = |span: Span, outcome: Outcome| {
                if (from..to).contains(&span.last()) && span.from <= t {
                    emit(date(span.last()), outcome);
                }
            };
            // Every visit starts the walk afresh; the period a visit ends lasts at most
            // n - 1 days after it, so one n days before the window ends none in it.
            let mut walk = Rolling::new(&ob, n, from - Day::from(n), true);
            walk.run(to, &mut emit_span);
            if walk.span.from <= t && walk.span.from < to && walk.owed() {
                emit_span(walk.span, Outcome::Pending);
            }
        }
    }
}
