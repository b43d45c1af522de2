//! Visit rules: who is owed a visit (a tag, the key-person group, every household), how
//! often, and with how many days of grace; the one-line text an admin writes for a rule,
//! and the default set from the seeds (每月必访, 每半年必到, and weekly for elderly living
//! alone).

use std::fmt;

use crate::population::TagKind;

/// The most rules a set may hold: a [`RuleMask`](super::RuleMask) has one bit per rule.
pub const MAX_RULES: usize = 64;
/// Longest rule key and name, in characters.
const MAX_KEY_CHARS: usize = 40;
const MAX_NAME_CHARS: usize = 40;
/// Longest rolling interval, in days.
const MAX_EVERY_DAYS: u16 = 366;

/// How often a visit is owed. The calendar kinds follow Shanghai dates: one visit in each
/// day, ISO week (Monday to Sunday), calendar month, or half year (January–June, July–
/// December). [`Interval::EveryDays`] rolls instead: the next visit is owed within `n`
/// days after the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interval {
    Daily,
    Weekly,
    Monthly,
    HalfYear,
    EveryDays(u16),
}

impl Interval {
    /// The fewest days one period can have (a February for a month, January–June of a
    /// common year for a half year); a rule's grace must be shorter.
    pub fn shortest_days(self) -> u16 {
        match self {
            Interval::Daily => 1,
            Interval::Weekly => 7,
            Interval::Monthly => 28,
            Interval::HalfYear => 181,
            Interval::EveryDays(n) => n,
        }
    }

    /// Whether periods roll from the last visit rather than follow the calendar.
    pub fn is_rolling(self) -> bool {
        matches!(self, Interval::EveryDays(_))
    }

    /// The Chinese name: `每日`, `每周`, `每月`, `每半年`, `每10天`.
    pub fn label(self) -> String {
        match self {
            Interval::Daily => "每日".into(),
            Interval::Weekly => "每周".into(),
            Interval::Monthly => "每月".into(),
            Interval::HalfYear => "每半年".into(),
            Interval::EveryDays(n) => format!("每{n}天"),
        }
    }

    /// `daily`, `weekly`, `monthly`, `half_year`, `every_N_days`, or the Chinese names
    /// (`每日`/`每天`, `每周`, `每月`, `每半年`, `每N天`/`每N日`).
    fn parse(s: &str) -> Result<Interval, String> {
        let lower = s.to_ascii_lowercase();
        let fixed = match lower.as_str() {
            "daily" | "每日" | "每天" => Some(Interval::Daily),
            "weekly" | "每周" => Some(Interval::Weekly),
            "monthly" | "每月" => Some(Interval::Monthly),
            "half_year" | "halfyear" | "每半年" | "半年" => Some(Interval::HalfYear),
            _ => None,
        };
        if let Some(interval) = fixed {
            return Ok(interval);
        }
        let count = lower
            .strip_prefix("every_")
            .and_then(|r| r.strip_suffix("_days"))
            .or_else(|| {
                lower
                    .strip_prefix('每')
                    .and_then(|r| r.strip_suffix('天').or_else(|| r.strip_suffix('日')))
            });
        let Some(count) = count else {
            return Err(format!(
                "无法识别“{s}”；可填 daily、weekly、monthly、half_year、every_N_days \
                 或 每日、每周、每月、每半年、每N天"
            ));
        };
        match count.parse::<u16>() {
            Ok(n) if (1..=MAX_EVERY_DAYS).contains(&n) => Ok(Interval::EveryDays(n)),
            _ => Err(format!(
                "天数应为 1 到 {MAX_EVERY_DAYS} 的整数，而不是“{count}”"
            )),
        }
    }
}

/// The form [`Rule::parse`] reads back.
impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Interval::Daily => f.write_str("daily"),
            Interval::Weekly => f.write_str("weekly"),
            Interval::Monthly => f.write_str("monthly"),
            Interval::HalfYear => f.write_str("half_year"),
            Interval::EveryDays(n) => write!(f, "every_{n}_days"),
        }
    }
}

/// A set of care and attention tags, one bit per [`TagKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TagSet(u32);

const fn bit(kind: TagKind) -> u32 {
    1 << kind as u32
}

impl TagSet {
    pub const EMPTY: TagSet = TagSet(0);
    /// The key persons (重点人员); a test checks it against [`TagKind::is_key_person`].
    pub const KEY_PERSONS: TagSet = TagSet(
        bit(TagKind::CommunityCorrection)
            | bit(TagKind::ReleasedPrisoner)
            | bit(TagKind::DrugUser)
            | bit(TagKind::SevereMentalDisorder),
    );

