//! Application-generated, time-ordered 64-bit ids below 2^53 (no database sequences).
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use wangge_domain::ids::compose_id;

use crate::Clock;

pub struct IdGen {
    clock: Arc<dyn Clock>,
    last: AtomicI64,
}

impl IdGen {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        IdGen {
            clock,
            last: AtomicI64::new(0),
        }
    }

    /// Strictly increasing within the process; ordered by time across processes.
    pub fn next(&self) -> i64 {
        let floor = compose_id(self.clock.now_ms(), 0);
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let id = floor.max(last + 1);
            match self
                .last
                .compare_exchange_weak(last, id, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return id,
                Err(seen) => last = seen,
            }
        }
    }

    /// Reserves `n` consecutive ids for a bulk load and returns the first.
    pub fn reserve(&self, n: i64) -> i64 {
        let floor = compose_id(self.clock.now_ms(), 0);
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let first = floor.max(last + 1);
            let end = first + n.max(1) - 1;
            match self
                .last
                .compare_exchange_weak(last, end, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return first,
                Err(seen) => last = seen,
            }
        }
    }
}
