//! The district's tiling: a jittered lattice whose cells become the grids' polygons.
//!
//! Every vertex is computed once and shared by the cells that meet there, so neighbouring
//! grids have bit-identical edges: no gap and no overlap by construction. Each cell has its
//! four jittered corners plus a jittered point on every side (eight vertices), which keeps
//! the shapes organic. In cell units, corners move at most 0.2 and side points at most 0.12
//! across their side; with those bounds each cell stays a simple polygon.
//!
//! Cells are taken in a snake order through bands of three rows (down one column, up the
//! next) so consecutive cells always share a side. Communities and streets are contiguous
//! runs of that order, hence contiguous on the map, and roughly compact.

use crate::geometry::{Point, round7};
use crate::rng::{Rng, salt};

/// Centre of the default extent (Shifeng: lng 113.10–113.25, lat 27.84–27.95).
const CENTRE: Point = [113.175, 27.895];
/// Cell size in degrees: about 0.74 km × 0.70 km, 0.52 km², at this latitude.
const CELL: Point = [0.0075, 0.0063];
/// Width-to-height ratio of the lattice, in cells.
const ASPECT: f64 = 1.2;
/// Rows per band of the snake order.
const BAND: u32 = 3;
const CORNER_JITTER: f64 = 0.2;
const SIDE_JITTER: f64 = 0.12;

pub(crate) struct Lattice {
    cols: u32,
    corners: Vec<Point>,
    /// Points on horizontal sides: between corner (i, j) and (i + 1, j).
    h_sides: Vec<Point>,
    /// Points on vertical sides: between corner (i, j) and (i, j + 1).
    v_sides: Vec<Point>,
    /// Cells in snake order as (column, row counted from the south).
    pub cells: Vec<(u32, u32)>,
}

impl Lattice {
    /// A lattice with exactly `count` cells, about as wide as it is tall in kilometres.
    pub fn new(seed: u64, count: u32) -> Lattice {
        let mut cols = ((f64::from(count) * ASPECT).sqrt().round() as u32).max(1);
        // An odd width makes every band end at its south side, next to the following band.
        if cols.is_multiple_of(2) {
            cols += 1;
        }
        let rows = count.div_ceil(cols).max(1);
        let origin = [
            CENTRE[0] - f64::from(cols) * CELL[0] / 2.0,
            CENTRE[1] - f64::from(rows) * CELL[1] / 2.0,
        ];
        let place = |u: f64, v: f64| {
            [
                round7(origin[0] + u * CELL[0]),
                round7(origin[1] + v * CELL[1]),
            ]
        };

        let mut rng = Rng::stream(seed, salt::LATTICE, u64::from(count));
        let mut jitter = |amount: f64| rng.between(-amount, amount);
        let mut corner_uv = Vec::with_capacity(((cols + 1) * (rows + 1)) as usize);
        for j in 0..=rows {
            for i in 0..=cols {
                corner_uv.push([
                    f64::from(i) + jitter(CORNER_JITTER),
                    f64::from(j) + jitter(CORNER_JITTER),
                ]);
            }
        }
        let at = |i: u32, j: u32| corner_uv[(j * (cols + 1) + i) as usize];
        let mut h_sides = Vec::with_capacity((cols * (rows + 1)) as usize);
        for j in 0..=rows {
            for i in 0..cols {
                let (a, b) = (at(i, j), at(i + 1, j));
                let t = 0.5 + jitter(0.1);
                h_sides.push(place(
                    a[0] + t * (b[0] - a[0]),
                    a[1] + t * (b[1] - a[1]) + jitter(SIDE_JITTER),
                ));
            }
        }
        let mut v_sides = Vec::with_capacity(((cols + 1) * rows) as usize);
        for j in 0..rows {
            for i in 0..=cols {
                let (a, b) = (at(i, j), at(i, j + 1));
                let t = 0.5 + jitter(0.1);
                v_sides.push(place(
                    a[0] + t * (b[0] - a[0]) + jitter(SIDE_JITTER),
                    a[1] + t * (b[1] - a[1]),
                ));
            }
        }
        let corners = corner_uv.iter().map(|c| place(c[0], c[1])).collect();
        Lattice {
            cols,
            corners,
            h_sides,
            v_sides,
            cells: snake(cols, rows, count),
        }
    }

    /// The closed counter-clockwise ring of a cell: SW, S side, SE, E side, NE, N side, NW, W side.
    pub fn ring(&self, (i, j): (u32, u32)) -> Vec<Point> {
        let w = self.cols + 1;
        let corner = |i: u32, j: u32| self.corners[(j * w + i) as usize];
        let h = |i: u32, j: u32| self.h_sides[(j * self.cols + i) as usize];
        let v = |i: u32, j: u32| self.v_sides[(j * w + i) as usize];
        let sw = corner(i, j);
        vec![
            sw,
            h(i, j),
            corner(i + 1, j),
            v(i + 1, j),
            corner(i + 1, j + 1),
            h(i, j + 1),
            corner(i, j + 1),
            v(i, j),
            sw,
        ]
    }
}

/// The first `count` cells of the snake order; `cols` must be odd.
fn snake(cols: u32, rows: u32, count: u32) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(count as usize);
    let mut band_top = 0; // rows counted from the north
    let mut band = 0;
    while band_top < rows && (out.len() as u32) < count {
        let height = BAND.min(rows - band_top);
        for k in 0..cols {
            let col = if band % 2 == 0 { k } else { cols - 1 - k };
            for step in 0..height {
                let north_row = if k % 2 == 0 {
                    band_top + step
                } else {
                    band_top + height - 1 - step
                };
                if (out.len() as u32) < count {
                    out.push((col, rows - 1 - north_row));
                }
            }
        }
        band_top += height;
        band += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{is_simple, signed_area};

    #[test]
    fn snake_steps_to_neighbours() {
        for (cols, rows) in [(1, 1), (3, 2), (5, 7), (17, 14), (9, 4)] {
            let cells = snake(cols, rows, cols * rows);
            assert_eq!(cells.len() as u32, cols * rows);
            for w in cells.windows(2) {
                let d = w[0].0.abs_diff(w[1].0) + w[0].1.abs_diff(w[1].1);
                assert_eq!(d, 1, "{cols}x{rows}: {:?}", w);
            }
            let mut sorted = cells.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), cells.len());
        }
    }

    #[test]
    fn default_extent_matches_shifeng() {
        let lattice = Lattice::new(1, 232);
        let rows = lattice.cells.iter().map(|c| c.1).max().unwrap() + 1;
        assert_eq!((lattice.cols, rows), (17, 14));
        assert_eq!(lattice.cells.len(), 232);
        let all: Vec<Point> = lattice.corners.clone();
        let min_lng = all.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min);
        let max_lat = all.iter().map(|p| p[1]).fold(f64::NEG_INFINITY, f64::max);
        assert!(min_lng > 113.09 && max_lat < 27.96, "{min_lng} {max_lat}");
    }

    #[test]
    fn cells_are_simple_ccw_and_sized() {
        for seed in 0..20 {
            let lattice = Lattice::new(seed, 300);
            for &cell in &lattice.cells {
                let ring = lattice.ring(cell);
                assert!(is_simple(&ring), "seed {seed} cell {cell:?}");
                let area = signed_area(&ring);
                // 0.52 km² nominal; in degrees² that is CELL[0] * CELL[1].
                let nominal = CELL[0] * CELL[1];
                assert!(area > 0.35 * nominal && area < 1.9 * nominal, "{area}");
            }
        }
    }
}
