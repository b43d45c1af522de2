//! Reading the first worksheet of an .xlsx into a [`Table`].

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, XlsxError};

use crate::cell_text::cell_text;
use crate::encoding::trim_cell;
use crate::shape::{RawRow, fit_row, take_header};
use crate::{Limits, SheetError, Table};

fn damaged(e: XlsxError) -> SheetError {
    SheetError::DamagedXlsx {
        detail: e.to_string(),
    }
}

/// Streams the cells of the first sheet (so a stray cell at XFD1048576 cannot make a dense
/// grid of billions of cells), keeps the filled ones and shapes them into rows.
pub(crate) fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(damaged)?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(SheetError::NoWorksheet)?;
    let mut cells = book.worksheet_cells_reader(&first).map_err(damaged)?;
    // Rows by 0-based index; cells within a row by 0-based column.
    let mut grid: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(damaged)? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, column) = cell.get_position();
        let text = cell_text(cell.get_value().clone());
        let text = trim_cell(&text);
        if text.is_empty() {
            continue;
        }
        let line = row as usize + 1;
        if column as usize >= limits.max_columns {
            return Err(SheetError::TooManyColumns {
                line,
                limit: limits.max_columns,
            });
        }
        let row_cells = grid.entry(row).or_default();
        row_cells.push((column, text.to_string()));
        // Header and a title row come on top of the data rows.
        if grid.len() > limits.max_rows.saturating_add(2) {
            return Err(SheetError::TooManyRows {
                limit: limits.max_rows,
            });
        }
    }
    let mut raw = grid.into_iter().map(|(row, mut row_cells)| {
        row_cells.sort_by_key(|(column, _)| *column);
        let width = row_cells
            .last()
            .map_or(0, |(column, _)| *column as usize + 1);
        let mut dense = vec![String::new(); width];
        for (column, text) in row_cells {
            dense[column as usize] = text;
        }
        Ok(RawRow {
            line: row as usize + 1,
            cells: dense,
        })
    });
    let (headers, pending) = take_header(&mut raw, limits)?;
    let mut rows = Vec::new();
    for row in pending.into_iter().map(Ok).chain(raw) {
        let row = fit_row(row?, &headers, limits)?;
        rows.push(row);
        if rows.len() > limits.max_rows {
            return Err(SheetError::TooManyRows {
                limit: limits.max_rows,
            });
        }
    }
    Ok(Table { headers, rows })
}
