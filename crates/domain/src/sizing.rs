//! The grid sizing rule (about 400 households or 1,200 people per grid) and split proposals
//! for grids that are too big.
//!
//! A grid's *load* is `max(households / 400, persons / 1200)`: whichever measure is fuller
//! decides, because either one alone is enough work for a grid worker. With the default
//! tolerance of 0.25:
//! - **Over** when the load is above `1 + tolerance` (above 125%);
//! - **Under** when the load is below `(1 + tolerance) / 2` (below 62.5%);
//! - **Fine** otherwise.
//!
//! The under bound is half the over bound so the two fixes never fight: merging two Under
//! grids cannot make an Over one, and splitting an Over grid into `ceil(load)` even parts
//! gives each part a load above `load / ceil(load)`, which is at least 62.5% here.

use crate::geometry::{MultiPolygon, Point, Polygon, bbox, intersection};

/// The sizing standard; [`Default`] is the national guidance of 400 households / 1,200
/// persons with a 25% tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SizingRule {
    pub households: u32,
    pub persons: u32,
    pub tolerance: f64,
}

impl Default for SizingRule {
    fn default() -> Self {
        SizingRule {
            households: 400,
            persons: 1200,
            tolerance: 0.25,
        }
    }
}

impl SizingRule {
    /// `max(households / standard, persons / standard)`; a zero standard is ignored.
    pub fn load(&self, households: u32, persons: u32) -> f64 {
        let ratio = |n: u32, standard: u32| {
            if standard == 0 {
                0.0
            } else {
                f64::from(n) / f64::from(standard)
            }
        };
        ratio(households, self.households).max(ratio(persons, self.persons))
    }

    /// Loads above this are [`Sizing::Over`].
    pub fn over_bound(&self) -> f64 {
        1.0 + self.tolerance
    }

    /// Loads below this are [`Sizing::Under`].
    pub fn under_bound(&self) -> f64 {
        (1.0 + self.tolerance) / 2.0
    }

    /// Into how many grids a grid of this size should be split: `ceil(load)`, at least 1.
    pub fn parts_for(&self, households: u32, persons: u32) -> usize {
        (self.load(households, persons).ceil() as usize).max(1)
    }
}

/// How a grid compares with the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sizing {
    Fine,
    Over,
    Under,
}

impl Sizing {
    /// Stable machine name for storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Sizing::Fine => "fine",
            Sizing::Over => "over",
            Sizing::Under => "under",
        }
    }

    /// The Chinese label shown on screen.
    pub fn label(self) -> &'static str {
        match self {
            Sizing::Fine => "规模适中",
            Sizing::Over => "规模过大",
            Sizing::Under => "规模过小",
        }
    }
}

/// Compares a grid's households and persons with the rule.
pub fn assess(rule: &SizingRule, households: u32, persons: u32) -> Sizing {
    let load = rule.load(households, persons);
    if load > rule.over_bound() {
        Sizing::Over
    } else if load < rule.under_bound() {
        Sizing::Under
    } else {
        Sizing::Fine
    }
}

/// One building as the splitter sees it.
struct Item<'a> {
    code: &'a str,
    /// Position in the input, so each part lists its buildings in input order.
    order: usize,
    /// Local planar coordinates (longitude scaled by cos(latitude)), so "longer axis"
    /// means longer on the ground.
    x: f64,
    y: f64,
    weight: f64,
}

/// Proposes how to split an oversized grid: its buildings `(code, point, households,
/// persons)` are partitioned into `k = ceil(load)` spatially compact parts by recursive
/// bisection — each cut runs across the longer side of the buildings' extent, at the
/// household-weighted position that gives each side its share of the `k` parts.
///
/// Households weigh each building; if no building has any, persons do, and failing that
/// each building counts once. Every building lands in exactly one part; there are never
/// more parts than buildings. The result is deterministic (ties broken by code and input
/// order) and lists parts from the south-west, buildings in input order.
pub fn propose_split(
    rule: &SizingRule,
    buildings: &[(String, Point, u32, u32)],
) -> Vec<Vec<String>> {
    propose_split_parts(rule, buildings)
        .into_iter()
        .map(|p| p.buildings)
        .collect()
}

/// One part of a proposed split: its buildings, and the box `[min_lng, min_lat, max_lng,
/// max_lat]` the cuts leave it (unbounded sides are infinite). The boxes of a split tile
/// the plane, so clipping the grid by each gives the parts' boundaries.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitPart {
    pub buildings: Vec<String>,
    pub area: [f64; 4],
}

