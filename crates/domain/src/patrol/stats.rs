//! What a track adds up to: distance, duration, patrol time, the share of it inside the
//! worker's grid, the gaps, and the speeds no one on foot or on a bike reaches (see the
//! module documentation of [`super`] for the rules).

use super::{Area, Period, Track, TrackPoint, clock, distance_text, ms_by_day};
use crate::coords::distance_m;
use crate::date::Date;

/// Thresholds of the statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackRules {
    /// Fastest believable speed in m/s (default 15 m/s = 54 km/h).
    pub max_speed_mps: f64,
    /// Longest time between positions that still counts as patrolling (default 5 min).
    pub gap_ms: i64,
    /// Smallest move that adds to the distance, in metres (default 10 m: GPS noise).
    pub jitter_m: f64,
}

impl Default for TrackRules {
    fn default() -> TrackRules {
        TrackRules {
            max_speed_mps: 15.0,
            gap_ms: 300_000,
            jitter_m: 10.0,
        }
    }
}

/// A move faster than [`TrackRules::max_speed_mps`]: from the position at `from_ms` to the
/// one at `to_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeedFlag {
    pub from_ms: i64,
    pub to_ms: i64,
    pub distance_m: f64,
    /// Distance over time as reported (the limit is checked after taking off accuracies).
    pub speed_mps: f64,
    pub limit_mps: f64,
    /// The position at `to_ms` was a lone jump and is left out of the track's figures;
    /// otherwise the move itself counts neither distance nor time.
    pub dropped: bool,
}

impl SpeedFlag {
    /// The flag for people, e.g. `09:10:05至09:10:15移动2.0公里，速度约200.0米/秒…`.
    pub fn reason(&self) -> String {
        let consequence = if self.dropped {
            "该定位点视为漂移已剔除"
        } else {
            "该段不计入里程和巡查时长"
        };
        format!(
            "{}至{}移动{}，速度约{:.1}米/秒（{:.0}公里/时），超过上限{}米/秒，{consequence}",
            clock(self.from_ms),
            clock(self.to_ms),
            distance_text(self.distance_m),
            self.speed_mps,
            self.speed_mps * 3.6,
            self.limit_mps,
        )
    }
}

/// The figures of one patrol's track.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrackStats {
    /// Positions in the track, dropped ones included.
    pub points: usize,
    /// From the first position to the last.
    pub duration_ms: i64,
    /// Time backed by positions: the sum of `spans`.
    pub patrol_ms: i64,
    /// Metres along the counted segments.
    pub distance_m: f64,
    /// Patrol time inside the grid.
    pub inside_ms: i64,
    /// `inside_ms / patrol_ms`, from 0 to 1; 0 without patrol time.
    pub inside_share: f64,
    /// The runs of counted time, in order; what the daily rule adds up.
    pub spans: Vec<Period>,
    /// Stretches longer than [`TrackRules::gap_ms`] without positions.
    pub gaps: Vec<Period>,
    pub speed_flags: Vec<SpeedFlag>,
}

impl TrackStats {
    /// Positions left out as lone jumps.
    pub fn dropped_points(&self) -> usize {
        self.speed_flags.iter().filter(|f| f.dropped).count()
    }

    /// Patrol time per Shanghai day (see [`ms_by_day`]).
    pub fn ms_by_day(&self) -> Vec<(Date, i64)> {
        ms_by_day(self.spans.iter().copied())
    }

    /// What was left out and why, in time order, for the patrol's page.
    pub fn notes(&self) -> Vec<String> {
        let mut notes: Vec<(i64, String)> = self
            .gaps
            .iter()
            .map(|gap| {
                let text = format!(
                    "{}至{}无定位（{}分钟），不计入巡查时长",
                    clock(gap.from_ms),
                    clock(gap.to_ms),
                    gap.ms() / 60_000
                );
                (gap.from_ms, text)
            })
            .chain(self.speed_flags.iter().map(|f| (f.from_ms, f.reason())))
            .collect();
        notes.sort_by_key(|(at, _)| *at);
        notes.into_iter().map(|(_, text)| text).collect()
    }
}

