//! Telling an .xlsx from a CSV by its first bytes, then by its name.

use crate::SheetError;

/// The two kinds of file this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// A zip archive's local file header: every .xlsx starts with it.
const ZIP: &[u8] = b"PK\x03\x04";
/// An OLE compound file: old .xls, WPS .et, and also password-protected .xlsx.
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Decides the format of an upload from its first bytes (`head`, a few KiB are plenty)
/// and, when they do not tell, from the file name's extension.
///
/// Magic bytes win over the name because people rename files: a "人口.csv" that is really
/// an .xlsx is still read as an .xlsx.
pub fn detect_format(file_name: &str, head: &[u8]) -> Result<Format, SheetError> {
    let extension = extension(file_name);
    if head.is_empty() {
        return Err(SheetError::EmptyFile);
    }
    if head.starts_with(ZIP) {
        // .ods and .xlsb are zip archives too, but calamine is built here for .xlsx only.
        return match extension.as_str() {
            "ods" | "xlsb" | "numbers" => Err(SheetError::UnsupportedSpreadsheet {
                extension: format!(".{extension}"),
            }),
            _ => Ok(Format::Xlsx),
        };
    }
    if head.starts_with(OLE) {
        return Err(match extension.as_str() {
            "xlsx" | "xlsm" => SheetError::EncryptedXlsx,
            _ => SheetError::OldXls,
        });
    }
    match extension.as_str() {
        "csv" | "txt" => Ok(Format::Csv),
        // Not a zip, so whatever it holds it is not a readable .xlsx.
        "xlsx" | "xlsm" => Err(SheetError::DamagedXlsx {
            detail: "no zip signature".into(),
        }),
        // Many systems export HTML or XML tables named .xls; Excel opens them, we do not.
        "xls" | "et" => Err(SheetError::OldXls),
        _ => Err(SheetError::UnknownFormat {
            name: file_name.to_string(),
        }),
    }
}

fn extension(file_name: &str) -> String {
    match file_name.rsplit_once('.') {
        Some((_, ext)) => ext.trim().to_ascii_lowercase(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_win_over_the_name() {
        assert_eq!(
            detect_format("人口.csv", b"PK\x03\x04rest").unwrap(),
            Format::Xlsx
        );
        assert_eq!(
            detect_format("人口.XLSX", b"PK\x03\x04").unwrap(),
            Format::Xlsx
        );
        assert_eq!(
            detect_format("人口.CSV", "姓名,身份证号".as_bytes()).unwrap(),
            Format::Csv
        );
    }

    #[test]
    fn old_and_encrypted_excel_files_are_refused_clearly() {
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        let e = detect_format("人口.xls", &ole).unwrap_err();
        assert!(matches!(e, SheetError::OldXls));
        assert!(e.to_string().contains("另存为” .xlsx"), "{e}");
        assert!(matches!(
            detect_format("人口.xlsx", &ole),
            Err(SheetError::EncryptedXlsx)
        ));
        assert!(matches!(
            detect_format("表.xls", b"<html><table>"),
            Err(SheetError::OldXls)
        ));
    }

    #[test]
    fn other_files_are_named_in_the_error() {
        assert!(matches!(
            detect_format("a.xlsx", b"hello"),
            Err(SheetError::DamagedXlsx { .. })
        ));
        assert!(matches!(
            detect_format("a.csv", b""),
            Err(SheetError::EmptyFile)
        ));
        assert!(matches!(
            detect_format("a.ods", b"PK\x03\x04"),
            Err(SheetError::UnsupportedSpreadsheet { .. })
        ));
        let e = detect_format("照片.jpg", b"\xFF\xD8\xFF").unwrap_err();
        assert!(e.to_string().contains("照片.jpg"), "{e}");
    }
}
