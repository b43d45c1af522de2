//! The catalog as a spreadsheet for admins, and single-item edits: the columns of the
//! .xlsx export ([`SHEET_HEADERS`]), reading such a sheet back with every bad cell named by
//! row, column letter and header ([`parse_sheet`]), and applying an edit of one item by the
//! same rules ([`apply_edit`]).
//!
//! Departments may be written by code (`D01`), full name or short name; a name that fits
//! several departments is refused. The sheet gives the sign-for limit in minutes, while the
//! catalog keeps whole working hours, so a sheet's minutes must be a multiple of 60.

use std::collections::HashMap;
use std::fmt;

use super::{
    COLUMNS, CatalogError, CatalogItem, MAX_SIGN_HOURS, check_rows, format_urgency, label_of,
};

/// The headers of the exported sheet, in its column order.
pub const SHEET_HEADERS: [&str; 10] = [
    "事项编码",
    "事项名称",
    "类别",
    "主办部门",
    "协办部门",
    "签收时限(分钟)",
    "办结时限(工作日)",
    "紧急系数",
    "结案标准",
    "可领办",
];

/// Separators between co-departments, as the catalog checker splits them.
const SEPARATORS: [char; 3] = [',', '，', '、'];

/// Headers accepted on import (after full-width brackets become ASCII and spaces go), the
/// catalog column each fills, and whether the column counts minutes instead of hours.
const HEADER_ALIASES: [(&str, &str, bool); 27] = [
    ("事项编码", "code", false),
    ("编码", "code", false),
    ("code", "code", false),
    ("事项名称", "name", false),
    ("name", "name", false),
    ("类别", "category", false),
    ("事项类别", "category", false),
    ("category", "category", false),
    ("主办部门", "lead", false),
    ("牵头部门", "lead", false),
    ("lead", "lead", false),
    ("协办部门", "co", false),
    ("co", "co", false),
    ("签收时限(分钟)", "sign_hours", true),
    ("签收时限(工作小时)", "sign_hours", false),
    ("签收时限(小时)", "sign_hours", false),
    ("sign_hours", "sign_hours", false),
    ("办结时限(工作日)", "handle_days", false),
    ("办理时限(工作日)", "handle_days", false),
    ("handle_days", "handle_days", false),
    ("紧急系数", "urgency", false),
    ("urgency", "urgency", false),
    ("结案标准", "standard", false),
    ("standard", "standard", false),
    ("可领办", "claimable", false),
    ("可否领办", "claimable", false),
    ("claimable", "claimable", false),
];

/// The departments that exist, to turn what a person wrote into a code and back.
#[derive(Debug, Clone, Default)]
pub struct DepartmentNames {
    /// (code, full name, short name).
    list: Vec<(String, String, String)>,
}

/// Why a department written in a sheet or form was not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Unknown,
    /// The name fits these departments' codes.
    Ambiguous(Vec<String>),
}

impl DepartmentNames {
    /// From (code, full name, short name) triples.
    pub fn new(list: impl IntoIterator<Item = (String, String, String)>) -> Self {
        DepartmentNames {
            list: list.into_iter().collect(),
        }
    }

    pub fn has_code(&self, code: &str) -> bool {
        self.list.iter().any(|(c, _, _)| c == code)
    }

    /// The code of the department written as `text`: its code, else its full name, else its
    /// short name; a name several departments share is ambiguous.
    pub fn resolve(&self, text: &str) -> Result<String, Lookup> {
        let text = text.trim();
        if self.has_code(text) {
            return Ok(text.to_owned());
        }
        let full: Vec<&String> = self
            .list
            .iter()
            .filter(|(_, n, _)| n == text)
            .map(|d| &d.0)
            .collect();
        let matches = if full.is_empty() {
            self.list
                .iter()
                .filter(|(_, _, s)| !s.is_empty() && s == text)
                .map(|d| &d.0)
                .collect()
        } else {
            full
        };
        match matches.as_slice() {
            [] => Err(Lookup::Unknown),
            [one] => Ok((*one).clone()),
            many => Err(Lookup::Ambiguous(
                many.iter().map(|c| (*c).clone()).collect(),
            )),
        }
    }

