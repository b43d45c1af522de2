//! Working time in Asia/Shanghai local time, for event deadlines.
//!
//! Deadlines count working time, not wall-clock time: only the working periods of working
//! days count. A day is a working day when it is Monday–Friday and not a configured day off,
//! or when it is a configured make-up working day (调休), which may fall on a weekend. The
//! State Council announces each year's holidays late in the previous year, so the days off and
//! make-up days are data that admins edit per year; [`WorkCalendar::official`] supplies the
//! announced defaults.
//!
//! Instants are Unix milliseconds (UTC) and are passed in; nothing here reads the clock.
//!
//! Conventions:
//! - Counting starts at the first working moment at or after the start, so a start at night,
//!   over lunch or on a holiday simply waits for the next working period.
//! - A deadline reached exactly at the end of a period is that end (12:00, 17:30), not the
//!   start of the next period: it is the earliest instant at which the time has elapsed.
//! - Adding zero (or a negative amount of) working time returns the start unchanged.
//! - "N working days" ends at the close of the Nth working day after the start's local date:
//!   the day of the start itself never counts, whatever time the start has.
//! - Results too far in the future for an `i64` of milliseconds saturate at `i64::MAX`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::date::{Date, SHANGHAI_OFFSET_MS};

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_DAY: i64 = 86_400_000;
const MINUTES_PER_DAY: u16 = 1440;

/// Day number (days since 1970-01-01) of a Monday, 1970-01-05, to count weekdays from.
const MONDAY_DAY_NUMBER: i64 = 4;

/// More working days than fit between the ends of the `i64` millisecond range (about
/// 584 million years of five working days a week); beyond it a result can only saturate.
/// Also keeps every day number we touch far inside what [`Date`] represents.
const MAX_WORKING_DAYS: i128 = 200_000_000_000;

/// The default working hours: 08:30–12:00 and 13:30–17:30, as minutes after local midnight.
pub const DEFAULT_PERIODS: [(u16, u16); 2] = [(510, 720), (810, 1050)];

/// Days off of 2026 as inclusive ranges, announced by the State Council on 2025-11-04.
const DAYS_OFF_2026: [((u8, u8), (u8, u8)); 7] = [
    ((1, 1), (1, 3)),   // 元旦
    ((2, 15), (2, 23)), // 春节
    ((4, 4), (4, 6)),   // 清明节
    ((5, 1), (5, 5)),   // 劳动节
    ((6, 19), (6, 21)), // 端午节
    ((9, 25), (9, 27)), // 中秋节
    ((10, 1), (10, 7)), // 国庆节
];

/// Make-up working days (调休) of 2026, from the same announcement.
const MAKE_UP_DAYS_2026: [(u8, u8); 6] = [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)];

/// Why a working calendar or an edit to it is rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("至少需要设置一个工作时段")]
    NoPeriods,
    #[error("工作时段 {} 的结束时间应晚于开始时间", period_text(.0))]
    EmptyPeriod((u16, u16)),
    #[error("工作时段 {} 超出一天的范围：结束时间不能晚于 24:00", period_text(.0))]
    PeriodPastMidnight((u16, u16)),
    #[error(
        "工作时段应按时间先后排列：{} 不应排在 {} 之后",
        period_text(.later),
        period_text(.earlier)
    )]
    PeriodsNotSorted {
        earlier: (u16, u16),
        later: (u16, u16),
    },
    #[error("工作时段 {} 与 {} 重叠", period_text(.first), period_text(.second))]
    PeriodsOverlap {
        first: (u16, u16),
        second: (u16, u16),
    },
    #[error("{0} 不能既是休息日又是调休上班日")]
    BothOffAndMakeUp(Date),
    #[error("{date} 不属于 {year} 年")]
    OutsideYear { date: Date, year: i32 },
}

/// `08:30–12:00` for the period (510, 720).
fn period_text(period: &(u16, u16)) -> String {
    let mut text = String::new();
    for (i, minutes) in [period.0, period.1].into_iter().enumerate() {
        if i == 1 {
            text.push('–');
        }
        let _ = write!(text, "{:02}:{:02}", minutes / 60, minutes % 60);
    }
    text
}

/// Working hours and the days off and make-up working days that override the weekly rhythm.
///
/// Invariants, checked by every constructor and edit: at least one period; each period
/// non-empty and within the day; periods sorted and non-overlapping; no date both a day off
/// and a make-up day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    periods: Vec<(u16, u16)>,
    days_off: BTreeSet<Date>,
    make_up_days: BTreeSet<Date>,
}

impl WorkCalendar {
    /// A calendar with the given working periods (minutes after local midnight, e.g.
    /// `(510, 720)` for 08:30–12:00), days off and make-up working days.
    pub fn new(
        periods: Vec<(u16, u16)>,
        days_off: impl IntoIterator<Item = Date>,
        make_up_days: impl IntoIterator<Item = Date>,
    ) -> Result<WorkCalendar, CalendarError> {
        check_periods(&periods)?;
        let days_off: BTreeSet<Date> = days_off.into_iter().collect();
        let make_up_days: BTreeSet<Date> = make_up_days.into_iter().collect();
        if let Some(&date) = days_off.intersection(&make_up_days).next() {
            return Err(CalendarError::BothOffAndMakeUp(date));
        }
        Ok(WorkCalendar {
            periods,
            days_off,
            make_up_days,
        })
    }

