//! Matching a file's headers to the fields of a kind of base data, with the user's choices
//! from the mapping step taking precedence.

use std::collections::HashMap;

use crate::{FieldSpec, SheetError};

/// Which field each column of a file feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// One entry per file column: the field key, or `None` when the column is ignored.
    pub columns: Vec<Option<&'static str>>,
    /// Headers that matched no field (and that the user did not choose to ignore).
    pub unknown: Vec<String>,
    /// Keys of required fields that no column feeds.
    pub missing_required: Vec<&'static str>,
}

/// Markers that templates put around a header to say whether it must be filled in.
const DECORATIONS: &[&str] = &["必填", "必填项", "必须", "选填", "选填项", "可选", "非必填"];
const BRACKETS: &[(char, char)] = &[('(', ')'), ('[', ']'), ('【', '】'), ('〔', '〕')];

/// Maps `headers` to `fields`.
///
/// Headers are compared after [`normalise`]; one that still matches nothing is tried once
/// more without any bracketed part (身份证号（18位） → 身份证号). `overrides` are
/// (header, field key) pairs chosen by the user; an empty key means "do not import this
/// column". An override wins over an automatic match of the same field elsewhere, which
/// then counts as unknown. Two columns for one field are otherwise an error, as are an
/// override naming a header the file lacks or a field that does not exist.
pub fn map_headers(
    headers: &[String],
    fields: &'static [FieldSpec],
    overrides: &[(String, String)],
) -> Result<Mapping, SheetError> {
    let mut columns: Vec<Option<&'static str>> = vec![None; headers.len()];
    let mut chosen = vec![false; headers.len()];
    for (header, key) in overrides {
        let column =
            find_header(headers, header).ok_or_else(|| SheetError::MappedHeaderAbsent {
                header: header.clone(),
            })?;
        columns[column] = match key.trim() {
            "" => None,
            key => Some(
                fields
                    .iter()
                    .find(|f| f.key == key)
                    .ok_or_else(|| SheetError::UnknownField {
                        key: key.to_string(),
                    })?
                    .key,
            ),
        };
        chosen[column] = true;
    }

    let names = lookup(fields);
    for (column, header) in headers.iter().enumerate() {
        if chosen[column] {
            continue;
        }
        let name = normalise(header);
        columns[column] = names
            .get(&name)
            .or_else(|| names.get(&remove_groups(&name, |_| true)))
            .copied();
    }

    for field in fields {
        let claims: Vec<usize> = (0..headers.len())
            .filter(|&c| columns[c] == Some(field.key))
            .collect();
        if claims.len() < 2 {
            continue;
        }
        let by_user: Vec<usize> = claims.iter().copied().filter(|&c| chosen[c]).collect();
        let clash = match by_user.len() {
            0 => Some((claims[0], claims[1])),
            1 => None,
            _ => Some((by_user[0], by_user[1])),
        };
        if let Some((a, b)) = clash {
            return Err(SheetError::FieldMappedTwice {
                label: field.label,
                first: headers[a].clone(),
                second: headers[b].clone(),
            });
        }
        for c in claims.into_iter().filter(|&c| !chosen[c]) {
            columns[c] = None;
        }
    }

    let unknown = headers
        .iter()
        .enumerate()
        .filter(|&(c, h)| columns[c].is_none() && !chosen[c] && !h.trim().is_empty())
        .map(|(_, h)| h.clone())
        .collect();
    let missing_required = fields
        .iter()
        .filter(|f| f.required && !columns.contains(&Some(f.key)))
        .map(|f| f.key)
        .collect();
    Ok(Mapping {
        columns,
        unknown,
        missing_required,
    })
}

