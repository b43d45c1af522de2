//! Civil (proleptic Gregorian) dates and Asia/Shanghai local time, without a time-zone library.
//!
//! China has observed no daylight saving time since 1991, so Shanghai time is always UTC+8
//! for the instants this system handles; a fixed offset is exact.

use std::fmt;
use std::str::FromStr;

/// Offset of Asia/Shanghai from UTC, in milliseconds.
pub const SHANGHAI_OFFSET_MS: i64 = 8 * 3600 * 1000;

const MS_PER_DAY: i64 = 86_400_000;

/// Whether `year` has a 29 February.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1–12) of `year`; 0 for a month out of range.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A calendar date. Build it with [`Date::new`] or [`Date::parse`] to be sure it is valid;
/// the fields are public for pattern matching and cheap reads.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// Why a string is not a `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("日期格式应为 YYYY-MM-DD 且为有效日期")]
pub struct DateParseError;

impl Date {
    /// A date, or `None` when the month or day does not exist (e.g. 2026-02-29).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        (day >= 1 && day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let year = i32::try_from(num(0..4)?).ok()?;
        let month = u8::try_from(num(5..7)?).ok()?;
        let day = u8::try_from(num(8..10)?).ok()?;
        Date::new(year, month, day)
    }

    /// Same as the free function [`is_leap_year`].
    pub fn is_leap_year(year: i32) -> bool {
        is_leap_year(year)
    }

    /// Same as the free function [`days_in_month`].
    pub fn days_in_month(year: i32, month: u8) -> u8 {
        days_in_month(year, month)
    }

    /// Days from 1970-01-01 (day 0); negative before it.
    ///
    /// Uses the "days from civil" method: shift the year to start in March so the leap day
    /// falls at its end, then count whole 400-year eras (146 097 days each).
    pub fn days_since_epoch(self) -> i64 {
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400); // 0..=399
        let month_from_march = (month + 9) % 12; // March = 0 … February = 11
        let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        // 719 468 = days from 0000-03-01 to 1970-01-01.
        era * 146_097 + day_of_era - 719_468
    }

    /// Inverse of [`Date::days_since_epoch`]; exact for any year that fits in an `i32`.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097); // 0..=146 096
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        // The casts are exact: day is 1..=31, month 1..=12, and year is in range by contract.
        Date {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        }
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday (4).
        ((self.days_since_epoch() + 3).rem_euclid(7) + 1) as u8
    }

    /// The date `days` later (earlier when negative).
    pub fn add_days(self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateParseError;

    fn from_str(s: &str) -> Result<Date, DateParseError> {
        Date::parse(s).ok_or(DateParseError)
    }
}

/// The Asia/Shanghai calendar date of an instant given in Unix milliseconds.
pub fn local_date(unix_ms: i64) -> Date {
    Date::from_days_since_epoch((unix_ms + SHANGHAI_OFFSET_MS).div_euclid(MS_PER_DAY))
}

/// An instant as Shanghai wall-clock time to the minute, e.g. `2026-11-23 16:05`.
pub fn format_local(unix_ms: i64) -> String {
    let local = unix_ms + SHANGHAI_OFFSET_MS;
    let minute_of_day = local.rem_euclid(MS_PER_DAY) / 60_000;
    format!(
        "{} {:02}:{:02}",
        local_date(unix_ms),
        minute_of_day / 60,
        minute_of_day % 60
    )
}

