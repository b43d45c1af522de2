//! The fields each kind of base data can import, with the header names departments use.

/// One importable field: its key in code, its Chinese label (the header of our own
/// template and exports), other headers meaning the same, and whether a file must have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

const fn field(
    key: &'static str,
    label: &'static str,
    aliases: &'static [&'static str],
    required: bool,
) -> FieldSpec {
    FieldSpec {
        key,
        label,
        aliases,
        required,
    }
}

const GRID: FieldSpec = field("grid", "网格", &["网格编码", "所属网格"], false);
const NOTE: FieldSpec = field("note", "备注", &[], false);
const PHONE: FieldSpec = field(
    "phone",
    "联系电话",
    &["手机号", "手机", "电话", "联系方式"],
    false,
);

static PERSON: [FieldSpec; 13] = [
    field("name", "姓名", &[], true),
    field(
        "id_number",
        "身份证号",
        &["公民身份号码", "身份证号码", "证件号码", "身份证"],
        true,
    ),
    PHONE,
    field("address", "现住址", &["住址", "居住地址", "地址"], false),
    field("building", "楼栋", &["楼号", "楼栋号"], false),
    field("room", "房号", &["门牌号", "房间号"], false),
    field("residence", "人口类型", &["人员类型", "户籍类型"], false),
    field("relation", "与户主关系", &["关系"], false),
    field("household", "户号", &[], false),
    GRID,
    field("tags", "标签", &["人员标签", "特殊人群"], false),
    field("ethnicity", "民族", &[], false),
    NOTE,
];

static HOUSEHOLD: [FieldSpec; 11] = [
    field("household", "户号", &["户编号", "户籍编号"], true),
    field("head_name", "户主姓名", &["户主"], true),
    field(
        "head_id_number",
        "户主身份证号",
        &["户主公民身份号码", "户主身份证号码", "户主证件号码"],
        false,
    ),
    field(
        "household_type",
        "户别",
        &["户口类型", "户籍类型", "户类型"],
        false,
    ),
    field(
        "address",
        "现住址",
        &["住址", "居住地址", "地址", "户籍地址"],
        false,
    ),
    field("building", "楼栋", &["楼号", "楼栋号"], false),
    field("room", "房号", &["门牌号", "房间号"], false),
    field(
        "member_count",
        "家庭人口数",
        &["人口数", "家庭人口", "人数"],
        false,
    ),
    PHONE,
    GRID,
    NOTE,
];

static BUILDING: [FieldSpec; 10] = [
    field(
        "name",
        "楼栋名称",
        &["楼栋", "楼号", "楼栋号", "楼名", "建筑名称"],
        true,
    ),
    field(
        "address",
        "地址",
        &["楼栋地址", "详细地址", "门牌地址"],
        true,
    ),
    field("floors", "层数", &["楼层数", "总层数", "地上层数"], false),
    field("units", "单元数", &["单元"], false),
    field(
        "rooms_per_floor",
        "每层户数",
        &["每层房间数", "每单元每层户数"],
        false,
    ),
    field("longitude", "经度", &["lng", "lon"], false),
    field("latitude", "纬度", &["lat"], false),
    GRID,
    field("code", "楼栋编码", &["建筑编码", "楼栋编号"], false),
    NOTE,
];

static ORGANIZATION: [FieldSpec; 8] = [
    field(
        "name",
        "名称",
        &[
            "单位名称",
            "企业名称",
            "组织名称",
            "机构名称",
            "商户名称",
            "店名",
        ],
        true,
    ),
    field(
        "uscc",
        "统一社会信用代码",
        &["社会信用代码", "信用代码", "统一代码"],
        false,
    ),
    field(
        "kind",
        "类型",
        &["组织类型", "单位类型", "企业类型", "机构类型", "类别"],
        false,
    ),
    field(
        "address",
        "地址",
        &["单位地址", "经营地址", "注册地址", "住所"],
        false,
    ),
    field(
        "leader",
        "负责人",
        &["法定代表人", "法人", "负责人姓名", "联系人"],
        false,
    ),
    PHONE,
    GRID,
    NOTE,
];

/// Persons (人口信息): name and ID number are required. Sex and birth date are not fields:
/// they are derived from the ID number.
pub fn person_fields() -> &'static [FieldSpec] {
    &PERSON
}

/// Households (户): keyed by 户号, with the head of household.
pub fn household_fields() -> &'static [FieldSpec] {
    &HOUSEHOLD
}

/// Buildings (楼栋): name and address are required; coordinates are optional.
pub fn building_fields() -> &'static [FieldSpec] {
    &BUILDING
}

/// Organizations (单位、商户、社会组织): the name is required.
pub fn organization_fields() -> &'static [FieldSpec] {
    &ORGANIZATION
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::normalise;
    use std::collections::HashMap;

    /// Within one list no two fields may answer to the same header, or matching would
    /// depend on the order of the list.
    #[test]
    fn no_header_name_is_claimed_twice() {
        for fields in [
            person_fields(),
            household_fields(),
            building_fields(),
            organization_fields(),
        ] {
            let mut seen = HashMap::new();
            for f in fields {
                for name in [f.key, f.label].iter().chain(f.aliases) {
                    if let Some(other) = seen.insert(normalise(name), f.key) {
                        panic!("“{name}” names both {other} and {}", f.key);
                    }
                }
            }
        }
    }
}
