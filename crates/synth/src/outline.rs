//! The outer boundary of a set of tiling rings: the edges that no other ring shares.

use std::collections::HashMap;

use crate::geometry::Point;

type Key = (u64, u64);

fn key(p: Point) -> Key {
    (p[0].to_bits(), p[1].to_bits())
}

/// Traces the boundary of the union of counter-clockwise rings that tile a simply connected
/// region with shared vertices. Returns a closed counter-clockwise ring, or an empty vector
/// when the boundary is not one simple loop (which a valid tiling never produces).
pub(crate) fn outline<'a>(rings: impl Iterator<Item = &'a [Point]> + Clone) -> Vec<Point> {
    // Count directed edges; an interior edge appears once in each direction.
    let mut edges: HashMap<(Key, Key), u32> = HashMap::new();
    for ring in rings.clone() {
        for w in ring.windows(2) {
            *edges.entry((key(w[0]), key(w[1]))).or_default() += 1;
        }
    }
    let mut next: HashMap<Key, Point> = HashMap::new();
    let mut start = None;
    for ring in rings {
        for w in ring.windows(2) {
            if !edges.contains_key(&(key(w[1]), key(w[0]))) {
                if next.insert(key(w[0]), w[1]).is_some() {
                    return Vec::new(); // two boundary edges leave one vertex: a pinch
                }
                start.get_or_insert(w[0]);
            }
        }
    }
    let Some(start) = start else {
        return Vec::new();
    };
    let mut out = vec![start];
    let mut at = start;
    while let Some(&p) = next.get(&key(at)) {
        out.push(p);
        if key(p) == key(start) {
            break;
        }
        if out.len() > next.len() + 1 {
            return Vec::new();
        }
        at = p;
    }
    if out.len() != next.len() + 1 || out.first() != out.last() {
        return Vec::new(); // more than one loop, or an open chain
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::signed_area;

    fn square(x: f64, y: f64) -> Vec<Point> {
        vec![
            [x, y],
            [x + 1.0, y],
            [x + 1.0, y + 1.0],
            [x, y + 1.0],
            [x, y],
        ]
    }

    #[test]
    fn two_squares_make_a_rectangle() {
        let rings = [square(0.0, 0.0), square(1.0, 0.0)];
        let out = outline(rings.iter().map(Vec::as_slice));
        assert_eq!(out.len(), 7);
        assert_eq!(signed_area(&out), 2.0);
    }

    #[test]
    fn a_hole_or_pinch_is_rejected() {
        let diagonal = [square(0.0, 0.0), square(1.0, 1.0)];
        assert!(outline(diagonal.iter().map(Vec::as_slice)).is_empty());
        let apart = [square(0.0, 0.0), square(5.0, 0.0)];
        assert!(outline(apart.iter().map(Vec::as_slice)).is_empty());
    }
}