/// Distance and the speed to judge by, which leaves out the positions' accuracies so that
/// two noisy fixes close in time are not taken for a dash.
fn speed(a: &TrackPoint, b: &TrackPoint) -> (f64, f64, f64) {
    let d = distance_m(a.lng_lat(), b.lng_lat());
    let seconds = (b.at_ms - a.at_ms) as f64 / 1000.0;
    let slack = a.accuracy_m.unwrap_or(0.0) + b.accuracy_m.unwrap_or(0.0);
    (d, d / seconds, (d - slack).max(0.0) / seconds)
}

/// The part of the segment `a → b` inside the grid, by its parameter (time at constant
/// speed). A segment is judged by its ends; when they differ, bisection finds where it
/// crosses to 1/4096 of its length.
fn inside_fraction(grid: &Area, a: (f64, f64), a_in: bool, b: (f64, f64), b_in: bool) -> f64 {
    if a_in == b_in {
        return if a_in { 1.0 } else { 0.0 };
    }
    let at = |t: f64| (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..12 {
        let mid = (lo + hi) / 2.0;
        if grid.contains(at(mid)) == a_in {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t = (lo + hi) / 2.0;
    if a_in { t } else { 1.0 - t }
}

/// Running sums of a walk over the track.
#[derive(Default)]
struct Sums {
    stats: TrackStats,
    inside_ms: f64,
    open: Option<Period>,
}

impl Sums {
    fn count(&mut self, from_ms: i64, to_ms: i64, inside_fraction: f64) {
        let dt = to_ms - from_ms;
        self.stats.patrol_ms += dt;
        self.inside_ms += dt as f64 * inside_fraction;
        match &mut self.open {
            Some(span) => span.to_ms = to_ms,
            None => self.open = Some(Period { from_ms, to_ms }),
        }
    }

    fn close(&mut self) {
        self.stats.spans.extend(self.open.take());
    }
}

/// The figures of a track against the worker's grid.
pub fn stats(track: &Track, grid: &Area, rules: &TrackRules) -> TrackStats {
    let points = track.points();
    let mut sums = Sums::default();
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return TrackStats::default();
    };
    let mut prev = *first;
    let mut prev_in = grid.contains(prev.lng_lat());
    // Where distance was last counted from (see `TrackRules::jitter_m`).
    let mut anchor = prev;
    let mut next = 1;
    while let Some(&q) = points.get(next) {
        next += 1;
        if q.at_ms - prev.at_ms > rules.gap_ms {
            sums.stats.gaps.push(Period {
                from_ms: prev.at_ms,
                to_ms: q.at_ms,
            });
            sums.close();
        } else {
            let (d, raw_speed, judged_speed) = speed(&prev, &q);
            if judged_speed <= rules.max_speed_mps {
                let q_in = grid.contains(q.lng_lat());
                let share = inside_fraction(grid, prev.lng_lat(), prev_in, q.lng_lat(), q_in);
                sums.count(prev.at_ms, q.at_ms, share);
                let moved = distance_m(anchor.lng_lat(), q.lng_lat());
                if moved >= rules.jitter_m {
                    sums.stats.distance_m += moved;
                    anchor = q;
                }
                (prev, prev_in) = (q, q_in);
                continue;
            }
            // A lone jump: the position after it is within reach of the one before.
            let dropped = points.get(next).is_some_and(|r| {
                r.at_ms - prev.at_ms <= rules.gap_ms && speed(&prev, r).2 <= rules.max_speed_mps
            });
            sums.stats.speed_flags.push(SpeedFlag {
                from_ms: prev.at_ms,
                to_ms: q.at_ms,
                distance_m: d,
                speed_mps: raw_speed,
                limit_mps: rules.max_speed_mps,
                dropped,
            });
            if dropped {
                continue;
            }
            sums.close();
        }
        // After a gap or a move too fast, the track starts afresh at `q`.
        (prev, prev_in, anchor) = (q, grid.contains(q.lng_lat()), q);
    }
    sums.close();
    let mut stats = sums.stats;
    stats.points = points.len();
    stats.duration_ms = last.at_ms - first.at_ms;
    stats.inside_ms = sums.inside_ms.round() as i64;
    if stats.patrol_ms > 0 {
        stats.inside_share = (sums.inside_ms / stats.patrol_ms as f64).clamp(0.0, 1.0);
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{Walk, at, square};
    use super::*;
    use crate::geometry::MultiPolygon;

    /// The worker's grid: a square of 1 km from the route's origin.
    fn grid() -> MultiPolygon {
        square(1000.0)
    }

    fn stats_of(points: &[TrackPoint]) -> TrackStats {
        let grid = grid();
        stats(
            &Track::from_points(points),
            &Area::new(&grid),
            &TrackRules::default(),
        )
    }

    fn assert_near(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} is not within {tolerance} of {expected}"
        );
    }

    #[test]
    fn a_straight_walk_inside_the_grid() {
        // 800 m east at 1.25 m/s, a position every 30 s: 640 s.
        let walk = Walk::start(at(9, 0), 100.0, 500.0, 30)
            .to(900.0, 500.0, 1.25)
            .points();
        let s = stats_of(&walk);
        assert_eq!(s.points, 23);
        assert_near(s.distance_m, 800.0, 0.5);
        assert_eq!(s.duration_ms, 640_000);
        assert_eq!(s.patrol_ms, 640_000);
        assert_eq!(s.inside_ms, 640_000);
        assert_eq!(s.inside_share, 1.0);
        assert_eq!(
            s.spans,
            vec![Period {
                from_ms: at(9, 0),
                to_ms: at(9, 0) + 640_000
            }]
        );
        assert!(s.gaps.is_empty() && s.speed_flags.is_empty());
        assert!(s.notes().is_empty());
    }

    #[test]
    fn a_route_with_corners_and_a_stop_adds_its_legs() {
        // 600 m east, 400 m north, 10 minutes with residents, 300 m back west.
        let walk = Walk::start(at(9, 0), 100.0, 100.0, 45)
            .to(700.0, 100.0, 1.5)
            .to(700.0, 500.0, 1.0)
            .stay(600)
            .to(400.0, 500.0, 1.2)
            .points();
        let s = stats_of(&walk);
        assert_near(s.distance_m, 1300.0, 1.0);
        let expected_ms = (400 + 400 + 600 + 250) * 1000;
        assert_eq!(s.patrol_ms, expected_ms);
        assert_eq!(s.duration_ms, expected_ms);
        assert_eq!(s.inside_share, 1.0);
    }

    #[test]
    fn a_gps_jump_of_2_km_in_10_s_is_flagged_and_dropped() {
        let clean = Walk::start(at(9, 0), 100.0, 500.0, 30)
            .to(500.0, 500.0, 1.25)
            .to(900.0, 500.0, 1.25)
            .points();
        // The same walk with one wrong fix 10 s after the point at 500 m, 2 km north.
        let jumped = Walk::start(at(9, 0), 100.0, 500.0, 30)
            .to(500.0, 500.0, 1.25)
            .jump(10, 500.0, 2500.0)
            .to(900.0, 500.0, 1.25)
            .points();
        let s = stats_of(&jumped);
        assert_eq!(s.speed_flags.len(), 1);
        let flag = s.speed_flags[0];
        assert!(flag.dropped);
        assert_near(flag.distance_m, 2000.0, 1.0);
        assert_near(flag.speed_mps, 200.0, 0.1);
        assert_eq!(s.dropped_points(), 1);
        assert_eq!(
            flag.reason(),
            "09:05:20至09:05:30移动2.0公里，速度约200.0米/秒（720公里/时），超过上限15米/秒，\
             该定位点视为漂移已剔除"
        );
        // Distance and time are those of the walk without the jump (the jump took 10 s).
        let without = stats_of(&clean);
        assert_near(s.distance_m, without.distance_m, 1e-6);
        assert_eq!(s.patrol_ms, without.patrol_ms + 10_000);
        assert_eq!(s.spans.len(), 1);
        assert_eq!(s.inside_share, 1.0);
    }

    #[test]
    fn a_move_too_fast_that_stays_counts_neither_distance_nor_time() {
        // A walk, then the positions go on 3 km away a minute later (a ride in a car).
        let mut walk = Walk::start(at(9, 0), 100.0, 500.0, 30)
            .to(400.0, 500.0, 1.0)
            .points();
        walk.extend(
            Walk::start(at(9, 6), 3400.0, 500.0, 30)
                .to(3700.0, 500.0, 1.0)
                .points(),
        );
        let s = stats_of(&walk);
        assert_eq!(s.speed_flags.len(), 1);
        assert!(!s.speed_flags[0].dropped);
        assert_near(s.speed_flags[0].speed_mps, 50.0, 0.1);
        assert_near(s.distance_m, 600.0, 0.5);
        assert_eq!(s.patrol_ms, 600_000);
        assert_eq!(s.duration_ms, 660_000);
        assert_eq!(s.spans.len(), 2);
        // Half the patrol time was spent outside the grid.
        assert_near(s.inside_share, 0.5, 1e-9);
        assert!(
            s.notes()[0].ends_with("该段不计入里程和巡查时长"),
            "{:?}",
            s.notes()
        );
    }

    #[test]
    fn a_gap_of_20_minutes_is_not_patrol_time() {
        let walk = Walk::start(at(9, 0), 100.0, 500.0, 30)
            .to(400.0, 500.0, 1.0)
            .silent(20 * 60)
            .to(700.0, 500.0, 1.0)
            .points();
        let s = stats_of(&walk);
        assert_eq!(
            s.gaps,
            vec![Period {
                from_ms: at(9, 5),
                to_ms: at(9, 25) + 30_000
            }]
        );
        assert_eq!(s.duration_ms, (5 + 20 + 5) * 60_000);
        assert_eq!(s.patrol_ms, 10 * 60_000 - 30_000);
        assert_eq!(s.spans.len(), 2);
        assert_near(s.distance_m, 570.0, 0.5);
        assert_eq!(
            s.notes(),
            vec!["09:05:00至09:25:30无定位（20分钟），不计入巡查时长".to_string()]
        );
    }

    #[test]
    fn a_track_half_outside_the_grid_has_inside_share_one_half() {
        // From 500 m inside to 500 m outside the east edge at constant speed; the edge at
        // 1000 m falls between two positions (every 45 s at 1.2 m/s = 54 m).
        let walk = Walk::start(at(9, 0), 500.0, 500.0, 45)
            .to(1500.0, 500.0, 1.2)
            .points();
        let s = stats_of(&walk);
        assert_near(s.inside_share, 0.5, 1e-3);
        assert_near(s.inside_ms as f64, s.patrol_ms as f64 / 2.0, 1000.0);
        // Entirely outside: no share.
        let outside = Walk::start(at(9, 0), 1500.0, 500.0, 45)
            .to(2000.0, 500.0, 1.2)
            .points();
        assert_eq!(stats_of(&outside).inside_share, 0.0);
    }

    #[test]
    fn standing_still_adds_no_distance_from_gps_noise() {
        // 30 minutes in one place, the fixes wandering a few metres around it.
        let mut walk = Walk::start(at(9, 0), 500.0, 500.0, 30);
        for i in 0..60 {
            let (e, n) = (500.0 + (i % 3) as f64 * 3.0, 500.0 + (i % 4) as f64 * 2.0);
            walk = walk.jump(30, e, n);
        }
        let s = stats_of(&walk.points());
        assert_eq!(s.patrol_ms, 30 * 60_000);
        assert!(s.distance_m < 10.0, "{}", s.distance_m);
        assert!(s.speed_flags.is_empty());
    }

    #[test]
    fn points_delivered_twice_and_out_of_order_give_the_same_figures() {
        let walk = Walk::start(at(9, 0), 100.0, 500.0, 30)
            .to(900.0, 500.0, 1.25)
            .to(900.0, 900.0, 1.25)
            .points();
        let mut messy: Vec<TrackPoint> = walk.iter().rev().copied().collect();
        messy.extend_from_slice(&walk[5..20]);
        messy.extend_from_slice(&walk[..3]);
        assert_eq!(stats_of(&messy), stats_of(&walk));
    }

    #[test]
    fn empty_and_single_point_tracks() {
        assert_eq!(stats_of(&[]), TrackStats::default());
        let one = Walk::start(at(9, 0), 100.0, 500.0, 30).points();
        let s = stats_of(&one);
        assert_eq!((s.points, s.patrol_ms, s.distance_m), (1, 0, 0.0));
        assert_eq!(s.inside_share, 0.0);
    }

    #[test]
    fn a_long_day_of_positions_is_summed() {
        // Ten hours back and forth inside the grid, two positions a minute.
        let mut walk = Walk::start(at(8, 0), 100.0, 100.0, 30);
        for _ in 0..20 {
            walk = walk.to(820.0, 100.0, 0.8).to(100.0, 100.0, 0.8);
        }
        let s = stats_of(&walk.points());
        assert_eq!(s.points, 1201);
        assert_eq!(s.patrol_ms, 10 * 3_600_000);
        assert_near(s.distance_m, 28_800.0, 1.0);
    }
}
