//! Recorded-like tracks for the tests: routes walked in metres east and north of a point in
//! Changde, sampled the way a phone reports them.

use super::TrackPoint;
use super::area::M_PER_DEG;
use crate::date::{Date, local_midnight_ms};
use crate::geometry::{MultiPolygon, Polygon};

/// Where the test routes start: a street in Changde, Hunan.
const ORIGIN: (f64, f64) = (111.69, 29.03);

/// The WGS84 position `east_m` east and `north_m` north of [`ORIGIN`].
pub fn place(east_m: f64, north_m: f64) -> (f64, f64) {
    let kx = M_PER_DEG * ORIGIN.1.to_radians().cos();
    (ORIGIN.0 + east_m / kx, ORIGIN.1 + north_m / M_PER_DEG)
}

/// A square grid from [`ORIGIN`] reaching `side_m` east and north.
pub fn square(side_m: f64) -> MultiPolygon {
    let corner = |e, n| {
        let (lng, lat) = place(e, n);
        [lng, lat]
    };
    let outer = vec![
        corner(0.0, 0.0),
        corner(side_m, 0.0),
        corner(side_m, side_m),
        corner(0.0, side_m),
        corner(0.0, 0.0),
    ];
    MultiPolygon(vec![Polygon {
        outer,
        holes: Vec::new(),
    }])
}

/// The instant `hour:minute` Shanghai time on 2026-03-10 (a Tuesday).
pub fn at(hour: i64, minute: i64) -> i64 {
    local_midnight_ms(Date::new(2026, 3, 10).unwrap()) + (hour * 60 + minute) * 60_000
}

/// A walk being recorded: a position every `every_ms` while moving or standing.
pub struct Walk {
    at_ms: i64,
    pos: (f64, f64),
    every_ms: i64,
    points: Vec<TrackPoint>,
}

impl Walk {
    /// Starts at `(east_m, north_m)` at `at_ms` with a first position, reporting every
    /// `every_s` seconds.
    pub fn start(at_ms: i64, east_m: f64, north_m: f64, every_s: i64) -> Walk {
        let mut walk = Walk {
            at_ms,
            pos: (east_m, north_m),
            every_ms: every_s * 1000,
            points: Vec::new(),
        };
        walk.report(at_ms, walk.pos);
        walk
    }

    fn report(&mut self, at_ms: i64, (e, n): (f64, f64)) {
        let (lng, lat) = place(e, n);
        self.points
            .push(TrackPoint::new(at_ms, lng, lat, Some(8.0)));
    }

    /// Walks straight to `(east_m, north_m)` at `speed_mps`, with a position at every tick
    /// and one on arrival.
    pub fn to(mut self, east_m: f64, north_m: f64, speed_mps: f64) -> Walk {
        let from = self.pos;
        let length = ((east_m - from.0).powi(2) + (north_m - from.1).powi(2)).sqrt();
        let duration = (length / speed_mps * 1000.0).round() as i64;
        let mut t = self.every_ms;
        while t < duration {
            let f = t as f64 / duration as f64;
            let p = (
                from.0 + f * (east_m - from.0),
                from.1 + f * (north_m - from.1),
            );
            self.report(self.at_ms + t, p);
            t += self.every_ms;
        }
        self.at_ms += duration;
        self.pos = (east_m, north_m);
        self.report(self.at_ms, self.pos);
        self
    }

    /// Stands still for `secs` seconds, still reporting.
    pub fn stay(mut self, secs: i64) -> Walk {
        let end = self.at_ms + secs * 1000;
        while self.at_ms < end {
            self.at_ms = (self.at_ms + self.every_ms).min(end);
            self.report(self.at_ms, self.pos);
        }
        self
    }

    /// `secs` seconds without any position (no signal, phone asleep); the worker stays.
    pub fn silent(mut self, secs: i64) -> Walk {
        self.at_ms += secs * 1000;
        self
    }

    /// One wrong fix `after_s` seconds on, at `(east_m, north_m)`; the worker does not move.
    pub fn jump(mut self, after_s: i64, east_m: f64, north_m: f64) -> Walk {
        self.at_ms += after_s * 1000;
        self.report(self.at_ms, (east_m, north_m));
        self
    }

    pub fn points(self) -> Vec<TrackPoint> {
        self.points
    }
}
