//! How far an import has got, shared between the worker and whoever shows it.
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Checking,
    Applying,
    Done,
}

/// Counters read while the import runs: rows handled and the share of the file read.
#[derive(Debug, Default)]
pub struct Progress {
    phase: AtomicU8,
    rows: AtomicU64,
    /// Thousandths of the file read.
    permille: AtomicU64,
}

impl Progress {
    pub fn phase(&self) -> Phase {
        match self.phase.load(Ordering::Relaxed) {
            0 => Phase::Checking,
            1 => Phase::Applying,
            _ => Phase::Done,
        }
    }

    pub fn rows(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }

    /// Share of the current phase done, 0–1000.
    pub fn permille(&self) -> u64 {
        self.permille.load(Ordering::Relaxed)
    }

    pub(crate) fn start(&self, phase: Phase) {
        self.phase.store(
            match phase {
                Phase::Checking => 0,
                Phase::Applying => 1,
                Phase::Done => 2,
            },
            Ordering::Relaxed,
        );
        self.rows.store(0, Ordering::Relaxed);
        self.permille.store(0, Ordering::Relaxed);
    }

    pub(crate) fn advance(&self, rows: u64, permille: u64) {
        self.rows.fetch_add(rows, Ordering::Relaxed);
        self.permille.store(permille.min(1000), Ordering::Relaxed);
    }
}
