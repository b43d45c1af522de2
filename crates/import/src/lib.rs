//! Importing base data from .xlsx and .csv files: the headers are mapped to fields, a dry
//! run checks every row and reports each bad one (row, column, value, reason), and the
//! import then applies the valid rows batch by batch, each batch in one transaction.
//!
//! The same code serves `wangge import` and the upload page; both watch a [`Progress`].

mod error;
mod persons;
mod progress;
mod report;
mod source;

pub use error::ImportError;
pub use persons::{apply_persons, check_persons, find_repeats};
pub use progress::{Phase, Progress};
pub use report::{Applied, Report, RowError, errors_xlsx};
pub use source::{Kind, Prepared, Upload, prepare};
