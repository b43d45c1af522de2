//! Which text encoding a CSV uses, and decoding its cells without ever guessing a character.

use crate::SheetError;

/// The encodings Chinese offices save CSV in: Excel's "CSV UTF-8" (with BOM), plain UTF-8
/// from other tools, and the system code page GBK from Excel's plain "CSV".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    /// Decoded with the GB18030 decoder, a superset of GBK and GB2312.
    Gbk,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decides the encoding from the first bytes of a file: a BOM means UTF-8 with BOM; text
/// that is valid UTF-8 (a character cut off at the very end of `head` is allowed) is
/// UTF-8; anything else is taken as GBK.
pub fn detect_encoding(head: &[u8]) -> Encoding {
    if head.starts_with(BOM) {
        return Encoding::Utf8Bom;
    }
    match std::str::from_utf8(head) {
        Ok(_) => Encoding::Utf8,
        // `error_len() == None` means the input ended inside a character: a cut, not an error.
        Err(e) if e.error_len().is_none() => Encoding::Utf8,
        Err(_) => Encoding::Gbk,
    }
}

impl Encoding {
    /// Bytes to skip at the start of the file.
    pub(crate) fn bom_len(self) -> usize {
        match self {
            Encoding::Utf8Bom => BOM.len(),
            _ => 0,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => "UTF-8",
            Encoding::Gbk => "GBK",
        }
    }

    /// Decodes one cell, trimmed. Invalid bytes are an error naming `line`, never a
    /// replacement character: a mangled name or ID number must not slip into the data.
    pub(crate) fn decode_cell(self, bytes: &[u8], line: usize) -> Result<String, SheetError> {
        let undecodable = || SheetError::Undecodable {
            line,
            encoding: self.name(),
        };
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => {
                let text = std::str::from_utf8(bytes).map_err(|_| undecodable())?;
                Ok(trim_cell(text).to_string())
            }
            Encoding::Gbk => {
                let text = encoding_rs::GB18030
                    .decode_without_bom_handling_and_without_replacement(bytes)
                    .ok_or_else(undecodable)?;
                Ok(trim_cell(&text).to_string())
            }
        }
    }
}

/// Trims whitespace (including the ideographic space U+3000) and the invisible zero-width
/// space and BOM that text pasted from web pages and chat apps often carries.
pub(crate) fn trim_cell(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_bom_utf8_and_gbk() {
        assert_eq!(
            detect_encoding("\u{FEFF}姓名".as_bytes()),
            Encoding::Utf8Bom
        );
        assert_eq!(detect_encoding("姓名,身份证号".as_bytes()), Encoding::Utf8);
        assert_eq!(detect_encoding(b"name,id"), Encoding::Utf8);
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,身份证号");
        assert_eq!(detect_encoding(&gbk), Encoding::Gbk);
    }

    #[test]
    fn a_character_cut_at_the_end_of_the_head_is_still_utf8() {
        let bytes = "姓名".as_bytes();
        assert_eq!(detect_encoding(&bytes[..4]), Encoding::Utf8);
    }

    #[test]
    fn decoding_refuses_bad_bytes_and_names_the_row() {
        let (gbk, _, _) = encoding_rs::GBK.encode("  张三　");
        assert_eq!(Encoding::Gbk.decode_cell(&gbk, 2).unwrap(), "张三");
        // 0x81 opens a two-byte GBK character; 0x20 cannot close one.
        let e = Encoding::Gbk.decode_cell(b"\x81\x20", 7).unwrap_err();
        assert!(e.to_string().contains("第7行"), "{e}");
        assert!(Encoding::Utf8.decode_cell(b"\xFF", 3).is_err());
    }
}
