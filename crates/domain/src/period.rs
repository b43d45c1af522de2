//! Assessment and review periods (考核周期): an ISO week (`2026-W48`), a month (`2026-11`), a
//! quarter (`2026Q4`) or a year (`2026`), each a half-open range of Shanghai days.

use std::fmt;

use crate::date::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Week,
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    /// First day.
    pub from: Date,
    /// The day after the last.
    pub to: Date,
}

/// The Monday of the week `d` is in.
fn monday_of(d: Date) -> Date {
    d.add_days(1 - i64::from(d.weekday()))
}

/// The Monday of ISO week 1 of `year`: the week with the year's first Thursday.
fn iso_week_one(year: i32) -> Option<Date> {
    let jan4 = Date::new(year, 1, 4)?;
    Some(monday_of(jan4))
}

impl Period {
    /// The period of `kind` that contains `d`.
    pub fn containing(kind: PeriodKind, d: Date) -> Period {
        let (from, to) = match kind {
            PeriodKind::Week => {
                let m = monday_of(d);
                (m, m.add_days(7))
            }
            PeriodKind::Month => month_range(d.year, d.month),
            PeriodKind::Quarter => {
                let first = (d.month - 1) / 3 * 3 + 1;
                let (from, _) = month_range(d.year, first);
                let (_, to) = month_range(d.year, first + 2);
                (from, to)
            }
            PeriodKind::Year => (
                Date::new(d.year, 1, 1).expect("1 January"),
                Date::new(d.year + 1, 1, 1).expect("1 January"),
            ),
        };
        Period { kind, from, to }
    }

    /// The period just before this one, of the same kind.
    pub fn previous(self) -> Period {
        Period::containing(self.kind, self.from.add_days(-1))
    }

    /// `2026-W48`, `2026-11`, `2026Q4` or `2026`; `None` when it is none of these or names
    /// a week or month that does not exist.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if let Some((y, w)) = s.split_once("-W").or_else(|| s.split_once("-w")) {
            if !digits(y) || !digits(w) || y.len() != 4 {
                return None;
            }
            let (year, week): (i32, i64) = (y.parse().ok()?, w.parse().ok()?);
            let start = iso_week_one(year)?;
            let weeks = (iso_week_one(year + 1)?.days_since_epoch() - start.days_since_epoch()) / 7;
            if !(1..=weeks).contains(&week) {
                return None;
            }
            let from = start.add_days((week - 1) * 7);
            return Some(Period {
                kind: PeriodKind::Week,
                from,
                to: from.add_days(7),
            });
        }
        if let Some((y, q)) = s.split_once('Q').or_else(|| s.split_once('q')) {
            let y = y.strip_suffix('-').unwrap_or(y);
            if !digits(y) || y.len() != 4 || !matches!(q, "1" | "2" | "3" | "4") {
                return None;
            }
            let month = (q.parse::<u8>().ok()? - 1) * 3 + 1;
            return Some(Period::containing(
                PeriodKind::Quarter,
                Date::new(y.parse().ok()?, month, 1)?,
            ));
        }
        if let Some((y, m)) = s.split_once('-') {
            if !digits(y) || y.len() != 4 || !digits(m) || m.len() > 2 {
                return None;
            }
            let d = Date::new(y.parse().ok()?, m.parse().ok()?, 1)?;
            return Some(Period::containing(PeriodKind::Month, d));
        }
        if digits(s) && s.len() == 4 {
            return Some(Period::containing(
                PeriodKind::Year,
                Date::new(s.parse().ok()?, 1, 1)?,
            ));
        }
        None
    }

    /// The number of days in the period.
    pub fn days(self) -> i64 {
        self.to.days_since_epoch() - self.from.days_since_epoch()
    }

    /// The period's length in months (a week is a quarter of one), for targets set per month.
    pub fn months(self) -> f64 {
        match self.kind {
            PeriodKind::Week => 0.25,
            PeriodKind::Month => 1.0,
            PeriodKind::Quarter => 3.0,
            PeriodKind::Year => 12.0,
        }
    }

    /// The Chinese name: `2026年第48周`, `2026年11月`, `2026年第四季度`, `2026年`.
    pub fn label(self) -> String {
        match self.kind {
            PeriodKind::Week => {
                let (year, week) = self.iso_week();
                format!("{year}年第{week}周")
            }
            PeriodKind::Month => format!("{}年{}月", self.from.year, self.from.month),
            PeriodKind::Quarter => {
                let q = ["一", "二", "三", "四"][usize::from((self.from.month - 1) / 3)];
                format!("{}年第{q}季度", self.from.year)
            }
            PeriodKind::Year => format!("{}年", self.from.year),
        }
    }

    /// The ISO year and week number of the period's first day.
    fn iso_week(self) -> (i32, i64) {
        let thursday = monday_of(self.from).add_days(3);
        let year = thursday.year;
        let start = iso_week_one(year).expect("a valid year");
        (
            year,
            (monday_of(self.from).days_since_epoch() - start.days_since_epoch()) / 7 + 1,
        )
    }
}

