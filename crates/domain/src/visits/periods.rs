//! Periods as ranges of day numbers, and how each owed period stands on a given day.
//!
//! A calendar period's standing depends only on its own visits and those of the next
//! period: on time with a visit of its own; late when it has none and the next period has
//! one in its first `grace` days and another on a later day (so the early one makes this
//! period up and the later one serves its own); otherwise missed once its due-by date has
//! passed, pending before. A visit serves its own period first, so one missed period does
//! not push every later visit into the grace of the one before.
//!
//! A rolling period starts the day after the visit that ended the one before, so it needs
//! a walk: [`Rolling`] takes the visits in date order. It may start at the latest visit
//! before the periods of interest, since every visit starts a new period whatever came
//! before; a test checks the short walk against the full one.

use super::rule::Interval;
use super::{Membership, Rule, Subject, applies_since, grid_at};
use crate::date::{Date, days_in_month};

/// Days since 1970-01-01.
pub(super) type Day = i64;

pub(super) fn day(d: Date) -> Day {
    d.days_since_epoch()
}

pub(super) fn date(d: Day) -> Date {
    Date::from_days_since_epoch(d)
}

/// A period: days `from` up to, not including, `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub from: Day,
    pub to: Day,
}

impl Span {
    pub fn last(self) -> Day {
        self.to - 1
    }
}

impl Interval {
    /// The calendar period holding day `d`; for a rolling interval, the `n` days from `d`.
    pub(super) fn span_containing(self, d: Day) -> Span {
        let days = |from: Day, len: Day| Span {
            from,
            to: from + len,
        };
        match self {
            Interval::Daily => days(d, 1),
            // 1970-01-01 was a Thursday: (d + 3) mod 7 counts days since Monday.
            Interval::Weekly => days(d - (d + 3).rem_euclid(7), 7),
            Interval::Monthly => {
                let dt = date(d);
                days(
                    d - Day::from(dt.day) + 1,
                    Day::from(days_in_month(dt.year, dt.month)),
                )
            }
            Interval::HalfYear => {
                let dt = date(d);
                let first = |y, m| day(Date::new(y, m, 1).expect("the first of a month"));
                if dt.month <= 6 {
                    Span {
                        from: first(dt.year, 1),
                        to: first(dt.year, 7),
                    }
                } else {
                    Span {
                        from: first(dt.year, 7),
                        to: first(dt.year + 1, 1),
                    }
                }
            }
            Interval::EveryDays(n) => days(d, Day::from(n)),
        }
    }

    /// The period after `s` (for a rolling interval, when no visit moved it).
    pub(super) fn span_after(self, s: Span) -> Span {
        self.span_containing(s.to)
    }

    /// The calendar period before `s`.
    pub(super) fn span_before(self, s: Span) -> Span {
        self.span_containing(s.from - 1)
    }
}

/// How an owed period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    OnTime,
    Late,
    Missed,
    /// Not visited, and its due-by date has not passed.
    Pending,
}

/// A calendar period with the dates visits are compared with, worked out once per call
/// and shared by every subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Period {
    pub span: Span,
    pub due_by: Day,
    pub from: Date,
    pub to: Date,
    pub due_by_date: Date,
    /// Its last day: whether it is owed, and by which grid, goes by that day.
    pub last: Date,
    /// The day after its grace, and after the next period: a visit from `to` before
    /// `grace_end` makes this period up when the next has another before `next_to`.
    grace_end: Date,
    next_to: Date,
}

/// One rule around one day: what every subject shares.
#[derive(Debug)]
pub(super) struct Clock {
    pub interval: Interval,
    grace: Day,
    pub today: Day,
    pub today_date: Date,
    /// For a calendar rule, today's period and the one before.
    pub now: Period,
    pub before: Period,
}

impl Clock {
    pub fn new(rule: &Rule, today: Date) -> Clock {
        let (interval, grace) = (rule.interval(), Day::from(rule.grace_days()));
        let now = interval.span_containing(day(today));
        Clock {
            interval,
            grace,
            today: day(today),
            today_date: today,
            now: Period::new(interval, grace, now),
            before: Period::new(interval, grace, interval.span_before(now)),
        }
    }

    /// The calendar period `span`, with its dates.
    pub fn period(&self, span: Span) -> Period {
        Period::new(self.interval, self.grace, span)
    }

    /// The last day a visit counts for `s`.
    pub fn due_by(&self, s: Span) -> Day {
        s.last() + self.grace
    }
}

