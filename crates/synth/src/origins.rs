//! Counties (GB/T 2260) where people living here but registered elsewhere come from.

use wangge_domain::population::Residence;

use crate::rng::Rng;

/// Long-term residents: mostly from the rest of Zhuzhou and neighbouring Hunan cities.
const NEARBY: &[&[u8; 6]] = &[
    b"430202", // 株洲 荷塘区
    b"430203", // 株洲 芦淞区
    b"430211", // 株洲 天元区
    b"430212", // 株洲 渌口区
    b"430223", // 攸县
    b"430224", // 茶陵县
    b"430225", // 炎陵县
    b"430281", // 醴陵市
    b"430302", // 湘潭 雨湖区
    b"430321", // 湘潭县
    b"430104", // 长沙 岳麓区
    b"430421", // 衡阳县
];

/// Floating population: other Hunan cities and the provinces people migrate from most.
const FAR: &[&[u8; 6]] = &[
    b"430522", // 新邵县
    b"430602", // 岳阳 岳阳楼区
    b"430702", // 常德 武陵区
    b"430902", // 益阳 资阳区
    b"431002", // 郴州 北湖区
    b"431102", // 永州 零陵区
    b"431202", // 怀化 鹤城区
    b"431302", // 娄底 娄星区
    b"360102", // 南昌 东湖区
    b"360302", // 萍乡 安源区
    b"420102", // 武汉 江岸区
    b"410105", // 郑州 金水区
    b"440104", // 广州 越秀区
    b"440304", // 深圳 福田区
    b"450102", // 南宁 兴宁区
    b"500101", // 重庆 万州区
    b"510104", // 成都 锦江区
    b"522601", // 凯里市
    b"341502", // 六安 金安区
    b"360702", // 赣州 章贡区
];

/// The county code a household's identity numbers carry.
pub(crate) fn county_for(rng: &mut Rng, residence: Residence, home: &[u8; 6]) -> [u8; 6] {
    match residence {
        Residence::Registered => *home,
        Residence::Resident => *rng.pick(NEARBY),
        Residence::Floating => *rng.pick(FAR),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_never_home() {
        for code in NEARBY.iter().chain(FAR) {
            assert!(code.iter().all(u8::is_ascii_digit));
            assert_ne!(*code, b"430204");
        }
        let mut rng = Rng::new(1);
        assert_eq!(
            &county_for(&mut rng, Residence::Registered, b"430204"),
            b"430204"
        );
        assert_ne!(
            &county_for(&mut rng, Residence::Floating, b"430204"),
            b"430204"
        );
    }
}