    /// The officially announced calendar of `year` with the default working hours
    /// ([`DEFAULT_PERIODS`]), or `None` for a year whose announcement is not built in.
    /// Years outside the calendar keep the plain Monday–Friday rhythm until admins add them.
    pub fn official(year: i32) -> Option<WorkCalendar> {
        if year != 2026 {
            return None;
        }
        let date = |(month, day): (u8, u8)| Date { year, month, day };
        let days_off = DAYS_OFF_2026.iter().flat_map(|&(first, last)| {
            let (first, last) = (
                date(first).days_since_epoch(),
                date(last).days_since_epoch(),
            );
            (first..=last).map(Date::from_days_since_epoch)
        });
        let make_up_days = MAKE_UP_DAYS_2026.iter().map(|&md| date(md));
        WorkCalendar::new(DEFAULT_PERIODS.to_vec(), days_off, make_up_days).ok()
    }

    /// The default calendar: 08:30–12:00 and 13:30–17:30 with the 2026 holidays and make-up
    /// working days.
    pub fn china_2026() -> WorkCalendar {
        WorkCalendar::official(2026).unwrap_or_else(|| WorkCalendar {
            periods: DEFAULT_PERIODS.to_vec(),
            days_off: BTreeSet::new(),
            make_up_days: BTreeSet::new(),
        })
    }

    /// Working periods of every working day, as minutes after local midnight.
    pub fn periods(&self) -> &[(u16, u16)] {
        &self.periods
    }

    /// Configured days off (holidays); those on weekends change nothing but are kept as
    /// announced.
    pub fn days_off(&self) -> &BTreeSet<Date> {
        &self.days_off
    }

    /// Configured make-up working days (调休).
    pub fn make_up_days(&self) -> &BTreeSet<Date> {
        &self.make_up_days
    }

    /// Working minutes in one working day (450 with the default periods).
    pub fn working_minutes_per_day(&self) -> i64 {
        self.periods
            .iter()
            .map(|&(start, end)| i64::from(end - start))
            .sum()
    }