    /// The set holding `kind` alone.
    pub const fn of(kind: TagKind) -> TagSet {
        TagSet(bit(kind))
    }

    /// This set and `kind`.
    pub const fn with(self, kind: TagKind) -> TagSet {
        TagSet(self.0 | bit(kind))
    }

    pub const fn contains(self, kind: TagKind) -> bool {
        self.0 & bit(kind) != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The tags in the set, in [`TagKind::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = TagKind> {
        TagKind::ALL
            .iter()
            .copied()
            .filter(move |&k| self.contains(k))
    }
}

impl FromIterator<TagKind> for TagSet {
    fn from_iter<I: IntoIterator<Item = TagKind>>(iter: I) -> TagSet {
        iter.into_iter().fold(TagSet::EMPTY, TagSet::with)
    }
}

/// Whom a rule owes visits to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Every household on record (每户).
    AllHouseholds,
    /// Households with a key person (重点人员): the group [`TagSet::KEY_PERSONS`], kept by
    /// name so that a tag added to the group later joins the rule.
    KeyPersons,
    /// Households with any of these tags.
    AnyTag(TagSet),
}

impl Target {
    /// The tags that bring a household under the rule; `None` for every household.
    pub fn tags(self) -> Option<TagSet> {
        match self {
            Target::AllHouseholds => None,
            Target::KeyPersons => Some(TagSet::KEY_PERSONS),
            Target::AnyTag(set) => Some(set),
        }
    }

    /// The Chinese name: `全部住户`, `重点人员`, or the tags' labels joined by `、`.
    pub fn label(self) -> String {
        match self {
            Target::AllHouseholds => "全部住户".into(),
            Target::KeyPersons => "重点人员".into(),
            Target::AnyTag(set) => set
                .iter()
                .map(TagKind::label)
                .collect::<Vec<_>>()
                .join("、"),
        }
    }

    /// `all`, `key_person`, or tags (ids or Chinese labels) separated by `,` `，` `、`;
    /// the Chinese `全部住户`/`每户` and `重点人员` also do.
    fn parse(s: &str) -> Result<Target, String> {
        match s {
            "all" | "全部住户" | "全部" | "所有住户" | "每户" => {
                return Ok(Target::AllHouseholds);
            }
            "key_person" | "重点人员" => return Ok(Target::KeyPersons),
            _ => {}
        }
        let mut set = TagSet::EMPTY;
        for word in s.split([',', '，', '、']).map(str::trim) {
            let kind = TagKind::parse(word)
                .or_else(|| TagKind::ALL.iter().copied().find(|t| t.label() == word))
                .ok_or_else(|| {
                    format!(
                        "无法识别“{word}”；可填 all（全部住户）、key_person（重点人员）\
                         或标签，如 living_alone（独居老人）"
                    )
                })?;
            set = set.with(kind);
        }
        Ok(Target::AnyTag(set))
    }
}

/// The form [`Rule::parse`] reads back.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::AllHouseholds => f.write_str("all"),
            Target::KeyPersons => f.write_str("key_person"),
            Target::AnyTag(set) => {
                let ids: Vec<&str> = set.iter().map(TagKind::as_str).collect();
                f.write_str(&ids.join(","))
            }
        }
    }
}

/// A valid visit rule: build it with [`Rule::new`] or [`Rule::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    key: String,
    name: String,
    target: Target,
    interval: Interval,
    grace_days: u16,
}

/// The fields of a rule's text form: key, Chinese label, and the names accepted for it.
const FIELDS: [(&str, &str, &[&str]); 5] = [
    ("key", "编码", &["key", "编码"]),
    ("name", "名称", &["name", "名称"]),
    ("target", "对象", &["target", "对象", "走访对象"]),
    ("interval", "周期", &["interval", "周期", "频次"]),
    (
        "grace",
        "宽限天数",
        &["grace", "grace_days", "宽限", "宽限天数"],
    ),
];

fn field_label(key: &str) -> Option<&'static str> {
    FIELDS.iter().find(|f| f.0 == key).map(|f| f.1)
}

impl Rule {
    /// A rule, or the first field that is wrong: a key of lowercase letters, digits and
    /// underscores starting with a letter; a name without `;` or line breaks; a target
    /// with at least one tag; grace shorter than the shortest period.
    pub fn new(
        key: &str,
        name: &str,
        target: Target,
        interval: Interval,
        grace_days: u16,
    ) -> Result<Rule, RuleError> {
        let key_ok = key.starts_with(|c: char| c.is_ascii_lowercase())
            && key.len() <= MAX_KEY_CHARS
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !key_ok {
            return Err(RuleError::field(
                "key",
                format!(
                    "“{key}”不可用：编码由小写字母、数字和下划线组成，以字母开头，\
                     最长 {MAX_KEY_CHARS} 个字符"
                ),
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(RuleError::field(
                "name",
                format!("不能为空，最长 {MAX_NAME_CHARS} 个字"),
            ));
        }
        if name.contains([';', '；', '\n', '\r']) {
            return Err(RuleError::field("name", "不能含分号或换行"));
        }
        if target.tags().is_some_and(TagSet::is_empty) {
            return Err(RuleError::field("target", "至少要有一个标签"));
        }
        if let Interval::EveryDays(n) = interval
            && !(1..=MAX_EVERY_DAYS).contains(&n)
        {
            return Err(RuleError::field(
                "interval",
                format!("天数应为 1 到 {MAX_EVERY_DAYS} 的整数"),
            ));
        }
        if grace_days >= interval.shortest_days() {
            return Err(RuleError::field(
                "grace",
                format!(
                    "{grace_days} 天太长：须短于一个周期（{}最短 {} 天）",
                    interval.label(),
                    interval.shortest_days()
                ),
            ));
        }
        Ok(Rule {
            key: key.to_owned(),
            name: name.to_owned(),
            target,
            interval,
            grace_days,
        })
    }

    /// Reads `key=…; name=…; target=…; interval=…; grace=…` (the form `Display` writes).
    /// Fields are separated by `;` or `；`, names from values by `=`, `:` or `：`; each field
    /// may also be named in Chinese (编码, 名称, 对象, 周期, 宽限). `grace` may be left out
    /// (no grace) and may carry a unit (`3天`).
    pub fn parse(line: &str) -> Result<Rule, RuleError> {
        let mut values: [Option<&str>; 5] = [None; 5];
        for part in line.split([';', '；']).map(str::trim) {
            if part.is_empty() {
                continue;
            }
            let Some((name, value)) = part.split_once(['=', '＝', ':', '：']) else {
                return Err(RuleError::whole(format!(
                    "“{part}”应写成 字段=值，如 interval=monthly"
                )));
            };
            let name = name.trim();
            let Some(i) = FIELDS.iter().position(|f| f.2.contains(&name)) else {
                return Err(RuleError::whole(format!(
                    "无法识别的字段“{name}”；可用字段：key、name、target、interval、grace"
                )));
            };
            if values[i].replace(value.trim()).is_some() {
                return Err(RuleError::field(FIELDS[i].0, "重复填写"));
            }
        }
        let required = |i: usize| {
            values[i]
                .filter(|v| !v.is_empty())
                .ok_or_else(|| RuleError::field(FIELDS[i].0, "必须填写"))
        };
        let key = required(0)?;
        let name = required(1)?;
        let target = Target::parse(required(2)?).map_err(|m| RuleError::field("target", m))?;
        let interval =
            Interval::parse(required(3)?).map_err(|m| RuleError::field("interval", m))?;
        let grace = match values[4].map(|g| g.trim_end_matches(['天', '日', 'd'])) {
            None | Some("") => 0,
            Some(g) => g.trim().parse::<u16>().map_err(|_| {
                RuleError::field("grace", format!("应为 0 或正整数天数，而不是“{g}”"))
            })?,
        };
        Rule::new(key, name, target, interval, grace)
    }

    /// Stable identifier, e.g. `key_person_monthly`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The name shown on screen, e.g. `重点人员每月必访`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn target(&self) -> Target {
        self.target
    }

    pub fn interval(&self) -> Interval {
        self.interval
    }

    /// Days after a period's end during which a visit still counts for it (as late).
    pub fn grace_days(&self) -> u16 {
        self.grace_days
    }
}

/// The form [`Rule::parse`] reads back.
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "key={}; name={}; target={}; interval={}; grace={}",
            self.key, self.name, self.target, self.interval, self.grace_days
        )
    }
}

