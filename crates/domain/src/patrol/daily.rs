//! The daily patrol rule (每天巡查不少于2小时 [Shifeng]): patrol time per Shanghai day and
//! whether a worker's day meets the rule.

use std::collections::BTreeMap;

use super::Period;
use crate::date::{Date, local_date, local_midnight_ms};

/// Minutes of patrol a worker owes each day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DailyRule {
    min_minutes: u32,
}

/// Why a daily rule cannot be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("每日巡查时长要求应为0～1440分钟，实际为{0}分钟")]
pub struct DailyRuleError(pub u32);

impl DailyRule {
    /// Two hours [Shifeng].
    pub const DEFAULT_MINUTES: u32 = 120;

    /// A rule of `min_minutes` a day, at most a whole day; 0 asks for nothing.
    pub fn new(min_minutes: u32) -> Result<DailyRule, DailyRuleError> {
        if min_minutes > 1440 {
            return Err(DailyRuleError(min_minutes));
        }
        Ok(DailyRule { min_minutes })
    }

    pub fn min_minutes(self) -> u32 {
        self.min_minutes
    }

    /// The status of `date` with `patrol_ms` of patrol time on it (for callers that keep
    /// the daily sums, e.g. from [`ms_by_day`] stored per patrol).
    pub fn status(self, date: Date, patrol_ms: i64) -> DayStatus {
        let patrol_ms = patrol_ms.max(0);
        let required_ms = i64::from(self.min_minutes) * 60_000;
        let met = patrol_ms >= required_ms;
        let short_ms = if met { 0 } else { required_ms - patrol_ms };
        DayStatus {
            date,
            patrol_ms,
            minutes: u32::try_from(patrol_ms / 60_000).unwrap_or(u32::MAX),
            required_minutes: self.min_minutes,
            met,
            // Rounded up: 119.5 minutes are 119 minutes, 1 short.
            short_by_minutes: u32::try_from((short_ms + 59_999) / 60_000).unwrap_or(u32::MAX),
        }
    }
}

impl Default for DailyRule {
    fn default() -> DailyRule {
        DailyRule {
            min_minutes: DailyRule::DEFAULT_MINUTES,
        }
    }
}

/// A worker's day against the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayStatus {
    pub date: Date,
    pub patrol_ms: i64,
    /// Whole minutes patrolled (rounded down).
    pub minutes: u32,
    pub required_minutes: u32,
    pub met: bool,
    /// Minutes still missing (rounded up); 0 when met.
    pub short_by_minutes: u32,
}

impl DayStatus {
    /// The status for people, e.g. `未达标：巡查95分钟，还差25分钟（要求120分钟）`.
    pub fn label(&self) -> String {
        if self.met {
            format!(
                "已达标：巡查{}分钟（要求{}分钟）",
                self.minutes, self.required_minutes
            )
        } else {
            format!(
                "未达标：巡查{}分钟，还差{}分钟（要求{}分钟）",
                self.minutes, self.short_by_minutes, self.required_minutes
            )
        }
    }
}

/// Patrol time per Shanghai day, in date order: the spans (of one patrol or of all a
/// worker's patrols) are joined where they overlap, so time is counted once, and cut at
/// local midnight.
pub fn ms_by_day(spans: impl IntoIterator<Item = Period>) -> Vec<(Date, i64)> {
    let mut spans: Vec<Period> = spans.into_iter().filter(|s| s.ms() > 0).collect();
    spans.sort_unstable();
    let mut days: Vec<(Date, i64)> = Vec::new();
    let mut counted_to = i64::MIN;
    for span in spans {
        let mut from = span.from_ms.max(counted_to);
        while from < span.to_ms {
            let date = local_date(from);
            let to = span.to_ms.min(local_midnight_ms(date.add_days(1)));
            match days.last_mut() {
                Some((last, ms)) if *last == date => *ms += to - from,
                _ => days.push((date, to - from)),
            }
            from = to;
        }
        counted_to = counted_to.max(span.to_ms);
    }
    days
}

/// The status of a worker's `date` from the spans of their patrols (see
/// [`super::TrackStats::spans`]); spans on other days are ignored.
pub fn daily_status(
    date: Date,
    spans: impl IntoIterator<Item = Period>,
    rule: DailyRule,
) -> DayStatus {
    let start = local_midnight_ms(date);
    let end = local_midnight_ms(date.add_days(1));
    let on_day = spans.into_iter().map(|s| Period {
        from_ms: s.from_ms.max(start),
        to_ms: s.to_ms.min(end),
    });
    let ms = ms_by_day(on_day).first().map_or(0, |&(_, ms)| ms);
    rule.status(date, ms)
}

/// The workers of an area on a day and how many fell short.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShortTally {
    pub workers: u32,
    pub short_of_patrol: u32,
    pub not_reported: u32,
}

