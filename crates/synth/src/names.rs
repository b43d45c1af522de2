//! Personal names: surnames by real frequency, given names by sex and generation.

use std::sync::OnceLock;

use crate::rng::Rng;

/// Common surnames with their approximate share of the population, in units of 0.01%.
const SURNAMES: &[(&str, u16)] = &[
    ("王", 712),
    ("李", 700),
    ("张", 674),
    ("刘", 510),
    ("陈", 461),
    ("杨", 322),
    ("黄", 245),
    ("赵", 229),
    ("吴", 205),
    ("周", 198),
    ("徐", 168),
    ("孙", 147),
    ("马", 133),
    ("朱", 125),
    ("胡", 124),
    ("郭", 116),
    ("何", 114),
    ("林", 110),
    ("高", 106),
    ("罗", 104),
    ("郑", 93),
    ("梁", 91),
    ("谢", 85),
    ("宋", 81),
    ("唐", 79),
    ("许", 74),
    ("韩", 70),
    ("冯", 69),
    ("邓", 68),
    ("曹", 66),
    ("彭", 64),
    ("曾", 62),
    ("肖", 61),
    ("田", 56),
    ("董", 56),
    ("袁", 54),
    ("潘", 52),
    ("于", 51),
    ("蒋", 50),
    ("蔡", 49),
    ("余", 48),
    ("杜", 47),
    ("叶", 46),
    ("程", 45),
    ("苏", 44),
    ("魏", 43),
    ("吕", 42),
    ("丁", 41),
    ("任", 40),
    ("沈", 39),
    ("姚", 38),
    ("卢", 37),
    ("姜", 36),
    ("崔", 35),
    ("钟", 34),
    ("谭", 33),
    ("陆", 32),
    ("汪", 31),
    ("范", 30),
    ("金", 29),
    ("石", 28),
    ("廖", 27),
    ("贾", 26),
    ("夏", 25),
    ("韦", 24),
    ("付", 23),
    ("方", 22),
    ("白", 21),
    ("邹", 20),
    ("孟", 19),
    ("熊", 18),
    ("秦", 17),
    ("邱", 16),
    ("江", 15),
    ("尹", 14),
    ("薛", 13),
    ("闫", 12),
    ("段", 11),
    ("雷", 10),
    ("侯", 10),
    ("龙", 10),
    ("史", 10),
    ("陶", 10),
    ("黎", 10),
    ("贺", 10),
    ("顾", 10),
    ("毛", 10),
    ("郝", 10),
    ("龚", 10),
    ("邵", 10),
    ("万", 10),
    ("钱", 10),
    ("严", 10),
    ("覃", 8),
    ("武", 8),
    ("戴", 8),
    ("莫", 8),
    ("孔", 8),
    ("向", 8),
    ("汤", 8),
    ("易", 8),
    ("文", 7),
    ("欧阳", 3),
    ("司马", 1),
];

// Given-name characters. "Classic" pools suit people born before 1985, "modern" ones after.
const MALE_ONE_CLASSIC: &[&str] = &[
    "伟", "强", "军", "勇", "杰", "涛", "斌", "明", "刚", "平", "辉", "华", "波", "健", "建", "国",
    "峰", "亮", "成", "志", "文", "东", "海", "兵", "力", "林", "龙", "新", "春", "生", "荣", "福",
    "贵", "德", "清",
];
const MALE_ONE_MODERN: &[&str] = &[
    "浩", "宇", "轩", "杰", "鑫", "凯", "鹏", "帅", "阳", "博", "晨", "睿", "昊", "航", "豪", "俊",
    "哲", "磊", "超", "然", "彬", "翔",
];
const FEMALE_ONE_CLASSIC: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "英", "红", "梅", "琳", "燕", "萍",
    "兰", "凤", "琴", "云", "莲", "珍", "华",
];
const FEMALE_ONE_MODERN: &[&str] = &[
    "婷", "慧", "颖", "倩", "洁", "莉", "佳", "欣", "怡", "悦", "璐", "瑶", "琪", "涵", "雪", "萱",
    "蕾", "璇", "妍", "晴",
];
const MALE_FIRST_CLASSIC: &[&str] = &[
    "建", "国", "志", "永", "德", "立", "红", "春", "金", "长", "家", "振", "文", "明", "海", "庆",
    "光", "学", "兴", "伟",
];
const MALE_SECOND_CLASSIC: &[&str] = &[
    "华", "平", "军", "明", "林", "强", "生", "荣", "成", "民", "良", "斌", "东", "辉", "峰", "忠",
    "刚", "祥",
];
const MALE_FIRST_MODERN: &[&str] = &[
    "子", "浩", "宇", "梓", "俊", "一", "思", "皓", "博", "嘉", "天", "家", "泽", "明", "睿", "铭",
    "雨", "逸",
];
const MALE_SECOND_MODERN: &[&str] = &[
    "轩", "涵", "宇", "杰", "辰", "阳", "泽", "航", "睿", "然", "豪", "昊", "哲", "博", "鑫", "凯",
    "文", "铭",
];
const FEMALE_FIRST_CLASSIC: &[&str] = &[
    "秀", "桂", "玉", "美", "丽", "春", "淑", "凤", "金", "红", "素", "翠", "小", "海", "月",
];
const FEMALE_SECOND_CLASSIC: &[&str] = &[
    "英", "兰", "芳", "珍", "华", "梅", "琴", "霞", "娥", "莲", "萍", "云", "凤", "香",
];
const FEMALE_FIRST_MODERN: &[&str] = &[
    "子", "梓", "欣", "雨", "思", "诗", "佳", "语", "可", "雅", "紫", "一", "晓", "嘉", "梦", "若",
];
const FEMALE_SECOND_MODERN: &[&str] = &[
    "涵", "萱", "怡", "彤", "琪", "妍", "琳", "婷", "瑶", "悦", "然", "诺", "欣", "颖", "雯",
];

