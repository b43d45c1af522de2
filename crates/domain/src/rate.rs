//! Sliding-window rate limits (per address, per phone): how many hits a key may make in a
//! window of time. Pure: the caller keeps the hits and passes the time in.
use std::collections::VecDeque;

/// A limit of `max` hits in any window of `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: usize,
    pub window_ms: i64,
}

impl Limit {
    /// Records a hit at `now` if the key's recent hits leave room for it; forgets hits that
    /// have left the window. Answers whether the hit is allowed.
    pub fn allow(&self, hits: &mut VecDeque<i64>, now: i64) -> bool {
        while hits.front().is_some_and(|&t| t <= now - self.window_ms) {
            hits.pop_front();
        }
        if hits.len() >= self.max {
            return false;
        }
        hits.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_max_hits_per_window_then_again_when_the_first_leaves() {
        let limit = Limit {
            max: 3,
            window_ms: 1000,
        };
        let mut hits = VecDeque::new();
        assert!(limit.allow(&mut hits, 0));
        assert!(limit.allow(&mut hits, 10));
        assert!(limit.allow(&mut hits, 20));
        assert!(!limit.allow(&mut hits, 999));
        // A refused hit is not counted: the window slides from the first hit.
        assert!(limit.allow(&mut hits, 1000));
        assert!(!limit.allow(&mut hits, 1005));
        assert!(limit.allow(&mut hits, 1010));
        assert_eq!(hits.len(), 3);
    }

    #[test]
    fn an_idle_key_forgets_its_hits() {
        let limit = Limit {
            max: 1,
            window_ms: 60_000,
        };
        let mut hits = VecDeque::from([0, 1, 2]);
        assert!(limit.allow(&mut hits, 100_000));
        assert_eq!(hits, VecDeque::from([100_000]));
    }
}
