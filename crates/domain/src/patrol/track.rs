//! A patrol's positions in time order, one per timestamp, however often and in whatever
//! order the phone delivered them.

use super::TrackPoint;

/// Positions ordered by time with no two at the same millisecond, all with finite numbers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Track {
    points: Vec<TrackPoint>,
}

/// What a merge did with a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MergeCount {
    /// Positions new to the track.
    pub added: usize,
    /// Positions whose timestamp the track (or the batch before them) already held: retries.
    pub duplicates: usize,
    /// Positions left out because a coordinate or the accuracy is not a finite number
    /// ([`super::check_point`] refuses them before they get here).
    pub invalid: usize,
}

impl Track {
    pub fn new() -> Track {
        Track::default()
    }

    /// A track from positions in any order (e.g. rows as stored).
    pub fn from_points(points: &[TrackPoint]) -> Track {
        let mut track = Track::new();
        track.merge(points);
        track
    }

    /// Adds a batch: late, out of order or sent again, the track stays one time-ordered
    /// line. At a timestamp already held the held position stays; within the batch the
    /// first one at a timestamp wins.
    pub fn merge(&mut self, incoming: &[TrackPoint]) -> MergeCount {
        let before = self.points.len();
        self.points
            .extend(incoming.iter().filter(|p| p.is_finite()).copied());
        let valid = self.points.len() - before;
        // A stable sort keeps held positions ahead of new ones at the same timestamp, so
        // dedup keeps them. The two sorted runs make it a linear merge.
        self.points.sort_by_key(|p| p.at_ms);
        self.points.dedup_by_key(|p| p.at_ms);
        let added = self.points.len() - before;
        MergeCount {
            added,
            duplicates: valid - added,
            invalid: incoming.len() - valid,
        }
    }

    pub fn points(&self) -> &[TrackPoint] {
        &self.points
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{Walk, at};
    use super::*;

    fn route() -> Vec<TrackPoint> {
        // 81 positions, one every 10 s.
        Walk::start(at(9, 0), 100.0, 100.0, 10)
            .to(700.0, 100.0, 1.25)
            .to(700.0, 500.0, 1.25)
            .points()
    }

    #[test]
    fn batches_in_order_append() {
        let points = route();
        assert_eq!(points.len(), 81);
        let mut track = Track::new();
        let (first, rest) = points.split_at(10);
        assert_eq!(track.merge(first).added, 10);
        assert_eq!(track.merge(rest).added, rest.len());
        assert_eq!(track.points(), points.as_slice());
    }

    #[test]
    fn points_delivered_twice_and_out_of_order_make_the_same_track() {
        let points = route();
        let mut track = Track::new();
        // The phone sends 20..40 live, then the offline batch 0..25 (retried), then the
        // rest in reverse, then everything again.
        track.merge(&points[20..40]);
        let count = track.merge(&[&points[0..25], &points[0..25]].concat());
        assert_eq!(
            count,
            MergeCount {
                added: 20,
                duplicates: 30,
                invalid: 0
            }
        );
        let rest: Vec<TrackPoint> = points[40..].iter().rev().copied().collect();
        assert_eq!(track.merge(&rest).added, rest.len());
        let again = track.merge(&points);
        assert_eq!((again.added, again.duplicates), (0, points.len()));
        assert_eq!(track.points(), points.as_slice());
        assert_eq!(Track::from_points(&rest).len(), rest.len());
    }

    #[test]
    fn the_first_position_at_a_timestamp_stays() {
        let first = TrackPoint::new(at(9, 0), 111.7, 29.0, Some(5.0));
        let moved = TrackPoint::new(at(9, 0), 111.8, 29.1, Some(5.0));
        let mut track = Track::from_points(&[first]);
        assert_eq!(track.merge(&[moved]).duplicates, 1);
        assert_eq!(track.points(), &[first]);
        assert_eq!(Track::from_points(&[moved, first]).points(), &[moved]);
    }

    #[test]
    fn positions_that_are_not_numbers_are_left_out() {
        let good = TrackPoint::new(at(9, 0), 111.7, 29.0, None);
        let nan = TrackPoint::new(at(9, 1), f64::NAN, 29.0, None);
        let mut track = Track::new();
        assert_eq!(
            track.merge(&[good, nan]),
            MergeCount {
                added: 1,
                duplicates: 0,
                invalid: 1
            }
        );
        assert_eq!(track.len(), 1);
        assert!(!track.is_empty());
    }
}
