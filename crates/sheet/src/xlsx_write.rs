//! Writing lists to an .xlsx workbook that opens cleanly in Excel and WPS.

use std::collections::HashSet;

use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::{SheetError, neutralise};

/// One worksheet to write: a header row and the data rows under it.
#[derive(Debug, Clone, Copy)]
pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: &'a [&'a str],
    pub rows: &'a [Vec<String>],
}

/// Excel's limits: rows below the header, columns, characters in a cell.
const MAX_DATA_ROWS: usize = 1_048_575;
const MAX_COLUMNS: usize = 16_384;
const MAX_CELL_CHARS: usize = 32_767;
/// Rows looked at to size columns; later rows rarely change the picture.
const WIDTH_SAMPLE: usize = 10_000;

/// Writes the sheets into one workbook and returns its bytes.
///
/// Every cell is a string in a column formatted as text ("@"), so an 18-digit ID number
/// keeps every digit, even when someone types into the column later. Cells that look like
/// formulas are neutralised with [`neutralise`]. The header row is bold and frozen.
pub fn write_xlsx(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_num_format("@").set_bold();
    let mut used_names = HashSet::new();
    for (i, sheet) in sheets.iter().enumerate() {
        check(sheet)?;
        let name = sheet_name(sheet.name, i, &mut used_names);
        let page = book.add_worksheet();
        page.set_name(&name).map_err(write_error)?;
        fill(page, sheet, &text, &bold)?;
    }
    book.save_to_buffer().map_err(write_error)
}

fn write_error(e: rust_xlsxwriter::XlsxError) -> SheetError {
    SheetError::Write(e.to_string())
}

/// Refuses what Excel cannot hold, with a message naming where, before writing anything.
fn check(sheet: &Sheet<'_>) -> Result<(), SheetError> {
    let name = || sheet.name.to_string();
    if sheet.rows.len() > MAX_DATA_ROWS {
        return Err(SheetError::XlsxTooManyRows {
            sheet: name(),
            rows: sheet.rows.len(),
        });
    }
    let widest = sheet
        .rows
        .iter()
        .map(Vec::len)
        .fold(sheet.headers.len(), usize::max);
    if widest > MAX_COLUMNS {
        return Err(SheetError::XlsxTooManyColumns {
            sheet: name(),
            columns: widest,
        });
    }
    // Counting characters only when the byte length could exceed the limit keeps this cheap.
    let too_long = |cell: &str| {
        cell.len() >= MAX_CELL_CHARS && neutralise(cell).chars().count() > MAX_CELL_CHARS
    };
    let header = sheet
        .headers
        .iter()
        .position(|h| too_long(h))
        .map(|column| (0, column));
    let data = sheet.rows.iter().enumerate().find_map(|(i, row)| {
        row.iter()
            .position(|c| too_long(c))
            .map(|column| (i + 1, column))
    });
    match header.or(data) {
        Some((row, column)) => Err(SheetError::XlsxCellTooLong {
            sheet: name(),
            line: row + 1,
            column: column + 1,
        }),
        None => Ok(()),
    }
}

fn fill(
    page: &mut Worksheet,
    sheet: &Sheet<'_>,
    text: &Format,
    bold: &Format,
) -> Result<(), SheetError> {
    let mut widths: Vec<usize> = sheet.headers.iter().map(|h| display_width(h)).collect();
    for (column, header) in sheet.headers.iter().enumerate() {
        page.write_string_with_format(0, column as u16, neutralise(header), bold)
            .map_err(write_error)?;
    }
    for (i, row) in sheet.rows.iter().enumerate() {
        for (column, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            if i < WIDTH_SAMPLE {
                if widths.len() <= column {
                    widths.resize(column + 1, 0);
                }
                widths[column] = widths[column].max(display_width(cell));
            }
            page.write_string_with_format(i as u32 + 1, column as u16, neutralise(cell), text)
                .map_err(write_error)?;
        }
    }
    for (column, width) in widths.iter().enumerate() {
        // Padding for the filter arrow and margins; capped so a long address stays usable.
        let width = (*width + 2).clamp(6, 60);
        page.set_column_width(column as u16, width as f64)
            .map_err(write_error)?;
        page.set_column_format(column as u16, text)
            .map_err(write_error)?;
    }
    page.set_freeze_panes(1, 0).map_err(write_error)?;
    Ok(())
}

/// Width in Excel's units (about one Latin digit): CJK and full-width characters take two.
/// For text with line breaks, the longest line counts.
fn display_width(text: &str) -> usize {
    text.lines()
        .map(|line| line.chars().map(char_width).sum())
        .max()
        .unwrap_or(0)
}

fn char_width(c: char) -> usize {
    let wide = matches!(c,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{20000}'..='\u{3FFFD}');
    if wide { 2 } else { 1 }
}

/// Makes a valid, unique sheet name: Excel forbids `[]:*?/\`, a leading or trailing
/// apostrophe, more than 31 characters and two names equal but for case.
fn sheet_name(wanted: &str, index: usize, used: &mut HashSet<String>) -> String {
    let cleaned: String = wanted
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'');
    let base: String = if cleaned.is_empty() {
        format!("Sheet{}", index + 1)
    } else {
        cleaned.chars().take(31).collect()
    };
    let mut name = base.clone();
    let mut n = 2;
    while !used.insert(name.to_lowercase()) {
        let suffix = format!("({n})");
        let room = 31 - suffix.chars().count();
        name = base.chars().take(room).collect::<String>() + &suffix;
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_double() {
        assert_eq!(display_width("张三"), 4);
        assert_eq!(display_width("11010519491231002X"), 18);
        assert_eq!(display_width("短\n长一点的字"), 10);
    }

    #[test]
    fn sheet_names_are_made_valid_and_unique() {
        let mut used = HashSet::new();
        assert_eq!(sheet_name("人口/户籍?", 0, &mut used), "人口_户籍_");
        assert_eq!(sheet_name("", 1, &mut used), "Sheet2");
        assert_eq!(sheet_name("sheet2", 2, &mut used), "sheet2(2)");
        let long = "很".repeat(40);
        assert_eq!(sheet_name(&long, 3, &mut used).chars().count(), 31);
        assert_eq!(sheet_name(&long, 4, &mut used), "很".repeat(28) + "(2)");
    }

    #[test]
    fn oversize_content_is_refused_before_writing() {
        let big = vec![vec!["x".repeat(MAX_CELL_CHARS + 1)]];
        let e = write_xlsx(&[Sheet {
            name: "导出",
            headers: &["备注"],
            rows: &big,
        }])
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "工作表“导出”第2行第1列超过 32767 个字符，xlsx 单元格放不下"
        );
    }
}
