//! A boundary prepared for many point tests: the district a position must be near, the
//! grid whose share of a track is measured.

use crate::coords::distance_m;
use crate::geometry::{MultiPolygon, bbox, contains};

/// Metres per degree of latitude on the sphere [`distance_m`] uses.
pub(super) const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// A boundary with its bounding box, so points far from it are answered without walking
/// its edges.
#[derive(Debug, Clone, Copy)]
pub struct Area<'a> {
    shape: &'a MultiPolygon,
    bbox: [f64; 4],
}

impl<'a> Area<'a> {
    pub fn new(shape: &'a MultiPolygon) -> Area<'a> {
        Area {
            shape,
            bbox: bbox(shape),
        }
    }

    /// Whether the point lies inside (see [`crate::geometry::contains`]); an empty boundary
    /// contains nothing.
    pub fn contains(&self, (lng, lat): (f64, f64)) -> bool {
        let [x0, y0, x1, y1] = self.bbox;
        (x0..=x1).contains(&lng) && (y0..=y1).contains(&lat) && contains(self.shape, [lng, lat])
    }

    /// Metres from the point to the boundary when it lies outside, 0 inside; infinite for
    /// an empty boundary.
    ///
    /// The nearest point of each edge is found in a plane tangent at the point (metres east
    /// and north), which is exact enough at district sizes; the distance to the nearest one
    /// is then measured on the sphere.
    pub fn distance_outside_m(&self, p: (f64, f64)) -> f64 {
        if self.contains(p) {
            return 0.0;
        }
        let kx = M_PER_DEG * p.1.to_radians().cos();
        let to_plane = |q: [f64; 2]| ((q[0] - p.0) * kx, (q[1] - p.1) * M_PER_DEG);
        let mut best: Option<(f64, (f64, f64))> = None;
        for ring in self.shape.0.iter().flat_map(|polygon| polygon.rings()) {
            for w in ring.windows(2) {
                let (a, b) = (to_plane(w[0]), to_plane(w[1]));
                let (dx, dy) = (b.0 - a.0, b.1 - a.1);
                let len2 = dx * dx + dy * dy;
                let t = if len2 > 0.0 {
                    (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let c = (a.0 + t * dx, a.1 + t * dy);
                let d2 = c.0 * c.0 + c.1 * c.1;
                if best.is_none_or(|(b2, _)| d2 < b2) {
                    best = Some((d2, c));
                }
            }
        }
        best.map_or(f64::INFINITY, |(_, c)| {
            distance_m(p, (p.0 + c.0 / kx, p.1 + c.1 / M_PER_DEG))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{place, square};
    use super::*;

    #[test]
    fn inside_and_outside_a_square() {
        let shape = square(1000.0);
        let area = Area::new(&shape);
        assert!(area.contains(place(500.0, 500.0)));
        assert!(!area.contains(place(1500.0, 500.0)));
        assert_eq!(area.distance_outside_m(place(500.0, 500.0)), 0.0);
        let east = area.distance_outside_m(place(1300.0, 500.0));
        assert!((east - 300.0).abs() < 0.5, "{east}");
        // Beyond a corner the corner is nearest: 300 m east and 400 m north of it.
        let corner = area.distance_outside_m(place(1300.0, 1400.0));
        assert!((corner - 500.0).abs() < 0.5, "{corner}");
        let far = area.distance_outside_m(place(300_000.0, 500.0));
        assert!((far - 299_000.0).abs() < 300.0, "{far}");
    }

    #[test]
    fn an_empty_boundary_contains_nothing() {
        let shape = MultiPolygon::default();
        let area = Area::new(&shape);
        assert!(!area.contains(place(0.0, 0.0)));
        assert_eq!(area.distance_outside_m(place(0.0, 0.0)), f64::INFINITY);
    }
}
