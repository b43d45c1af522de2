//! Place names: streets, communities, roads and village groups, built from word lists.
//!
//! Street and community names are pure functions of an index: the index goes through an
//! affine permutation of a mixed-radix name space, so names never repeat within a district
//! and any one of them can be computed without the others (a grid's generator needs its
//! street's name without building the whole district).

use crate::rng::{Rng, mix, salt};

/// Shifeng's real streets, used first.
const REAL_STREETS: &[&str] = &[
    "清水塘",
    "龙头铺",
    "井墩",
    "铜塘湾",
    "响石岭",
    "田心",
    "学林",
    "云田",
];
/// First characters of generated street names; none starts a real street above.
const STREET_HEAD: &[&str] = &[
    "金", "银", "凤", "华", "新", "建", "东", "西", "南", "北", "长", "青", "红", "白", "黄", "石",
    "马", "桃", "杨", "柳", "松", "竹", "梅", "兰", "荷", "湘", "江", "明", "和", "安", "平", "康",
    "宁", "兴", "福", "瑞", "永", "德", "文", "大",
];
const STREET_MID: &[&str] = &[
    "霞", "水", "花", "家", "溪", "泉", "阳", "沙", "岗", "木", "云", "丰", "林", "星", "田", "光",
    "源", "杉", "樟", "枫",
];
const STREET_TAIL: &[&str] = &[
    "塘", "铺", "岭", "湾", "冲", "坪", "桥", "山", "港", "洲", "坡", "垸", "口", "湖", "园",
];

/// Characters for two-character community names (first, second).
const PLACE_FIRST: &[&str] = &[
    "金", "银", "龙", "凤", "华", "新", "建", "东", "西", "南", "北", "长", "青", "清", "红", "白",
    "黄", "石", "马", "桃", "杨", "柳", "松", "竹", "梅", "兰", "荷", "云", "田", "湘", "江", "明",
    "光", "和", "安", "平", "康", "宁", "兴", "旺", "福", "瑞", "祥", "永", "德", "文", "学", "铜",
    "响", "枫", "桂", "樟", "茶", "古", "合", "丰", "顺", "泰", "盛", "嘉",
];
const PLACE_SECOND: &[&str] = &[
    "园", "苑", "湾", "塘", "坪", "岭", "冲", "山", "桥", "港", "洲", "溪", "源", "泉", "林", "峰",
    "城", "湖", "岛", "坡", "台", "庄", "铺", "门", "口", "坝", "亭", "霞", "垭", "畈", "星", "阳",
    "景", "苗", "圩", "岩", "滩", "渡", "河", "沙", "岗", "花", "家", "木", "堤", "垅", "井", "塅",
    "屋",
];
/// A third character for names beyond the two-character space.
const PLACE_THIRD: &[&str] = &["里", "头", "上", "下", "前", "后", "边", "畔", "尾", "背"];

/// Road name stems; a road is a stem plus 路, 街 or 大道.
const ROAD_STEMS: &[&str] = &[
    "建设", "人民", "解放", "红旗", "新华", "和平", "团结", "胜利", "中山", "文化", "工业", "车站",
    "学林", "田心", "北环", "南环", "滨江", "长江", "黄河", "湘江", "株洲", "石峰", "响田", "清石",
    "铜霞", "井龙", "杉塘", "时代", "创业", "振兴", "科技", "育才", "迎宾", "友谊", "光明", "幸福",
    "向阳", "朝阳", "太平", "永安", "新民", "钻石", "荷叶", "枫林", "桂花", "樟树", "月塘", "湖塘",
    "云龙", "凤凰", "九曲", "香樟", "金桥", "红港", "沿江",
];
const ROAD_KINDS: &[&str] = &["路", "路", "路", "街", "大道"];
/// Endings of village group (组) names: 张家湾, 李家冲 ….
const GROUP_TAILS: &[&str] = &["湾", "冲", "坪", "塘", "垅", "岭", "山", "坡", "屋场", "桥"];

