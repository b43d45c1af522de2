//! The handling-standards catalog (事项清单): what kinds of events there are, which
//! department leads each and which help, how long signing for it and handling it may take,
//! how urgent it is, whether departments may claim it from the pool (群众点单、部门领办),
//! and when it counts as closed (结案标准).
//!
//! The catalog travels as text with one header line and one item a line, columns separated
//! by tabs ([`COLUMNS`] gives their order, keys and Chinese labels; the same columns are
//! used for .xlsx import and export). Lines starting with `#` and blank lines are skipped.
//! [`parse_catalog`] checks every line and reports every problem at once, each with its
//! line number and column, so a person fixing a file sees all that is wrong in one go.
//!
//! A default catalog for the district ships with the program ([`DEFAULT_CATALOG_TSV`],
//! read by [`default_catalog`]); its departments are the codes `D01`…`D27`.

use std::collections::{HashMap, HashSet};
use std::fmt;

pub mod sheet;

/// One column of the catalog: the key used in the TSV header and in code, and the label
/// shown to people (spreadsheet header, error messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
}

/// The catalog's columns in file order. A header may use either the keys or the labels.
pub const COLUMNS: [Column; 10] = [
    Column {
        key: "code",
        label: "事项编码",
    },
    Column {
        key: "category",
        label: "类别",
    },
    Column {
        key: "name",
        label: "事项名称",
    },
    Column {
        key: "lead",
        label: "牵头部门",
    },
    Column {
        key: "co",
        label: "协办部门",
    },
    Column {
        key: "sign_hours",
        label: "签收时限(工作小时)",
    },
    Column {
        key: "handle_days",
        label: "办理时限(工作日)",
    },
    Column {
        key: "urgency",
        label: "紧急系数",
    },
    Column {
        key: "claimable",
        label: "可领办",
    },
    Column {
        key: "standard",
        label: "结案标准",
    },
];

/// The default catalog as shipped: 16 categories, 266 items, lead departments `D01`…`D27`.
pub const DEFAULT_CATALOG_TSV: &str = include_str!("catalog_default.tsv");

/// Number of departments the default catalog refers to (`D01`…`D27`).
pub const DEFAULT_DEPARTMENT_COUNT: u32 = 27;

/// Longest sign-for limit accepted: nine working days' worth of working hours.
pub const MAX_SIGN_HOURS: u32 = 72;
/// Longest handling limit accepted, in working days.
pub const MAX_HANDLE_DAYS: u32 = 30;
/// Working hours in a working day, used to check that signing fits in the handling limit.
pub const WORKING_HOURS_PER_DAY: u32 = 8;
/// The urgency factor's range in thousandths: 0.1 (most urgent) to 1.0 (normal). A factor
/// only ever shortens the limits.
pub const MIN_URGENCY_PERMILLE: u32 = 100;
/// The normal (least urgent) factor, 1.0, in thousandths.
pub const MAX_URGENCY_PERMILLE: u32 = 1000;
/// The effective sign-for limit is never shorter than this, however urgent the item.
pub const MIN_SIGN_MINUTES: u32 = 30;
/// The effective handling limit is never shorter than this, however urgent the item.
pub const MIN_HANDLE_DAYS: u32 = 1;

const MAX_CATEGORY_CHARS: usize = 20;
const MAX_NAME_CHARS: usize = 60;
const MAX_STANDARD_CHARS: usize = 200;

/// One item of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogItem {
    /// `A01-003`: the category's letter and two digits, a dash, three digits.
    pub code: String,
    /// 市容环境, 市政设施 …; every item of a category shares the code's prefix.
    pub category: String,
    /// 路灯不亮, 井盖缺失或破损 …; unique in the catalog.
    pub name: String,
    /// The lead department's code.
    pub lead: String,
    /// Co-departments' codes, in file order; never the lead, never repeated.
    pub co: Vec<String>,
    /// Working hours allowed to sign for an event, before the urgency factor.
    pub sign_hours: u32,
    /// Working days allowed to handle an event, before the urgency factor.
    pub handle_days: u32,
    /// The urgency factor in thousandths: 1000 normal, 500 urgent (halves the limits).
    pub urgency_permille: u32,
    /// Whether departments may claim it from the pool (领办).
    pub claimable: bool,
    /// The closure standard (结案标准).
    pub standard: String,
}

/// Limits after the urgency factor, as [`CatalogItem::effective_limits`] gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveLimits {
    /// Working minutes allowed to sign for an event.
    pub sign_minutes: u32,
    /// Working days allowed to handle an event.
    pub handle_days: u32,
}