/// Every name a field answers to (key, label, aliases), normalised.
fn lookup(fields: &'static [FieldSpec]) -> HashMap<String, &'static str> {
    let mut names = HashMap::new();
    for f in fields {
        for name in [f.key, f.label].iter().chain(f.aliases) {
            names.entry(normalise(name)).or_insert(f.key);
        }
    }
    names
}

fn find_header(headers: &[String], wanted: &str) -> Option<usize> {
    let wanted_trimmed = wanted.trim();
    headers
        .iter()
        .position(|h| h.trim() == wanted_trimmed)
        .or_else(|| {
            let wanted = normalise(wanted);
            headers.iter().position(|h| normalise(h) == wanted)
        })
}

/// The form headers are compared in: full-width letters, digits and brackets made
/// half-width, whitespace and `*` removed, ASCII lower-cased, a trailing colon and
/// "(必填)"-style markers dropped. `" 姓 名 "`, `"*姓名"` and `"姓名（必填）："` all become `"姓名"`.
pub(crate) fn normalise(header: &str) -> String {
    let compact: String = header
        .chars()
        .map(half_width)
        .filter(|&c| !(c.is_whitespace() || matches!(c, '*' | '\u{200B}' | '\u{FEFF}')))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let bare = remove_groups(&compact, |inner| DECORATIONS.contains(&inner));
    bare.trim_end_matches(':').to_string()
}

fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Removes the bracketed groups whose inner text satisfies `drop` (brackets included).
fn remove_groups(text: &str, drop: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, open)) = rest
        .char_indices()
        .find(|(_, c)| BRACKETS.iter().any(|b| b.0 == *c))
    {
        let close = BRACKETS.iter().find(|b| b.0 == open).map_or(open, |b| b.1);
        let inner_start = start + open.len_utf8();
        let Some(inner_len) = rest[inner_start..].find(close) else {
            break;
        };
        let group_end = inner_start + inner_len + close.len_utf8();
        out.push_str(&rest[..start]);
        if !drop(&rest[inner_start..inner_start + inner_len]) {
            out.push_str(&rest[start..group_end]);
        }
        rest = &rest[group_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person_fields;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn normalising_strips_decorations() {
        assert_eq!(normalise(" 姓 名 "), "姓名");
        assert_eq!(normalise("*身份证号"), "身份证号");
        assert_eq!(normalise("联系电话（必填）"), "联系电话");
        assert_eq!(normalise("【必填】现住址："), "现住址");
        assert_eq!(normalise("ＩＤ　Number"), "idnumber");
        assert_eq!(normalise("身份证号(18位)"), "身份证号(18位)");
    }

    #[test]
    fn aliases_and_decorated_headers_map_to_fields() {
        let headers = strings(&[
            "身份证号码",
            " 姓 名 ",
            "联系电话（必填）",
            "身份证号",
            "血型",
            "住址(详细)",
        ]);
        // 身份证号 and 身份证号码 both mean id_number: the user must pick one.
        let e = map_headers(&headers, person_fields(), &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "表头“身份证号码”和“身份证号”都对应“身份证号”，请在列映射中只保留一列"
        );

        let headers = strings(&[
            "身份证号码",
            " 姓 名 ",
            "联系电话（必填）",
            "血型",
            "住址(详细)",
        ]);
        let m = map_headers(&headers, person_fields(), &[]).unwrap();
        assert_eq!(
            m.columns,
            [
                Some("id_number"),
                Some("name"),
                Some("phone"),
                None,
                Some("address")
            ]
        );
        assert_eq!(m.unknown, ["血型"]);
        assert!(m.missing_required.is_empty());
    }

    #[test]
    fn missing_required_fields_are_listed() {
        let m = map_headers(&strings(&["民族", "备注"]), person_fields(), &[]).unwrap();
        assert_eq!(m.missing_required, ["name", "id_number"]);
        assert!(m.unknown.is_empty());
    }

    #[test]
    fn overrides_apply_and_win_over_automatic_matches() {
        let headers = strings(&["姓名", "证件号码", "监护人身份证", "身份证号"]);
        let overrides = [
            ("监护人身份证".to_string(), "note".to_string()),
            ("证件号码".to_string(), "id_number".to_string()),
            ("身份证号".to_string(), String::new()),
        ];
        let m = map_headers(&headers, person_fields(), &overrides).unwrap();
        assert_eq!(
            m.columns,
            [Some("name"), Some("id_number"), Some("note"), None]
        );
        assert!(
            m.unknown.is_empty(),
            "an explicitly ignored column is not unknown"
        );

        // The user's pick for id_number demotes the automatic match of 身份证号.
        let overrides = [("证件号码".to_string(), "id_number".to_string())];
        let headers = strings(&["姓名", "证件号码", "身份证号"]);
        let m = map_headers(&headers, person_fields(), &overrides).unwrap();
        assert_eq!(m.columns, [Some("name"), Some("id_number"), None]);
        assert_eq!(m.unknown, ["身份证号"]);
    }

    #[test]
    fn bad_overrides_are_errors() {
        let headers = strings(&["姓名"]);
        let e = map_headers(
            &headers,
            person_fields(),
            &[("电话".into(), "phone".into())],
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "列映射中的表头“电话”不在文件中");
        let e = map_headers(
            &headers,
            person_fields(),
            &[("姓名".into(), "nickname".into())],
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "列映射中的字段“nickname”不存在");
    }
}