    /// How a department is written in an export: its full name when that name reads back
    /// as this department, otherwise its code.
    pub fn label(&self, code: &str) -> String {
        self.list
            .iter()
            .find(|(c, _, _)| c == code)
            .map(|(_, name, _)| name)
            .filter(|name| !name.contains(SEPARATORS) && self.resolve(name).as_deref() == Ok(code))
            .map_or_else(|| code.to_owned(), Clone::clone)
    }

    /// A Chinese message for a department that could not be resolved, `what` being the
    /// column or field (主办部门, 协办部门).
    fn message(what: &str, text: &str, lookup: &Lookup) -> String {
        match lookup {
            Lookup::Unknown => {
                format!("{what}“{text}”不是已有的部门（可填部门编码、全称或简称）")
            }
            Lookup::Ambiguous(codes) => format!(
                "{what}“{text}”对应多个部门（{}），请填写部门编码",
                codes.join("、")
            ),
        }
    }
}

/// The rows of the export, in [`SHEET_HEADERS`] order.
pub fn sheet_rows(items: &[CatalogItem], departments: &DepartmentNames) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|item| {
            let co: Vec<String> = item.co.iter().map(|c| departments.label(c)).collect();
            vec![
                item.code.clone(),
                item.name.clone(),
                item.category.clone(),
                departments.label(&item.lead),
                co.join("、"),
                (u64::from(item.sign_hours) * 60).to_string(),
                item.handle_days.to_string(),
                format_urgency(item.urgency_permille),
                item.standard.clone(),
                if item.claimable { "是" } else { "否" }.to_owned(),
            ]
        })
        .collect()
}

/// One problem in an uploaded sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetProblem {
    /// The row as Excel shows it (the header is usually 1); 0 for the header as a whole.
    pub row: usize,
    /// The column's letter (`D`) when the problem is in one column.
    pub column: Option<String>,
    /// That column's header as written in the file, or the header that is missing.
    pub header: Option<String>,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl fmt::Display for SheetProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match (&self.column, &self.header) {
            (Some(c), Some(h)) => format!("{c}列“{h}”"),
            (Some(c), None) => format!("{c}列"),
            _ => String::new(),
        };
        if self.row == 0 {
            match self.header {
                Some(_) => write!(f, "表头：{}", self.message),
                None => f.write_str(&self.message),
            }
        } else {
            write!(f, "第{}行{place}：{}", self.row, self.message)
        }
    }
}

/// `A`…`Z`, `AA`… for a 0-based column index.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn normalise(header: &str) -> String {
    header
        .replace('（', "(")
        .replace('）', ")")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Where each catalog column is in the file: key → (index, header as written, minutes).
type Layout = HashMap<&'static str, (usize, String, bool)>;

fn layout(headers: &[String]) -> Result<Layout, Vec<SheetProblem>> {
    let mut found: Layout = HashMap::new();
    let mut problems = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let norm = normalise(header);
        let Some(&(_, key, minutes)) = HEADER_ALIASES.iter().find(|(a, _, _)| *a == norm) else {
            continue;
        };
        if let Some((first, first_header, _)) = found.get(key) {
            problems.push(SheetProblem {
                row: 0,
                column: Some(column_letter(i)),
                header: Some(header.clone()),
                message: format!(
                    "“{header}”与{}列“{first_header}”是同一项，请只保留一列",
                    column_letter(*first)
                ),
            });
            continue;
        }
        found.insert(key, (i, header.clone(), minutes));
    }
    for (column, sheet_label) in sheet_keys().zip(SHEET_HEADERS) {
        if !found.contains_key(column) {
            problems.push(SheetProblem {
                row: 0,
                column: None,
                header: Some(sheet_label.to_owned()),
                message: format!(
                    "缺少“{sheet_label}”列（表头应为：{}）",
                    SHEET_HEADERS.join("、")
                ),
            });
        }
    }
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

/// The catalog key of each [`SHEET_HEADERS`] column.
fn sheet_keys() -> impl Iterator<Item = &'static str> {
    [
        "code",
        "name",
        "category",
        "lead",
        "co",
        "sign_hours",
        "handle_days",
        "urgency",
        "standard",
        "claimable",
    ]
    .into_iter()
}

