//! Plane geometry on closed rings of `[lng, lat]` points: area, centroid, containment.
//!
//! Grids are small (under a kilometre), so treating degrees as plane coordinates is exact
//! enough for shapes and containment; nothing here measures real distances.

pub(crate) type Point = [f64; 2];

/// Signed shoelace area of a closed ring (first == last); positive when counter-clockwise.
/// Coordinates are taken relative to the first vertex so large longitudes cost no precision.
pub(crate) fn signed_area(ring: &[Point]) -> f64 {
    let Some(&[ox, oy]) = ring.first() else {
        return 0.0;
    };
    let twice: f64 = ring
        .windows(2)
        .map(|w| (w[0][0] - ox) * (w[1][1] - oy) - (w[1][0] - ox) * (w[0][1] - oy))
        .sum();
    twice / 2.0
}

/// Area centroid of a closed ring; the vertex mean for a degenerate ring.
pub(crate) fn centroid(ring: &[Point]) -> Point {
    let Some(&[ox, oy]) = ring.first() else {
        return [0.0, 0.0];
    };
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for w in ring.windows(2) {
        let (x0, y0, x1, y1) = (w[0][0] - ox, w[0][1] - oy, w[1][0] - ox, w[1][1] - oy);
        let cross = x0 * y1 - x1 * y0;
        a += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
    }
    if a.abs() < f64::EPSILON * 1e-6 {
        let n = ring.len() as f64;
        let sx: f64 = ring.iter().map(|p| p[0]).sum();
        let sy: f64 = ring.iter().map(|p| p[1]).sum();
        return [sx / n, sy / n];
    }
    [ox + cx / (3.0 * a), oy + cy / (3.0 * a)]
}

/// Even–odd test: is `p` inside the closed ring? Points exactly on an edge may go either
/// way, so callers that need "strictly inside" also check [`boundary_distance`].
pub(crate) fn contains(ring: &[Point], p: Point) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let ([x0, y0], [x1, y1]) = (w[0], w[1]);
        if (y0 > p[1]) != (y1 > p[1]) {
            let x = x0 + (p[1] - y0) / (y1 - y0) * (x1 - x0);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}

/// Shortest distance from `p` to any edge of the ring.
pub(crate) fn boundary_distance(ring: &[Point], p: Point) -> f64 {
    ring.windows(2)
        .map(|w| segment_distance(w[0], w[1], p))
        .fold(f64::INFINITY, f64::min)
}

fn segment_distance(a: Point, b: Point, p: Point) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    (qx * qx + qy * qy).sqrt()
}

/// Axis-aligned bounds `[min_lng, min_lat, max_lng, max_lat]`.
pub(crate) fn bounds(ring: &[Point]) -> [f64; 4] {
    ring.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    )
}

/// Sign of the turn a→b→c: positive left, negative right, zero collinear.
fn orient(a: Point, b: Point, c: Point) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

fn on_segment(a: Point, b: Point, p: Point) -> bool {
    p[0] >= a[0].min(b[0])
        && p[0] <= a[0].max(b[0])
        && p[1] >= a[1].min(b[1])
        && p[1] <= a[1].max(b[1])
}

/// Do the closed segments ab and cd share any point?
pub(crate) fn segments_touch(a: Point, b: Point, c: Point, d: Point) -> bool {
    let (d1, d2) = (orient(c, d, a), orient(c, d, b));
    let (d3, d4) = (orient(a, b, c), orient(a, b, d));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on_segment(c, d, a))
        || (d2 == 0.0 && on_segment(c, d, b))
        || (d3 == 0.0 && on_segment(a, b, c))
        || (d4 == 0.0 && on_segment(a, b, d))
}

/// A closed ring is simple when no two edges meet except neighbours at their shared vertex.
pub(crate) fn is_simple(ring: &[Point]) -> bool {
    let n = ring.len().saturating_sub(1); // edges
    if n < 3 || ring.first() != ring.last() {
        return false;
    }
    for i in 0..n {
        for j in i + 1..n {
            let adjacent = j == i + 1 || (i == 0 && j == n - 1);
            let (a, b, c, d) = (ring[i], ring[i + 1], ring[j], ring[j + 1]);
            if adjacent {
                // Neighbours may only share their common vertex: not fold back on each other.
                let shared = if j == i + 1 { b } else { a };
                let (p, q) = if j == i + 1 { (a, d) } else { (b, c) };
                if orient(p, shared, q) == 0.0
                    && (on_segment(p, shared, q) || on_segment(shared, q, p))
                {
                    return false;
                }
            } else if segments_touch(a, b, c, d) {
                return false;
            }
        }
    }
    true
}

/// Rounds a coordinate to 1e-7 degrees (about a centimetre), the precision stored.
pub(crate) fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Vec<Point> {
        vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]]
    }

    #[test]
    fn area_sign_follows_orientation() {
        let ccw = square();
        assert_eq!(signed_area(&ccw), 4.0);
        let cw: Vec<Point> = ccw.iter().rev().copied().collect();
        assert_eq!(signed_area(&cw), -4.0);
        let far: Vec<Point> = ccw.iter().map(|p| [p[0] + 113.0, p[1] + 27.0]).collect();
        assert!((signed_area(&far) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn centroid_and_containment() {
        let sq = square();
        assert_eq!(centroid(&sq), [1.0, 1.0]);
        assert!(contains(&sq, [1.0, 1.0]));
        assert!(contains(&sq, [0.1, 1.9]));
        assert!(!contains(&sq, [2.1, 1.0]));
        assert!(!contains(&sq, [-0.1, -0.1]));
        assert!((boundary_distance(&sq, [1.0, 0.5]) - 0.5).abs() < 1e-12);
        assert_eq!(bounds(&sq), [0.0, 0.0, 2.0, 2.0]);
    }

    #[test]
    fn simplicity() {
        assert!(is_simple(&square()));
        let bow = vec![[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0], [0.0, 0.0]];
        assert!(!is_simple(&bow));
        let spike = vec![[0.0, 0.0], [2.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]];
        assert!(!is_simple(&spike));
        let open = vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0]];
        assert!(!is_simple(&open));
    }

    #[test]
    fn rounding_is_stable() {
        assert_eq!(round7(113.123_456_78), 113.123_456_8);
        assert_eq!(round7(round7(27.9)), round7(27.9));
    }
}