impl CatalogItem {
    /// The limits an event of this item gets: each limit times the urgency factor, rounded
    /// up, and never below [`MIN_SIGN_MINUTES`] working minutes to sign for it nor
    /// [`MIN_HANDLE_DAYS`] working day to handle it. So 4 hours at 0.5 is 120 minutes,
    /// 1 hour at 0.25 is 30 (not 15), 5 days at 0.5 is 3 and 1 day at 0.5 stays 1.
    pub fn effective_limits(&self) -> EffectiveLimits {
        let scale = |value: u64| -> u32 {
            let scaled = (value * u64::from(self.urgency_permille)).div_ceil(1000);
            u32::try_from(scaled).unwrap_or(u32::MAX)
        };
        EffectiveLimits {
            sign_minutes: scale(u64::from(self.sign_hours) * 60).max(MIN_SIGN_MINUTES),
            handle_days: scale(u64::from(self.handle_days)).max(MIN_HANDLE_DAYS),
        }
    }

    /// The urgency factor as written in the file: `1.0`, `0.5`, `0.25`.
    pub fn urgency_text(&self) -> String {
        format_urgency(self.urgency_permille)
    }

    /// The item's cells in [`COLUMNS`] order, as written in the file or a spreadsheet.
    pub fn to_row(&self) -> [String; 10] {
        [
            self.code.clone(),
            self.category.clone(),
            self.name.clone(),
            self.lead.clone(),
            self.co.join(","),
            self.sign_hours.to_string(),
            self.handle_days.to_string(),
            self.urgency_text(),
            if self.claimable { "是" } else { "否" }.to_owned(),
            self.standard.clone(),
        ]
    }
}

/// Writes items as catalog text (header with the column keys, one item a line) that
/// [`parse_catalog`] reads back to the same items.
pub fn to_tsv(items: &[CatalogItem]) -> String {
    let mut out = COLUMNS.map(|c| c.key).join("\t");
    out.push('\n');
    for item in items {
        out.push_str(&item.to_row().join("\t"));
        out.push('\n');
    }
    out
}

/// One problem in catalog text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// The line, counting from 1; 0 when the problem is with the text as a whole.
    pub line: usize,
    /// The column's key (see [`COLUMNS`]); `None` when the problem is the whole line.
    pub column: Option<&'static str>,
    /// What is wrong, in Chinese, for people.
    pub message: String,
}

impl CatalogError {
    /// The column's Chinese label, when the problem is in one column.
    pub fn column_label(&self) -> Option<&'static str> {
        let key = self.column?;
        COLUMNS.iter().find(|c| c.key == key).map(|c| c.label)
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column_label()) {
            (0, _) => write!(f, "事项清单：{}", self.message),
            (line, Some(label)) => write!(f, "第{line}行“{label}”：{}", self.message),
            (line, None) => write!(f, "第{line}行：{}", self.message),
        }
    }
}

impl std::error::Error for CatalogError {}

/// Whether `code` is one of the default catalog's departments, `D01`…`D27`.
pub fn is_default_department(code: &str) -> bool {
    code.strip_prefix('D')
        .filter(|n| n.len() == 2 && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| (1..=DEFAULT_DEPARTMENT_COUNT).contains(&n))
}

/// The default catalog ([`DEFAULT_CATALOG_TSV`]), with departments `D01`…`D27`.
///
/// # Panics
/// Never in a released build: the tests check the shipped file parses cleanly.
pub fn default_catalog() -> Vec<CatalogItem> {
    parse_catalog(DEFAULT_CATALOG_TSV, &is_default_department).unwrap_or_else(|errors| {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("默认事项清单有误：{}", list.join("；"))
    })
}

/// Reads catalog text: a header (column keys or labels in [`COLUMNS`] order), then one item
/// a line; `#` lines and blank lines are skipped, a UTF-8 BOM and CR line ends are accepted.
/// `known_departments` says whether a department code exists.
///
/// Every problem is reported, in line order: wrong column count, missing or bad header,
/// blank required fields, bad or repeated codes, codes whose prefix does not match the
/// category, repeated names, unknown or repeated departments, zero or absurd limits, bad
/// urgency factors or claimable values, and a text with no items.
pub fn parse_catalog(
    text: &str,
    known_departments: &dyn Fn(&str) -> bool,
) -> Result<Vec<CatalogItem>, Vec<CatalogError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut checker = Checker::new(known_departments);
    let mut items = Vec::new();
    let mut header_seen = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = raw.split('\t').map(str::trim).collect();
        if !header_seen {
            header_seen = true;
            if is_item_code(cells[0]) {
                checker.errors.push(CatalogError {
                    line,
                    column: None,
                    message: format!("缺少表头：第一行应为列名（{}）", labels()),
                });
            } else {
                checker.check_header(line, &cells);
                continue;
            }
        }
        if cells.len() != COLUMNS.len() {
            checker.errors.push(CatalogError {
                line,
                column: None,
                message: format!(
                    "应有{}列（以制表符分隔），实际为{}列",
                    COLUMNS.len(),
                    cells.len()
                ),
            });
            continue;
        }
        if let Some(item) = checker.check_row(line, &cells) {
            items.push(item);
        }
    }
    if !header_seen {
        checker.errors.push(CatalogError {
            line: 0,
            column: None,
            message: "内容为空：缺少表头和事项".to_owned(),
        });
    } else if items.is_empty() && checker.errors.is_empty() {
        checker.errors.push(CatalogError {
            line: 0,
            column: None,
            message: "没有任何事项".to_owned(),
        });
    }
    if checker.errors.is_empty() {
        Ok(items)
    } else {
        Err(checker.errors)
    }
}