impl Period {
    fn new(interval: Interval, grace: Day, span: Span) -> Period {
        Period {
            span,
            due_by: span.last() + grace,
            from: date(span.from),
            to: date(span.to),
            due_by_date: date(span.last() + grace),
            last: date(span.last()),
            grace_end: date(span.to + grace),
            next_to: date(interval.span_after(span).to),
        }
    }
}

/// One rule over one subject, around the clock's day.
pub(super) struct Obligation<'c, 'a> {
    pub clock: &'c Clock,
    memberships: &'a [Membership<'a>],
    /// The day the rule began to apply (its tag's date).
    since: Date,
    /// Where the first period falls: the later of the first arrival and `since`.
    origin: Day,
    /// The visits on or before today, oldest first.
    pub visits: &'a [Date],
}

impl<'c, 'a> Obligation<'c, 'a> {
    /// `None` when the rule does not apply to the subject by today or the subject never
    /// belonged to a grid.
    pub fn new(
        clock: &'c Clock,
        rule: &Rule,
        subject: &Subject<'a>,
        visits: &'a [Date],
    ) -> Option<Obligation<'c, 'a>> {
        let since = applies_since(rule, subject.tags).filter(|s| *s <= clock.today_date)?;
        let arrived = subject.memberships.iter().map(|m| m.from).min()?;
        Some(Obligation {
            clock,
            memberships: subject.memberships,
            since,
            origin: day(arrived.max(since)),
            visits,
        })
    }

    /// Whether the subject belongs to a grid and the rule applies on `x`.
    fn owed_on(&self, x: Date) -> bool {
        x >= self.since && grid_at(self.memberships, x).is_some()
    }

    /// Whether a calendar period is owed: by the subject's state on its last day, or
    /// today while it runs.
    pub fn owed(&self, p: &Period) -> bool {
        self.owed_on(p.last.min(self.clock.today_date))
    }

    /// The same for a rolling period.
    fn owed_span(&self, s: Span) -> bool {
        if s.last() >= self.clock.today {
            self.owed_on(self.clock.today_date)
        } else {
            self.owed_on(date(s.last()))
        }
    }

    /// How an owed calendar period stands today; see the module notes.
    pub fn outcome(&self, p: &Period) -> Outcome {
        let own = self.visits.partition_point(|v| *v < p.from);
        if let Some(&first) = self.visits.get(own) {
            if first < p.to {
                return Outcome::OnTime;
            }
            if first < p.grace_end {
                // `first` itself is before `next_to`, so `end` is past it.
                let end = self.visits.partition_point(|v| *v < p.next_to);
                if self.visits[end - 1] > first {
                    return Outcome::Late;
                }
            }
        }
        if p.due_by < self.clock.today {
            Outcome::Missed
        } else {
            Outcome::Pending
        }
    }
}

/// The walk of a rolling rule over a subject's visits.
pub(super) struct Rolling<'o, 'c, 'a> {
    ob: &'o Obligation<'c, 'a>,
    n: Day,
    /// The earliest period not yet settled.
    pub span: Span,
    /// The next visit to take.
    next: usize,
    /// Owed periods missed in a row just before `span`, and the due-by date of the first.
    pub missed: u32,
    pub missed_since: Day,
}