/// The rules in force, in the order an admin set them; keys are unique and there are at
/// most [`MAX_RULES`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// A set, or the first rule whose key repeats an earlier one (its `line` is its
    /// position, from 1), or an error when there are more than [`MAX_RULES`].
    pub fn new(rules: Vec<Rule>) -> Result<RuleSet, RuleError> {
        if rules.len() > MAX_RULES {
            return Err(RuleError::whole(format!("规则最多 {MAX_RULES} 条")));
        }
        for (i, rule) in rules.iter().enumerate() {
            if rules[..i].iter().any(|r| r.key == rule.key) {
                return Err(RuleError {
                    line: i + 1,
                    ..RuleError::field("key", format!("“{}”与前面的规则重复", rule.key))
                });
            }
        }
        Ok(RuleSet { rules })
    }

    /// One rule per line (blank lines and lines starting with `#` are skipped); every
    /// line that is wrong is reported, each with its line number.
    pub fn parse(text: &str) -> Result<RuleSet, Vec<RuleError>> {
        let mut rules = Vec::new();
        let mut lines = Vec::new();
        let mut errors = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match Rule::parse(line) {
                Ok(rule) => {
                    rules.push(rule);
                    lines.push(line_no);
                }
                Err(e) => errors.push(RuleError { line: line_no, ..e }),
            }
        }
        if errors.is_empty() {
            return RuleSet::new(rules).map_err(|e| {
                // Report the text's line, not the rule's position.
                let line = if e.line > 0 { lines[e.line - 1] } else { 0 };
                vec![RuleError { line, ..e }]
            });
        }
        Err(errors)
    }

    /// The seeds: key persons monthly (每月必访, 3 days' grace), every household each half
    /// year (每半年必到, 7 days), elderly living alone weekly (1 day).
    pub fn defaults() -> RuleSet {
        let rule = |key, name, target, interval, grace| {
            Rule::new(key, name, target, interval, grace).expect("a valid default rule")
        };
        RuleSet {
            rules: vec![
                rule(
                    "key_person_monthly",
                    "重点人员每月必访",
                    Target::KeyPersons,
                    Interval::Monthly,
                    3,
                ),
                rule(
                    "household_half_year",
                    "每户每半年必到",
                    Target::AllHouseholds,
                    Interval::HalfYear,
                    7,
                ),
                rule(
                    "living_alone_weekly",
                    "独居老人每周必访",
                    Target::AnyTag(TagSet::of(TagKind::LivingAlone)),
                    Interval::Weekly,
                    1,
                ),
            ],
        }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The index of the rule with `key`.
    pub fn position(&self, key: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.key == key)
    }
}

