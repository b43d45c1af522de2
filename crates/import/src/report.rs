//! What a dry run or an import found: counts, and every bad row with the reason.
use std::collections::HashSet;

use serde::Serialize;
use wangge_sheet::{Sheet, SheetError, write_xlsx};
use wangge_store::import::Totals;

/// One problem with one cell of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The row number as the user sees it in Excel (the header row is usually 1).
    pub line: usize,
    /// The column's header in the file, or the field's name when the file lacks it.
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// The result of a dry run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Data rows read.
    pub rows: u64,
    /// What applying would do to the valid rows.
    pub totals: Totals,
    /// Rows with at least one error (each error is listed in `errors`).
    pub bad_rows: u64,
    pub errors: Vec<RowError>,
    /// Rows left out of the import although each is valid alone (an ID number repeated
    /// within the file: which of the rows is right cannot be known).
    #[serde(skip)]
    pub excluded: HashSet<usize>,
}

/// The result of an import.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Applied {
    pub rows: u64,
    pub totals: Totals,
    pub bad_rows: u64,
    /// The rows skipped and why (all of them; the web shows the dry run's list).
    #[serde(skip)]
    pub errors: Vec<RowError>,
}

/// The errors as a workbook to download, fix and upload again.
pub fn errors_xlsx(errors: &[RowError]) -> Result<Vec<u8>, SheetError> {
    let rows: Vec<Vec<String>> = errors
        .iter()
        .map(|e| {
            vec![
                e.line.to_string(),
                e.column.clone(),
                e.value.clone(),
                e.reason.clone(),
            ]
        })
        .collect();
    write_xlsx(&[Sheet {
        name: "错误明细",
        headers: &["行号", "列", "值", "原因"],
        rows: &rows,
    }])
}