/// The UTC instant (Unix milliseconds) of 00:00 Shanghai time on `date`.
pub fn local_midnight_ms(date: Date) -> i64 {
    date.days_since_epoch() * MS_PER_DAY - SHANGHAI_OFFSET_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn epoch_and_known_days() {
        assert_eq!(d(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(d(1969, 12, 31).days_since_epoch(), -1);
        assert_eq!(d(2000, 3, 1).days_since_epoch(), 11_017);
        assert_eq!(d(2024, 1, 1).days_since_epoch(), 19_723);
        assert_eq!(Date::from_days_since_epoch(19_723), d(2024, 1, 1));
    }

    #[test]
    fn round_trip_over_a_wide_range() {
        // Every day from about 1600 to 2400, checking that consecutive days are consecutive.
        let start = d(1600, 1, 1).days_since_epoch();
        let mut prev = Date::from_days_since_epoch(start - 1);
        for n in start..start + 800 * 366 {
            let date = Date::from_days_since_epoch(n);
            assert_eq!(date.days_since_epoch(), n);
            assert_eq!(Date::new(date.year, date.month, date.day), Some(date));
            assert!(date > prev, "{date} should follow {prev}");
            prev = date;
        }
    }

    #[test]
    fn leap_years_and_month_lengths() {
        assert!(is_leap_year(2000));
        assert!(is_leap_year(2024));
        assert!(!is_leap_year(1900));
        assert!(!is_leap_year(2026));
        assert!(Date::is_leap_year(2028));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2026, 2), 28);
        assert_eq!(Date::days_in_month(2026, 4), 30);
        assert_eq!(days_in_month(2026, 13), 0);
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2026, 2, 29).is_none());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2026, 4, 31).is_none());
        assert!(Date::new(2026, 0, 1).is_none());
        assert!(Date::new(2026, 1, 0).is_none());
        assert_eq!(d(2024, 2, 28).add_days(1), d(2024, 2, 29));
        assert_eq!(d(2026, 2, 28).add_days(1), d(2026, 3, 1));
        assert_eq!(d(2026, 1, 1).add_days(-1), d(2025, 12, 31));
    }

    #[test]
    fn weekdays() {
        assert_eq!(d(1970, 1, 1).weekday(), 4);
        assert_eq!(d(2026, 10, 10).weekday(), 6);
        assert_eq!(d(2026, 11, 23).weekday(), 1);
        assert_eq!(d(2026, 11, 22).weekday(), 7);
        assert_eq!(d(1949, 10, 1).weekday(), 6);
    }

    #[test]
    fn parse_and_display() {
        assert_eq!(Date::parse("2026-11-23"), Some(d(2026, 11, 23)));
        assert_eq!("2024-02-29".parse::<Date>(), Ok(d(2024, 2, 29)));
        assert_eq!(d(2026, 1, 5).to_string(), "2026-01-05");
        for bad in [
            "2026-02-29",
            "2026-1-05",
            "2026/01/05",
            "20260105",
            "２026-01-05",
            "2026-01-0x",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!("x".parse::<Date>(), Err(DateParseError));
    }

    #[test]
    fn shanghai_time() {
        // 2026-11-23 16:05 in Shanghai is 08:05 UTC.
        let ms = local_midnight_ms(d(2026, 11, 23)) + (16 * 60 + 5) * 60_000;
        assert_eq!(format_local(ms), "2026-11-23 16:05");
        assert_eq!(local_date(ms), d(2026, 11, 23));
        // Midnight Shanghai is 16:00 UTC the previous day.
        assert_eq!(local_midnight_ms(d(1970, 1, 2)), 16 * 3_600_000);
        assert_eq!(local_date(0), d(1970, 1, 1));
        assert_eq!(format_local(0), "1970-01-01 08:00");
        assert_eq!(local_date(16 * 3_600_000 - 1), d(1970, 1, 1));
        assert_eq!(local_date(16 * 3_600_000), d(1970, 1, 2));
        // Before 1970 the floor division must still pick the right day.
        assert_eq!(format_local(-9 * 3_600_000), "1969-12-31 23:00");
    }

    #[test]
    fn local_date_of_midnight_is_that_date() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..2000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let date = Date::from_days_since_epoch((state % 100_000) as i64 - 30_000);
            let midnight = local_midnight_ms(date);
            assert_eq!(local_date(midnight), date);
            assert_eq!(local_date(midnight - 1), date.add_days(-1));
            assert_eq!(local_date(midnight + MS_PER_DAY - 1), date);
        }
    }
}
