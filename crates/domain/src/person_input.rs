//! A person as typed into a form or a spreadsheet row, checked field by field.
//!
//! Every problem of a row is reported at once, each naming its field, so a person fixing
//! a file sees all that is wrong with a row in one go. Sex, birth date and age are never
//! input: they come from the ID number. A blank optional field means "leave as it is".

use crate::id_number::IdNumber;
use crate::phone::Phone;
use crate::population::{Relation, Residence, TagKind};

/// Longest name accepted: long Uyghur and Tibetan names written in full run to about 20.
const MAX_NAME_CHARS: usize = 40;
/// Longest free text (address, room, household number, note).
const MAX_TEXT_CHARS: usize = 200;

/// A valid person record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonInput {
    pub name: String,
    pub id_number: IdNumber,
    pub phone: Option<Phone>,
    pub address: Option<String>,
    pub building: Option<String>,
    pub room: Option<String>,
    pub residence: Option<Residence>,
    pub relation: Option<Relation>,
    /// The household number (户号) that groups members.
    pub household: Option<String>,
    pub grid: Option<String>,
    /// `None` when the field was blank (keep the tags on record); `Some(vec![])` never
    /// occurs from input, since a blank cell cannot say "remove all tags".
    pub tags: Option<Vec<(TagKind, Option<i32>)>>,
    pub ethnicity: Option<String>,
    pub note: Option<String>,
}

/// One field of one record that is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field key (`id_number`, `phone` …).
    pub field: &'static str,
    pub message: String,
}