/// Checks items given as cells in [`COLUMNS`] order (trimmed), each with the line or row
/// number to name in its errors, by the same rules as [`parse_catalog`]: every problem is
/// reported, and a list with no items is one. Used for spreadsheets and single edits.
pub fn check_rows<'a>(
    rows: impl IntoIterator<Item = (usize, [&'a str; 10])>,
    known_departments: &dyn Fn(&str) -> bool,
) -> Result<Vec<CatalogItem>, Vec<CatalogError>> {
    let mut checker = Checker::new(known_departments);
    let mut items = Vec::new();
    for (line, cells) in rows {
        if let Some(item) = checker.check_row(line, &cells) {
            items.push(item);
        }
    }
    if items.is_empty() && checker.errors.is_empty() {
        checker.errors.push(CatalogError {
            line: 0,
            column: None,
            message: "没有任何事项".to_owned(),
        });
    }
    if checker.errors.is_empty() {
        Ok(items)
    } else {
        Err(checker.errors)
    }
}

/// The Chinese labels, joined for messages.
fn labels() -> String {
    COLUMNS.map(|c| c.label).join("、")
}

/// `A01-003`: an ASCII capital, two digits, a dash, three digits (not `000`).
fn is_item_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 7
        && b[0].is_ascii_uppercase()
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3] == b'-'
        && b[4..].iter().all(u8::is_ascii_digit)
        && &b[4..] != b"000"
}

/// Parses `1`, `1.0`, `0.5`, `0.25` into thousandths; at most three decimals.
fn parse_urgency(text: &str) -> Option<u32> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || whole.len() > 3
        || frac.len() > 3
        || (text.contains('.') && frac.is_empty())
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let frac_permille = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<3}").parse::<u32>().ok()?
    };
    Some(whole * 1000 + frac_permille)
}

fn format_urgency(permille: u32) -> String {
    let frac = permille % 1000;
    if frac == 0 {
        format!("{}.0", permille / 1000)
    } else {
        let digits = format!("{frac:03}");
        format!("{}.{}", permille / 1000, digits.trim_end_matches('0'))
    }
}

/// What was seen so far, to find repeats, and the errors found.
struct Checker<'a> {
    known_departments: &'a dyn Fn(&str) -> bool,
    errors: Vec<CatalogError>,
    /// Code → first line.
    codes: HashMap<String, usize>,
    /// Name → first line.
    names: HashMap<String, usize>,
    /// Code prefix (`A01`) → category and the line that set it.
    prefix_category: HashMap<String, (String, usize)>,
    /// Category → code prefix and the line that set it.
    category_prefix: HashMap<String, (String, usize)>,
}

impl<'a> Checker<'a> {
    fn new(known_departments: &'a dyn Fn(&str) -> bool) -> Self {
        Checker {
            known_departments,
            errors: Vec::new(),
            codes: HashMap::new(),
            names: HashMap::new(),
            prefix_category: HashMap::new(),
            category_prefix: HashMap::new(),
        }
    }

    fn push(&mut self, line: usize, column: &'static str, message: String) {
        self.errors.push(CatalogError {
            line,
            column: Some(column),
            message,
        });
    }

    fn check_header(&mut self, line: usize, cells: &[&str]) {
        if cells.len() != COLUMNS.len() {
            self.errors.push(CatalogError {
                line,
                column: None,
                message: format!(
                    "表头应有{}列（{}），实际为{}列",
                    COLUMNS.len(),
                    labels(),
                    cells.len()
                ),
            });
            return;
        }
        for (i, (cell, column)) in cells.iter().zip(COLUMNS).enumerate() {
            let cell_norm = cell.replace('（', "(").replace('）', ")");
            if cell_norm != column.key && cell_norm != column.label {
                self.push(
                    line,
                    column.key,
                    format!(
                        "表头第{}列应为“{}”（或“{}”），实际为“{}”",
                        i + 1,
                        column.label,
                        column.key,
                        cell
                    ),
                );
            }
        }
    }