impl<'o, 'c, 'a> Rolling<'o, 'c, 'a> {
    /// A walk from the latest visit on or before `limit` (from the first period, with
    /// `shortcut` off or when there is none).
    pub fn new(
        ob: &'o Obligation<'c, 'a>,
        n: u16,
        limit: Day,
        shortcut: bool,
    ) -> Rolling<'o, 'c, 'a> {
        let n = Day::from(n);
        let seen = ob.visits.partition_point(|v| day(*v) <= limit);
        let (from, next) = match seen.checked_sub(1) {
            Some(last) if shortcut => ((day(ob.visits[last]) + 1).max(ob.origin), seen),
            _ => (ob.origin, 0),
        };
        Rolling {
            ob,
            n,
            span: Span { from, to: from + n },
            next,
            missed: 0,
            missed_since: 0,
        }
    }

    /// Takes the visits, then settles the periods whose due-by date is before today,
    /// passing each owed period that ends to `emit`; periods from `stop` on are left.
    pub fn run(&mut self, stop: Day, emit: &mut impl FnMut(Span, Outcome)) {
        while let Some(&v) = self.ob.visits.get(self.next) {
            self.next += 1;
            let v = day(v);
            self.settle(v, stop, emit);
            if self.span.from >= stop {
                return;
            }
            if v >= self.span.from {
                if self.ob.owed_span(self.span) {
                    let late = v >= self.span.to;
                    emit(
                        self.span,
                        if late { Outcome::Late } else { Outcome::OnTime },
                    );
                }
                self.missed = 0;
                self.span = Span {
                    from: v + 1,
                    to: v + 1 + self.n,
                };
            }
        }
        self.settle(self.ob.clock.today, stop, emit);
        // An ended period in its grace that is not owed gives way to the next.
        while self.span.to <= self.ob.clock.today && !self.ob.owed_span(self.span) {
            self.missed = 0;
            self.span = self.after(self.span);
        }
    }

    /// Whether the earliest period not yet settled is owed.
    pub fn owed(&self) -> bool {
        self.ob.owed_span(self.span)
    }

    fn after(&self, s: Span) -> Span {
        Span {
            from: s.to,
            to: s.to + self.n,
        }
    }

    /// Settles, as missed or not owed, the periods whose due-by date is before `d`.
    fn settle(&mut self, d: Day, stop: Day, emit: &mut impl FnMut(Span, Outcome)) {
        while self.span.from < stop && self.ob.clock.due_by(self.span) < d {
            if self.ob.owed_span(self.span) {
                if self.missed == 0 {
                    self.missed_since = self.ob.clock.due_by(self.span);
                }
                self.missed += 1;
                emit(self.span, Outcome::Missed);
            } else {
                self.missed = 0;
            }
            self.span = self.after(self.span);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, dd: u8) -> Day {
        day(Date::new(y, m, dd).unwrap())
    }

    fn span(interval: Interval, at: Day) -> (Date, Date) {
        let s = interval.span_containing(at);
        (date(s.from), date(s.last()))
    }

    fn ymd(y: i32, m: u8, dd: u8) -> Date {
        Date::new(y, m, dd).unwrap()
    }

    #[test]
    fn months_end_on_their_last_day() {
        let m = Interval::Monthly;
        assert_eq!(span(m, d(2026, 1, 31)), (ymd(2026, 1, 1), ymd(2026, 1, 31)));
        assert_eq!(span(m, d(2026, 2, 1)), (ymd(2026, 2, 1), ymd(2026, 2, 28)));
        assert_eq!(span(m, d(2024, 2, 29)), (ymd(2024, 2, 1), ymd(2024, 2, 29)));
        let feb = m.span_containing(d(2024, 2, 10));
        assert_eq!(date(m.span_after(feb).from), ymd(2024, 3, 1));
        assert_eq!(date(m.span_before(feb).from), ymd(2024, 1, 1));
        let jan = m.span_containing(d(2026, 1, 10));
        assert_eq!(date(m.span_before(jan).from), ymd(2025, 12, 1));
    }

    #[test]
    fn half_years_split_at_the_first_of_july() {
        let h = Interval::HalfYear;
        assert_eq!(span(h, d(2026, 6, 30)), (ymd(2026, 1, 1), ymd(2026, 6, 30)));
        assert_eq!(span(h, d(2026, 7, 1)), (ymd(2026, 7, 1), ymd(2026, 12, 31)));
        assert_eq!(h.span_containing(d(2025, 3, 1)).to - d(2025, 1, 1), 181);
        let second = h.span_containing(d(2026, 12, 31));
        assert_eq!(date(h.span_after(second).from), ymd(2027, 1, 1));
    }

    #[test]
    fn iso_weeks_cross_the_year_end() {
        // 2026-12-31 is a Thursday: its week runs from Monday 28 December to 3 January.
        let w = Interval::Weekly;
        assert_eq!(
            span(w, d(2026, 12, 31)),
            (ymd(2026, 12, 28), ymd(2027, 1, 3))
        );
        assert_eq!(span(w, d(2027, 1, 4)), (ymd(2027, 1, 4), ymd(2027, 1, 10)));
        // Before 1970 the floor division still finds the Monday.
        assert_eq!(span(w, d(1969, 12, 31)).0, ymd(1969, 12, 29));
        assert_eq!(span(Interval::Daily, d(2026, 3, 1)).1, ymd(2026, 3, 1));
        assert_eq!(
            span(Interval::EveryDays(10), d(2026, 3, 1)),
            (ymd(2026, 3, 1), ymd(2026, 3, 10))
        );
    }
}