fn error(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

impl PersonInput {
    /// Checks a record given as field key → text (blank or absent is the same).
    pub fn parse<'a>(
        get: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<PersonInput, Vec<FieldError>> {
        let text = |key: &str| get(key).map(str::trim).filter(|s| !s.is_empty());
        let mut errors = Errors(Vec::new());
        let name = errors.keep(parse_name(text("name")));
        let id_number = errors.keep(
            IdNumber::parse(text("id_number").unwrap_or(""))
                .map_err(|e| error("id_number", e.to_string())),
        );
        let phone = errors
            .keep(
                text("phone")
                    .map(|p| Phone::parse(p).map_err(|e| error("phone", e.to_string())))
                    .transpose(),
            )
            .flatten();
        let residence = errors
            .keep(text("residence").map(parse_residence).transpose())
            .flatten();
        let relation = text("relation").map(parse_relation);
        let tags = errors
            .keep(text("tags").map(parse_tags).transpose())
            .flatten();
        let mut free = |key: &'static str| errors.keep(free_text(key, text(key))).flatten();
        let address = free("address");
        let building = free("building");
        let room = free("room");
        let household = free("household");
        let grid = free("grid");
        let ethnicity = free("ethnicity");
        let note = free("note");
        let errors = errors.0;

        match (name, id_number) {
            (Some(name), Some(id_number)) if errors.is_empty() => Ok(PersonInput {
                name,
                id_number,
                phone,
                address,
                building,
                room,
                residence,
                relation,
                household,
                grid,
                tags,
                ethnicity,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// Collects field errors while the good fields are kept.
struct Errors(Vec<FieldError>);

impl Errors {
    fn keep<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
}

fn parse_name(name: Option<&str>) -> Result<String, FieldError> {
    let name = name.ok_or_else(|| error("name", "姓名不能为空"))?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(error(
            "name",
            format!("姓名过长（超过{MAX_NAME_CHARS}个字）"),
        ));
    }
    // Letters of any script, the middle dots of minority names, and spaces in foreign names.
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphabetic() || matches!(c, '·' | '•' | '.' | ' ' | '-')))
    {
        return Err(error("name", format!("姓名中不能含有“{c}”")));
    }
    Ok(name.to_string())
}

fn free_text(field: &'static str, value: Option<&str>) -> Result<Option<String>, FieldError> {
    match value {
        Some(v) if v.chars().count() > MAX_TEXT_CHARS => Err(error(
            field,
            format!("内容过长（超过{MAX_TEXT_CHARS}个字）"),
        )),
        Some(v) if v.chars().any(char::is_control) => Err(error(field, "含有换行或控制字符")),
        v => Ok(v.map(str::to_string)),
    }
}

/// 户籍/常住/流动 with or without 人口, the stored ids, and common synonyms.
pub fn parse_residence(s: &str) -> Result<Residence, FieldError> {
    let bare = s.trim().trim_end_matches("人口").trim_end_matches("人员");
    let found = Residence::parse(s.trim()).or(match bare {
        "户籍" | "本地" | "户籍在册" => Some(Residence::Registered),
        "常住" | "非户籍常住" | "寄住" | "人户分离" => Some(Residence::Resident),
        "流动" | "外来" | "暂住" => Some(Residence::Floating),
        _ => None,
    });
    found.ok_or_else(|| {
        error(
            "residence",
            format!("人口类型“{s}”无法识别，应为 户籍人口、常住人口 或 流动人口"),
        )
    })
}

/// Relations as household registers write them (本人, 妻, 长子 …). The register's list
/// (GB/T 4761) is long; whatever is not a head, spouse, child, parent, grandchild or
/// sibling is recorded as 其他, which is what that category means.
pub fn parse_relation(s: &str) -> Relation {
    let s = s.trim();
    if let Some(r) = Relation::parse(s) {
        return r;
    }
    if let Some(r) = Relation::ALL.iter().find(|r| r.label() == s) {
        return *r;
    }
    match s {
        "本人" | "户主本人" => Relation::Head,
        "妻" | "夫" | "妻子" | "丈夫" | "配偶" => Relation::Spouse,
        "子" | "女" | "儿子" | "女儿" | "长子" | "次子" | "三子" | "长女" | "次女" | "三女"
        | "独生子" | "独生女" | "养子" | "养女" | "继子" | "继女" => Relation::Child,
        "父" | "母" | "父亲" | "母亲" | "公公" | "婆婆" | "岳父" | "岳母" => {
            Relation::Parent
        }
        "孙子" | "孙女" | "外孙子" | "外孙女" | "外孙" => Relation::Grandchild,
        "兄" | "弟" | "姐" | "妹" | "哥哥" | "弟弟" | "姐姐" | "妹妹" => {
            Relation::Sibling
        }
        _ => Relation::Other,
    }
}

/// Tags separated by 、，,;；/ or spaces, each a label or id, with an optional grade in
/// brackets or before 级: `残疾人(二级)、低保对象`. The elderly tag is derived from the ID
/// number and ignored here. An unknown tag is an error that names it.
pub fn parse_tags(s: &str) -> Result<Vec<(TagKind, Option<i32>)>, FieldError> {
    let mut tags: Vec<(TagKind, Option<i32>)> = Vec::new();
    for part in s
        .split(['、', ',', '，', ';', '；', '/', ' ', '\u{3000}'])
        .filter(|p| !p.is_empty())
    {
        let (word, grade) = split_grade(part)?;
        let kind = TagKind::parse(word)
            .or_else(|| TagKind::ALL.iter().copied().find(|t| t.label() == word))
            .or(match word {
                "独居" => Some(TagKind::LivingAlone),
                "空巢" => Some(TagKind::EmptyNest),
                "残疾" | "残疾人员" => Some(TagKind::Disabled),
                "低保" | "低保户" => Some(TagKind::LowIncome),
                "特困" | "五保" | "特困供养" => Some(TagKind::Destitute),
                "留守" => Some(TagKind::LeftBehindChild),
                "退役" | "退伍军人" | "复员军人" => Some(TagKind::Veteran),
                "孕妇" | "孕产妇" => Some(TagKind::Pregnant),
                "社区矫正" | "社矫" | "社区矫正人员" => {
                    Some(TagKind::CommunityCorrection)
                }
                "刑释" | "刑释人员" | "刑满释放" => Some(TagKind::ReleasedPrisoner),
                "吸毒" | "涉毒人员" => Some(TagKind::DrugUser),
                "精神障碍" | "严重精神障碍" | "肇事肇祸精神病人" => {
                    Some(TagKind::SevereMentalDisorder)
                }
                _ => None,
            })
            .ok_or_else(|| error("tags", format!("标签“{word}”无法识别")))?;
        if kind == TagKind::Elderly {
            continue;
        }
        if grade.is_some() && !matches!(kind, TagKind::Disabled | TagKind::SevereMentalDisorder) {
            return Err(error("tags", format!("标签“{}”没有等级", kind.label())));
        }
        match tags.iter_mut().find(|(k, _)| *k == kind) {
            Some(existing) => existing.1 = existing.1.or(grade),
            None => tags.push((kind, grade)),
        }
    }
    Ok(tags)
}

/// `残疾人(二级)` → (`残疾人`, 2); `精神障碍3级` → (`精神障碍`, 3).
fn split_grade(part: &str) -> Result<(&str, Option<i32>), FieldError> {
    let (word, grade_text) = match part.find(['(', '（']) {
        Some(i) => (
            &part[..i],
            part[i..]
                .trim_start_matches(['(', '（'])
                .trim_end_matches([')', '）']),
        ),
        None => match part.find(|c: char| c.is_ascii_digit() || "一二三四五".contains(c)) {
            Some(i) if part.ends_with('级') && i > 0 => (&part[..i], &part[i..]),
            _ => return Ok((part, None)),
        },
    };
    let number = grade_text.trim_end_matches('级');
    let grade = match number {
        "1" | "一" => 1,
        "2" | "二" => 2,
        "3" | "三" => 3,
        "4" | "四" => 4,
        "5" | "五" => 5,
        _ => {
            return Err(error(
                "tags",
                format!("标签“{part}”的等级“{grade_text}”无法识别，应为 1–5 级"),
            ));
        }
    };
    Ok((word, Some(grade)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<PersonInput, Vec<FieldError>> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        PersonInput::parse(|k| map.get(k).copied())
    }

    #[test]
    fn a_full_row_is_read() {
        let p = parse(&[
            ("name", " 王芳 "),
            ("id_number", "43020419580101105x"),
            ("phone", "138-0731-1234"),
            ("residence", "流动"),
            ("relation", "长子"),
            ("tags", "独居老人、残疾人（二级）;低保"),
            ("room", "2-301"),
        ]);
        let p = match p {
            Ok(p) => p,
            Err(e) => panic!("{e:?}"),
        };
        assert_eq!(p.name, "王芳");
        assert_eq!(p.phone.unwrap().as_str(), "13807311234");
        assert_eq!(p.residence, Some(Residence::Floating));
        assert_eq!(p.relation, Some(Relation::Child));
        assert_eq!(
            p.tags.unwrap(),
            [
                (TagKind::LivingAlone, None),
                (TagKind::Disabled, Some(2)),
                (TagKind::LowIncome, None)
            ]
        );
        assert_eq!(p.room.as_deref(), Some("2-301"));
        assert_eq!(p.address, None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = parse(&[
            ("name", "王2芳"),
            ("id_number", "430204195801011008"),
            ("phone", "12345"),
            ("residence", "外星"),
            ("tags", "富豪"),
        ])
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "id_number", "phone", "residence", "tags"]);
        assert_eq!(errors[0].message, "姓名中不能含有“2”");
        assert!(
            errors[1].message.contains("校验位"),
            "{}",
            errors[1].message
        );
        assert_eq!(errors[4].message, "标签“富豪”无法识别");
    }

    #[test]
    fn required_fields_must_be_present() {
        let errors = parse(&[("phone", "13807311234")]).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].message, "姓名不能为空");
        assert_eq!(errors[1].message, "身份证号不能为空");
    }

    #[test]
    fn legacy_numbers_are_upgraded_and_names_keep_their_dots() {
        let p = parse(&[
            ("name", "阿依古丽·买买提"),
            ("id_number", "430204580101100"),
        ])
        .unwrap();
        assert_eq!(p.id_number.as_str().len(), 18);
        assert_eq!(p.name, "阿依古丽·买买提");
    }

    #[test]
    fn grades_and_tag_spellings() {
        assert_eq!(
            parse_tags("精神障碍3级 吸毒").unwrap(),
            [
                (TagKind::SevereMentalDisorder, Some(3)),
                (TagKind::DrugUser, None)
            ]
        );
        assert_eq!(parse_tags("60岁以上老人").unwrap(), []);
        assert_eq!(
            parse_tags("低保(2级)").unwrap_err().message,
            "标签“低保对象”没有等级"
        );
        assert!(parse_tags("残疾人(九级)").is_err());
        assert_eq!(parse_relation("儿媳"), Relation::Other);
        assert_eq!(parse_relation("户主"), Relation::Head);
        assert_eq!(parse_residence("户籍人口").unwrap(), Residence::Registered);
    }
}