    /// Checks one row of exactly [`COLUMNS`] cells; `None` when anything is wrong.
    fn check_row(&mut self, line: usize, cells: &[&str]) -> Option<CatalogItem> {
        let before = self.errors.len();
        let [
            code,
            category,
            name,
            lead,
            co,
            sign,
            handle,
            urgency,
            claimable,
            standard,
        ] = cells
        else {
            return None;
        };

        let code = self.check_code(line, code);
        let category = self.text(line, "category", category, MAX_CATEGORY_CHARS);
        if let (Some(code), Some(category)) = (&code, &category) {
            self.check_prefix(line, code, category);
        }
        let name = self.text(line, "name", name, MAX_NAME_CHARS);
        if let Some(name) = &name {
            match self.names.get(name) {
                Some(&first) => {
                    self.push(line, "name", format!("事项名称“{name}”与第{first}行重复"))
                }
                None => {
                    self.names.insert(name.clone(), line);
                }
            }
        }
        let lead = self.check_lead(line, lead);
        let co = self.check_co(line, co, lead.as_deref());
        let sign_hours = self.limit(line, "sign_hours", sign, "工作小时", MAX_SIGN_HOURS);
        let handle_days = self.limit(line, "handle_days", handle, "工作日", MAX_HANDLE_DAYS);
        if let (Some(sign), Some(handle)) = (sign_hours, handle_days)
            && sign > handle * WORKING_HOURS_PER_DAY
        {
            self.push(
                line,
                "sign_hours",
                format!(
                    "签收时限{sign}个工作小时超过了办理时限{handle}个工作日（每日按{WORKING_HOURS_PER_DAY}小时计）"
                ),
            );
        }
        let urgency_permille = self.check_urgency(line, urgency);
        let claimable = match *claimable {
            "是" => Some(true),
            "否" => Some(false),
            "" => {
                self.push(
                    line,
                    "claimable",
                    "可领办不能为空，应填“是”或“否”".to_owned(),
                );
                None
            }
            other => {
                self.push(
                    line,
                    "claimable",
                    format!("可领办只能填“是”或“否”，实际为“{other}”"),
                );
                None
            }
        };
        let standard = self.text(line, "standard", standard, MAX_STANDARD_CHARS);

        if self.errors.len() != before {
            return None;
        }
        Some(CatalogItem {
            code: code?,
            category: category?,
            name: name?,
            lead: lead?,
            co: co?,
            sign_hours: sign_hours?,
            handle_days: handle_days?,
            urgency_permille: urgency_permille?,
            claimable: claimable?,
            standard: standard?,
        })
    }

    /// A required free-text cell of at most `max` characters.
    fn text(
        &mut self,
        line: usize,
        column: &'static str,
        cell: &str,
        max: usize,
    ) -> Option<String> {
        let label = label_of(column);
        if cell.is_empty() {
            self.push(line, column, format!("{label}不能为空"));
            return None;
        }
        let chars = cell.chars().count();
        if chars > max {
            self.push(
                line,
                column,
                format!("{label}不能超过{max}个字，实际为{chars}个字"),
            );
            return None;
        }
        Some(cell.to_owned())
    }

    fn check_code(&mut self, line: usize, code: &str) -> Option<String> {
        if code.is_empty() {
            self.push(line, "code", "事项编码不能为空".to_owned());
            return None;
        }
        if !is_item_code(code) {
            self.push(
                line,
                "code",
                format!(
                    "事项编码“{code}”格式不对：应为大写类别字母加两位数字、短横线和三位序号（001起），如 A01-003"
                ),
            );
            return None;
        }
        if let Some(&first) = self.codes.get(code) {
            self.push(line, "code", format!("事项编码“{code}”与第{first}行重复"));
            return None;
        }
        self.codes.insert(code.to_owned(), line);
        Some(code.to_owned())
    }

    /// Every item of a category shares one code prefix, and a prefix names one category.
    fn check_prefix(&mut self, line: usize, code: &str, category: &str) {
        let prefix = &code[..3];
        if let Some((known, first)) = self.prefix_category.get(prefix) {
            if known != category {
                let message = format!(
                    "编码前缀{prefix}在第{first}行属于类别“{known}”，与本行类别“{category}”不一致"
                );
                self.push(line, "category", message);
            }
            return;
        }
        if let Some((known, first)) = self.category_prefix.get(category) {
            let message = format!(
                "类别“{category}”在第{first}行使用编码前缀{known}，本行编码“{code}”前缀不同"
            );
            self.push(line, "code", message);
            return;
        }
        self.prefix_category
            .insert(prefix.to_owned(), (category.to_owned(), line));
        self.category_prefix
            .insert(category.to_owned(), (prefix.to_owned(), line));
    }

    fn check_lead(&mut self, line: usize, lead: &str) -> Option<String> {
        if lead.is_empty() {
            self.push(line, "lead", "牵头部门不能为空".to_owned());
            return None;
        }
        if !(self.known_departments)(lead) {
            self.push(line, "lead", format!("牵头部门“{lead}”不是已有的部门编码"));
            return None;
        }
        Some(lead.to_owned())
    }