/// Grids' days — `(grid code, patrol rule met, daily report filed)` — tallied by the area
/// their code's first `code_len` digits name (a street's 9, a community's 12).
pub fn tally_by_area<'a>(
    days: impl IntoIterator<Item = (&'a str, bool, bool)>,
    code_len: usize,
) -> BTreeMap<&'a str, ShortTally> {
    let mut areas: BTreeMap<&str, ShortTally> = BTreeMap::new();
    for (grid, met, reported) in days {
        let t = areas
            .entry(grid.get(..code_len).unwrap_or(grid))
            .or_default();
        t.workers += 1;
        t.short_of_patrol += u32::from(!met);
        t.not_reported += u32::from(!reported);
    }
    areas
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{Walk, at, square};
    use super::super::{Area, Track, TrackRules, stats};
    use super::*;

    fn day(d: u8) -> Date {
        Date::new(2026, 3, d).unwrap()
    }

    fn span(from_ms: i64, to_ms: i64) -> Period {
        Period { from_ms, to_ms }
    }

    #[test]
    fn the_rule_defaults_to_two_hours_and_is_bounded() {
        assert_eq!(DailyRule::default().min_minutes(), 120);
        assert_eq!(DailyRule::new(90).unwrap().min_minutes(), 90);
        let err = DailyRule::new(1441).unwrap_err();
        assert_eq!(
            err.to_string(),
            "每日巡查时长要求应为0～1440分钟，实际为1441分钟"
        );
        // A rule of 0 minutes is met by a day without patrol.
        assert!(DailyRule::new(0).unwrap().status(day(10), 0).met);
    }

    #[test]
    fn a_patrol_across_midnight_counts_on_both_days() {
        // 23:00 to 01:00, walking back and forth in the grid, a position every 30 s.
        let mut walk = Walk::start(at(23, 0), 100.0, 100.0, 30);
        for _ in 0..4 {
            walk = walk.to(820.0, 100.0, 0.8).to(100.0, 100.0, 0.8);
        }
        let grid = square(1000.0);
        let s = stats(
            &Track::from_points(&walk.points()),
            &Area::new(&grid),
            &TrackRules::default(),
        );
        assert_eq!(s.patrol_ms, 2 * 3_600_000);
        assert_eq!(
            s.ms_by_day(),
            vec![(day(10), 3_600_000), (day(11), 3_600_000)]
        );
        let rule = DailyRule::default();
        for d in [day(10), day(11)] {
            let status = daily_status(d, s.spans.iter().copied(), rule);
            assert_eq!(
                (status.minutes, status.met, status.short_by_minutes),
                (60, false, 60)
            );
        }
        assert_eq!(daily_status(day(12), s.spans.clone(), rule).patrol_ms, 0);
    }

    #[test]
    fn two_patrols_of_a_day_add_up_and_overlaps_count_once() {
        let morning = [span(at(8, 30), at(9, 40))];
        let afternoon = [span(at(14, 0), at(14, 30)), span(at(14, 35), at(14, 55))];
        let spans = morning.iter().chain(&afternoon).copied();
        let status = daily_status(day(10), spans, DailyRule::default());
        assert_eq!(status.minutes, 120);
        assert!(status.met);
        assert_eq!(status.label(), "已达标：巡查120分钟（要求120分钟）");
        // The same morning recorded twice (two phones) and overlapping the afternoon.
        let doubled = [
            span(at(8, 30), at(9, 40)),
            span(at(8, 30), at(9, 40)),
            span(at(9, 0), at(9, 50)),
        ];
        assert_eq!(ms_by_day(doubled), vec![(day(10), 80 * 60_000)]);
    }

    #[test]
    fn a_day_short_by_half_a_minute_is_short_by_one() {
        let status = DailyRule::default().status(day(10), 119 * 60_000 + 30_000);
        assert_eq!(
            (status.minutes, status.met, status.short_by_minutes),
            (119, false, 1)
        );
        assert_eq!(
            DailyRule::default().status(day(10), 95 * 60_000).label(),
            "未达标：巡查95分钟，还差25分钟（要求120分钟）"
        );
    }

    #[test]
    fn a_span_over_several_days_is_cut_at_each_midnight() {
        let days = ms_by_day([span(at(20, 0), at(20, 0) + 2 * 86_400_000)]);
        assert_eq!(
            days,
            vec![
                (day(10), 4 * 3_600_000),
                (day(11), 24 * 3_600_000),
                (day(12), 20 * 3_600_000)
            ]
        );
        assert!(ms_by_day([span(at(9, 0), at(9, 0))]).is_empty());
    }

    #[test]
    fn days_are_tallied_by_street_or_community() {
        let days = [
            ("430204001001001", true, true),
            ("430204001001002", false, true),
            ("430204001002001", false, false),
            ("430204002001001", true, false),
        ];
        let streets = tally_by_area(days, 9);
        assert_eq!(
            streets.into_iter().collect::<Vec<_>>(),
            vec![
                (
                    "430204001",
                    ShortTally {
                        workers: 3,
                        short_of_patrol: 2,
                        not_reported: 1
                    }
                ),
                (
                    "430204002",
                    ShortTally {
                        workers: 1,
                        short_of_patrol: 0,
                        not_reported: 1
                    }
                ),
            ]
        );
        let communities = tally_by_area(days, 12);
        assert_eq!(communities.len(), 3);
        assert_eq!(communities["430204001001"].short_of_patrol, 1);
        // A code shorter than the level is its own area.
        assert_eq!(tally_by_area([("4302", true, true)], 9)["4302"].workers, 1);
    }
}
