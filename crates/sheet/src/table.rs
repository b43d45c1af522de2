//! A whole sheet in memory, read from either format.

use crate::xlsx_read::read_xlsx;
use crate::{Format, Limits, SheetError, csv_rows};

/// A sheet's header and its data rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row, exactly as wide as the header, cells trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row number the user sees in Excel (the header is usually 1). Fully empty rows
    /// are skipped but still counted, so the number stays true.
    pub line: usize,
    pub cells: Vec<String>,
}

/// Reads a whole file: the first worksheet of an .xlsx, or a CSV. The first error ends the
/// read; for a row-by-row report over a large CSV use [`csv_rows`].
pub fn read_table(format: Format, bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    match format {
        Format::Xlsx => read_xlsx(bytes, limits),
        Format::Csv => {
            let (headers, rows) = csv_rows(bytes, limits)?;
            let rows = rows.collect::<Result<Vec<_>, _>>()?;
            Ok(Table { headers, rows })
        }
    }
}