    /// Co-departments separated by `,`, `，` or `、`; blank means none.
    fn check_co(&mut self, line: usize, co: &str, lead: Option<&str>) -> Option<Vec<String>> {
        if co.is_empty() {
            return Some(Vec::new());
        }
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut ok = true;
        for part in co.split([',', '，', '、']).map(str::trim) {
            let message = if part.is_empty() {
                "协办部门之间有空项（多写了逗号）".to_owned()
            } else if !(self.known_departments)(part) {
                format!("协办部门“{part}”不是已有的部门编码")
            } else if Some(part) == lead {
                format!("协办部门“{part}”与牵头部门相同")
            } else if !seen.insert(part) {
                format!("协办部门“{part}”重复")
            } else {
                out.push(part.to_owned());
                continue;
            };
            self.push(line, "co", message);
            ok = false;
        }
        ok.then_some(out)
    }

    /// A whole number of `unit` from 1 to `max`.
    fn limit(
        &mut self,
        line: usize,
        column: &'static str,
        cell: &str,
        unit: &str,
        max: u32,
    ) -> Option<u32> {
        let label = label_of(column);
        if cell.is_empty() {
            self.push(line, column, format!("{label}不能为空"));
            return None;
        }
        if !cell.bytes().all(|b| b.is_ascii_digit()) {
            self.push(
                line,
                column,
                format!("{label}应为整数（{unit}），实际为“{cell}”"),
            );
            return None;
        }
        let value = cell.parse::<u32>().ok().filter(|v| *v <= max);
        match value {
            Some(0) => {
                self.push(line, column, format!("{label}不能为0"));
                None
            }
            Some(v) => Some(v),
            None => {
                self.push(
                    line,
                    column,
                    format!("{label}不能超过{max}个{unit}，实际为{cell}"),
                );
                None
            }
        }
    }

    fn check_urgency(&mut self, line: usize, cell: &str) -> Option<u32> {
        if cell.is_empty() {
            self.push(line, "urgency", "紧急系数不能为空".to_owned());
            return None;
        }
        let Some(permille) = parse_urgency(cell) else {
            self.push(
                line,
                "urgency",
                format!("紧急系数应为最多三位小数的数，如 1.0 或 0.5，实际为“{cell}”"),
            );
            return None;
        };
        if !(MIN_URGENCY_PERMILLE..=MAX_URGENCY_PERMILLE).contains(&permille) {
            self.push(
                line,
                "urgency",
                format!(
                    "紧急系数应在{}至{}之间（1.0为一般，越小越紧急），实际为{cell}",
                    format_urgency(MIN_URGENCY_PERMILLE),
                    format_urgency(MAX_URGENCY_PERMILLE)
                ),
            );
            return None;
        }
        Some(permille)
    }
}