    /// The days off of `year`, in order.
    pub fn days_off_in_year(&self, year: i32) -> impl Iterator<Item = Date> + '_ {
        self.days_off.range(year_range(year)).copied()
    }

    /// The make-up working days of `year`, in order.
    pub fn make_up_days_in_year(&self, year: i32) -> impl Iterator<Item = Date> + '_ {
        self.make_up_days.range(year_range(year)).copied()
    }

    /// Marks `date` as a day off; refused when it is a make-up working day.
    pub fn add_day_off(&mut self, date: Date) -> Result<(), CalendarError> {
        if self.make_up_days.contains(&date) {
            return Err(CalendarError::BothOffAndMakeUp(date));
        }
        self.days_off.insert(date);
        Ok(())
    }

    /// Unmarks a day off; `false` when it was not one.
    pub fn remove_day_off(&mut self, date: Date) -> bool {
        self.days_off.remove(&date)
    }

    /// Marks `date` as a make-up working day; refused when it is a day off.
    pub fn add_make_up_day(&mut self, date: Date) -> Result<(), CalendarError> {
        if self.days_off.contains(&date) {
            return Err(CalendarError::BothOffAndMakeUp(date));
        }
        self.make_up_days.insert(date);
        Ok(())
    }

    /// Unmarks a make-up working day; `false` when it was not one.
    pub fn remove_make_up_day(&mut self, date: Date) -> bool {
        self.make_up_days.remove(&date)
    }

    /// Replaces all days off and make-up days of `year` at once, as admins edit a year's
    /// announcement. Other years are untouched; on error nothing changes.
    pub fn replace_year(
        &mut self,
        year: i32,
        days_off: impl IntoIterator<Item = Date>,
        make_up_days: impl IntoIterator<Item = Date>,
    ) -> Result<(), CalendarError> {
        let days_off: BTreeSet<Date> = days_off.into_iter().collect();
        let make_up_days: BTreeSet<Date> = make_up_days.into_iter().collect();
        if let Some(&date) = days_off
            .iter()
            .chain(&make_up_days)
            .find(|d| d.year != year)
        {
            return Err(CalendarError::OutsideYear { date, year });
        }
        if let Some(&date) = days_off.intersection(&make_up_days).next() {
            return Err(CalendarError::BothOffAndMakeUp(date));
        }
        self.days_off.retain(|d| d.year != year);
        self.make_up_days.retain(|d| d.year != year);
        self.days_off.extend(days_off);
        self.make_up_days.extend(make_up_days);
        Ok(())
    }

    /// Make-up days are working even on weekends; days off are not; otherwise Monday–Friday.
    pub fn is_working_day(&self, date: Date) -> bool {
        if self.make_up_days.contains(&date) {
            true
        } else if self.days_off.contains(&date) {
            false
        } else {
            date.weekday() <= 5
        }
    }

    /// The instant at which `minutes` of working time have elapsed after `start_ms`.
    ///
    /// Counting begins at the first working moment at or after the start. The result is the
    /// earliest such instant, so it may be the very end of a period (e.g. 17:30). `minutes`
    /// ≤ 0 returns `start_ms` unchanged. Cost grows with the number of configured days
    /// crossed, not with `minutes`.
    pub fn add_working_minutes(&self, start_ms: i64, minutes: i64) -> i64 {
        if minutes <= 0 {
            return start_ms;
        }
        let mut remaining = i128::from(minutes) * i128::from(MS_PER_MINUTE);
        let (day, offset) = split_instant(start_ms);
        if self.is_working_day_number(day)
            && let Some(end) = self.advance_within_day(offset, &mut remaining)
        {
            return instant(day, end);
        }
        // `remaining` > 0 is still to go, from the start of the following working days, each
        // worth `per_day`. The target day is the first on which it drops to (0, per_day].
        let per_day = i128::from(self.working_minutes_per_day() * MS_PER_MINUTE);
        let full_days = (remaining - 1) / per_day;
        remaining -= full_days * per_day;
        let Some(target) = self.nth_working_day_after(day, full_days + 1) else {
            return i64::MAX;
        };
        // `remaining` ≤ per_day, so the target day always has room; the fallback is its close.
        let end = self
            .advance_within_day(0, &mut remaining)
            .unwrap_or_else(|| self.close_of_day_ms());
        instant(target, end)
    }

    /// The deadline of "`days` working days" after `start_ms`: the close of the last working
    /// period of the `days`-th working day after the start's local date. The start's own date
    /// never counts, even when the start is early on a working day. `days` = 0 returns
    /// `start_ms` unchanged.
    ///
    /// Example: 3 working days from Wednesday 2026-09-30 are 10-08, 10-09 and the make-up
    /// Saturday 10-10, so the deadline is 2026-10-10 17:30 local time.
    pub fn add_working_days(&self, start_ms: i64, days: u32) -> i64 {
        if days == 0 {
            return start_ms;
        }
        let (day, _) = split_instant(start_ms);
        match self.nth_working_day_after(day, i128::from(days)) {
            Some(target) => instant(target, self.close_of_day_ms()),
            None => i64::MAX,
        }
    }

    /// Working minutes in `[from_ms, to_ms)`, rounded down to whole minutes; 0 when
    /// `to_ms <= from_ms`. For `m` > 0,
    /// `working_minutes_between(s, add_working_minutes(s, m)) == m`.
    pub fn working_minutes_between(&self, from_ms: i64, to_ms: i64) -> i64 {
        // At most 2^64 ms / 60 000 minutes, so the conversion cannot fail.
        i64::try_from(self.working_ms_between(from_ms, to_ms) / i128::from(MS_PER_MINUTE))
            .unwrap_or(i64::MAX)
    }

    /// Share of the working time from `start_ms` to `deadline_ms` that has elapsed by
    /// `now_ms`, in per mille (0–1000), rounded down so that ≥ 800 means 80 % is truly used.
    ///
    /// 1000 once `now_ms` reaches the deadline, whatever the working time in between; before
    /// the deadline, 0 when there is no working time between start and deadline (including
    /// start == deadline), since none of it can have been used.
    pub fn used_permille(&self, start_ms: i64, deadline_ms: i64, now_ms: i64) -> u16 {
        if now_ms >= deadline_ms {
            return 1000;
        }
        let total = self.working_ms_between(start_ms, deadline_ms);
        if total == 0 {
            return 0;
        }
        let used = self.working_ms_between(start_ms, now_ms);
        // used ≤ total because now < deadline, so the quotient is at most 1000.
        u16::try_from(used * 1000 / total).unwrap_or(1000)
    }

    /// Working milliseconds in `[from_ms, to_ms)`.
    fn working_ms_between(&self, from_ms: i64, to_ms: i64) -> i128 {
        if to_ms <= from_ms {
            return 0;
        }
        let (first_day, first_offset) = split_instant(from_ms);
        let (last_day, last_offset) = split_instant(to_ms);
        if first_day == last_day {
            return self.working_ms_in_day(first_day, first_offset, last_offset);
        }
        let per_day = i128::from(self.working_minutes_per_day() * MS_PER_MINUTE);
        self.working_ms_in_day(first_day, first_offset, MS_PER_DAY)
            + i128::from(self.working_days_in(first_day + 1, last_day)) * per_day
            + self.working_ms_in_day(last_day, 0, last_offset)
    }

    /// Working milliseconds of day number `day` between the offsets `from` and `to` (ms after
    /// local midnight).
    fn working_ms_in_day(&self, day: i64, from: i64, to: i64) -> i128 {
        if !self.is_working_day_number(day) {
            return 0;
        }
        self.periods_ms()
            .map(|(start, end)| i128::from((end.min(to) - start.max(from)).max(0)))
            .sum()
    }

    /// Consumes working time of one working day from offset `from` (ms after local midnight).
    /// Returns the offset at which `remaining` runs out, or `None` after subtracting all the
    /// day had left.
    fn advance_within_day(&self, from: i64, remaining: &mut i128) -> Option<i64> {
        for (start, end) in self.periods_ms() {
            let begin = start.max(from);
            if begin >= end {
                continue;
            }
            let available = i128::from(end - begin);
            if *remaining <= available {
                // Fits in an i64: it is at most `available`, a part of one day.
                return Some(begin + i64::try_from(*remaining).unwrap_or(0));
            }
            *remaining -= available;
        }
        None
    }

    /// The day number of the `n`-th (n ≥ 1) working day after day number `day`, or `None` when
    /// it lies beyond any representable instant.
    fn nth_working_day_after(&self, day: i64, n: i128) -> Option<i64> {
        if n > MAX_WORKING_DAYS {
            return None;
        }
        // In range by the check above.
        let mut remaining = i64::try_from(n).ok()?;
        let mut current = day + 1;
        loop {
            // Any 7 consecutive days hold each weekday once, so a week without configured
            // days has exactly 5 working days: skip such weeks wholesale, keeping at least
            // one working day to find by stepping.
            let free_weeks = match self.next_configured_day(current) {
                Some(next) => (next - current) / 7,
                None => i64::MAX,
            };
            let weeks = ((remaining - 1) / 5).min(free_weeks);
            current += 7 * weeks;
            remaining -= 5 * weeks;
            if self.is_working_day_number(current) {
                remaining -= 1;
                if remaining == 0 {
                    return Some(current);
                }
            }
            current += 1;
        }
    }

    /// Number of working days among the day numbers `[first, end)`.
    fn working_days_in(&self, first: i64, end: i64) -> i64 {
        if end <= first {
            return 0;
        }
        let range = Date::from_days_since_epoch(first)..Date::from_days_since_epoch(end);
        let weekdays = weekdays_before(end) - weekdays_before(first);
        let weekday_days_off = self
            .days_off
            .range(range.clone())
            .filter(|d| d.weekday() <= 5)
            .count();
        let weekend_make_up_days = self
            .make_up_days
            .range(range)
            .filter(|d| d.weekday() > 5)
            .count();
        // Both counts are bounded by the length of the range, an i64.
        weekdays - i64::try_from(weekday_days_off).unwrap_or(0)
            + i64::try_from(weekend_make_up_days).unwrap_or(0)
    }

    /// The first day number ≥ `day` that is a configured day off or make-up day.
    fn next_configured_day(&self, day: i64) -> Option<i64> {
        let from = Date::from_days_since_epoch(day);
        let off = self.days_off.range(from..).next();
        let make_up = self.make_up_days.range(from..).next();
        off.into_iter()
            .chain(make_up)
            .min()
            .map(|d| d.days_since_epoch())
    }

    fn is_working_day_number(&self, day: i64) -> bool {
        self.is_working_day(Date::from_days_since_epoch(day))
    }

    /// Working periods as milliseconds after local midnight.
    fn periods_ms(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.periods.iter().map(|&(start, end)| {
            (
                i64::from(start) * MS_PER_MINUTE,
                i64::from(end) * MS_PER_MINUTE,
            )
        })
    }

    /// End of the last working period, in ms after local midnight.
    fn close_of_day_ms(&self) -> i64 {
        self.periods
            .last()
            .map_or(0, |&(_, end)| i64::from(end) * MS_PER_MINUTE)
    }
}