/// Share of people whose given name is one character (full names like 王芳).
const ONE_CHAR_SHARE: f64 = 0.3;
/// People born from this year on get names from the modern pools.
const MODERN_FROM: i32 = 1985;

/// Size of the surname lookup table; a power of two so a draw is a shift.
const TABLE_BITS: u32 = 13;

/// Index `r` (a uniform draw of `TABLE_BITS` bits) to surname, built once.
fn surname_table() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let size = 1usize << TABLE_BITS;
        let total: u64 = SURNAMES.iter().map(|s| u64::from(s.1)).sum();
        let mut table = Vec::with_capacity(size);
        let mut cumulative = 0u64;
        for (i, &(_, w)) in SURNAMES.iter().enumerate() {
            cumulative += u64::from(w);
            let end = ((cumulative * size as u64 + total / 2) / total) as usize;
            // Every surname keeps at least one slot, so rare ones still occur.
            let end = end.max(table.len() + 1).min(size);
            table.resize(end, i as u8);
        }
        table.resize(size, (SURNAMES.len() - 1) as u8);
        table
    })
}

/// A surname drawn by frequency.
pub(crate) fn surname(rng: &mut Rng) -> &'static str {
    let r = (rng.next_u64() >> (64 - TABLE_BITS)) as usize;
    SURNAMES[usize::from(surname_table()[r])].0
}

/// Appends a given name suited to sex and birth year.
pub(crate) fn push_given(out: &mut String, rng: &mut Rng, male: bool, birth_year: i32) {
    let modern = birth_year >= MODERN_FROM;
    if rng.chance(ONE_CHAR_SHARE) {
        let pool = match (male, modern) {
            (true, false) => MALE_ONE_CLASSIC,
            (true, true) => MALE_ONE_MODERN,
            (false, false) => FEMALE_ONE_CLASSIC,
            (false, true) => FEMALE_ONE_MODERN,
        };
        out.push_str(rng.pick(pool));
        return;
    }
    let (first, second) = match (male, modern) {
        (true, false) => (MALE_FIRST_CLASSIC, MALE_SECOND_CLASSIC),
        (true, true) => (MALE_FIRST_MODERN, MALE_SECOND_MODERN),
        (false, false) => (FEMALE_FIRST_CLASSIC, FEMALE_SECOND_CLASSIC),
        (false, true) => (FEMALE_FIRST_MODERN, FEMALE_SECOND_MODERN),
    };
    let a = rng.pick(first);
    let mut b = rng.pick(second);
    if a == b {
        // A doubled character (婷婷) is fine for girls, odd for most men: draw again once.
        b = rng.pick(second);
    }
    out.push_str(a);
    out.push_str(b);
}

/// A full name with the given surname.
pub(crate) fn full_name(rng: &mut Rng, surname: &str, male: bool, birth_year: i32) -> String {
    let mut name = String::with_capacity(surname.len() + 6);
    name.push_str(surname);
    push_given(&mut name, rng, male, birth_year);
    name
}

/// A full name with a surname drawn by frequency.
pub(crate) fn random_name(rng: &mut Rng, male: bool, birth_year: i32) -> String {
    let s = surname(rng);
    full_name(rng, s, male, birth_year)
}

/// Number of distinct surnames the generator uses.
#[cfg(test)]
pub(crate) fn surname_count() -> usize {
    SURNAMES.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn surnames_follow_frequency() {
        assert!(surname_count() >= 60);
        let mut rng = Rng::new(3);
        let mut counts: HashMap<&str, u32> = HashMap::new();
        for _ in 0..100_000 {
            *counts.entry(surname(&mut rng)).or_default() += 1;
        }
        let total: u32 = SURNAMES.iter().map(|s| u32::from(s.1)).sum();
        let wang = f64::from(counts["王"]) / 100_000.0;
        assert!((wang - 712.0 / f64::from(total)).abs() < 0.01, "{wang}");
        assert!(counts["王"] > counts["赵"] && counts["赵"] > counts["谭"]);
        assert!(counts.len() > 90, "{}", counts.len());
    }

    #[test]
    fn given_names_have_one_or_two_chars() {
        let mut rng = Rng::new(5);
        let mut short = 0;
        for i in 0..10_000 {
            let name = random_name(&mut rng, i % 2 == 0, 1950 + i % 70);
            let given = name.chars().count()
                - if name.starts_with("欧阳") || name.starts_with("司马") {
                    2
                } else {
                    1
                };
            assert!((1..=2).contains(&given), "{name}");
            short += usize::from(given == 1);
        }
        assert!((2_700..3_300).contains(&short), "{short}");
    }

    #[test]
    fn generations_sound_different() {
        let mut rng = Rng::new(8);
        let old: String = (0..200)
            .map(|_| full_name(&mut rng, "李", false, 1950))
            .collect();
        let young: String = (0..200)
            .map(|_| full_name(&mut rng, "李", false, 2010))
            .collect();
        assert!(old.contains('英') || old.contains('兰'));
        assert!(young.contains('涵') || young.contains('萱'));
    }
}