fn label_of(key: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|c| c.key == key)
        .map_or("", |c| c.label)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "code\tcategory\tname\tlead\tco\tsign_hours\thandle_days\turgency\tclaimable\tstandard";

    fn known(code: &str) -> bool {
        is_default_department(code)
    }

    /// A valid row with some cells replaced.
    fn row(changes: &[(usize, &str)]) -> String {
        let mut cells = [
            "A01-001",
            "市容环境",
            "暴露垃圾",
            "D01",
            "D03,D05",
            "4",
            "1",
            "1.0",
            "否",
            "垃圾清理干净，现场照片为证",
        ];
        for &(i, value) in changes {
            cells[i] = value;
        }
        cells.join("\t")
    }

    fn parse(lines: &[String]) -> Result<Vec<CatalogItem>, Vec<CatalogError>> {
        let mut text = String::from(HEADER);
        for l in lines {
            text.push('\n');
            text.push_str(l);
        }
        parse_catalog(&text, &known)
    }

    /// Errors of a one-row catalog (the row is line 2).
    fn errors_of(changes: &[(usize, &str)]) -> Vec<CatalogError> {
        parse(&[row(changes)]).expect_err("应有错误")
    }

    fn single(changes: &[(usize, &str)]) -> CatalogError {
        let errors = errors_of(changes);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    fn assert_error(e: &CatalogError, line: usize, column: Option<&str>, contains: &str) {
        assert_eq!(e.line, line, "{e}");
        assert_eq!(e.column, column, "{e}");
        assert!(e.message.contains(contains), "{e}");
    }

    #[test]
    fn default_catalog_parses_and_is_big_enough() {
        let items = parse_catalog(DEFAULT_CATALOG_TSV, &is_default_department)
            .unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(items, default_catalog());
        assert!(items.len() >= 150, "{}", items.len());

        let codes: HashSet<_> = items.iter().map(|i| &i.code).collect();
        assert_eq!(codes.len(), items.len());
        let names: HashSet<_> = items.iter().map(|i| &i.name).collect();
        assert_eq!(names.len(), items.len());

        let leads: HashSet<_> = items.iter().map(|i| &i.lead).collect();
        assert!(leads.len() >= 20, "{}", leads.len());
        let categories: HashSet<_> = items.iter().map(|i| &i.category).collect();
        assert!(
            (12..=16).contains(&categories.len()),
            "{}",
            categories.len()
        );
        for category in &categories {
            let n = items.iter().filter(|i| &i.category == *category).count();
            assert!(n >= 5, "{category}: {n}");
        }

        assert!(items.iter().any(|i| i.claimable));
        assert!(items.iter().any(|i| !i.claimable));
        assert!(items.iter().any(|i| i.urgency_permille < 1000));
        assert!(items.iter().any(|i| !i.co.is_empty()));
        for item in &items {
            assert!(is_default_department(&item.lead));
            assert!(item.co.iter().all(|c| is_default_department(c)));
            assert!(item.standard.chars().count() >= 8, "{}", item.code);
            let limits = item.effective_limits();
            assert!(limits.sign_minutes >= MIN_SIGN_MINUTES);
            assert!(limits.handle_days >= MIN_HANDLE_DAYS);
        }
    }

    #[test]
    fn default_catalog_covers_the_reported_problems() {
        let items = default_catalog();
        let has = |words: &[&str]| {
            items
                .iter()
                .any(|i| words.iter().any(|w| i.name.contains(w)))
        };
        for words in [
            &["路灯"][..],
            &["井盖"],
            &["违法建设", "违建"],
            &["烧烤"],
            &["树"],
            &["纠纷"],
            &["垃圾"],
            &["物业"],
            &["停水", "供水"],
            &["停电", "供电"],
            &["道路", "路面"],
            &["油烟"],
            &["楼道"],
            &["占道"],
            &["燃气"],
            &["消防"],
            &["噪声"],
            &["养老"],
        ] {
            assert!(has(words), "缺少含 {words:?} 的事项");
        }
        assert!(items.iter().filter(|i| i.category == "安全隐患").count() >= 10);
        assert!(items.iter().filter(|i| i.name.contains("纠纷")).count() >= 10);

        let lamp = items.iter().find(|i| i.name == "路灯不亮").unwrap();
        assert_eq!(lamp.lead, "D01");
        let gas = items.iter().find(|i| i.name == "燃气泄漏").unwrap();
        assert_eq!(gas.lead, "D20");
        assert!(gas.urgency_permille < 1000);
    }

    #[test]
    fn round_trips_through_text() {
        let items = default_catalog();
        let text = to_tsv(&items);
        assert_eq!(parse_catalog(&text, &known), Ok(items));
    }

    #[test]
    fn accepts_labels_bom_crlf_comments_and_chinese_separators() {
        let header = COLUMNS
            .map(|c| c.label)
            .join("\t")
            .replace("(工作日)", "（工作日）");
        let text = format!(
            "\u{feff}# 注释\r\n\r\n{header}\r\n  # 又一行注释\r\n{}\r\n",
            row(&[(4, "D03、D05，D07"), (7, "0.25"), (8, "是")])
        );
        let items = parse_catalog(&text, &known).unwrap();
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(item.co, ["D03", "D05", "D07"]);
        assert_eq!(item.urgency_permille, 250);
        assert!(item.claimable);
        assert_eq!(item.urgency_text(), "0.25");
    }

    #[test]
    fn urgency_values() {
        assert_eq!(parse_urgency("1"), Some(1000));
        assert_eq!(parse_urgency("1.0"), Some(1000));
        assert_eq!(parse_urgency("0.5"), Some(500));
        assert_eq!(parse_urgency("0.125"), Some(125));
        assert_eq!(parse_urgency(".5"), None);
        assert_eq!(parse_urgency("1."), None);
        assert_eq!(parse_urgency("0.1234"), None);
        assert_eq!(parse_urgency("-0.5"), None);
        assert_eq!(parse_urgency("1,5"), None);
        assert_eq!(format_urgency(1000), "1.0");
        assert_eq!(format_urgency(500), "0.5");
        assert_eq!(format_urgency(120), "0.12");
    }

    #[test]
    fn effective_limits_round_up_and_keep_minimums() {
        let item = |sign_hours, handle_days, urgency_permille| CatalogItem {
            code: "A01-001".into(),
            category: "市容环境".into(),
            name: "暴露垃圾".into(),
            lead: "D01".into(),
            co: vec![],
            sign_hours,
            handle_days,
            urgency_permille,
            claimable: false,
            standard: "清理干净".into(),
        };
        let limits = |s, h, u| {
            let l = item(s, h, u).effective_limits();
            (l.sign_minutes, l.handle_days)
        };
        assert_eq!(limits(4, 10, 1000), (240, 10));
        assert_eq!(limits(4, 5, 500), (120, 3));
        assert_eq!(limits(1, 1, 500), (30, 1));
        assert_eq!(limits(1, 1, 250), (30, 1));
        assert_eq!(limits(1, 7, 800), (48, 6));
        assert_eq!(limits(3, 30, 333), (60, 10));
        assert_eq!(limits(u32::MAX, u32::MAX, 1000), (u32::MAX, u32::MAX));
    }

    #[test]
    fn unknown_departments() {
        let e = single(&[(3, "D99")]);
        assert_error(&e, 2, Some("lead"), "牵头部门“D99”不是已有的部门编码");
        let e = single(&[(3, "")]);
        assert_error(&e, 2, Some("lead"), "牵头部门不能为空");

        let errors = errors_of(&[(4, "D03,X1,D01,D03,")]);
        let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "协办部门“X1”不是已有的部门编码",
                "协办部门“D01”与牵头部门相同",
                "协办部门“D03”重复",
                "协办部门之间有空项（多写了逗号）",
            ]
        );
        assert!(errors.iter().all(|e| e.line == 2 && e.column == Some("co")));
    }

    #[test]
    fn duplicate_codes_names_and_prefixes() {
        let errors = parse(&[
            row(&[]),
            row(&[(2, "垃圾桶满溢")]),
            row(&[(0, "A01-002"), (2, "暴露垃圾")]),
            row(&[(0, "A01-003"), (1, "街面秩序"), (2, "占道经营")]),
            row(&[(0, "B01-001"), (2, "路灯不亮")]),
        ])
        .unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:#?}");
        assert_error(&errors[0], 3, Some("code"), "事项编码“A01-001”与第2行重复");
        assert_error(&errors[1], 4, Some("name"), "事项名称“暴露垃圾”与第2行重复");
        assert_error(
            &errors[2],
            5,
            Some("category"),
            "编码前缀A01在第2行属于类别“市容环境”，与本行类别“街面秩序”不一致",
        );
        assert_error(
            &errors[3],
            6,
            Some("code"),
            "类别“市容环境”在第2行使用编码前缀A01",
        );
    }

    #[test]
    fn bad_code_format() {
        for code in [
            "A1-001",
            "a01-001",
            "A01001",
            "A01-01",
            "A01-000",
            "AA1-001",
            "A01–001",
        ] {
            let e = single(&[(0, code)]);
            assert_error(&e, 2, Some("code"), "格式不对");
            assert!(e.message.contains(code), "{e}");
        }
        let e = single(&[(0, "")]);
        assert_error(&e, 2, Some("code"), "事项编码不能为空");
    }

    #[test]
    fn missing_and_too_long_fields() {
        assert_error(&single(&[(1, "")]), 2, Some("category"), "类别不能为空");
        assert_error(&single(&[(2, " ")]), 2, Some("name"), "事项名称不能为空");
        assert_error(&single(&[(9, "")]), 2, Some("standard"), "结案标准不能为空");
        let long = "很".repeat(61);
        assert_error(
            &single(&[(2, &long)]),
            2,
            Some("name"),
            "事项名称不能超过60个字，实际为61个字",
        );
    }

    #[test]
    fn zero_absurd_and_bad_limits() {
        assert_error(
            &single(&[(5, "0")]),
            2,
            Some("sign_hours"),
            "签收时限(工作小时)不能为0",
        );
        assert_error(
            &single(&[(6, "0")]),
            2,
            Some("handle_days"),
            "办理时限(工作日)不能为0",
        );
        assert_error(
            &single(&[(5, "73")]),
            2,
            Some("sign_hours"),
            "不能超过72个工作小时，实际为73",
        );
        assert_error(
            &single(&[(6, "31")]),
            2,
            Some("handle_days"),
            "不能超过30个工作日，实际为31",
        );
        assert_error(
            &single(&[(6, "99999999999")]),
            2,
            Some("handle_days"),
            "不能超过30个工作日",
        );
        assert_error(
            &single(&[(5, "2.5")]),
            2,
            Some("sign_hours"),
            "应为整数（工作小时），实际为“2.5”",
        );
        assert_error(&single(&[(6, "")]), 2, Some("handle_days"), "不能为空");
        assert_error(
            &single(&[(5, "16"), (6, "1")]),
            2,
            Some("sign_hours"),
            "签收时限16个工作小时超过了办理时限1个工作日",
        );
    }

    #[test]
    fn bad_urgency_and_claimable() {
        for bad in ["abc", "0.5x", ".5", "0.0001"] {
            assert_error(&single(&[(7, bad)]), 2, Some("urgency"), "紧急系数应为");
        }
        for out in ["0", "0.05", "1.5", "2"] {
            assert_error(
                &single(&[(7, out)]),
                2,
                Some("urgency"),
                "紧急系数应在0.1至1.0之间",
            );
        }
        assert_error(&single(&[(7, "")]), 2, Some("urgency"), "紧急系数不能为空");
        assert_error(
            &single(&[(8, "Y")]),
            2,
            Some("claimable"),
            "可领办只能填“是”或“否”，实际为“Y”",
        );
        assert_error(&single(&[(8, "")]), 2, Some("claimable"), "可领办不能为空");
    }

    #[test]
    fn wrong_column_count() {
        let errors = parse(&[row(&[]) + "\t多余", "A01-002\t市容环境".to_owned()]).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_error(&errors[0], 2, None, "应有10列（以制表符分隔），实际为11列");
        assert_error(&errors[1], 3, None, "实际为2列");
    }

    #[test]
    fn header_problems() {
        let bad = HEADER.replace("name", "名称");
        let errors = parse_catalog(&format!("{bad}\n{}", row(&[])), &known).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_error(
            &errors[0],
            1,
            Some("name"),
            "表头第3列应为“事项名称”（或“name”），实际为“名称”",
        );

        let errors = parse_catalog("code\tname\n", &known).unwrap_err();
        assert_error(&errors[0], 1, None, "表头应有10列");

        // No header: the first row is read as an item too, and its problems reported.
        let text = format!("# 注释\n{}\n{}", row(&[(3, "D99")]), row(&[(0, "A01-002")]));
        let errors = parse_catalog(&text, &known).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert_error(&errors[0], 2, None, "缺少表头");
        assert_error(&errors[1], 2, Some("lead"), "D99");
        assert_error(&errors[2], 3, Some("name"), "与第2行重复");
    }

    #[test]
    fn empty_catalogs() {
        for text in ["", "# 只有注释\n\n", "\u{feff}"] {
            let errors = parse_catalog(text, &known).unwrap_err();
            assert_eq!(errors.len(), 1);
            assert_error(&errors[0], 0, None, "缺少表头和事项");
        }
        let errors = parse_catalog(HEADER, &known).unwrap_err();
        assert_error(&errors[0], 0, None, "没有任何事项");
    }

    #[test]
    fn several_errors_are_reported_together() {
        let errors = parse(&[
            row(&[(3, "D99"), (5, "0"), (8, "可以")]),
            row(&[(0, "A01-002"), (2, "垃圾桶满溢")]),
            "坏行".to_owned(),
            row(&[(0, "A01-2"), (2, "积存垃圾"), (7, "3"), (9, "")]),
        ])
        .unwrap_err();
        let found: Vec<_> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(
            found,
            [
                (2, Some("lead")),
                (2, Some("sign_hours")),
                (2, Some("claimable")),
                (4, None),
                (5, Some("code")),
                (5, Some("urgency")),
                (5, Some("standard")),
            ]
        );
    }

    #[test]
    fn errors_display_with_line_and_label() {
        let e = single(&[(3, "D99")]);
        assert_eq!(e.column_label(), Some("牵头部门"));
        assert_eq!(
            e.to_string(),
            "第2行“牵头部门”：牵头部门“D99”不是已有的部门编码"
        );
        let errors = parse(&["x".to_owned()]).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "第2行：应有10列（以制表符分隔），实际为1列"
        );
        let errors = parse_catalog("", &known).unwrap_err();
        assert_eq!(errors[0].to_string(), "事项清单：内容为空：缺少表头和事项");
    }

    #[test]
    fn rows_are_checked_like_lines() {
        let good = row(&[]);
        let good: Vec<&str> = good.split('\t').collect();
        let cells: [&str; 10] = good.try_into().unwrap();
        let items = check_rows([(7, cells)], &known).unwrap();
        assert_eq!(items[0].co, ["D03", "D05"]);
        let mut bad = cells;
        bad[3] = "D99";
        let errors = check_rows([(7, cells), (9, bad)], &known).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert_error(&errors[0], 9, Some("code"), "与第7行重复");
        assert_error(&errors[1], 9, Some("name"), "与第7行重复");
        assert_error(&errors[2], 9, Some("lead"), "D99");
        let errors = check_rows([], &known).unwrap_err();
        assert_error(&errors[0], 0, None, "没有任何事项");
    }

    #[test]
    fn default_departments() {
        assert!(is_default_department("D01"));
        assert!(is_default_department("D27"));
        for bad in ["D00", "D28", "D1", "D001", "d01", "X01", "", "D+1"] {
            assert!(!is_default_department(bad), "{bad}");
        }
    }

    #[test]
    fn columns_have_unique_keys_and_labels() {
        let keys: HashSet<_> = COLUMNS.iter().map(|c| c.key).collect();
        let labels: HashSet<_> = COLUMNS.iter().map(|c| c.label).collect();
        assert_eq!((keys.len(), labels.len()), (10, 10));
        assert_eq!(
            DEFAULT_CATALOG_TSV.lines().find(|l| !l.starts_with('#')),
            Some(HEADER)
        );
    }
}