/// One rule per line, the form [`RuleSet::parse`] reads back.
impl fmt::Display for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.rules.iter().try_for_each(|r| writeln!(f, "{r}"))
    }
}

/// What is wrong with a rule or a rule set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The line of the text, from 1; 0 when the rule did not come from a text of lines.
    pub line: usize,
    /// The field's key (`key`, `name`, `target`, `interval`, `grace`); `None` when the
    /// problem is the line or the set as a whole.
    pub field: Option<&'static str>,
    /// What is wrong, in Chinese, for people.
    pub message: String,
}

impl RuleError {
    fn field(field: &'static str, message: impl Into<String>) -> RuleError {
        RuleError {
            line: 0,
            field: Some(field),
            message: message.into(),
        }
    }

    fn whole(message: String) -> RuleError {
        RuleError {
            line: 0,
            field: None,
            message,
        }
    }

    /// The field's Chinese label.
    pub fn field_label(&self) -> Option<&'static str> {
        self.field.and_then(field_label)
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.field_label()) {
            (0, Some(label)) => write!(f, "走访规则“{label}”：{}", self.message),
            (0, None) => write!(f, "走访规则：{}", self.message),
            (line, Some(label)) => write!(f, "第{line}行“{label}”：{}", self.message),
            (line, None) => write!(f, "第{line}行：{}", self.message),
        }
    }
}

