//! When events are reported: an hour-by-hour weight over the past days (busy working hours,
//! quiet nights, fewer on days off) turned into a monotone map from `[0, 1)` to instants, so
//! event `n` of `N` is reported after event `n - 1` and its time costs one lookup.

use wangge_domain::date::{SHANGHAI_OFFSET_MS, local_date};
use wangge_domain::worktime::WorkCalendar;

const HOUR_MS: i64 = 3_600_000;

/// Relative number of reports in each local hour of a working day: grid workers patrol in
/// working hours, citizens and the hotline also report in the evening.
const WORKING_DAY: [f64; 24] = [
    0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.12, 0.35, 0.9, 1.0, 1.0, 0.9, 0.45, 0.5, 0.85, 1.0, 0.95,
    0.8, 0.45, 0.35, 0.3, 0.2, 0.1, 0.05,
];
/// Days off see fewer reports (patrols go on at a lower rate, citizens keep reporting).
const DAY_OFF_FACTOR: f64 = 0.45;

/// The cumulative report weight of every hour from `start` to `end`.
pub(super) struct Timeline {
    start: i64,
    end: i64,
    /// `cumulative[i]` is the weight of the hours before hour `i`; one more entry than hours.
    cumulative: Vec<f64>,
}

impl Timeline {
    /// The `days` days before `end` (UTC ms), hour by hour on Shanghai local time.
    pub(super) fn new(end: i64, days: u32, calendar: &WorkCalendar) -> Timeline {
        // Start on a local hour boundary, so each slot is one local hour.
        let local_start = end + SHANGHAI_OFFSET_MS - i64::from(days) * 24 * HOUR_MS;
        let start = local_start - local_start.rem_euclid(HOUR_MS) - SHANGHAI_OFFSET_MS;
        let mut cumulative = vec![0.0];
        let mut total = 0.0;
        let mut slot = start;
        while slot < end {
            let hour = ((slot + SHANGHAI_OFFSET_MS).rem_euclid(24 * HOUR_MS) / HOUR_MS) as usize;
            let day = if calendar.is_working_day(local_date(slot)) {
                1.0
            } else {
                DAY_OFF_FACTOR
            };
            // The hour in progress counts only up to `end`.
            let share = ((end - slot).min(HOUR_MS)) as f64 / HOUR_MS as f64;
            total += WORKING_DAY[hour] * day * share;
            cumulative.push(total);
            slot += HOUR_MS;
        }
        Timeline {
            start,
            end,
            cumulative,
        }
    }

    /// The instant at share `u` (in `[0, 1)`) of the weight: non-decreasing in `u`, inside
    /// `[start, end)`.
    pub(super) fn at(&self, u: f64) -> i64 {
        let total = *self.cumulative.last().unwrap_or(&0.0);
        if total <= 0.0 {
            return self.end - 1;
        }
        let target = u.clamp(0.0, 1.0) * total;
        // The hour whose cumulative range holds the target.
        let i = self
            .cumulative
            .partition_point(|&c| c <= target)
            .saturating_sub(1)
            .min(self.cumulative.len() - 2);
        let (lo, hi) = (self.cumulative[i], self.cumulative[i + 1]);
        let within = if hi > lo {
            (target - lo) / (hi - lo)
        } else {
            0.0
        };
        let slot = self.start + i as i64 * HOUR_MS;
        let slot_len = (self.end - slot).min(HOUR_MS);
        (slot + (within * slot_len as f64) as i64).min(self.end - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wangge_domain::date::{Date, local_midnight_ms};

    fn calendar() -> WorkCalendar {
        WorkCalendar::china_2026()
    }

    #[test]
    fn monotone_and_inside() {
        let end = local_midnight_ms(Date::new(2026, 12, 1).unwrap()) + 21 * HOUR_MS;
        let t = Timeline::new(end, 90, &calendar());
        let mut last = i64::MIN;
        for k in 0..10_000 {
            let at = t.at(f64::from(k) / 10_000.0);
            assert!(at >= last && at < end && at >= end - 91 * 24 * HOUR_MS);
            last = at;
        }
        assert_eq!(t.at(1.0), end - 1);
    }

    #[test]
    fn working_hours_get_most_reports() {
        let end = local_midnight_ms(Date::new(2026, 12, 1).unwrap());
        let t = Timeline::new(end, 90, &calendar());
        let cal = calendar();
        let (mut working, mut night, mut off) = (0, 0, 0);
        for k in 0..20_000 {
            let at = t.at((f64::from(k) + 0.5) / 20_000.0);
            let hour = (at + SHANGHAI_OFFSET_MS).rem_euclid(24 * HOUR_MS) / HOUR_MS;
            if !cal.is_working_day(local_date(at)) {
                off += 1;
            } else if (8..18).contains(&hour) {
                working += 1;
            } else if !(6..22).contains(&hour) {
                night += 1;
            }
        }
        assert!(working > 10_000, "{working}");
        assert!(night < 600, "{night}");
        // About 30 % of the days are off, at under half the rate.
        assert!((2_000..5_000).contains(&off), "{off}");
    }
}