/// Picks the `k`-th name of a space of `size` names through `(a·k + b) mod size`.
fn permute(seed: u64, salt_word: u64, k: u64, size: u64) -> u64 {
    let mut a = (mix(seed, salt_word) % size) | 1;
    while gcd(a, size) != 1 {
        a += 2;
    }
    let b = mix(salt_word, seed) % size;
    ((u128::from(a) * u128::from(k % size) + u128::from(b)) % u128::from(size)) as u64
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Splits `p` into digits of the given radices, least significant first.
fn digits<const N: usize>(mut p: u64, radices: [usize; N]) -> [usize; N] {
    let mut out = [0; N];
    for (d, r) in out.iter_mut().zip(radices) {
        *d = (p % r as u64) as usize;
        p /= r as u64;
    }
    out
}

/// Name of the `k`-th street (0-based) with its 街道 suffix; distinct for distinct `k`.
pub(crate) fn street_name(seed: u64, k: u32) -> String {
    let k = k as usize;
    let mut s = String::with_capacity(18);
    if let Some(real) = REAL_STREETS.get(k) {
        s.push_str(real);
    } else {
        let radices = [STREET_HEAD.len(), STREET_MID.len(), STREET_TAIL.len()];
        let size = radices.iter().product::<usize>() as u64;
        let p = permute(
            seed,
            salt::REGIONS ^ 1,
            (k - REAL_STREETS.len()) as u64,
            size,
        );
        let [h, m, t] = digits(p, radices);
        s.push_str(STREET_HEAD[h]);
        s.push_str(STREET_MID[m]);
        s.push_str(STREET_TAIL[t]);
    }
    s.push_str("街道");
    s
}

/// Stem of the `k`-th community's name (without 社区/村); distinct for distinct `k`.
pub(crate) fn community_stem(seed: u64, k: u32) -> String {
    let two = (PLACE_FIRST.len() * PLACE_SECOND.len()) as u64;
    let k = u64::from(k);
    let mut s = String::with_capacity(9);
    if k < two {
        let p = permute(seed, salt::REGIONS ^ 2, k, two);
        let [a, b] = digits(p, [PLACE_FIRST.len(), PLACE_SECOND.len()]);
        s.push_str(PLACE_FIRST[a]);
        s.push_str(PLACE_SECOND[b]);
    } else {
        let radices = [PLACE_FIRST.len(), PLACE_SECOND.len(), PLACE_THIRD.len()];
        let size = radices.iter().product::<usize>() as u64;
        // Past that space names would repeat; no district needs 150,000 communities.
        let p = permute(seed, salt::REGIONS ^ 3, k - two, size);
        let [a, b, c] = digits(p, radices);
        s.push_str(PLACE_FIRST[a]);
        s.push_str(PLACE_SECOND[b]);
        s.push_str(PLACE_THIRD[c]);
    }
    s
}

/// A few distinct road names for one community, derived from its code.
pub(crate) fn roads(seed: u64, community_key: u64, count: usize) -> Vec<String> {
    let mut rng = Rng::stream(seed, salt::ROADS, community_key);
    let mut stems: Vec<usize> = (0..ROAD_STEMS.len()).collect();
    rng.shuffle(&mut stems);
    stems
        .into_iter()
        .take(count.min(ROAD_STEMS.len()))
        .map(|i| {
            let mut road = String::with_capacity(12);
            road.push_str(ROAD_STEMS[i]);
            road.push_str(rng.pick(ROAD_KINDS));
            road
        })
        .collect()
}

/// A village group name such as 张家湾组.
pub(crate) fn group_name(rng: &mut Rng) -> String {
    let mut g = String::with_capacity(15);
    g.push_str(crate::names::surname(rng));
    g.push('家');
    g.push_str(rng.pick(GROUP_TAILS));
    g.push('组');
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Duplicates inside a list would break uniqueness; shared characters between
    /// neighbouring positions would allow names like 华华.
    #[test]
    fn word_lists_are_clean() {
        let lists = [
            STREET_HEAD,
            STREET_MID,
            STREET_TAIL,
            PLACE_FIRST,
            PLACE_SECOND,
            PLACE_THIRD,
            ROAD_STEMS,
        ];
        for list in lists {
            assert_eq!(
                list.iter().collect::<HashSet<_>>().len(),
                list.len(),
                "{list:?}"
            );
        }
        for (a, b) in [
            (STREET_HEAD, STREET_MID),
            (STREET_MID, STREET_TAIL),
            (PLACE_FIRST, PLACE_SECOND),
            (PLACE_SECOND, PLACE_THIRD),
        ] {
            let shared: Vec<_> = a.iter().filter(|x| b.contains(x)).collect();
            assert!(shared.is_empty(), "{shared:?}");
        }
    }

    #[test]
    fn default_streets_are_real() {
        let names: Vec<String> = (0..5).map(|k| street_name(1, k)).collect();
        assert_eq!(
            names,
            [
                "清水塘街道",
                "龙头铺街道",
                "井墩街道",
                "铜塘湾街道",
                "响石岭街道"
            ]
        );
    }

    #[test]
    fn street_names_are_unique() {
        let set: HashSet<String> = (0..2_000).map(|k| street_name(9, k)).collect();
        assert_eq!(set.len(), 2_000);
    }

    #[test]
    fn community_names_are_unique_past_the_two_char_space() {
        let n = 6_000;
        let set: HashSet<String> = (0..n).map(|k| community_stem(4, k)).collect();
        assert_eq!(set.len(), n as usize);
        assert_eq!(community_stem(4, 0).chars().count(), 2);
        assert_eq!(community_stem(4, 5_999).chars().count(), 3);
        assert_ne!(community_stem(4, 7), community_stem(5, 7));
    }

    #[test]
    fn roads_and_groups() {
        let r = roads(1, 42, 4);
        assert_eq!(r.len(), 4);
        assert_eq!(r.iter().collect::<HashSet<_>>().len(), 4);
        assert_eq!(r, roads(1, 42, 4));
        assert!(
            r.iter()
                .all(|x| x.ends_with('路') || x.ends_with('街') || x.ends_with("大道"))
        );
        let g = group_name(&mut Rng::new(1));
        assert!(g.contains('家') && g.ends_with('组'));
    }
}
