//! Spreads points strictly inside a ring: one per stratum of a fine grid over its bounds.
//!
//! Stratified sampling keeps points apart (never two in one stratum) at a cost linear in
//! the number of strata, and keeps them off the boundary by a margin.

use crate::geometry::{Point, boundary_distance, bounds, contains, round7};
use crate::rng::Rng;

/// Keep this fraction of the ring's smaller extent between a point and the boundary.
const MARGIN: f64 = 0.02;

/// `n` points strictly inside `ring`, in a snake order through the strata so neighbours in
/// the list are neighbours on the ground. Falls back to the ring's first vertex only for a
/// degenerate ring that has no interior.
pub(crate) fn scatter(rng: &mut Rng, ring: &[Point], n: usize) -> Vec<Point> {
    if n == 0 {
        return Vec::new();
    }
    let [x0, y0, x1, y1] = bounds(ring);
    let (w, h) = (x1 - x0, y1 - y0);
    let margin = MARGIN * w.min(h);
    // A cell fills about 60–80% of its bounding box; start a little finer than needed.
    let mut m = ((n as f64 / 0.55).sqrt().ceil() as usize).max(2);
    for _ in 0..12 {
        let mut strata: Vec<(usize, Point)> = Vec::with_capacity(m * m);
        for row in 0..m {
            for col in 0..m {
                let u = (col as f64 + rng.between(0.15, 0.85)) / m as f64;
                let v = (row as f64 + rng.between(0.15, 0.85)) / m as f64;
                let p = [round7(x0 + u * w), round7(y0 + v * h)];
                if contains(ring, p) && boundary_distance(ring, p) > margin {
                    // Snake order: odd rows run west.
                    let c = if row % 2 == 0 { col } else { m - 1 - col };
                    strata.push((row * m + c, p));
                }
            }
        }
        if strata.len() >= n {
            // Drop a random surplus, then restore the spatial order.
            rng.shuffle(&mut strata);
            strata.truncate(n);
            strata.sort_unstable_by_key(|s| s.0);
            return strata.into_iter().map(|s| s.1).collect();
        }
        m += m / 4 + 1;
    }
    vec![ring.first().copied().unwrap_or([0.0, 0.0]); n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_inside_and_apart() {
        let ring = vec![
            [0.0, 0.0],
            [0.01, 0.001],
            [0.011, 0.008],
            [0.004, 0.01],
            [-0.001, 0.006],
            [0.0, 0.0],
        ];
        let mut rng = Rng::new(4);
        for n in [1, 12, 400, 700] {
            let pts = scatter(&mut rng, &ring, n);
            assert_eq!(pts.len(), n);
            for p in &pts {
                assert!(contains(&ring, *p) && boundary_distance(&ring, *p) > 1e-5);
            }
            let mut sorted = pts.clone();
            sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
            sorted.dedup();
            assert_eq!(sorted.len(), n);
        }
    }

    #[test]
    fn degenerate_ring_does_not_hang() {
        let flat = vec![[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]];
        assert_eq!(scatter(&mut Rng::new(1), &flat, 3).len(), 3);
    }
}
