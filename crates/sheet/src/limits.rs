//! Bounds on what one uploaded file may hold, so a hostile or broken file cannot exhaust memory.

/// Limits checked while reading; exceeding one is an error naming where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest cell, in bytes of UTF-8 text (and of raw bytes while a CSV cell is read).
    pub max_cell_bytes: usize,
    /// Most columns a row may fill.
    pub max_columns: usize,
    /// Most data rows (the header and fully empty rows do not count).
    pub max_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_cell_bytes: 64 * 1024,
            max_columns: 200,
            max_rows: 2_000_000,
        }
    }
}