fn check_periods(periods: &[(u16, u16)]) -> Result<(), CalendarError> {
    if periods.is_empty() {
        return Err(CalendarError::NoPeriods);
    }
    for &period in periods {
        if period.1 > MINUTES_PER_DAY {
            return Err(CalendarError::PeriodPastMidnight(period));
        }
        if period.0 >= period.1 {
            return Err(CalendarError::EmptyPeriod(period));
        }
    }
    for pair in periods.windows(2) {
        let (first, second) = (pair[0], pair[1]);
        if second.0 < first.0 {
            return Err(CalendarError::PeriodsNotSorted {
                earlier: second,
                later: first,
            });
        }
        if second.0 < first.1 {
            return Err(CalendarError::PeriodsOverlap { first, second });
        }
    }
    Ok(())
}

fn year_range(year: i32) -> std::ops::RangeInclusive<Date> {
    Date {
        year,
        month: 1,
        day: 1,
    }..=Date {
        year,
        month: 12,
        day: 31,
    }
}

/// Local day number and milliseconds after local midnight of an instant. Computed in `i128`
/// so that instants near the ends of the `i64` range cannot overflow.
fn split_instant(unix_ms: i64) -> (i64, i64) {
    let local = i128::from(unix_ms) + i128::from(SHANGHAI_OFFSET_MS);
    let day = local.div_euclid(i128::from(MS_PER_DAY));
    let offset = local.rem_euclid(i128::from(MS_PER_DAY));
    // |day| ≤ 2^63 / 86 400 000 and 0 ≤ offset < one day: both fit.
    (
        i64::try_from(day).unwrap_or(0),
        i64::try_from(offset).unwrap_or(0),
    )
}

/// The instant at `offset` ms after local midnight of day number `day`, saturating at the
/// ends of the `i64` range.
fn instant(day: i64, offset: i64) -> i64 {
    let unix = i128::from(day) * i128::from(MS_PER_DAY) + i128::from(offset)
        - i128::from(SHANGHAI_OFFSET_MS);
    i64::try_from(unix).unwrap_or(if unix < 0 { i64::MIN } else { i64::MAX })
}

