//! Patrol tracks (巡查轨迹) of grid workers: which phone positions are taken, how retried
//! and late batches merge into one track, what a track adds up to, and the daily rule.
//!
//! # Positions
//! While a patrol runs the page sends the phone's position every 30–60 s, in batches when
//! the network was down. Each point is checked by [`check_point`] and refused with a
//! Chinese reason when its coordinates are not numbers or out of range, when its time lies
//! in the future or outside the patrol (beyond a clock tolerance), when its accuracy is too
//! poor, or when it lies far outside the district (more than a margin beyond its boundary).
//! Points are WGS84; the web layer converts GCJ-02/BD-09 with [`crate::coords`] first.
//!
//! # The track
//! A [`Track`] is always in time order with one point per timestamp: a batch sent twice,
//! late or out of order merges into the same track ([`Track::merge`]); at the same
//! timestamp the point already held wins, so a retry never moves or doubles a point.
//!
//! # Statistics ([`stats`])
//! Consecutive points make segments; each segment is one of:
//! - a **gap** when its ends are more than [`TrackRules::gap_ms`] (5 min) apart: no
//!   positions, so neither its time nor its distance counts;
//! - **too fast** when its speed exceeds [`TrackRules::max_speed_mps`] (15 m/s, 54 km/h:
//!   beyond walking, cycling and e-bikes), after the two points' reported accuracies are
//!   taken off the distance. When the next point is again within reach of the point before,
//!   the fast point is a GPS jump and is dropped (the track goes on around it, nothing is
//!   lost); otherwise the segment itself counts neither time nor distance. Either way a
//!   [`SpeedFlag`] says so;
//! - **counted** otherwise: its time is patrol time, and its distance counts once the
//!   position has moved [`TrackRules::jitter_m`] (10 m) from where distance was last
//!   counted, so a phone lying still does not add up its GPS noise.
//!
//! Patrol time is therefore time backed by positions, the sum of the [`TrackStats::spans`]
//! (runs of counted segments). The **inside share** is by time: the part of the patrol time
//! spent inside the worker's grid (a segment that crosses the boundary is split where it
//! crosses, at constant speed along it), because standing with residents in the grid is
//! patrol work that distance would not see.
//!
//! # Daily rule
//! [`DailyRule`] asks for a number of minutes a day (120 by default, [Shifeng]). A day's
//! minutes are the patrol spans cut at Shanghai midnight, overlapping patrols counted once
//! ([`daily_status`], [`ms_by_day`]).

mod area;
mod check;
mod daily;
#[cfg(test)]
mod fixtures;
mod stats;
mod track;

pub use area::Area;
pub use check::{
    BatchCheck, PatrolWindow, PointField, PointRefusal, PointRules, check_batch, check_point,
};
pub use daily::{
    DailyRule, DailyRuleError, DayStatus, ShortTally, daily_status, ms_by_day, tally_by_area,
};
pub use stats::{SpeedFlag, TrackRules, TrackStats, stats};
pub use track::{MergeCount, Track};

use crate::date::{SHANGHAI_OFFSET_MS, local_date};

/// One position of a patrol as the phone reported it (WGS84 degrees).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackPoint {
    /// When the position was taken (Unix milliseconds, UTC): the phone's clock.
    pub at_ms: i64,
    pub lng: f64,
    pub lat: f64,
    /// The radius of 68% confidence in metres, as browser geolocation reports it.
    pub accuracy_m: Option<f64>,
}

impl TrackPoint {
    pub fn new(at_ms: i64, lng: f64, lat: f64, accuracy_m: Option<f64>) -> TrackPoint {
        TrackPoint {
            at_ms,
            lng,
            lat,
            accuracy_m,
        }
    }

    /// `(lng, lat)` as [`crate::coords`] takes it.
    pub fn lng_lat(&self) -> (f64, f64) {
        (self.lng, self.lat)
    }

    /// Whether the coordinates (and the accuracy, when given) are finite numbers.
    pub fn is_finite(&self) -> bool {
        self.lng.is_finite() && self.lat.is_finite() && self.accuracy_m.is_none_or(f64::is_finite)
    }
}

/// A stretch of time `[from_ms, to_ms)` in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub from_ms: i64,
    pub to_ms: i64,
}

impl Period {
    /// Its length in milliseconds (0 when empty or reversed).
    pub fn ms(self) -> i64 {
        (self.to_ms - self.from_ms).max(0)
    }
}

/// Shanghai wall-clock time of an instant to the second, e.g. `09:05:30`.
fn clock(unix_ms: i64) -> String {
    let second = (unix_ms + SHANGHAI_OFFSET_MS).rem_euclid(86_400_000) / 1000;
    format!(
        "{:02}:{:02}:{:02}",
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// Shanghai date and time to the second, e.g. `2026-03-10 09:05:30`.
fn date_clock(unix_ms: i64) -> String {
    format!("{} {}", local_date(unix_ms), clock(unix_ms))
}

/// A distance for people: `850米` below a kilometre, `2.0公里` above.
fn distance_text(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0}米")
    } else {
        format!("{:.1}公里", m / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::{Date, local_midnight_ms};

    #[test]
    fn texts_for_people() {
        let midnight = local_midnight_ms(Date::new(2026, 3, 10).unwrap());
        assert_eq!(
            clock(midnight + 9 * 3_600_000 + 5 * 60_000 + 30_500),
            "09:05:30"
        );
        assert_eq!(date_clock(midnight - 1000), "2026-03-09 23:59:59");
        assert_eq!(distance_text(849.6), "850米");
        assert_eq!(distance_text(2049.0), "2.0公里");
        assert_eq!(
            Period {
                from_ms: 5,
                to_ms: 3
            }
            .ms(),
            0
        );
    }

    #[test]
    fn finite_points() {
        assert!(TrackPoint::new(0, 111.7, 29.0, None).is_finite());
        assert!(TrackPoint::new(0, 111.7, 29.0, Some(8.0)).is_finite());
        assert!(!TrackPoint::new(0, f64::NAN, 29.0, None).is_finite());
        assert!(!TrackPoint::new(0, 111.7, f64::INFINITY, None).is_finite());
        assert!(!TrackPoint::new(0, 111.7, 29.0, Some(f64::NAN)).is_finite());
    }
}
