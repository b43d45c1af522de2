//! The region tree of the district: streets, communities and the grids that tile them.

use crate::config::{Config, communities_for, streets_for};
use crate::departments::{Department, departments};
use crate::geometry::{centroid, is_simple, round7, signed_area};
use crate::lattice::Lattice;
use crate::outline;
use crate::places::{community_stem, street_name};
use crate::rng::{Rng, salt};

pub(crate) const CITY_CODE: &str = "4302";
pub(crate) const CITY_NAME: &str = "株洲市";
pub(crate) const COUNTY_CODE: &str = "430204";
pub(crate) const COUNTY_NAME: &str = "石峰区";

/// Share of communities that are villages (村) rather than urban communities (社区).
const VILLAGE_SHARE: f64 = 0.2;
/// Statistical codes number urban communities from 001 and villages from 201.
const FIRST_VILLAGE_SEQ: u32 = 201;

#[derive(Clone, Debug, PartialEq)]
pub struct District {
    pub city: Region,
    pub county: Region,
    pub streets: Vec<Region>,
    pub communities: Vec<Region>,
    pub grids: Vec<GridPlan>,
    pub departments: Vec<Department>,
}

impl District {
    /// The district's outer boundary (the union of all grids), closed and counter-clockwise;
    /// empty when there are no grids.
    pub fn outline(&self) -> Vec<[f64; 2]> {
        outline::outline(self.grids.iter().map(|g| g.ring.as_slice()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// The significant prefix of the statistical code: 4 digits for a city, 6 for a county,
    /// 9 for a street, 12 for a community.
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GridPlan {
    /// Position in the tiling order, `0..grids`; seeds the grid's people.
    pub index: u32,
    /// 15 digits: the community's code and a 3-digit sequence.
    pub code: String,
    /// `清水社区第3网格`.
    pub name: String,
    /// The community's code.
    pub community: String,
    /// WGS84 `[lng, lat]`, closed and counter-clockwise.
    pub ring: Vec<[f64; 2]>,
    /// Area centroid, inside the ring.
    pub center: [f64; 2],
}

/// Regions, grid polygons and departments. Cheap: no people are generated.
pub fn district(cfg: &Config) -> District {
    let grid_count = cfg.grids;
    let community_count = communities_for(grid_count);
    let street_count = streets_for(community_count);
    let lattice = Lattice::new(cfg.seed, grid_count);
    let mut rng = Rng::stream(cfg.seed, salt::REGIONS, u64::from(grid_count));
    let grids_per_community = split(&mut rng, grid_count, community_count);
    let communities_per_street = split(&mut rng, community_count, street_count);

    let county = Region {
        code: COUNTY_CODE.into(),
        name: COUNTY_NAME.into(),
        parent: Some(CITY_CODE.into()),
    };
    let mut streets = Vec::with_capacity(street_count as usize);
    let mut communities = Vec::with_capacity(community_count as usize);
    let mut grids = Vec::with_capacity(grid_count as usize);
    let mut cells = lattice.cells.iter();
    let mut community_sizes = grids_per_community.iter();
    for (s, &street_communities) in communities_per_street.iter().enumerate() {
        let street_code = format!("{COUNTY_CODE}{:03}", s + 1);
        streets.push(Region {
            code: street_code.clone(),
            name: street_name(cfg.seed, s as u32),
            parent: Some(COUNTY_CODE.into()),
        });
        let (mut urban_seq, mut village_seq) = (1, FIRST_VILLAGE_SEQ);
        for _ in 0..street_communities {
            let village = rng.chance(VILLAGE_SHARE);
            let seq = if village {
                &mut village_seq
            } else {
                &mut urban_seq
            };
            let code = format!("{street_code}{:03}", *seq);
            *seq += 1;
            let mut name = community_stem(cfg.seed, communities.len() as u32);
            name.push_str(if village { "村" } else { "社区" });
            let size = community_sizes.next().copied().unwrap_or(0);
            for n in 1..=size {
                let Some(&cell) = cells.next() else { break };
                let ring = lattice.ring(cell);
                debug_assert!(
                    is_simple(&ring) && signed_area(&ring) > 0.0,
                    "lattice cell {cell:?}"
                );
                let c = centroid(&ring);
                grids.push(GridPlan {
                    index: grids.len() as u32,
                    code: format!("{code}{n:03}"),
                    name: format!("{name}第{n}网格"),
                    community: code.clone(),
                    center: [round7(c[0]), round7(c[1])],
                    ring,
                });
            }
            communities.push(Region {
                code,
                name,
                parent: Some(street_code.clone()),
            });
        }
    }
    District {
        city: Region {
            code: CITY_CODE.into(),
            name: CITY_NAME.into(),
            parent: None,
        },
        county,
        streets,
        communities,
        grids,
        departments: departments(cfg.seed),
    }
}

/// Splits `total` into `parts` positive sizes that vary by about ±40% around the mean.
fn split(rng: &mut Rng, total: u32, parts: u32) -> Vec<u32> {
    if parts == 0 {
        return Vec::new();
    }
    let weights: Vec<f64> = (0..parts).map(|_| rng.between(0.6, 1.4)).collect();
    let sum: f64 = weights.iter().sum();
    let mut sizes = Vec::with_capacity(parts as usize);
    let (mut acc, mut taken) = (0.0, 0u32);
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        let left_after = parts - 1 - i as u32;
        // Round the running boundary, keeping at least one for this part and each after it.
        let end =
            ((acc / sum * f64::from(total)).round() as u32).clamp(taken + 1, total - left_after);
        sizes.push(end - taken);
        taken = end;
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;
    use wangge_domain::date::Date;

    fn cfg(grids: u32) -> Config {
        Config::new(11, grids, Date::new(2025, 6, 30).unwrap())
    }

    #[test]
    fn split_is_exact_and_positive() {
        let mut rng = Rng::new(1);
        for (total, parts) in [(232, 45), (45, 5), (4, 1), (8_930, 1_717), (7, 7)] {
            let sizes = split(&mut rng, total, parts);
            assert_eq!(sizes.len() as u32, parts);
            assert_eq!(sizes.iter().sum::<u32>(), total);
            assert!(sizes.iter().all(|&s| s >= 1));
        }
        assert!(split(&mut rng, 5, 0).is_empty());
    }

    #[test]
    fn shifeng_tree() {
        let d = district(&Config::shifeng(1, Date::new(2025, 6, 30).unwrap()));
        assert_eq!(
            (d.city.code.as_str(), d.city.name.as_str()),
            ("4302", "株洲市")
        );
        assert_eq!(
            (d.county.code.as_str(), d.county.name.as_str()),
            ("430204", "石峰区")
        );
        assert_eq!(
            (d.streets.len(), d.communities.len(), d.grids.len()),
            (5, 45, 232)
        );
        assert_eq!(d.streets[0].name, "清水塘街道");
        for s in &d.streets {
            assert_eq!(s.code.len(), 9);
            assert_eq!(s.parent.as_deref(), Some("430204"));
        }
        for c in &d.communities {
            assert_eq!(c.code.len(), 12);
            let parent = c.parent.as_deref().unwrap();
            assert!(c.code.starts_with(parent) && d.streets.iter().any(|s| s.code == parent));
            let village = c.code[9..].parse::<u32>().unwrap() >= FIRST_VILLAGE_SEQ;
            assert_eq!(village, c.name.ends_with('村'), "{}", c.name);
        }
        let names: std::collections::HashSet<_> = d.communities.iter().map(|c| &c.name).collect();
        assert_eq!(names.len(), 45);
        for (i, g) in d.grids.iter().enumerate() {
            assert_eq!(g.index as usize, i);
            assert_eq!(g.code.len(), 15);
            assert!(g.code.starts_with(&g.community));
            let community = d
                .communities
                .iter()
                .find(|c| c.code == g.community)
                .unwrap();
            assert!(g.name.starts_with(&community.name) && g.name.ends_with("网格"));
        }
        assert_eq!(d.grids[0].name, format!("{}第1网格", d.communities[0].name));
    }

    #[test]
    fn scales_with_grid_count() {
        for (grids, streets, communities) in [(4, 1, 1), (1, 1, 1), (0, 0, 0)] {
            let d = district(&cfg(grids));
            assert_eq!(
                (d.streets.len(), d.communities.len(), d.grids.len()),
                (streets, communities, grids as usize)
            );
        }
        let d = district(&cfg(2_000));
        assert_eq!(d.grids.len(), 2_000);
        assert_eq!(d.communities.len(), 385);
        assert_eq!(d.streets.len(), 43);
    }
}