impl std::error::Error for RuleError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: &str) -> RuleError {
        Rule::parse(line).expect_err(line)
    }

    #[test]
    fn key_person_set_is_the_key_person_tags() {
        let expected: TagSet = TagKind::ALL
            .iter()
            .copied()
            .filter(|k| k.is_key_person())
            .collect();
        assert_eq!(TagSet::KEY_PERSONS, expected);
        assert!(TagKind::ALL.len() <= 32, "a TagSet is 32 bits");
    }

    #[test]
    fn defaults_round_trip_through_text() {
        let defaults = RuleSet::defaults();
        let text = defaults.to_string();
        assert_eq!(
            text.lines().next(),
            Some(
                "key=key_person_monthly; name=重点人员每月必访; target=key_person; \
                 interval=monthly; grace=3"
            )
        );
        assert_eq!(RuleSet::parse(&text), Ok(defaults.clone()));
        assert_eq!(defaults.position("living_alone_weekly"), Some(2));
        assert_eq!(defaults.rules()[1].target().label(), "全部住户");
        assert_eq!(defaults.rules()[2].target().label(), "独居老人");
        assert_eq!(defaults.rules()[0].interval().label(), "每月");
    }

    #[test]
    fn reads_chinese_field_names_and_values() {
        let rule = Rule::parse(
            "编码：disabled_every_two_weeks；名称：残疾人和低保户每两周走访；\
             对象：残疾人、low_income；周期：每14天；宽限：2天",
        )
        .unwrap();
        assert_eq!(rule.key(), "disabled_every_two_weeks");
        assert_eq!(
            rule.target(),
            Target::AnyTag(TagSet::of(TagKind::Disabled).with(TagKind::LowIncome))
        );
        assert_eq!(rule.target().label(), "残疾人、低保对象");
        assert_eq!(rule.interval(), Interval::EveryDays(14));
        assert_eq!(rule.interval().label(), "每14天");
        assert_eq!(rule.grace_days(), 2);
        assert_eq!(Rule::parse(&rule.to_string()), Ok(rule));
        let no_grace = Rule::parse("key=a; name=每日; target=重点人员; interval=每天").unwrap();
        assert_eq!(no_grace.grace_days(), 0);
        assert_eq!(no_grace.interval(), Interval::Daily);
    }

    #[test]
    fn errors_name_the_field_in_chinese() {
        let e = err("key=a; name=甲; target=all");
        assert_eq!(e.field, Some("interval"));
        assert_eq!(e.to_string(), "走访规则“周期”：必须填写");
        let e = err("key=a; name=甲; target=独居; interval=weekly");
        assert_eq!(e.field, Some("target"));
        assert!(e.message.contains("“独居”"), "{e}");
        let e = err("key=a; name=甲; target=all; interval=fortnightly");
        assert_eq!(e.field_label(), Some("周期"));
        assert!(e.message.contains("fortnightly"), "{e}");
        let e = err("key=a; name=甲; target=all; interval=every_0_days");
        assert_eq!(e.field, Some("interval"));
        let e = err("key=a; name=甲; target=all; interval=weekly; grace=7");
        assert_eq!(e.field, Some("grace"));
        assert!(e.message.contains("每周最短 7 天"), "{e}");
        let e = err("key=a; name=甲; target=all; interval=daily; grace=1");
        assert_eq!(e.field, Some("grace"));
        let e = err("key=a; name=甲; target=all; interval=monthly; grace=三");
        assert_eq!(e.field, Some("grace"));
        let e = err("key=Key Person; name=甲; target=all; interval=monthly");
        assert_eq!(e.field, Some("key"));
        let e = err("key=a; name= ; target=all; interval=monthly");
        assert_eq!(e.field, Some("name"));
        let e = err("key=a; key=b; name=甲; target=all; interval=monthly");
        assert_eq!((e.field, e.message.as_str()), (Some("key"), "重复填写"));
        let e = err("key=a; colour=red");
        assert_eq!(e.field, None);
        assert!(e.message.contains("colour"), "{e}");
        let e = err("key a");
        assert_eq!(e.field, None);
        assert!(
            Rule::new(
                "a",
                "甲",
                Target::AnyTag(TagSet::EMPTY),
                Interval::Weekly,
                0
            )
            .is_err_and(|e| e.field == Some("target"))
        );
    }

    #[test]
    fn a_set_reports_every_bad_line_and_repeated_keys() {
        let text = "# 走访规则\n\
                    key=a; name=甲; target=all; interval=monthly\n\
                    \n\
                    key=b; name=乙; target=all; interval=sometimes\n\
                    key=c; name=丙; target=nobody; interval=weekly\n";
        let errors = RuleSet::parse(text).unwrap_err();
        let found: Vec<_> = errors.iter().map(|e| (e.line, e.field)).collect();
        assert_eq!(found, [(4, Some("interval")), (5, Some("target"))]);
        assert!(errors[0].to_string().starts_with("第4行“周期”："));
        let repeated = "key=a; name=甲; target=all; interval=monthly\n\n\
                        key=a; name=乙; target=all; interval=weekly";
        let errors = RuleSet::parse(repeated).unwrap_err();
        assert_eq!((errors[0].line, errors[0].field), (3, Some("key")));
        let many = vec![RuleSet::defaults().rules()[0].clone(); MAX_RULES + 1];
        assert!(RuleSet::new(many).is_err_and(|e| e.field.is_none()));
        assert_eq!(RuleSet::parse(""), Ok(RuleSet::default()));
    }
}
