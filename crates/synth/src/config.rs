//! What to generate, and how the district's size follows from the number of grids.

use wangge_domain::date::Date;

/// Inputs of the generator. The same `Config` always yields the same district.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    pub seed: u64,
    /// Exactly this many grids are generated.
    pub grids: u32,
    /// Ages (and so birth dates) are computed against this day; no clock is read.
    pub today: Date,
}

impl Config {
    /// Shifeng district of Zhuzhou at its real size: 232 grids in 45 communities, 5 streets.
    pub fn shifeng(seed: u64, today: Date) -> Config {
        Config {
            seed,
            grids: 232,
            today,
        }
    }

    pub fn new(seed: u64, grids: u32, today: Date) -> Config {
        Config { seed, grids, today }
    }
}

/// Average grids per community (Shifeng: 232 / 45).
const GRIDS_PER_COMMUNITY: f64 = 5.2;
/// Average communities per street (Shifeng: 45 / 5).
const COMMUNITIES_PER_STREET: f64 = 9.0;

/// Communities for `grids` grids: about 5.2 grids each, at least one when there is a grid.
pub fn communities_for(grids: u32) -> u32 {
    let n = (f64::from(grids) / GRIDS_PER_COMMUNITY).round() as u32;
    n.clamp(grids.min(1), grids)
}

/// Streets for `communities` communities: about 9 each, at least one.
pub fn streets_for(communities: u32) -> u32 {
    let n = (f64::from(communities) / COMMUNITIES_PER_STREET).round() as u32;
    n.clamp(communities.min(1), communities)
}

/// Average persons per grid the generator aims at, by the size of the run.
///
/// Up to 1,000 grids the district looks like Shifeng and follows the grid sizing rule:
/// about 1,200 persons in about 400 households per grid. Larger runs model a city like
/// Liaocheng (8,930 grids, 6.27 million population records), about 700 persons in about
/// 240 households per grid, so that 8,930 grids give about 6.3 million persons.
/// Each grid varies around this target (see `population`).
pub fn target_persons_per_grid(grids: u32) -> u32 {
    if grids <= 1_000 { 1_200 } else { 700 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifeng_scale() {
        assert_eq!(communities_for(232), 45);
        assert_eq!(streets_for(45), 5);
    }

    #[test]
    fn liaocheng_scale() {
        let c = communities_for(8_930);
        let s = streets_for(c);
        assert!((1_700..=1_740).contains(&c), "{c}");
        assert!((185..=195).contains(&s), "{s}");
        let persons = u64::from(target_persons_per_grid(8_930)) * 8_930;
        assert!((6_000_000..6_600_000).contains(&persons));
    }

    #[test]
    fn tiny_and_empty() {
        assert_eq!(communities_for(4), 1);
        assert_eq!(streets_for(1), 1);
        assert_eq!(communities_for(1), 1);
        assert_eq!(communities_for(0), 0);
        assert_eq!(streets_for(0), 0);
        assert_eq!(communities_for(8), 2);
    }
}