/// Monday–Friday days among day numbers from 1970-01-05 (a Monday) up to `day`; negative
/// before it. Differences give the count in any range.
fn weekdays_before(day: i64) -> i64 {
    let since_monday = day - MONDAY_DAY_NUMBER;
    5 * since_monday.div_euclid(7) + since_monday.rem_euclid(7).min(5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::{format_local, local_date, local_midnight_ms};

    /// "2026-10-09 10:30" Shanghai time as Unix milliseconds.
    fn at(text: &str) -> i64 {
        let (date, time) = text.split_once(' ').unwrap();
        let (hours, minutes) = time.split_once(':').unwrap();
        let minutes = hours.parse::<i64>().unwrap() * 60 + minutes.parse::<i64>().unwrap();
        local_midnight_ms(Date::parse(date).unwrap()) + minutes * MS_PER_MINUTE
    }

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn cal() -> WorkCalendar {
        WorkCalendar::china_2026()
    }

    /// Asserts by local wall-clock text so that failures read like the expectation.
    fn assert_local(actual_ms: i64, expected: &str) {
        assert_eq!(format_local(actual_ms), expected);
        assert_eq!(actual_ms, at(expected));
    }

    /// Reference: walks minute by minute from a minute-aligned start.
    fn naive_add_minutes(cal: &WorkCalendar, start_ms: i64, minutes: i64) -> i64 {
        let mut t = start_ms;
        let mut left = minutes;
        while left > 0 {
            let date = local_date(t);
            let minute_of_day = (t - local_midnight_ms(date)) / MS_PER_MINUTE;
            let in_period = cal
                .periods()
                .iter()
                .any(|&(s, e)| i64::from(s) <= minute_of_day && minute_of_day < i64::from(e));
            if cal.is_working_day(date) && in_period {
                left -= 1;
            }
            t += MS_PER_MINUTE;
        }
        t
    }

    /// Reference: steps day by day.
    fn naive_add_days(cal: &WorkCalendar, start_ms: i64, days: u32) -> i64 {
        let mut date = local_date(start_ms);
        let mut left = days;
        while left > 0 {
            date = date.add_days(1);
            if cal.is_working_day(date) {
                left -= 1;
            }
        }
        local_midnight_ms(date) + 1050 * MS_PER_MINUTE
    }

    #[test]
    fn official_2026_facts() {
        let cal = cal();
        assert_eq!(cal.periods(), &[(510, 720), (810, 1050)]);
        assert_eq!(cal.working_minutes_per_day(), 450);
        // 3 + 9 + 3 + 5 + 3 + 3 + 7 days off, 1 + 2 + 1 + 2 make-up days.
        assert_eq!(cal.days_off().len(), 33);
        assert_eq!(cal.make_up_days().len(), 6);
        assert_eq!(cal.days_off().first(), Some(&d("2026-01-01")));
        assert_eq!(cal.days_off().last(), Some(&d("2026-10-07")));
        let make_up: Vec<String> = cal.make_up_days().iter().map(Date::to_string).collect();
        assert_eq!(
            make_up,
            [
                "2026-01-04",
                "2026-02-14",
                "2026-02-28",
                "2026-05-09",
                "2026-09-20",
                "2026-10-10"
            ]
        );
        for off in [
            "2026-01-01",
            "2026-01-02",
            "2026-02-16",
            "2026-02-23",
            "2026-04-06",
            "2026-05-05",
            "2026-06-19",
            "2026-09-25",
            "2026-10-01",
            "2026-10-07",
        ] {
            assert!(!cal.is_working_day(d(off)), "{off} is a day off");
        }
        for working in [
            "2026-01-04", // Sunday, make-up
            "2026-02-14", // Saturday, make-up
            "2026-02-24", // Tuesday after the Spring Festival
            "2026-09-20", // Sunday, make-up
            "2026-09-30", // Wednesday
            "2026-10-10", // Saturday, make-up
        ] {
            assert!(cal.is_working_day(d(working)), "{working} is a working day");
        }
        assert!(!cal.is_working_day(d("2026-11-21")), "plain Saturday");
        assert!(!cal.is_working_day(d("2026-11-22")), "plain Sunday");
        assert!(cal.is_working_day(d("2026-11-23")), "plain Monday");
        // 2026 has 261 weekdays; 19 of the days off are weekdays; all 6 make-up days are
        // weekend days: 261 − 19 + 6 = 248 working days of 450 minutes.
        assert_eq!(
            cal.working_minutes_between(at("2026-01-01 00:00"), at("2027-01-01 00:00")),
            248 * 450
        );
        assert_eq!(WorkCalendar::official(2025), None);
        assert_eq!(WorkCalendar::official(2026), Some(cal));
    }

    #[test]
    fn calendar_md_example_three_working_days() {
        let cal = cal();
        let start = at("2026-09-30 10:00");
        assert_local(cal.add_working_days(start, 1), "2026-10-08 17:30");
        assert_local(cal.add_working_days(start, 2), "2026-10-09 17:30");
        assert_local(cal.add_working_days(start, 3), "2026-10-10 17:30");
        // The time of the start does not matter, only its local date.
        assert_local(
            cal.add_working_days(at("2026-09-30 00:00"), 3),
            "2026-10-10 17:30",
        );
        assert_local(
            cal.add_working_days(at("2026-09-30 23:59"), 3),
            "2026-10-10 17:30",
        );
        // From a holiday: the next working days are 10-08, 10-09, 10-10.
        assert_local(
            cal.add_working_days(at("2026-10-03 09:00"), 3),
            "2026-10-10 17:30",
        );
        assert_eq!(cal.add_working_days(start, 0), start);
    }

    #[test]
    fn working_days_across_weekends_and_long_ranges() {
        let cal = cal();
        // Friday → Monday.
        assert_local(
            cal.add_working_days(at("2026-11-20 16:00"), 1),
            "2026-11-23 17:30",
        );
        // Spring Festival: after the make-up Saturday 02-14 comes Tuesday 02-24.
        assert_local(
            cal.add_working_days(at("2026-02-13 09:00"), 2),
            "2026-02-24 17:30",
        );
        // Local date, not UTC date: 2026-11-20 23:00 local is still Friday 11-20.
        assert_local(
            cal.add_working_days(at("2026-11-20 23:00"), 1),
            "2026-11-23 17:30",
        );
        // 30 working days from Monday 2026-09-21: 09-22..24 (3), 09-28..30 (6),
        // 10-08, 10-09, 10-10 (9), 10-12..16 (14), 10-19..23 (19), 10-26..30 (24),
        // 11-02..06 (29), 11-09 (30).
        assert_local(
            cal.add_working_days(at("2026-09-21 09:00"), 30),
            "2026-11-09 17:30",
        );
    }

    #[test]
    fn sixteen_hours_across_national_day() {
        // 09-30 15:00–17:30 is 150 min; 10-01..10-07 are off; 10-08 gives 450 (600 so far);
        // 10-09 morning 210 (810); the last 150 min run 13:30–16:00.
        let cal = cal();
        let start = at("2026-09-30 15:00");
        let deadline = cal.add_working_minutes(start, 16 * 60);
        assert_local(deadline, "2026-10-09 16:00");
        assert_eq!(cal.working_minutes_between(start, deadline), 960);
    }

    #[test]
    fn make_up_saturdays_count() {
        let cal = cal();
        // 30 min left on Friday 10-09, the other 30 on the make-up Saturday 10-10.
        assert_local(
            cal.add_working_minutes(at("2026-10-09 17:00"), 60),
            "2026-10-10 09:00",
        );
        // Friday 02-13 after closing → make-up Saturday 02-14.
        assert_local(
            cal.add_working_minutes(at("2026-02-13 17:30"), 30),
            "2026-02-14 09:00",
        );
        // From the make-up Saturday over the Spring Festival (02-15..02-23) to Tuesday 02-24.
        assert_local(
            cal.add_working_minutes(at("2026-02-14 17:00"), 60),
            "2026-02-24 09:00",
        );
        assert_eq!(
            cal.working_minutes_between(at("2026-10-10 00:00"), at("2026-10-11 00:00")),
            450
        );
    }

    #[test]
    fn plain_weekend_skipped() {
        let cal = cal();
        assert_local(
            cal.add_working_minutes(at("2026-11-20 17:00"), 60),
            "2026-11-23 09:00",
        );
        // Starting on a Saturday waits for Monday opening.
        assert_local(
            cal.add_working_minutes(at("2026-11-21 10:00"), 30),
            "2026-11-23 09:00",
        );
        assert_eq!(
            cal.working_minutes_between(at("2026-11-21 00:00"), at("2026-11-23 00:00")),
            0
        );
        // 2026-09-19 is an ordinary Saturday; 09-20 is the make-up Sunday.
        assert_local(
            cal.add_working_minutes(at("2026-09-18 17:00"), 60),
            "2026-09-20 09:00",
        );
    }

    #[test]
    fn starts_outside_working_hours() {
        let cal = cal();
        // During the lunch break: counting begins at 13:30.
        assert_local(
            cal.add_working_minutes(at("2026-11-23 12:30"), 30),
            "2026-11-23 14:00",
        );
        // Before opening.
        assert_local(
            cal.add_working_minutes(at("2026-11-23 07:00"), 30),
            "2026-11-23 09:00",
        );
        // After closing: the next morning.
        assert_local(
            cal.add_working_minutes(at("2026-11-23 20:00"), 30),
            "2026-11-24 09:00",
        );
        // Just before midnight and just after.
        assert_local(
            cal.add_working_minutes(at("2026-11-23 23:59"), 1),
            "2026-11-24 08:31",
        );
        assert_local(
            cal.add_working_minutes(at("2026-11-24 00:00"), 1),
            "2026-11-24 08:31",
        );
    }

    #[test]
    fn period_boundaries() {
        let cal = cal();
        // Zero minutes leaves the start alone, even outside working hours.
        assert_eq!(
            cal.add_working_minutes(at("2026-11-23 08:30"), 0),
            at("2026-11-23 08:30")
        );
        assert_eq!(
            cal.add_working_minutes(at("2026-11-21 03:00"), 0),
            at("2026-11-21 03:00")
        );
        assert_eq!(
            cal.add_working_minutes(at("2026-11-23 09:00"), -5),
            at("2026-11-23 09:00")
        );
        assert_local(
            cal.add_working_minutes(at("2026-11-23 08:30"), 1),
            "2026-11-23 08:31",
        );
        // Running out exactly at a period end gives that end, not the next opening.
        assert_local(
            cal.add_working_minutes(at("2026-11-23 11:00"), 60),
            "2026-11-23 12:00",
        );
        assert_local(
            cal.add_working_minutes(at("2026-11-23 13:30"), 240),
            "2026-11-23 17:30",
        );
        assert_local(
            cal.add_working_minutes(at("2026-11-23 08:30"), 450),
            "2026-11-23 17:30",
        );
        assert_local(
            cal.add_working_minutes(at("2026-11-23 08:30"), 451),
            "2026-11-24 08:31",
        );
        // Starting at a period end counts from the next period.
        assert_local(
            cal.add_working_minutes(at("2026-11-23 12:00"), 1),
            "2026-11-23 13:31",
        );
        assert_local(
            cal.add_working_minutes(at("2026-11-23 17:30"), 1),
            "2026-11-24 08:31",
        );
        // The intervals are half-open: [08:30, 12:00) holds 210 minutes.
        assert_eq!(
            cal.working_minutes_between(at("2026-11-23 08:30"), at("2026-11-23 12:00")),
            210
        );
        assert_eq!(
            cal.working_minutes_between(at("2026-11-23 12:00"), at("2026-11-23 13:30")),
            0
        );
        assert_eq!(
            cal.working_minutes_between(at("2026-11-23 09:00"), at("2026-11-23 16:00")),
            180 + 150
        );
        assert_eq!(
            cal.working_minutes_between(at("2026-11-23 16:00"), at("2026-11-23 09:00")),
            0
        );
        // Partial minutes round down.
        assert_eq!(
            cal.working_minutes_between(at("2026-11-23 09:00"), at("2026-11-23 09:01") - 1),
            0
        );
    }

    #[test]
    fn across_a_year_boundary() {
        let cal = cal();
        // 2025-12-31 (Wednesday, no 2025 data configured) 16:30–17:30 is 60 min;
        // 2026-01-01..03 are off; Sunday 01-04 is a make-up day: 08:30 + 60 min.
        let start = at("2025-12-31 16:30");
        let deadline = cal.add_working_minutes(start, 120);
        assert_local(deadline, "2026-01-04 09:30");
        assert_eq!(cal.working_minutes_between(start, deadline), 120);
        // 30 on 12-31, 450 on the make-up Sunday 01-04, 30 on Monday 01-05.
        assert_eq!(
            cal.working_minutes_between(at("2025-12-31 17:00"), at("2026-01-05 09:00")),
            510
        );
        assert_local(
            cal.add_working_days(at("2025-12-31 10:00"), 1),
            "2026-01-04 17:30",
        );
    }

    #[test]
    fn large_amounts_skip_whole_days() {
        let cal = cal();
        // 14 400 min = 32 days of 450. From Wednesday 2026-07-01 08:30 (July–August have no
        // configured days): 07-01..03 (3), then five per week: 07-31 is the 23rd,
        // 08-07 the 28th, 08-13 (Thursday) the 32nd.
        let start = at("2026-07-01 08:30");
        let deadline = cal.add_working_minutes(start, 14_400);
        assert_local(deadline, "2026-08-13 17:30");
        assert_eq!(cal.working_minutes_between(start, deadline), 14_400);
        // Centuries ahead, with no configured days, stay exact and fast.
        let far = cal.add_working_minutes(start, 1_000_000_000);
        assert_eq!(cal.working_minutes_between(start, far), 1_000_000_000);
        assert!(cal.add_working_days(start, u32::MAX) > far);
        // Absurd amounts saturate instead of overflowing.
        assert_eq!(cal.add_working_minutes(start, i64::MAX), i64::MAX);
        assert_eq!(cal.add_working_minutes(i64::MAX - 1, 1), i64::MAX);
        assert!(cal.working_minutes_between(i64::MIN, i64::MAX) > 0);
    }

    #[test]
    fn agrees_with_minute_by_minute_reference() {
        let cal = cal();
        let base = at("2025-12-20 00:00");
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..400 {
            // Minute-aligned starts over 2025-12-20 … 2027-01, including every holiday.
            let start = base + (next() % (390 * 1440)) as i64 * MS_PER_MINUTE;
            let minutes = (next() % 4000) as i64 + 1;
            let fast = cal.add_working_minutes(start, minutes);
            assert_eq!(
                fast,
                naive_add_minutes(&cal, start, minutes),
                "{} + {minutes} min",
                format_local(start)
            );
            let days = (next() % 40) as u32;
            if days > 0 {
                assert_eq!(
                    cal.add_working_days(start, days),
                    naive_add_days(&cal, start, days),
                    "{} + {days} days",
                    format_local(start)
                );
            }
        }
    }

    #[test]
    fn round_trip_and_additivity() {
        let cal = cal();
        let base = at("2025-06-01 00:00");
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            // Any millisecond, not only whole minutes, over mid-2025 … 2027.
            let start = base + (next() % (900 * 86_400_000)) as i64;
            let minutes = match next() % 3 {
                0 => (next() % 500) as i64 + 1,
                1 => (next() % 20_000) as i64 + 1,
                _ => (next() % 2_000_000) as i64 + 1,
            };
            let end = cal.add_working_minutes(start, minutes);
            assert!(end > start);
            assert_eq!(cal.working_minutes_between(start, end), minutes);
            // The result is the earliest such instant: one millisecond less is not enough.
            assert_eq!(
                cal.working_ms_between(start, end - 1),
                i128::from(minutes * MS_PER_MINUTE) - 1
            );
            let middle = start + (next() % (end - start + 1) as u64) as i64;
            assert_eq!(
                cal.working_ms_between(start, middle) + cal.working_ms_between(middle, end),
                i128::from(minutes * MS_PER_MINUTE)
            );
        }
    }

    #[test]
    fn used_share_of_the_working_time() {
        let cal = cal();
        let start = at("2026-11-23 08:30");
        let deadline = at("2026-11-23 17:30"); // 450 working minutes
        assert_eq!(
            cal.used_permille(start, deadline, at("2026-11-23 08:00")),
            0
        );
        assert_eq!(cal.used_permille(start, deadline, start), 0);
        // 210 + 60 = 270 of 450.
        assert_eq!(
            cal.used_permille(start, deadline, at("2026-11-23 14:30")),
            600
        );
        // Lunch uses nothing: still 210 of 450 at 13:00.
        assert_eq!(
            cal.used_permille(start, deadline, at("2026-11-23 13:00")),
            466
        );
        // 80 % is 360 minutes: 210 + 150 → 16:00 exactly; a minute earlier is 797.
        assert_eq!(
            cal.used_permille(start, deadline, at("2026-11-23 16:00")),
            800
        );
        assert_eq!(
            cal.used_permille(start, deadline, at("2026-11-23 15:59")),
            797
        );
        assert_eq!(cal.used_permille(start, deadline, deadline), 1000);
        assert_eq!(
            cal.used_permille(start, deadline, at("2026-11-30 09:00")),
            1000
        );
        // Over a weekend the share does not move.
        let friday = at("2026-11-20 13:30");
        let monday = at("2026-11-23 12:00"); // 240 + 210 = 450 minutes
        assert_eq!(
            cal.used_permille(friday, monday, at("2026-11-21 12:00")),
            533
        );
        assert_eq!(
            cal.used_permille(friday, monday, at("2026-11-23 08:30")),
            533
        );
        // No working time between start and deadline, or start == deadline.
        let saturday = at("2026-11-21 09:00");
        assert_eq!(cal.used_permille(saturday, saturday, saturday - 1), 0);
        assert_eq!(cal.used_permille(saturday, saturday, saturday), 1000);
        let sunday = at("2026-11-22 09:00");
        assert_eq!(
            cal.used_permille(saturday, sunday, at("2026-11-21 18:00")),
            0
        );
        assert_eq!(cal.used_permille(saturday, sunday, sunday), 1000);
    }

    #[test]
    fn constructor_validation() {
        let none: [Date; 0] = [];
        let new = |periods: Vec<(u16, u16)>| WorkCalendar::new(periods, none, none);
        let err = |periods: Vec<(u16, u16)>| new(periods).unwrap_err().to_string();
        assert_eq!(err(vec![]), "至少需要设置一个工作时段");
        assert_eq!(
            err(vec![(510, 510)]),
            "工作时段 08:30–08:30 的结束时间应晚于开始时间"
        );
        assert_eq!(
            err(vec![(720, 510)]),
            "工作时段 12:00–08:30 的结束时间应晚于开始时间"
        );
        assert_eq!(
            err(vec![(1380, 1500)]),
            "工作时段 23:00–25:00 超出一天的范围：结束时间不能晚于 24:00"
        );
        assert_eq!(
            err(vec![(810, 1050), (510, 720)]),
            "工作时段应按时间先后排列：13:30–17:30 不应排在 08:30–12:00 之后"
        );
        assert_eq!(
            err(vec![(510, 720), (700, 1050)]),
            "工作时段 08:30–12:00 与 11:40–17:30 重叠"
        );
        assert_eq!(
            new(vec![(510, 720), (510, 600)]),
            Err(CalendarError::PeriodsOverlap {
                first: (510, 720),
                second: (510, 600)
            })
        );
        // Touching periods and a whole day are allowed.
        assert!(new(vec![(510, 720), (720, 1050)]).is_ok());
        assert!(new(vec![(0, 1440)]).is_ok());
        let both = WorkCalendar::new(
            DEFAULT_PERIODS.to_vec(),
            [d("2026-10-01"), d("2026-10-10")],
            [d("2026-10-10")],
        );
        assert_eq!(
            both.unwrap_err().to_string(),
            "2026-10-10 不能既是休息日又是调休上班日"
        );
    }

    #[test]
    fn admins_edit_days() {
        let mut cal = cal();
        // A local extra day off on Monday 2026-11-23.
        cal.add_day_off(d("2026-11-23")).unwrap();
        assert!(!cal.is_working_day(d("2026-11-23")));
        assert_local(
            cal.add_working_minutes(at("2026-11-20 17:00"), 60),
            "2026-11-24 09:00",
        );
        assert!(cal.remove_day_off(d("2026-11-23")));
        assert!(!cal.remove_day_off(d("2026-11-23")));
        assert_eq!(
            cal.add_day_off(d("2026-10-10")),
            Err(CalendarError::BothOffAndMakeUp(d("2026-10-10")))
        );
        assert_eq!(
            cal.add_make_up_day(d("2026-10-01")),
            Err(CalendarError::BothOffAndMakeUp(d("2026-10-01")))
        );
        cal.add_make_up_day(d("2026-11-21")).unwrap();
        assert!(cal.is_working_day(d("2026-11-21")));
        assert!(cal.remove_make_up_day(d("2026-11-21")));
        assert!(!cal.is_working_day(d("2026-11-21")));

        // Replacing one year leaves the others alone and is all-or-nothing.
        cal.replace_year(2027, [d("2027-01-01")], [d("2027-01-04")])
            .unwrap();
        assert_eq!(
            cal.replace_year(2027, [d("2026-12-31")], []),
            Err(CalendarError::OutsideYear {
                date: d("2026-12-31"),
                year: 2027
            })
        );
        assert_eq!(
            cal.replace_year(2027, [d("2027-02-01")], [d("2027-02-01")])
                .unwrap_err()
                .to_string(),
            "2027-02-01 不能既是休息日又是调休上班日"
        );
        assert_eq!(
            cal.days_off_in_year(2027).collect::<Vec<_>>(),
            [d("2027-01-01")]
        );
        assert_eq!(cal.days_off_in_year(2026).count(), 33);
        assert_eq!(cal.make_up_days_in_year(2026).count(), 6);
        cal.replace_year(2026, [], []).unwrap();
        assert!(cal.is_working_day(d("2026-10-01")));
        assert!(!cal.is_working_day(d("2026-10-10")));
        assert_eq!(cal.days_off_in_year(2027).count(), 1);
        assert_eq!(
            cal.replace_year(2027, [], [d("2028-01-01")])
                .unwrap_err()
                .to_string(),
            "2028-01-01 不属于 2027 年"
        );
    }
}