/// Undoes the quote an export puts before text a spreadsheet would take for a formula
/// (`'-3` back to `-3`), so an exported file reads back as it was.
fn unquote(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// A limit written negative (`-30`, `-2.5`) gets its own message.
fn negative(cell: &str) -> bool {
    cell.strip_prefix('-')
        .is_some_and(|rest| !rest.is_empty() && rest.parse::<f64>().is_ok())
}

/// The sign-for limit given in minutes, as whole hours, or why not.
fn minutes_to_hours(header: &str, cell: &str) -> Result<String, String> {
    if cell.is_empty() {
        return Err(format!("{header}不能为空"));
    }
    if negative(cell) {
        return Err(format!("{header}不能为负数，实际为{cell}"));
    }
    if !cell.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{header}应为整数（分钟），实际为“{cell}”"));
    }
    let max = u64::from(MAX_SIGN_HOURS) * 60;
    match cell.parse::<u64>() {
        Ok(0) => Err(format!("{header}不能为0")),
        Ok(m) if m <= max && m % 60 == 0 => Ok((m / 60).to_string()),
        Ok(m) if m <= max => Err(format!(
            "{header}按整工作小时计，应为60的倍数（如240即4小时），实际为{m}"
        )),
        _ => Err(format!(
            "{header}不能超过{max}分钟（{MAX_SIGN_HOURS}个工作小时），实际为{cell}"
        )),
    }
}

/// Resolves a lead department cell to a code, or says why not.
fn lead_code(header: &str, cell: &str, departments: &DepartmentNames) -> Result<String, String> {
    if cell.is_empty() {
        // The checker says it may not be empty.
        return Ok(String::new());
    }
    departments
        .resolve(cell)
        .map_err(|l| DepartmentNames::message(header, cell, &l))
}

/// Resolves co-departments separated by `,`, `，` or `、` to codes joined by `,`; blank
/// parts are kept so the checker reports them.
fn co_codes(
    header: &str,
    cell: &str,
    departments: &DepartmentNames,
) -> Result<String, Vec<String>> {
    if cell.is_empty() {
        return Ok(String::new());
    }
    let mut codes = Vec::new();
    let mut errors = Vec::new();
    for part in cell.split(SEPARATORS).map(str::trim) {
        if part.is_empty() {
            codes.push(String::new());
            continue;
        }
        match departments.resolve(part) {
            Ok(code) => codes.push(code),
            Err(l) => errors.push(DepartmentNames::message(header, part, &l)),
        }
    }
    if errors.is_empty() {
        Ok(codes.join(","))
    } else {
        Err(errors)
    }
}

/// Reads a sheet of the catalog: `headers` as in the file, `rows` with the row number
/// Excel shows. Columns are found by header (the export's, the catalog file's labels or
/// keys, in any order; other columns are ignored). Every bad cell is reported, in row
/// order, each with its row, column letter, header and reason; items come back only when
/// all are good.
pub fn parse_sheet(
    headers: &[String],
    rows: &[(usize, Vec<String>)],
    departments: &DepartmentNames,
) -> Result<Vec<CatalogItem>, Vec<SheetProblem>> {
    let layout = layout(headers)?;
    let mut problems: Vec<(usize, SheetProblem)> = Vec::new();
    let mut reported: Vec<(usize, &str)> = Vec::new();
    let mut cells_of_rows: Vec<(usize, [String; 10])> = Vec::with_capacity(rows.len());
    for (line, cells) in rows {
        let mut report = |key: &'static str, message: String| {
            let (index, header, _) = &layout[key];
            reported.push((*line, key));
            problems.push((
                *index,
                SheetProblem {
                    row: *line,
                    column: Some(column_letter(*index)),
                    header: Some(header.clone()),
                    message,
                },
            ));
        };
        let mut out: [String; 10] = Default::default();
        for (slot, column) in out.iter_mut().zip(COLUMNS) {
            let (index, header, minutes) = &layout[column.key];
            let cell = cells.get(*index).map_or("", |c| unquote(c.trim()));
            *slot = match column.key {
                "lead" => lead_code(header, cell, departments).unwrap_or_else(|m| {
                    report("lead", m);
                    cell.to_owned()
                }),
                "co" => co_codes(header, cell, departments).unwrap_or_else(|ms| {
                    for m in ms {
                        report("co", m);
                    }
                    cell.to_owned()
                }),
                "sign_hours" if *minutes => minutes_to_hours(header, cell).unwrap_or_else(|m| {
                    report("sign_hours", m);
                    String::new()
                }),
                "sign_hours" | "handle_days" if negative(cell) => {
                    report(column.key, format!("{header}不能为负数，实际为{cell}"));
                    String::new()
                }
                _ => cell.to_owned(),
            };
        }
        cells_of_rows.push((*line, out));
    }
    let checked = check_rows(
        cells_of_rows
            .iter()
            .map(|(line, cells)| (*line, cells.each_ref().map(String::as_str))),
        &|code| departments.has_code(code),
    );
    let errors = match checked {
        Ok(items) if problems.is_empty() => return Ok(items),
        Ok(_) => Vec::new(),
        Err(errors) => errors,
    };
    for e in errors {
        let Some(key) = e.column else {
            problems.push((
                0,
                SheetProblem {
                    row: e.line,
                    column: None,
                    header: None,
                    message: e.message,
                },
            ));
            continue;
        };
        if reported.contains(&(e.line, key)) {
            continue;
        }
        let (index, header, _) = &layout[key];
        problems.push((
            *index,
            SheetProblem {
                row: e.line,
                column: Some(column_letter(*index)),
                header: Some(header.clone()),
                message: e.message.replace(label_of(key), header),
            },
        ));
    }
    problems.sort_by_key(|(index, p)| (p.row, *index));
    Err(problems.into_iter().map(|(_, p)| p).collect())
}

