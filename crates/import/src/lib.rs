//! Importing base data from .xlsx and .csv files: the headers are mapped to fields, a dry
//! run checks every row and reports each bad one (row, column, value, reason), and the
//! import then applies the valid rows batch by batch, each batch in one transaction.
//!
//! The same code serves `wangge import` and the upload page; both watch a [`Progress`].

mod error;
mod persons;
mod places;
mod progress;
mod report;
mod source;

pub use error::ImportError;
pub use persons::{apply_persons, check_persons, find_repeats};
pub use progress::{Phase, Progress};
pub use report::{Applied, Report, RowError, errors_xlsx};
pub use source::{Kind, Prepared, Upload, prepare};

use std::collections::HashSet;

use wangge_store::{Scope, Store};

/// The dry run of any kind of file: every row checked, nothing written.
pub async fn check(
    store: &Store,
    scope: &Scope,
    upload: &Upload,
    prepared: &Prepared,
    progress: &Progress,
) -> Result<Report, ImportError> {
    match prepared.kind {
        Kind::Persons => check_persons(store, scope, upload, prepared, progress).await,
        _ => Ok(
            places::run_places(store, scope, upload, prepared, false, progress, "")
                .await?
                .0,
        ),
    }
}

/// Imports the valid rows of any kind of file, leaving out the `excluded` rows.
pub async fn apply(
    store: &Store,
    scope: &Scope,
    upload: &Upload,
    prepared: &Prepared,
    excluded: &HashSet<usize>,
    progress: &Progress,
    client: &str,
) -> Result<Applied, ImportError> {
    match prepared.kind {
        Kind::Persons => {
            apply_persons(store, scope, upload, prepared, excluded, progress, client).await
        }
        _ => Ok(
            places::run_places(store, scope, upload, prepared, true, progress, client)
                .await?
                .1,
        ),
    }
}