fn month_range(year: i32, month: u8) -> (Date, Date) {
    let from = Date::new(year, month, 1).expect("a valid month");
    let to = if month == 12 {
        Date::new(year + 1, 1, 1)
    } else {
        Date::new(year, month + 1, 1)
    }
    .expect("a valid month");
    (from, to)
}

/// The form `parse` reads back.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Week => {
                let (year, week) = self.iso_week();
                write!(f, "{year}-W{week:02}")
            }
            PeriodKind::Month => write!(f, "{:04}-{:02}", self.from.year, self.from.month),
            PeriodKind::Quarter => {
                write!(f, "{:04}Q{}", self.from.year, (self.from.month - 1) / 3 + 1)
            }
            PeriodKind::Year => write!(f, "{:04}", self.from.year),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn parses_each_kind() {
        let w = Period::parse("2026-W48").unwrap();
        assert_eq!((w.from, w.to), (d(2026, 11, 23), d(2026, 11, 30)));
        assert_eq!(w.label(), "2026年第48周");
        let m = Period::parse("2026-02").unwrap();
        assert_eq!((m.from, m.to, m.days()), (d(2026, 2, 1), d(2026, 3, 1), 28));
        let q = Period::parse("2026Q4").unwrap();
        assert_eq!((q.from, q.to), (d(2026, 10, 1), d(2027, 1, 1)));
        assert_eq!(q.label(), "2026年第四季度");
        assert_eq!(Period::parse("2026-q1").unwrap().to, d(2026, 4, 1));
        let y = Period::parse("2026").unwrap();
        assert_eq!(
            (y.from, y.to, y.label()),
            (d(2026, 1, 1), d(2027, 1, 1), "2026年".into())
        );
    }

    #[test]
    fn round_trips_through_display() {
        for s in [
            "2026-W01", "2026-W53", "2027-W52", "2026-11", "2026Q2", "2026",
        ] {
            assert_eq!(Period::parse(s).map(|p| p.to_string()).as_deref(), Some(s));
        }
    }

    #[test]
    fn iso_weeks_at_year_ends() {
        // 2026-01-01 is a Thursday: week 1 starts Monday 2025-12-29.
        let w1 = Period::parse("2026-W01").unwrap();
        assert_eq!(w1.from, d(2025, 12, 29));
        // 2026 has 53 weeks (it starts on a Thursday); week 53 starts 2026-12-28.
        let w53 = Period::parse("2026-W53").unwrap();
        assert_eq!(w53.from, d(2026, 12, 28));
        assert_eq!(Period::parse("2027-W53"), None);
        // The week containing 2027-01-01 (a Friday) is 2026-W53.
        let p = Period::containing(PeriodKind::Week, d(2027, 1, 1));
        assert_eq!(p.to_string(), "2026-W53");
        assert_eq!(p.previous().to_string(), "2026-W52");
    }

    #[test]
    fn rejects_what_is_not_a_period() {
        for s in [
            "",
            "2026-13",
            "2026-W00",
            "2026Q5",
            "26-11",
            "2026-11-01",
            "W48",
            "二〇二六",
        ] {
            assert_eq!(Period::parse(s), None, "{s}");
        }
    }

    #[test]
    fn containing_and_previous() {
        let q = Period::containing(PeriodKind::Quarter, d(2026, 12, 2));
        assert_eq!(q.to_string(), "2026Q4");
        assert_eq!(q.previous().to_string(), "2026Q3");
        let m = Period::containing(PeriodKind::Month, d(2026, 1, 15));
        assert_eq!(m.previous().to_string(), "2025-12");
        assert_eq!(m.months(), 1.0);
    }
}
