//! Buildings of a grid: apartment blocks in compounds for a community, houses in groups
//! (组) for a village, each with an address and a point inside the grid.

use crate::geometry::Point;
use crate::places;
use crate::rng::Rng;
use crate::scatter::scatter;
use crate::text::{push_num, push_padded};

#[derive(Clone, Debug, PartialEq)]
pub struct Building {
    /// 19 digits: the grid's code and a 4-digit sequence.
    pub code: String,
    /// `3栋`, or `张家湾组12号` for a village house.
    pub name: String,
    /// Full address of the building.
    pub address: String,
    pub floors: u16,
    pub units: u16,
    pub rooms_per_floor: u16,
    /// WGS84 `[lng, lat]`, strictly inside the grid's ring.
    pub point: [f64; 2],
}

impl Building {
    /// A single-family house (one unit, one room per floor) rather than a block of flats.
    pub fn is_house(&self) -> bool {
        self.units == 1 && self.rooms_per_floor == 1
    }

    /// Homes in the building: one for a house, else one per flat.
    pub fn dwellings(&self) -> usize {
        if self.is_house() {
            1
        } else {
            usize::from(self.floors) * usize::from(self.units) * usize::from(self.rooms_per_floor)
        }
    }
}

/// Where the buildings stand and how their addresses begin.
pub(crate) struct Site<'a> {
    pub grid_code: &'a str,
    pub ring: &'a [Point],
    /// `石峰区清水塘街道`.
    pub street_prefix: &'a str,
    /// `新塘村`; used in village addresses.
    pub community_name: &'a str,
    pub village: bool,
    pub roads: &'a [String],
}

/// Flats (or houses) to offer per household expected: the rest stand empty.
const ROOM_SURPLUS: f64 = 1.2;

/// Enough buildings for about `households` households.
pub(crate) fn plan(rng: &mut Rng, site: &Site, households: usize) -> Vec<Building> {
    let rooms_needed = (households as f64 * ROOM_SURPLUS).ceil() as usize;
    let mut shapes: Vec<(u16, u16, u16)> = Vec::new();
    if site.village {
        shapes.resize(rooms_needed.max(1), (1, 1, 1));
        for s in &mut shapes {
            s.0 = rng.range(1, 3) as u16;
        }
    } else {
        let mut rooms = 0;
        while rooms < rooms_needed {
            let s = block_shape(rng);
            rooms += usize::from(s.0) * usize::from(s.1) * usize::from(s.2);
            shapes.push(s);
        }
    }
    let points = scatter(rng, site.ring, shapes.len());
    let mut names = Namer::new(site);
    shapes
        .into_iter()
        .zip(points)
        .enumerate()
        .map(|(i, ((floors, units, rooms_per_floor), point))| {
            let mut code = String::with_capacity(19);
            code.push_str(site.grid_code);
            push_padded(&mut code, i + 1, 4);
            let (name, address) = names.next(rng);
            Building {
                code,
                name,
                address,
                floors,
                units,
                rooms_per_floor,
                point,
            }
        })
        .collect()
}

/// Floors, units and flats per floor of one apartment block.
fn block_shape(rng: &mut Rng) -> (u16, u16, u16) {
    let r = rng.below(100);
    if r < 10 {
        (rng.range(4, 5) as u16, rng.range(2, 4) as u16, 2) // old low blocks
    } else if r < 65 {
        (rng.range(6, 7) as u16, rng.range(2, 4) as u16, 2) // walk-ups
    } else if r < 90 {
        (
            rng.range(11, 18) as u16,
            rng.range(1, 2) as u16,
            rng.range(2, 4) as u16,
        )
    } else {
        (
            rng.range(24, 33) as u16,
            rng.range(1, 2) as u16,
            rng.range(2, 4) as u16,
        )
    }
}

/// Names buildings in order: compounds on the community's roads, or groups of houses.
struct Namer<'a> {
    site: &'a Site<'a>,
    /// Current compound (road, number) or group name, and its address prefix.
    prefix: String,
    left_in_block: u32,
    next_in_block: u32,
    used_numbers: Vec<(usize, u32)>,
    used_groups: Vec<String>,
}