/// A change to one item; `None` leaves a field as it is. Limits and the urgency factor are
/// text as typed, so a bad value is reported by the catalog's own rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemEdit {
    pub name: Option<String>,
    /// Code, full name or short name.
    pub lead: Option<String>,
    /// Codes or names; blank entries are ignored.
    pub co: Option<Vec<String>>,
    pub sign_hours: Option<String>,
    pub handle_days: Option<String>,
    pub urgency: Option<String>,
    pub standard: Option<String>,
    pub claimable: Option<bool>,
}

/// The item `code` of `items` with `edit` applied and checked by the catalog's rules, its
/// name unique among the others. `None` when there is no such item; errors carry line 0
/// and the column's key.
pub fn apply_edit(
    items: &[CatalogItem],
    code: &str,
    edit: &ItemEdit,
    departments: &DepartmentNames,
) -> Option<Result<CatalogItem, Vec<CatalogError>>> {
    let current = items.iter().find(|i| i.code == code)?;
    let mut cells = current.to_row();
    let mut errors = Vec::new();
    let mut fail = |column: &'static str, message: String| {
        errors.push(CatalogError {
            line: 0,
            column: Some(column),
            message,
        })
    };
    if let Some(name) = &edit.name {
        cells[2] = name.trim().to_owned();
    }
    if let Some(lead) = &edit.lead {
        cells[3] = lead_code(label_of("lead"), lead.trim(), departments).unwrap_or_else(|m| {
            fail("lead", m);
            String::new()
        });
    }
    if let Some(co) = &edit.co {
        let given: Vec<&str> = co
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        cells[4] = co_codes(label_of("co"), &given.join(","), departments).unwrap_or_else(|ms| {
            for m in ms {
                fail("co", m);
            }
            String::new()
        });
    }
    for (value, index) in [
        (&edit.sign_hours, 5),
        (&edit.handle_days, 6),
        (&edit.urgency, 7),
        (&edit.standard, 9),
    ] {
        if let Some(v) = value {
            cells[index] = v.trim().to_owned();
        }
    }
    if let Some(claimable) = edit.claimable {
        cells[8] = if claimable { "是" } else { "否" }.to_owned();
    }
    let failed: Vec<Option<&str>> = errors.iter().map(|e| e.column).collect();
    let checked = check_rows([(1, cells.each_ref().map(String::as_str))], &|c| {
        departments.has_code(c)
    });
    let item = match checked {
        Ok(mut items) => items.pop(),
        Err(found) => {
            errors.extend(
                found
                    .into_iter()
                    .filter(|e| !failed.contains(&e.column))
                    .map(|e| CatalogError { line: 0, ..e }),
            );
            None
        }
    };
    if let Some(other) = items.iter().find(|i| i.code != code && i.name == cells[2]) {
        errors.push(CatalogError {
            line: 0,
            column: Some("name"),
            message: format!("事项名称“{}”已被事项 {} 使用", cells[2], other.code),
        });
    }
    Some(match item {
        Some(item) if errors.is_empty() => Ok(item),
        _ => Err(errors),
    })
}