/// [`propose_split`] with the area of each part.
pub fn propose_split_parts(
    rule: &SizingRule,
    buildings: &[(String, Point, u32, u32)],
) -> Vec<SplitPart> {
    if buildings.is_empty() {
        return Vec::new();
    }
    let households: u32 = buildings.iter().map(|b| b.2).fold(0, u32::saturating_add);
    let persons: u32 = buildings.iter().map(|b| b.3).fold(0, u32::saturating_add);
    let k = rule.parts_for(households, persons).min(buildings.len());
    let mean_lat = buildings.iter().map(|b| b.1[1]).sum::<f64>() / buildings.len() as f64;
    let x_scale = mean_lat.to_radians().cos();
    let weight_of = |b: &(String, Point, u32, u32)| -> f64 {
        if households > 0 {
            f64::from(b.2)
        } else if persons > 0 {
            f64::from(b.3)
        } else {
            1.0
        }
    };
    let mut items: Vec<Item> = buildings
        .iter()
        .enumerate()
        .map(|(order, b)| Item {
            code: &b.0,
            order,
            x: b.1[0] * x_scale,
            y: b.1[1],
            weight: weight_of(b),
        })
        .collect();
    let mut parts = Vec::with_capacity(k);
    let everywhere = [
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::INFINITY,
    ];
    bisect(&mut items, k, everywhere, &mut parts);
    parts
        .into_iter()
        .map(|(buildings, b)| SplitPart {
            buildings,
            area: [b[0] / x_scale, b[1], b[2] / x_scale, b[3]],
        })
        .collect()
}

/// The boundary of each part: the grid clipped to the part's box.
pub fn part_shapes(grid: &MultiPolygon, parts: &[SplitPart]) -> Vec<MultiPolygon> {
    let g = bbox(grid);
    parts
        .iter()
        .map(|p| {
            let (w, s, e, n) = (
                p.area[0].max(g[0] - 1.0),
                p.area[1].max(g[1] - 1.0),
                p.area[2].min(g[2] + 1.0),
                p.area[3].min(g[3] + 1.0),
            );
            let rect = MultiPolygon(vec![Polygon {
                outer: vec![[w, s], [e, s], [e, n], [w, n], [w, s]],
                holes: Vec::new(),
            }]);
            intersection(grid, &rect)
        })
        .collect()
}

/// A part's buildings and its box in planar coordinates.
type Part = (Vec<String>, [f64; 4]);