impl<'a> Namer<'a> {
    fn new(site: &'a Site<'a>) -> Namer<'a> {
        Namer {
            site,
            prefix: String::new(),
            left_in_block: 0,
            next_in_block: 1,
            used_numbers: Vec::new(),
            used_groups: Vec::new(),
        }
    }

    fn next(&mut self, rng: &mut Rng) -> (String, String) {
        if self.left_in_block == 0 {
            self.start_block(rng);
        }
        self.left_in_block -= 1;
        let n = self.next_in_block;
        self.next_in_block += 1;
        let mut name = String::with_capacity(24);
        if self.site.village {
            name.push_str(&self.prefix);
            push_num(&mut name, n as usize);
            name.push('号');
            let mut address = String::with_capacity(
                self.site.street_prefix.len() + self.site.community_name.len() + name.len(),
            );
            address.push_str(self.site.street_prefix);
            address.push_str(self.site.community_name);
            address.push_str(&name);
            (name, address)
        } else {
            push_num(&mut name, n as usize);
            name.push('栋');
            let mut address = String::with_capacity(self.prefix.len() + name.len());
            address.push_str(&self.prefix);
            address.push_str(&name);
            (name, address)
        }
    }

    fn start_block(&mut self, rng: &mut Rng) {
        self.next_in_block = 1;
        self.prefix.clear();
        if self.site.village {
            self.left_in_block = rng.range(15, 40);
            // Group names repeat rarely; draw again so addresses stay unique in the grid.
            let mut group = places::group_name(rng);
            for extra in 1.. {
                if !self.used_groups.contains(&group) {
                    break;
                }
                group = places::group_name(rng);
                if extra >= 20 {
                    group.insert(group.len() - '组'.len_utf8(), '新');
                }
            }
            self.used_groups.push(group.clone());
            self.prefix = group;
            return;
        }
        self.left_in_block = rng.range(3, 12);
        // A compound: road and house number, unique within the grid.
        let road = rng.below(self.site.roads.len().max(1) as u32) as usize;
        let mut number = rng.range(1, 300);
        while self.used_numbers.contains(&(road, number)) {
            number += 2;
        }
        self.used_numbers.push((road, number));
        self.prefix.push_str(self.site.street_prefix);
        self.prefix
            .push_str(self.site.roads.get(road).map_or("", String::as_str));
        push_num(&mut self.prefix, number as usize);
        self.prefix.push('号');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::contains;

    fn ring() -> Vec<Point> {
        vec![
            [113.1, 27.9],
            [113.1075, 27.9],
            [113.1075, 27.9063],
            [113.1, 27.9063],
            [113.1, 27.9],
        ]
    }

    #[test]
    fn urban_blocks_hold_the_households() {
        let roads = vec!["建设路".to_string(), "红旗路".to_string()];
        let ring = ring();
        let site = Site {
            grid_code: "430204001001001",
            ring: &ring,
            street_prefix: "石峰区清水塘街道",
            community_name: "清水社区",
            village: false,
            roads: &roads,
        };
        let b = plan(&mut Rng::new(1), &site, 400);
        let rooms: usize = b.iter().map(Building::dwellings).sum();
        assert!(rooms >= 480, "{rooms}");
        for (i, x) in b.iter().enumerate() {
            assert_eq!(x.code.len(), 19);
            assert!(x.code.ends_with(&format!("{:04}", i + 1)));
            assert!(x.name.ends_with('栋'));
            assert!(x.address.starts_with("石峰区清水塘街道") && x.address.ends_with(&x.name));
            assert!(
                x.address.contains("路") && x.address.contains('号'),
                "{}",
                x.address
            );
            assert!(contains(&ring, x.point));
            assert!(!x.is_house());
        }
    }

    #[test]
    fn village_houses_in_groups() {
        let ring = ring();
        let site = Site {
            grid_code: "430204002201001",
            ring: &ring,
            street_prefix: "石峰区龙头铺街道",
            community_name: "新塘村",
            village: true,
            roads: &[],
        };
        let b = plan(&mut Rng::new(2), &site, 300);
        assert_eq!(b.len(), 360);
        assert!(
            b.iter()
                .all(|x| x.is_house() && (1..=3).contains(&x.floors))
        );
        assert!(
            b[0].name.contains("组") && b[0].name.ends_with("1号"),
            "{}",
            b[0].name
        );
        assert_eq!(b[0].address, format!("石峰区龙头铺街道新塘村{}", b[0].name));
        let addresses: std::collections::HashSet<_> = b.iter().map(|x| &x.address).collect();
        assert_eq!(addresses.len(), b.len());
    }
}