#[cfg(test)]
mod tests {
    use super::super::{DEFAULT_DEPARTMENT_COUNT, default_catalog};
    use super::*;

    fn departments() -> DepartmentNames {
        DepartmentNames::new(
            (1..=DEFAULT_DEPARTMENT_COUNT)
                .map(|n| (format!("D{n:02}"), format!("第{n}局"), format!("{n}局"))),
        )
    }

    fn headers() -> Vec<String> {
        SHEET_HEADERS.iter().map(|h| h.to_string()).collect()
    }

    fn numbered(rows: Vec<Vec<String>>) -> Vec<(usize, Vec<String>)> {
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| (i + 2, r))
            .collect()
    }

    #[test]
    fn export_reads_back_to_the_same_catalog() {
        let items = default_catalog();
        let deps = departments();
        let rows = sheet_rows(&items, &deps);
        assert_eq!(rows[0].len(), SHEET_HEADERS.len());
        let lamp = rows.iter().find(|r| r[1] == "路灯不亮").unwrap();
        assert_eq!(lamp[3], "第1局");
        assert_eq!(parse_sheet(&headers(), &numbered(rows), &deps), Ok(items));
    }

    #[test]
    fn departments_by_code_name_or_short_name() {
        let deps = DepartmentNames::new([
            ("D01".into(), "城管局".into(), "城管".into()),
            ("D02".into(), "公安分局".into(), "公安".into()),
            ("D03".into(), "公安分局".into(), "治安".into()),
            ("D04".into(), "水务、燃气".into(), "水气".into()),
        ]);
        assert_eq!(deps.resolve("D01"), Ok("D01".into()));
        assert_eq!(deps.resolve(" 城管局 "), Ok("D01".into()));
        assert_eq!(deps.resolve("治安"), Ok("D03".into()));
        assert_eq!(
            deps.resolve("公安分局"),
            Err(Lookup::Ambiguous(vec!["D02".into(), "D03".into()]))
        );
        assert_eq!(deps.resolve("交警"), Err(Lookup::Unknown));
        assert_eq!(deps.label("D01"), "城管局");
        assert_eq!(deps.label("D02"), "D02", "shared name");
        assert_eq!(deps.label("D04"), "D04", "name with a separator");
        assert_eq!(deps.label("D99"), "D99");
    }

    #[test]
    fn columns_are_found_by_header_in_any_order() {
        let text_headers: Vec<String> = ["备注"]
            .into_iter()
            .chain(COLUMNS.iter().rev().map(|c| c.label))
            .map(String::from)
            .collect();
        let row: Vec<String> = [
            "随便写",
            "清理干净",
            "否",
            "0.5",
            "3",
            "4",
            "第3局，D05",
            "D01",
        ]
        .into_iter()
        .chain(["暴露垃圾", "市容环境", "A01-001"])
        .map(String::from)
        .collect();
        let items = parse_sheet(&text_headers, &[(2, row)], &departments()).unwrap();
        assert_eq!(items[0].co, ["D03", "D05"]);
        assert_eq!(items[0].sign_hours, 4, "hours when the header says hours");
        assert_eq!(items[0].urgency_permille, 500);
    }

    #[test]
    fn header_problems_are_named() {
        let mut h = headers();
        h[3] = "负责部门".into();
        h.push("牵头部门".into());
        h.push("办理时限（工作日）".into());
        let errors = parse_sheet(&h, &[], &departments()).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].column.as_deref(), Some("L"));
        assert!(
            errors[0]
                .message
                .contains("与G列“办结时限(工作日)”是同一项")
        );
        h.truncate(10);
        let errors = parse_sheet(&h, &[], &departments()).unwrap_err();
        assert_eq!(errors[0].header.as_deref(), Some("主办部门"));
        assert_eq!(
            errors[0].to_string().split('（').next(),
            Some("表头：缺少“主办部门”列")
        );
    }

    #[test]
    fn every_bad_cell_is_named_by_row_and_column() {
        let deps = departments();
        let mut rows = sheet_rows(&default_catalog()[..3], &deps);
        rows[0][3] = "交警大队".into(); // unknown department
        rows[1][5] = "-30".into(); // negative
        rows[1][6] = "-2".into();
        rows[2][0] = rows[0][0].clone(); // repeated code
        rows[2][4] = "第2局、无此局".into();
        let mut extra = rows[1].clone();
        extra[0] = "A01-099".into();
        extra[1] = "新事项".into();
        extra[5] = "90".into();
        rows.push(extra);
        let errors = parse_sheet(&headers(), &numbered(rows), &deps).unwrap_err();
        let found: Vec<_> = errors
            .iter()
            .map(|e| (e.row, e.column.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [
                (2, "D"),
                (3, "F"),
                (3, "G"),
                (4, "A"),
                (4, "E"),
                (5, "F"),
                (5, "G")
            ],
            "{errors:#?}"
        );
        assert_eq!(
            errors[0].to_string(),
            "第2行D列“主办部门”：主办部门“交警大队”不是已有的部门（可填部门编码、全称或简称）"
        );
        assert!(errors[1].message.contains("不能为负数"), "{}", errors[1]);
        assert!(errors[3].message.contains("与第2行重复"), "{}", errors[3]);
        assert!(errors[4].message.contains("无此局"), "{}", errors[4]);
        assert!(errors[5].message.contains("60的倍数"), "{}", errors[5]);
    }

    #[test]
    fn checker_messages_use_the_files_headers() {
        let deps = departments();
        let mut rows = sheet_rows(&default_catalog()[..1], &deps);
        rows[0][6] = "0".into();
        rows[0][9] = "可以".into();
        let errors = parse_sheet(&headers(), &numbered(rows), &deps).unwrap_err();
        assert_eq!(errors[0].message, "办结时限(工作日)不能为0");
        assert_eq!(errors[1].column.as_deref(), Some("J"));
    }

    #[test]
    fn minutes_become_hours() {
        assert_eq!(minutes_to_hours("签收", "240"), Ok("4".into()));
        for (cell, says) in [
            ("", "不能为空"),
            ("0", "不能为0"),
            ("-60", "负数"),
            ("1.5", "应为整数"),
            ("45", "60的倍数"),
            ("4380", "不能超过4320分钟"),
            ("99999999999999999999999", "不能超过"),
        ] {
            let e = minutes_to_hours("签收", cell).unwrap_err();
            assert!(e.contains(says), "{cell}: {e}");
        }
    }

    #[test]
    fn quotes_added_on_export_are_dropped() {
        assert_eq!(unquote("'-3"), "-3");
        assert_eq!(unquote("'=A1"), "=A1");
        assert_eq!(unquote("'abc"), "'abc");
        assert_eq!(unquote("-3"), "-3");
        let deps = departments();
        let mut rows = sheet_rows(&default_catalog()[..1], &deps);
        rows[0][6] = "'-2".into();
        let errors = parse_sheet(&headers(), &numbered(rows), &deps).unwrap_err();
        assert_eq!(errors[0].message, "办结时限(工作日)不能为负数，实际为-2");
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn an_edit_is_checked_like_a_row() {
        let items = default_catalog();
        let deps = departments();
        let code = items[0].code.clone();
        let edit = ItemEdit {
            lead: Some("第2局".into()),
            co: Some(vec!["D03".into(), "".into(), "4局".into()]),
            sign_hours: Some("2".into()),
            claimable: Some(true),
            ..ItemEdit::default()
        };
        let item = apply_edit(&items, &code, &edit, &deps).unwrap().unwrap();
        assert_eq!(
            (item.lead.as_str(), item.co.clone()),
            ("D02", vec!["D03".into(), "D04".into()])
        );
        assert_eq!((item.sign_hours, item.claimable), (2, true));
        assert_eq!(item.name, items[0].name);

        let bad = ItemEdit {
            name: Some(items[1].name.clone()),
            lead: Some("无此局".into()),
            handle_days: Some("-1".into()),
            urgency: Some("2".into()),
            ..ItemEdit::default()
        };
        let errors = apply_edit(&items, &code, &bad, &deps).unwrap().unwrap_err();
        let columns: Vec<_> = errors.iter().map(|e| e.column.unwrap()).collect();
        assert_eq!(
            columns,
            ["lead", "handle_days", "urgency", "name"],
            "{errors:#?}"
        );
        assert!(errors.iter().all(|e| e.line == 0));
        assert!(errors[3].message.contains(&items[1].code));
        assert!(apply_edit(&items, "Z99-001", &ItemEdit::default(), &deps).is_none());
    }
}
