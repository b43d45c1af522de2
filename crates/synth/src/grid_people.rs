//! Everything that lives in one grid: buildings, households, persons and the grid's staff.
//!
//! The output depends only on the config and the grid, so callers may generate grids on
//! several threads in any order.

use wangge_domain::date::Date;

use crate::buildings::{self, Building, Site};
use crate::config::{Config, target_persons_per_grid};
use crate::district::{COUNTY_CODE, COUNTY_NAME, GridPlan};
use crate::household::{self, Member};
use crate::ids::IdAllocator;
use crate::names;
use crate::origins::county_for;
use crate::person::{Household, Person};
use crate::phone;
use crate::places;
use crate::rng::{Rng, key_of, salt};
use crate::rooms::Rooms;
use crate::staff::{StaffMember, grid_staff};
use crate::tags::{Facts, household_tags, person_tags};

#[derive(Clone, Debug, PartialEq)]
pub struct GridPeople {
    pub buildings: Vec<Building>,
    pub households: Vec<Household>,
    pub persons: Vec<Person>,
    pub staff: Vec<StaffMember>,
}

/// Members per household on average (see `household`), to size buildings.
const MEAN_HOUSEHOLD: f64 = 3.0;
/// Roads that a community's compounds front on.
const ROADS_PER_COMMUNITY: usize = 5;

/// The grid's people. Identity numbers are unique across all grids of `cfg` as long as
/// each grid's `index` is distinct and below `cfg.grids` (see `ids`).
pub fn grid_people(cfg: &Config, grid: &GridPlan) -> GridPeople {
    let mut rng = Rng::stream(cfg.seed, salt::PEOPLE, u64::from(grid.index));
    let target = persons_target(&mut rng, cfg.grids);
    let expected_households = (target as f64 / MEAN_HOUSEHOLD).ceil() as usize;

    let place = Place::of(cfg.seed, grid);
    let site = Site {
        grid_code: &grid.code,
        ring: &grid.ring,
        street_prefix: &place.street_prefix,
        community_name: place.community_name,
        village: place.village,
        roads: &place.roads,
    };
    let buildings = buildings::plan(&mut rng, &site, expected_households);

    let today = cfg.today.days_since_epoch();
    let mut ids = IdAllocator::new(grid.index, cfg.grids, target + 8);
    let mut rooms = Rooms::new(&buildings, expected_households);
    let mut households = Vec::with_capacity(expected_households + 16);
    let mut persons: Vec<Person> = Vec::with_capacity(target + 8);
    let mut members: Vec<Member> = Vec::with_capacity(6);
    while persons.len() < target {
        let Some(room) = rooms.next(&mut rng) else {
            break;
        };
        let kind = household::plan(&mut rng, today, &mut members);
        let residence = household::residence(&mut rng, kind);
        let county = county_for(&mut rng, residence, &place.county);
        let shared = household_tags(&mut rng, kind, residence);
        let index = households.len();
        households.push(room.household(&buildings, persons.len(), members.len()));
        for m in &members {
            let (id_number, birth) = ids.issue(&county, m.male, m.birth, rng.below(500));
            let age = age_on(birth, cfg.today);
            let facts = Facts {
                kind,
                relation: m.relation,
                male: m.male,
                age,
            };
            persons.push(Person {
                household: index,
                name: names::full_name(&mut rng, m.surname, m.male, birth.year),
                id_number,
                sex_male: m.male,
                birth,
                phone: phone_for(&mut rng, age),
                relation: m.relation,
                residence,
                tags: person_tags(&mut rng, shared, &facts),
            });
        }
    }
    let staff = grid_staff(cfg.seed, cfg.grids, grid.index, &grid.community);
    GridPeople {
        buildings,
        households,
        persons,
        staff,
    }
}

/// This grid's share of the run's per-grid target (`target_persons_per_grid`): most grids
/// within ±15%, a few clearly over (up to 1.45×) or under, so the sizing rule has grids to
/// flag and to propose splits or merges for.
fn persons_target(rng: &mut Rng, grids: u32) -> usize {
    let base = f64::from(target_persons_per_grid(grids));
    let r = rng.unit();
    let factor = if r < 0.04 {
        rng.between(1.3, 1.45)
    } else if r < 0.07 {
        rng.between(0.6, 0.75)
    } else {
        rng.between(0.85, 1.15)
    };
    (base * factor).round() as usize
}

/// Completed years of age on `today`.
pub(crate) fn age_on(birth: Date, today: Date) -> u32 {
    let years =
        today.year - birth.year - i32::from((today.month, today.day) < (birth.month, birth.day));
    u32::try_from(years).unwrap_or(0)
}

/// Small children have no phone; teenagers and the very old often do not.
fn phone_for(rng: &mut Rng, age: u32) -> Option<String> {
    let share = match age {
        0..12 => 0.0,
        12..18 => 0.6,
        18..75 => 0.97,
        _ => 0.65,
    };
    rng.chance(share).then(|| phone::mobile(rng))
}

/// Names and codes around the grid, recovered from the plan alone.
struct Place<'a> {
    county: [u8; 6],
    /// `石峰区清水塘街道`.
    street_prefix: String,
    community_name: &'a str,
    village: bool,
    roads: Vec<String>,
}

impl<'a> Place<'a> {
    /// Grid codes are county (6) · street (3) · community (3) · grid (3); communities
    /// numbered from 201 are villages. A plan not made by `district` still gets usable
    /// names.
    fn of(seed: u64, grid: &'a GridPlan) -> Place<'a> {
        let code = grid.code.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            code.get(range)
                .filter(|d| d.iter().all(u8::is_ascii_digit))
                .map(|d| d.iter().fold(0u32, |n, &c| n * 10 + u32::from(c - b'0')))
        };
        let mut county = *b"430204";
        if digits(0..6).is_some() {
            county.copy_from_slice(&code[..6]);
        } else {
            county.copy_from_slice(COUNTY_CODE.as_bytes());
        }
        let street = digits(6..9).unwrap_or(1).max(1) - 1;
        let mut street_prefix = String::from(COUNTY_NAME);
        street_prefix.push_str(&places::street_name(seed, street));
        let community_name = grid
            .name
            .rfind('第')
            .map_or(grid.name.as_str(), |i| &grid.name[..i]);
        let village = digits(9..12).is_some_and(|n| n >= 201) || community_name.ends_with('村');
        let roads = places::roads(seed, key_of(&grid.community), ROADS_PER_COMMUNITY);
        Place {
            county,
            street_prefix,
            community_name,
            village,
            roads,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_count_completed_years() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        assert_eq!(age_on(d(1960, 7, 1), d(2025, 6, 30)), 64);
        assert_eq!(age_on(d(1960, 6, 30), d(2025, 6, 30)), 65);
        assert_eq!(age_on(d(2026, 1, 1), d(2025, 6, 30)), 0);
    }
}
