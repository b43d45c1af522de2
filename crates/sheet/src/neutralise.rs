//! Defusing cell text that a spreadsheet would take for a formula (CSV/formula injection).

use std::borrow::Cow;

/// Returns `cell` with a leading `'` when it starts with `=`, `+`, `-` or `@`, possibly
/// after tabs or line breaks; otherwise `cell` unchanged.
///
/// Why a visible quote: it is the OWASP advice, and unlike a cell style it survives
/// every path the text may take later (copy and paste, re-saving as CSV, other
/// spreadsheet programs). The cost is that such values ("-", "+86…") carry the quote when
/// a user edits an export and imports it again; the quote makes them plainly text to
/// anyone reading them.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let rest = cell.trim_start_matches(['\t', '\r', '\n']);
    match rest.chars().next() {
        Some('=' | '+' | '-' | '@') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_a_quote() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("@x"), "'@x");
        assert_eq!(neutralise("\t=1"), "'\t=1");
        assert_eq!(
            neutralise("\r\n+cmd|' /C calc'!A0"),
            "'\r\n+cmd|' /C calc'!A0"
        );
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for text in ["张三", "11010519491231002X", "", "a=b", "\tplain", "１＋１"] {
            assert!(matches!(neutralise(text), Cow::Borrowed(t) if t == text));
        }
    }
}
