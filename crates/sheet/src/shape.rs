//! Turning raw rows (CSV records or xlsx rows) into a header and same-width rows; the rules
//! are shared so CSV and xlsx files behave alike.

use crate::error::column_words;
use crate::{Limits, Row, SheetError};

/// A row as read, cells already decoded and trimmed, any width.
#[derive(Debug)]
pub(crate) struct RawRow {
    pub line: usize,
    pub cells: Vec<String>,
}

impl RawRow {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(String::is_empty)
    }

    fn filled(&self) -> usize {
        self.cells.iter().filter(|c| !c.is_empty()).count()
    }
}

/// Finds the header among the first non-blank rows of `rows`.
///
/// Department spreadsheets often open with a merged title row ("某某社区人口信息表"): a
/// first row whose only filled cell is its first, followed by a row with at least three
/// filled cells, is taken as such a title and skipped. (Two would misread a one-column
/// file whose data row has a stray second cell.) Returns the headers and, when the row after a one-cell first row
/// turned out to be data, that row.
pub(crate) fn take_header<I>(
    rows: &mut I,
    limits: &Limits,
) -> Result<(Vec<String>, Option<RawRow>), SheetError>
where
    I: Iterator<Item = Result<RawRow, SheetError>>,
{
    let mut next_filled = || -> Result<Option<RawRow>, SheetError> {
        for row in rows.by_ref() {
            let row = row?;
            if !row.is_blank() {
                return Ok(Some(row));
            }
        }
        Ok(None)
    };
    let first = next_filled()?.ok_or(SheetError::NoHeader)?;
    let title_like = first.filled() == 1 && !first.cells[0].is_empty();
    if !title_like {
        return Ok((headers(first, limits)?, None));
    }
    match next_filled()? {
        Some(second) if second.filled() >= 3 => Ok((headers(second, limits)?, None)),
        pending => Ok((headers(first, limits)?, pending)),
    }
}

/// Checks a header row: trailing empty cells are dropped (Excel leaves them behind), an
/// empty cell between names and a repeated name are errors.
fn headers(row: RawRow, limits: &Limits) -> Result<Vec<String>, SheetError> {
    let mut cells = row.cells;
    while cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    if cells.len() > limits.max_columns {
        return Err(SheetError::TooManyColumns {
            line: row.line,
            limit: limits.max_columns,
        });
    }
    for (i, name) in cells.iter().enumerate() {
        if name.is_empty() {
            return Err(SheetError::EmptyHeader {
                line: row.line,
                column: i + 1,
            });
        }
        if name.len() > limits.max_cell_bytes {
            return Err(SheetError::CellTooLarge {
                line: row.line,
                column: column_words(&[], i),
                limit: limits.max_cell_bytes,
            });
        }
        if let Some(first) = cells[..i].iter().position(|earlier| earlier == name) {
            return Err(SheetError::DuplicateHeader {
                name: name.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    Ok(cells)
}

/// Makes a data row exactly as wide as the header: short rows are padded with empty
/// cells; extra cells must be empty.
pub(crate) fn fit_row(row: RawRow, headers: &[String], limits: &Limits) -> Result<Row, SheetError> {
    let RawRow { line, mut cells } = row;
    if let Some(extra) = cells.iter().skip(headers.len()).position(|c| !c.is_empty()) {
        return Err(SheetError::CellWithoutHeader {
            line,
            column: headers.len() + extra + 1,
        });
    }
    if let Some(big) = cells.iter().position(|c| c.len() > limits.max_cell_bytes) {
        return Err(SheetError::CellTooLarge {
            line,
            column: column_words(headers, big),
            limit: limits.max_cell_bytes,
        });
    }
    cells.resize(headers.len(), String::new());
    Ok(Row { line, cells })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(line: usize, cells: &[&str]) -> Result<RawRow, SheetError> {
        Ok(RawRow {
            line,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        })
    }

    fn header_of(
        rows: Vec<Result<RawRow, SheetError>>,
    ) -> Result<(Vec<String>, Option<usize>), SheetError> {
        let (h, pending) = take_header(&mut rows.into_iter(), &Limits::default())?;
        Ok((h, pending.map(|p| p.line)))
    }

    #[test]
    fn skips_blank_rows_and_a_title_row() {
        let (h, pending) = header_of(vec![
            raw(1, &[]),
            raw(2, &["某某社区人口信息表", ""]),
            raw(3, &["姓名", "身份证号", "民族", ""]),
        ])
        .unwrap();
        assert_eq!(h, ["姓名", "身份证号", "民族"]);
        assert_eq!(pending, None);
    }

    #[test]
    fn a_one_column_file_keeps_its_first_data_row() {
        let (h, pending) = header_of(vec![raw(1, &["姓名"]), raw(2, &["张三"])]).unwrap();
        assert_eq!(h, ["姓名"]);
        assert_eq!(pending, Some(2));
        let (h, pending) = header_of(vec![raw(1, &["姓名"]), raw(2, &["张三", "多余"])]).unwrap();
        assert_eq!(h, ["姓名"]);
        assert_eq!(pending, Some(2));
    }

    #[test]
    fn bad_headers_are_named() {
        let e = header_of(vec![raw(1, &["姓名", "", "电话"])]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "表头为空（第1行第2列），请填写列名或删除该列"
        );
        let e = header_of(vec![raw(1, &["姓名", "电话", "姓名"])]).unwrap_err();
        assert_eq!(e.to_string(), "重复的表头“姓名”（第1列和第3列）");
        assert!(matches!(
            header_of(vec![raw(1, &[""])]),
            Err(SheetError::NoHeader)
        ));
    }

    #[test]
    fn rows_are_fitted_to_the_header() {
        let h = vec!["姓名".to_string(), "电话".to_string()];
        let limits = Limits::default();
        let row = fit_row(raw(5, &["张三"]).unwrap(), &h, &limits).unwrap();
        assert_eq!(row.cells, ["张三", ""]);
        let row = fit_row(raw(5, &["张三", "1", "", ""]).unwrap(), &h, &limits).unwrap();
        assert_eq!(row.cells, ["张三", "1"]);
        let e = fit_row(raw(6, &["张三", "1", "", "x"]).unwrap(), &h, &limits).unwrap_err();
        assert_eq!(e.to_string(), "第6行第4列有内容，但这一列没有表头");
    }
}
