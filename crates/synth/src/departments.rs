//! The district's functional departments that cases are dispatched to, with their people.

use wangge_domain::population::Duty;

use crate::rng::{Rng, salt};
use crate::staff::{StaffMember, member};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Department {
    /// `D01`, `D02`, ….
    pub code: String,
    pub name: String,
    /// Two to four characters, as on dispatch buttons: 城管, 公安, 住建 ….
    pub short_name: String,
    /// One head, then two to four handlers.
    pub people: Vec<StaffMember>,
}

/// Full name and short name; district bureaus, city bureaus' branches and utilities.
const DEPARTMENTS: &[(&str, &str)] = &[
    ("石峰区城市管理和综合执法局", "城管"),
    ("株洲市公安局石峰分局", "公安"),
    ("石峰区住房和城乡建设局", "住建"),
    ("石峰区民政局", "民政"),
    ("石峰区卫生健康局", "卫健"),
    ("石峰区应急管理局", "应急"),
    ("国网株洲供电公司石峰供电中心", "供电"),
    ("株洲市自来水有限公司石峰营业所", "供水"),
    ("石峰区通信管理办公室", "通信"),
    ("石峰区市场监督管理局", "市场监管"),
    ("株洲市生态环境局石峰分局", "生态环境"),
    ("石峰区交通运输局", "交通"),
    ("株洲市自然资源和规划局石峰分局", "自然资源"),
    ("石峰区水利局", "水利"),
    ("石峰区教育局", "教育"),
    ("石峰区人力资源和社会保障局", "人社"),
    ("石峰区司法局", "司法"),
    ("石峰区信访局", "信访"),
    ("石峰区消防救援大队", "消防"),
    ("株洲新奥燃气有限公司石峰服务站", "燃气"),
    ("石峰区农业农村局", "农业农村"),
    ("石峰区文化旅游体育局", "文旅体"),
    ("石峰区医疗保障局", "医保"),
    ("石峰区发展和改革局", "发改"),
    ("石峰区退役军人事务局", "退役军人"),
    ("石峰区残疾人联合会", "残联"),
    ("石峰区妇女联合会", "妇联"),
];

/// All departments with a head and two to four handlers each.
pub(crate) fn departments(seed: u64) -> Vec<Department> {
    DEPARTMENTS
        .iter()
        .enumerate()
        .map(|(i, &(name, short))| {
            let mut rng = Rng::stream(seed, salt::DEPARTMENT, i as u64);
            let handlers = rng.range(2, 4);
            let mut people = Vec::with_capacity(1 + handlers as usize);
            people.push(member(&mut rng, Duty::DeptHead));
            for _ in 0..handlers {
                people.push(member(&mut rng, Duty::DeptHandler));
            }
            Department {
                code: format!("D{:02}", i + 1),
                name: name.to_owned(),
                short_name: short.to_owned(),
                people,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn at_least_23_distinct_departments() {
        let all = departments(1);
        assert!(all.len() >= 23);
        assert_eq!(all[0].code, "D01");
        assert_eq!(all[0].short_name, "城管");
        assert_eq!(
            all.iter().map(|d| &d.name).collect::<HashSet<_>>().len(),
            all.len()
        );
        assert_eq!(
            all.iter()
                .map(|d| &d.short_name)
                .collect::<HashSet<_>>()
                .len(),
            all.len()
        );
        for d in &all {
            assert!(
                (2..=4).contains(&d.short_name.chars().count()),
                "{}",
                d.short_name
            );
            assert_eq!(d.people[0].duty, Duty::DeptHead);
            let handlers = d.people[1..]
                .iter()
                .filter(|p| p.duty == Duty::DeptHandler)
                .count();
            assert!((2..=4).contains(&handlers) && handlers == d.people.len() - 1);
        }
    }
}
