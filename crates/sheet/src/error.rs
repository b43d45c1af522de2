//! The one error type of this crate, worded in Chinese for the person who sent the file.

use thiserror::Error;

/// Everything that can go wrong reading, mapping or writing a sheet.
///
/// Messages name the row (as the user sees it in Excel, header = 1) and the column (by
/// its header where there is one) so a row-by-row error report can show them as they are.
#[derive(Debug, Error)]
pub enum SheetError {
    #[error("文件是空的")]
    EmptyFile,
    #[error("无法识别文件“{name}”的格式，请上传 .xlsx 或 .csv 文件")]
    UnknownFormat { name: String },
    #[error(
        "这是旧版 Excel 97-2003（.xls）或 WPS 表格文件，无法直接导入，请在 Excel 或 WPS 中“另存为” .xlsx 后再上传"
    )]
    OldXls,
    #[error("文件设置了打开密码（已加密），请在 Excel 中取消密码后另存为 .xlsx 再上传")]
    EncryptedXlsx,
    #[error("不支持“{extension}”格式，请在表格软件中另存为 .xlsx 后再上传")]
    UnsupportedSpreadsheet { extension: String },
    /// The detail is the underlying parser's (English) account, kept for logs.
    #[error("文件不是有效的 xlsx（可能已损坏或被截断）")]
    DamagedXlsx { detail: String },
    #[error("工作簿中没有工作表")]
    NoWorksheet,
    #[error("文件中没有数据（找不到表头行）")]
    NoHeader,
    #[error("表头为空（第{line}行第{column}列），请填写列名或删除该列")]
    EmptyHeader { line: usize, column: usize },
    #[error("重复的表头“{name}”（第{first}列和第{second}列）")]
    DuplicateHeader {
        name: String,
        first: usize,
        second: usize,
    },
    #[error("列数超过上限（第{line}行超过{limit}列）")]
    TooManyColumns { line: usize, limit: usize },
    #[error("行数超过上限（最多{limit}行数据），请拆分文件后分批导入")]
    TooManyRows { limit: usize },
    /// `column` is already worded: “现住址”列 or 第3列.
    #[error("单元格过大（第{line}行{column}超过{}）", size_text(*.limit))]
    CellTooLarge {
        line: usize,
        column: String,
        limit: usize,
    },
    #[error("第{line}行第{column}列有内容，但这一列没有表头")]
    CellWithoutHeader { line: usize, column: usize },
    #[error("第{line}行第{column}列的引号没有闭合（以英文双引号开头的内容必须以双引号结束）")]
    UnclosedQuote { line: usize, column: usize },
    #[error(
        "文件编码无法识别（第{line}行含有无法按 {encoding} 解码的字节），请另存为“CSV UTF-8”或 .xlsx 后再上传"
    )]
    Undecodable { line: usize, encoding: &'static str },
    #[error(
        "文件是 UTF-16 编码的文本，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后再上传"
    )]
    Utf16,
    #[error("读取文件失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("列映射中的字段“{key}”不存在")]
    UnknownField { key: String },
    #[error("列映射中的表头“{header}”不在文件中")]
    MappedHeaderAbsent { header: String },
    #[error("表头“{first}”和“{second}”都对应“{label}”，请在列映射中只保留一列")]
    FieldMappedTwice {
        label: &'static str,
        first: String,
        second: String,
    },
    #[error("工作表“{sheet}”有{rows}行数据，超过 xlsx 的上限 1048575 行，请分成多个文件导出")]
    XlsxTooManyRows { sheet: String, rows: usize },
    #[error("工作表“{sheet}”有{columns}列，超过 xlsx 的上限 16384 列")]
    XlsxTooManyColumns { sheet: String, columns: usize },
    #[error("工作表“{sheet}”第{line}行第{column}列超过 32767 个字符，xlsx 单元格放不下")]
    XlsxCellTooLong {
        sheet: String,
        line: usize,
        column: usize,
    },
    #[error("生成 xlsx 文件失败：{0}")]
    Write(String),
}

impl SheetError {
    /// True when reading cannot go on after this error (the rest of the file is unusable),
    /// false when only one row is bad and the next rows can still be read.
    pub fn ends_file(&self) -> bool {
        !matches!(
            self,
            SheetError::CellTooLarge { .. }
                | SheetError::CellWithoutHeader { .. }
                | SheetError::TooManyColumns { .. }
                | SheetError::Undecodable { .. }
        )
    }
}

/// "64 KB" for whole kibibytes, else the byte count: limits are usually round.
fn size_text(bytes: usize) -> String {
    if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} 字节")
    }
}

/// Words a 0-based column for a message: by its header when it has one.
pub(crate) fn column_words(headers: &[String], index: usize) -> String {
    match headers.get(index) {
        Some(h) if !h.is_empty() => format!("“{h}”列"),
        _ => format!("第{}列", index + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_too_large_reads_naturally() {
        let headers = vec!["姓名".to_string(), "现住址".to_string()];
        let e = SheetError::CellTooLarge {
            line: 12,
            column: column_words(&headers, 1),
            limit: 64 * 1024,
        };
        assert_eq!(e.to_string(), "单元格过大（第12行“现住址”列超过64 KB）");
        let e = SheetError::CellTooLarge {
            line: 1,
            column: column_words(&[], 2),
            limit: 100,
        };
        assert_eq!(e.to_string(), "单元格过大（第1行第3列超过100 字节）");
    }

    #[test]
    fn row_errors_do_not_end_the_file() {
        assert!(
            !SheetError::Undecodable {
                line: 3,
                encoding: "GBK"
            }
            .ends_file()
        );
        assert!(SheetError::UnclosedQuote { line: 3, column: 1 }.ends_file());
    }
}