/// Splits `items`, which lie in `bounds` (planar `[min_x, min_y, max_x, max_y]`), into `k`
/// parts, appending them to `out`.
fn bisect(items: &mut [Item], k: usize, bounds: [f64; 4], out: &mut Vec<Part>) {
    if k <= 1 {
        let mut part: Vec<&Item> = items.iter().collect();
        part.sort_by_key(|i| i.order);
        out.push((
            part.into_iter().map(|i| i.code.to_owned()).collect(),
            bounds,
        ));
        return;
    }
    let (min_x, max_x, min_y, max_y) = items.iter().fold(
        (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ),
        |(a, b, c, d), i| (a.min(i.x), b.max(i.x), c.min(i.y), d.max(i.y)),
    );
    let along_x = max_x - min_x >= max_y - min_y;
    items.sort_by(|a, b| {
        let (ka, kb) = if along_x { (a.x, b.x) } else { (a.y, b.y) };
        let (sa, sb) = if along_x { (a.y, b.y) } else { (a.x, b.x) };
        ka.total_cmp(&kb)
            .then(sa.total_cmp(&sb))
            .then(a.code.cmp(b.code))
            .then(a.order.cmp(&b.order))
    });
    let k_low = k / 2;
    let total: f64 = items.iter().map(|i| i.weight).sum();
    let target = total * k_low as f64 / k as f64;
    // Cut after `cut` items, leaving each side at least as many items as parts it must
    // make, at the point where the running weight comes closest to the target.
    let (lo, hi) = (k_low, items.len() - (k - k_low));
    let mut running = 0.0;
    let mut best = (f64::INFINITY, lo);
    for (n, item) in items.iter().enumerate().take(hi) {
        running += item.weight;
        let cut = n + 1;
        if cut >= lo {
            let miss = (running - target).abs();
            if miss < best.0 {
                best = (miss, cut);
            }
        }
    }
    // The cut runs halfway between the last building of one side and the first of the other.
    let coordinate = |i: &Item| if along_x { i.x } else { i.y };
    let cut = (coordinate(&items[best.1 - 1]) + coordinate(&items[best.1])) / 2.0;
    let (mut low_bounds, mut high_bounds) = (bounds, bounds);
    if along_x {
        low_bounds[2] = cut;
        high_bounds[0] = cut;
    } else {
        low_bounds[3] = cut;
        high_bounds[1] = cut;
    }
    let (low, high) = items.split_at_mut(best.1);
    bisect(low, k_low, low_bounds, out);
    bisect(high, k - k_low, high_bounds, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{area_m2, contains};

    #[test]
    fn part_shapes_tile_the_grid_and_hold_their_buildings() {
        // A 0.01° square grid with 6 × 4 buildings of 30 households: 720 households, 2 parts.
        let grid = MultiPolygon(vec![Polygon {
            outer: vec![
                [113.10, 27.85],
                [113.11, 27.85],
                [113.11, 27.86],
                [113.10, 27.86],
                [113.10, 27.85],
            ],
            holes: Vec::new(),
        }]);
        let mut buildings = Vec::new();
        for i in 0..6 {
            for j in 0..4 {
                let p = [
                    113.101 + 0.0016 * f64::from(i),
                    27.851 + 0.0024 * f64::from(j),
                ];
                buildings.push((format!("b{i}{j}"), p, 30, 80));
            }
        }
        let parts = propose_split_parts(&SizingRule::default(), &buildings);
        assert_eq!(parts.len(), 2);
        let shapes = part_shapes(&grid, &parts);
        let total: f64 = shapes.iter().map(area_m2).sum();
        assert!(
            (total - area_m2(&grid)).abs() < 1.0,
            "{total} vs {}",
            area_m2(&grid)
        );
        for (part, shape) in parts.iter().zip(&shapes) {
            for code in &part.buildings {
                let b = buildings.iter().find(|b| &b.0 == code).unwrap();
                assert!(contains(shape, b.1), "{code} outside its part");
            }
        }
    }

    #[test]
    fn assess_bounds() {
        let rule = SizingRule::default();
        assert_eq!(rule.over_bound(), 1.25);
        assert_eq!(rule.under_bound(), 0.625);
        assert_eq!(assess(&rule, 400, 1200), Sizing::Fine);
        assert_eq!(assess(&rule, 500, 0), Sizing::Fine);
        assert_eq!(assess(&rule, 501, 0), Sizing::Over);
        assert_eq!(assess(&rule, 100, 1501), Sizing::Over);
        assert_eq!(assess(&rule, 250, 0), Sizing::Fine);
        assert_eq!(assess(&rule, 249, 700), Sizing::Under);
        // Many persons in few households: the fuller measure decides.
        assert_eq!(assess(&rule, 200, 1100), Sizing::Fine);
        assert_eq!(assess(&rule, 0, 0), Sizing::Under);
        assert_eq!(Sizing::Over.label(), "规模过大");
        assert_eq!(Sizing::Under.as_str(), "under");
    }

    #[test]
    fn rule_is_consistent_under_split_and_merge() {
        let rule = SizingRule::default();
        // Two Under grids never merge into an Over one.
        for a in (0..250).step_by(7) {
            for b in (0..250).step_by(11) {
                assert_eq!(assess(&rule, a, 0), Sizing::Under);
                assert_ne!(assess(&rule, a + b, 0), Sizing::Over);
            }
        }
        // An even split of an Over grid into ceil(load) parts gives no Under part.
        for h in (501..5000).step_by(13) {
            let k = rule.parts_for(h, 0) as u32;
            assert_eq!(assess(&rule, h, 0), Sizing::Over);
            assert_ne!(assess(&rule, h / k, 0), Sizing::Under, "h={h} k={k}");
            assert_ne!(assess(&rule, h.div_ceil(k), 0), Sizing::Over, "h={h} k={k}");
        }
        assert_eq!(rule.parts_for(0, 0), 1);
        assert_eq!(rule.parts_for(1000, 0), 3);
        assert_eq!(rule.parts_for(400, 3700), 4);
    }

    /// A `cols × rows` lattice of identical buildings about 30 m apart.
    fn lattice(
        cols: usize,
        rows: usize,
        households: u32,
        persons: u32,
    ) -> Vec<(String, Point, u32, u32)> {
        let mut out = Vec::new();
        for r in 0..rows {
            for c in 0..cols {
                let p = [112.9 + c as f64 * 0.0003, 28.2 + r as f64 * 0.00027];
                out.push((format!("B{r:02}{c:02}"), p, households, persons));
            }
        }
        out
    }

    fn assert_partition(parts: &[Vec<String>], buildings: &[(String, Point, u32, u32)]) {
        let mut seen: Vec<&String> = parts.iter().flatten().collect();
        seen.sort();
        let mut all: Vec<&String> = buildings.iter().map(|b| &b.0).collect();
        all.sort();
        assert_eq!(seen, all, "every building exactly once");
        assert!(parts.iter().all(|p| !p.is_empty()));
    }

    #[test]
    fn uniform_grid_splits_into_fine_parts() {
        let rule = SizingRule::default();
        // 12 × 10 buildings of 10 households / 30 persons: 1,200 households → 3 parts.
        let buildings = lattice(12, 10, 10, 30);
        let parts = propose_split(&rule, &buildings);
        assert_eq!(parts.len(), 3);
        assert_partition(&parts, &buildings);
        for part in &parts {
            let h = part.len() as u32 * 10;
            assert!((360..=440).contains(&h), "{h} households");
            assert_eq!(assess(&rule, h, h * 3), Sizing::Fine);
        }
        assert_eq!(propose_split(&rule, &buildings), parts, "deterministic");
    }

    #[test]
    fn parts_are_spatially_compact() {
        let rule = SizingRule::default();
        // A long east-west strip is cut across its length: parts are runs of columns.
        let buildings = lattice(30, 4, 10, 20);
        let parts = propose_split(&rule, &buildings);
        assert_eq!(parts.len(), 3);
        let mut ranges: Vec<(usize, usize)> = parts
            .iter()
            .map(|p| {
                let cols: Vec<usize> = p.iter().map(|c| c[3..].parse().unwrap()).collect();
                (*cols.iter().min().unwrap(), *cols.iter().max().unwrap())
            })
            .collect();
        ranges.sort();
        for w in ranges.windows(2) {
            assert!(w[0].1 < w[1].0, "column ranges overlap: {ranges:?}");
        }
    }

    /// xorshift64: deterministic pseudo-random inputs for the property test.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn property_split_is_a_partition_into_k_parts() {
        let rule = SizingRule::default();
        let mut state = 0x0123_4567_89ab_cdef_u64;
        for round in 0..200 {
            let n = 1 + (next(&mut state) % 150) as usize;
            let buildings: Vec<_> = (0..n)
                .map(|i| {
                    let p = [
                        113.0 + (next(&mut state) % 10_000) as f64 * 1e-6,
                        23.0 + (next(&mut state) % 10_000) as f64 * 1e-6,
                    ];
                    // Some empty buildings (shops, schools) and duplicates of position.
                    let h = (next(&mut state) % 5) as u32 * 12;
                    (
                        format!("{round}-{i}"),
                        p,
                        h,
                        h * 3 + (next(&mut state) % 4) as u32,
                    )
                })
                .collect();
            let h: u32 = buildings.iter().map(|b| b.2).sum();
            let p: u32 = buildings.iter().map(|b| b.3).sum();
            let parts = propose_split(&rule, &buildings);
            assert_eq!(parts.len(), rule.parts_for(h, p).min(n));
            assert_partition(&parts, &buildings);
            assert_eq!(propose_split(&rule, &buildings), parts);
        }
        assert!(propose_split(&rule, &[]).is_empty());
    }

    #[test]
    fn zero_households_fall_back_to_count() {
        let rule = SizingRule::default();
        let buildings = lattice(4, 1, 0, 0);
        assert_eq!(
            propose_split(&rule, &buildings),
            vec![vec![
                "B0000".to_owned(),
                "B0001".to_owned(),
                "B0002".to_owned(),
                "B0003".to_owned()
            ]]
        );
        // Persons alone make the grid oversized: split by persons.
        let heavy = lattice(4, 1, 0, 900);
        let parts = propose_split(&rule, &heavy);
        assert_eq!(parts.len(), 3);
        assert_partition(&parts, &heavy);
    }
}
