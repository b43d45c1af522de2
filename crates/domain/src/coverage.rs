//! The coverage rule for grids (全覆盖、无盲区、无缝对接): a community's grids must cover it
//! with no gap, no overlap, and nothing outside it.
//!
//! Polygon boolean operations come from `i_overlay`, which snaps to an integer lattice and
//! handles shared edges and vertices exactly — the normal case for grids that tile a
//! community, and the case hand-written clipping gets wrong. All work happens on one
//! lattice of about 1 cm (1e-7 degree) centred on the data, so every operation sees the
//! same snapped coordinates.
//!
//! [`union`] dissolves many boundaries into one (a community's outline from its grids)
//! with the same machinery.

use std::collections::HashMap;

use i_overlay::core::extract::BooleanExtractionBuffer;
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::{Overlay, ShapeType};
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::i_float::int::point::IntPoint;
use i_overlay::i_shape::int::shape::{IntContour, IntShape};

use crate::geometry::{MultiPolygon, Point, Polygon, area_m2, orient};

/// Lattice cells per degree when the data is small enough: 1e-7° ≈ 1.1 cm.
const FINE_SCALE: f64 = 1e7;
/// Largest lattice coordinate used, half of the i32 engine's documented ±2^30 range.
const MAX_COORDINATE: f64 = (1u32 << 29) as f64;
/// A grid whose boundary runs along a gap's edge within this distance (metres) is reported
/// as the gap's neighbour.
const NEIGHBOUR_DISTANCE_M: f64 = 0.5;
/// Approximate metres per degree of latitude, and of longitude at the equator; only the
/// neighbour test uses them, where a percent does not matter.
const M_PER_DEG_LAT: f64 = 111_132.0;
const M_PER_DEG_LNG: f64 = 111_320.0;

/// What is wrong with a piece of the community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    /// Part of the community no grid covers (盲区).
    Gap,
    /// Part covered by two grids (重叠).
    Overlap,
    /// Part of a grid that lies outside the community (超出).
    Outside,
}

impl FindingKind {
    /// Stable machine name for storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Gap => "gap",
            FindingKind::Overlap => "overlap",
            FindingKind::Outside => "outside",
        }
    }

    /// The Chinese label shown on screen.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::Gap => "盲区",
            FindingKind::Overlap => "重叠",
            FindingKind::Outside => "超出社区",
        }
    }
}

/// One coverage problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    /// Grid codes involved: the two grids of an overlap, the grid that sticks out, or the
    /// grids bordering a gap (empty if none does).
    pub grids: Vec<String>,
    pub area_m2: f64,
    pub shape: MultiPolygon,
}

/// Checks that `grids` (code, boundary) cover `area` exactly.
///
/// Reports each gap as its own finding (one connected piece, with its neighbours), each
/// overlapping pair of grids once, and each grid that sticks out of the area once. Pieces
/// of `tolerance_m2` or less are sliver noise from digitizing and are ignored, piece by
/// piece, so many slivers never add up to a finding. Findings come largest first.
///
/// Cost: one overlay for the union, then one small overlay per pair of grids whose bounding
/// boxes overlap (a sweep over sorted boxes finds them), so it grows with the number of
/// neighbouring pairs, not with the square of the number of grids.
pub fn check_coverage(
    area: &MultiPolygon,
    grids: &[(String, MultiPolygon)],
    tolerance_m2: f64,
) -> Vec<Finding> {
    let Some(frame) = Frame::around(std::iter::once(area).chain(grids.iter().map(|g| &g.1))) else {
        return Vec::new();
    };
    let shapes: Vec<Vec<IntShape<i32>>> = grids.iter().map(|g| frame.shapes(&g.1)).collect();
    let check = Check {
        boxes: shapes.iter().map(|s| IntBox::of(s)).collect(),
        codes: grids.iter().map(|g| g.0.as_str()).collect(),
        shapes,
        frame,
        tolerance_m2,
    };

    // One overlay of all grids against the area yields both gaps and what sticks out.
    let mut overlay = Overlay::<i32>::new(0);
    for shapes in &check.shapes {
        overlay.add_source(shapes, ShapeType::Subject);
    }
    overlay.add_source(&check.frame.shapes(area), ShapeType::Clip);
    let (gaps, outside) = match overlay.build_graph_view(FillRule::NonZero) {
        None => (Vec::new(), Vec::new()),
        Some(graph) => {
            let mut buffer = BooleanExtractionBuffer::default();
            (
                graph.extract_shapes(OverlayRule::InverseDifference, &mut buffer),
                graph.extract_shapes(OverlayRule::Difference, &mut buffer),
            )
        }
    };

    let mut findings = check.gaps(gaps);
    findings.extend(check.outside(outside));
    findings.extend(check.overlaps());
    findings.sort_by(|a, b| {
        b.area_m2
            .total_cmp(&a.area_m2)
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.grids.cmp(&b.grids))
    });
    findings
}

/// The union of `shapes` (all grids of a community give its outline, all communities of a
/// street the street's): rings closed, outer rings counter-clockwise and holes clockwise as
/// [`parse_geojson`](crate::geometry::parse_geojson) leaves them, one polygon per connected
/// piece. Shared edges dissolve exactly, since shapes that tile an area share vertices and
/// equal points snap to the same lattice point. Vertices come back as the input positions
/// that snapped to them, so the outline's corners equal the grids' corners bit for bit;
/// only points where input edges cross are new. Collinear corners are dropped. Empty
/// input gives an empty shape.
///
/// Cost: one overlay of all the rings, about O(n log n) in the number of edges.
pub fn union(shapes: &[MultiPolygon]) -> MultiPolygon {
    overlay_of(shapes, &[], OverlayRule::Subject)
}

/// The part of `shape` inside `clip`, with the same care for input corners as [`union`].
pub fn intersection(shape: &MultiPolygon, clip: &MultiPolygon) -> MultiPolygon {
    overlay_of(
        std::slice::from_ref(shape),
        std::slice::from_ref(clip),
        OverlayRule::Intersect,
    )
}

/// One overlay of `subjects` against `clips` under `rule`, back in degrees: corners that
/// were input corners come back exactly as they went in.
fn overlay_of(
    subjects: &[MultiPolygon],
    clips: &[MultiPolygon],
    rule: OverlayRule,
) -> MultiPolygon {
    let Some(frame) = Frame::around(subjects.iter().chain(clips)) else {
        return MultiPolygon::default();
    };
    let points = subjects
        .iter()
        .chain(clips)
        .flat_map(|s| &s.0)
        .flat_map(|p| p.rings())
        .map(Vec::len)
        .sum();
    let mut overlay = Overlay::<i32>::new(points);
    let mut originals: HashMap<IntPoint<i32>, Point> = HashMap::with_capacity(points);
    for (shapes, kind) in [(subjects, ShapeType::Subject), (clips, ShapeType::Clip)] {
        for shape in shapes {
            for &p in shape.0.iter().flat_map(|p| p.rings()).flatten() {
                originals.entry(frame.to_int(p)).or_insert(p);
            }
            overlay.add_source(&frame.shapes(shape), kind);
        }
    }
    let pieces = overlay.overlay(rule, FillRule::NonZero);
    let polygons = pieces
        .iter()
        .map(|piece| {
            let mut polygon = polygon_of(piece, |q| {
                originals
                    .get(&q)
                    .copied()
                    .unwrap_or_else(|| frame.to_point(q))
            });
            // The engine orients its output this way already; moving corners back to the
            // input positions could only flip a ring of next to no area.
            orient(&mut polygon.outer, true);
            for hole in &mut polygon.holes {
                orient(hole, false);
            }
            polygon
        })
        .collect();
    MultiPolygon(polygons)
}

/// The grids of one check, on the check's lattice.
struct Check<'a> {
    frame: Frame,
    codes: Vec<&'a str>,
    shapes: Vec<Vec<IntShape<i32>>>,
    boxes: Vec<IntBox>,
    tolerance_m2: f64,
}

impl Check<'_> {
    /// One finding per gap piece above the tolerance, with the grids along its edge.
    fn gaps(&self, pieces: Vec<IntShape<i32>>) -> Vec<Finding> {
        let mut findings = Vec::new();
        for piece in pieces {
            let polygon = self.frame.polygon(&piece);
            let size = area_m2(&MultiPolygon(vec![polygon.clone()]));
            if size <= self.tolerance_m2 {
                continue;
            }
            let reach =
                IntBox::of(std::slice::from_ref(&piece)).grown(self.frame.neighbour_units());
            let neighbours = (0..self.codes.len())
                .filter(|&g| self.boxes[g].meets(&reach))
                .filter(|&g| self.frame.borders(&piece, &self.shapes[g]))
                .map(|g| self.codes[g].to_owned())
                .collect();
            findings.push(Finding {
                kind: FindingKind::Gap,
                grids: neighbours,
                area_m2: size,
                shape: MultiPolygon(vec![polygon]),
            });
        }
        findings
    }

    /// Attributes what sticks out of the area to the grids it came from: each grid is
    /// intersected with the outside pieces near it, so only those few grids cost an overlay.
    fn outside(&self, pieces: Vec<IntShape<i32>>) -> Vec<Finding> {
        let pieces: Vec<(IntShape<i32>, IntBox)> = pieces
            .into_iter()
            .filter(|piece| self.frame.piece_area(piece) > self.tolerance_m2)
            .map(|piece| {
                let b = IntBox::of(std::slice::from_ref(&piece));
                (piece, b)
            })
            .collect();
        let mut findings = Vec::new();
        for g in 0..self.codes.len() {
            let near: Vec<&IntShape<i32>> = pieces
                .iter()
                .filter(|(_, b)| b.overlaps(&self.boxes[g]))
                .map(|(piece, _)| piece)
                .collect();
            if near.is_empty() {
                continue;
            }
            let mut overlay = Overlay::<i32>::new(0);
            overlay.add_source(&self.shapes[g], ShapeType::Subject);
            for piece in near {
                overlay.add_source(piece, ShapeType::Clip);
            }
            let parts = overlay.overlay(OverlayRule::Intersect, FillRule::NonZero);
            let codes = vec![self.codes[g].to_owned()];
            findings.extend(self.finding(FindingKind::Outside, codes, &parts));
        }
        findings
    }

    /// One finding per overlapping pair. A sweep over the boxes in order of their west edge
    /// finds the pairs whose boxes overlap with positive area; only those can overlap.
    fn overlaps(&self) -> Vec<Finding> {
        let mut order: Vec<usize> = (0..self.codes.len()).collect();
        order.sort_by_key(|&g| (self.boxes[g].min_x, g));
        let mut findings = Vec::new();
        for (n, &i) in order.iter().enumerate() {
            let east = self.boxes[i].max_x;
            for &j in order[n + 1..]
                .iter()
                .take_while(|&&j| self.boxes[j].min_x < east)
            {
                if !self.boxes[i].overlaps(&self.boxes[j]) {
                    continue;
                }
                let mut overlay = Overlay::<i32>::new(0);
                overlay.add_source(&self.shapes[i], ShapeType::Subject);
                overlay.add_source(&self.shapes[j], ShapeType::Clip);
                let parts = overlay.overlay(OverlayRule::Intersect, FillRule::NonZero);
                let (a, b) = (i.min(j), i.max(j));
                let codes = vec![self.codes[a].to_owned(), self.codes[b].to_owned()];
                findings.extend(self.finding(FindingKind::Overlap, codes, &parts));
            }
        }
        findings
    }

    /// A finding made of the pieces above the tolerance, if there are any.
    fn finding(
        &self,
        kind: FindingKind,
        grids: Vec<String>,
        pieces: &[IntShape<i32>],
    ) -> Option<Finding> {
        let mut kept = Vec::new();
        let mut total = 0.0;
        for piece in pieces {
            let polygon = self.frame.polygon(piece);
            let size = area_m2(&MultiPolygon(vec![polygon.clone()]));
            if size > self.tolerance_m2 {
                total += size;
                kept.push(polygon);
            }
        }
        (!kept.is_empty()).then_some(Finding {
            kind,
            grids,
            area_m2: total,
            shape: MultiPolygon(kept),
        })
    }
}

/// The integer lattice shared by every overlay of one check.
struct Frame {
    origin: Point,
    scale: f64,
    /// Metres per lattice unit along x and y.
    metres: [f64; 2],
}

impl Frame {
    /// A lattice centred on the shapes' bounding box; `None` if they have no points.
    fn around<'a>(shapes: impl Iterator<Item = &'a MultiPolygon>) -> Option<Frame> {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in shapes.flat_map(|s| &s.0).flat_map(|p| p.rings()).flatten() {
            b = [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ];
        }
        if b[0] > b[2] {
            return None;
        }
        let origin = [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0];
        let half = ((b[2] - b[0]) / 2.0).max((b[3] - b[1]) / 2.0);
        // Coarsen the lattice only when the data would not fit the integer range.
        let scale = FINE_SCALE.min(MAX_COORDINATE / half.max(1e-9));
        let x_metres = M_PER_DEG_LNG * origin[1].to_radians().cos() / scale;
        Some(Frame {
            origin,
            scale,
            metres: [x_metres, M_PER_DEG_LAT / scale],
        })
    }

    fn to_int(&self, p: Point) -> IntPoint<i32> {
        IntPoint::new(
            ((p[0] - self.origin[0]) * self.scale).round() as i32,
            ((p[1] - self.origin[1]) * self.scale).round() as i32,
        )
    }

    fn to_point(&self, p: IntPoint<i32>) -> Point {
        [
            self.origin[0] + f64::from(p.x) / self.scale,
            self.origin[1] + f64::from(p.y) / self.scale,
        ]
    }

    /// One lattice contour: snapped, without repeats or the closing point, oriented
    /// counter-clockwise for an outer ring and clockwise for a hole, so that under the
    /// non-zero fill rule overlapping grids add up and holes subtract. `None` when the ring
    /// collapses to fewer than three corners on the lattice.
    fn contour(&self, ring: &[Point], outer: bool) -> Option<IntContour<i32>> {
        let mut contour: IntContour<i32> = Vec::with_capacity(ring.len());
        for &p in ring {
            let q = self.to_int(p);
            if contour.last() != Some(&q) {
                contour.push(q);
            }
        }
        while contour.len() > 1 && contour.first() == contour.last() {
            contour.pop();
        }
        if contour.len() < 3 {
            return None;
        }
        if (twice_area(&contour) > 0) != outer {
            contour.reverse();
        }
        Some(contour)
    }

    fn shapes(&self, shape: &MultiPolygon) -> Vec<IntShape<i32>> {
        shape
            .0
            .iter()
            .filter_map(|polygon| {
                let outer = self.contour(&polygon.outer, true)?;
                let mut shape = vec![outer];
                shape.extend(polygon.holes.iter().filter_map(|h| self.contour(h, false)));
                Some(shape)
            })
            .collect()
    }

    /// Back to WGS84, rings closed.
    fn polygon(&self, shape: &IntShape<i32>) -> Polygon {
        polygon_of(shape, |p| self.to_point(p))
    }

    fn piece_area(&self, shape: &IntShape<i32>) -> f64 {
        area_m2(&MultiPolygon(vec![self.polygon(shape)]))
    }

    /// [`NEIGHBOUR_DISTANCE_M`] in lattice units along the shorter-metre axis (a bound for
    /// box tests).
    fn neighbour_units(&self) -> i32 {
        (NEIGHBOUR_DISTANCE_M / self.metres[0].min(self.metres[1])).ceil() as i32 + 1
    }

    /// Whether some edge of `piece` runs along the boundary of `shapes` — within
    /// [`NEIGHBOUR_DISTANCE_M`] of it, for a length above that distance (or above half the
    /// edge, for a very short edge) — so grids meeting a gap only at a corner are left out.
    fn borders(&self, piece: &IntShape<i32>, shapes: &[IntShape<i32>]) -> bool {
        let edges = |contours: &[IntContour<i32>]| -> Vec<[[f64; 2]; 2]> {
            contours
                .iter()
                .flat_map(|c| (0..c.len()).map(move |k| [c[k], c[(k + 1) % c.len()]]))
                .map(|[a, b]| [self.metric(a), self.metric(b)])
                .collect()
        };
        let ours = edges(piece);
        let theirs: Vec<[[f64; 2]; 2]> = shapes.iter().flat_map(|s| edges(s)).collect();
        ours.iter().any(|&e| {
            theirs
                .iter()
                .any(|&f| shared_length(e, f) > minimum_shared(e))
        })
    }

    /// A lattice point in metres from the origin.
    fn metric(&self, p: IntPoint<i32>) -> [f64; 2] {
        [
            f64::from(p.x) * self.metres[0],
            f64::from(p.y) * self.metres[1],
        ]
    }
}

/// A lattice shape (outer contour first) as a polygon, each lattice point placed by
/// `point`, rings closed.
fn polygon_of(shape: &IntShape<i32>, point: impl Fn(IntPoint<i32>) -> Point) -> Polygon {
    let mut rings = shape.iter().map(|contour| {
        let mut ring: Vec<Point> = contour.iter().map(|&p| point(p)).collect();
        if let Some(&first) = ring.first() {
            ring.push(first);
        }
        ring
    });
    let outer = rings.next().unwrap_or_default();
    Polygon {
        outer,
        holes: rings.collect(),
    }
}

/// How much of edge `e` must run along another boundary to count as shared.
fn minimum_shared(e: [[f64; 2]; 2]) -> f64 {
    let length = (e[1][0] - e[0][0]).hypot(e[1][1] - e[0][1]);
    NEIGHBOUR_DISTANCE_M.min(length / 2.0)
}

/// Length along edge `e` over which edge `f` runs within [`NEIGHBOUR_DISTANCE_M`] of it
/// (zero unless both ends of `f`'s overlapping part stay that close to `e`'s line).
fn shared_length(e: [[f64; 2]; 2], f: [[f64; 2]; 2]) -> f64 {
    let [a, b] = e;
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let length = dx.hypot(dy);
    if length == 0.0 {
        return 0.0;
    }
    let (ux, uy) = (dx / length, dy / length);
    // Position along e's line, and distance from it, of each end of f.
    let along = |p: [f64; 2]| (p[0] - a[0]) * ux + (p[1] - a[1]) * uy;
    let across = |p: [f64; 2]| ((p[0] - a[0]) * uy - (p[1] - a[1]) * ux).abs();
    let (t0, t1) = (along(f[0]), along(f[1]));
    let (c0, c1) = (across(f[0]), across(f[1]));
    let lo = t0.min(t1).max(0.0);
    let hi = t0.max(t1).min(length);
    if hi <= lo {
        return 0.0;
    }
    // f is straight, so its distance from e's line varies linearly: check it at the ends of
    // the overlapping stretch.
    let at = |t: f64| {
        if t1 == t0 {
            c0.max(c1)
        } else {
            c0 + (c1 - c0) * (t - t0) / (t1 - t0)
        }
    };
    if at(lo) <= NEIGHBOUR_DISTANCE_M && at(hi) <= NEIGHBOUR_DISTANCE_M {
        hi - lo
    } else {
        0.0
    }
}

/// Twice the signed area of a lattice contour (positive when counter-clockwise).
fn twice_area(contour: &[IntPoint<i32>]) -> i64 {
    let n = contour.len();
    (0..n)
        .map(|k| {
            let (a, b) = (contour[k], contour[(k + 1) % n]);
            i64::from(a.x) * i64::from(b.y) - i64::from(b.x) * i64::from(a.y)
        })
        .sum()
}

/// A bounding box on the lattice.
#[derive(Debug, Clone, Copy)]
struct IntBox {
    min_x: i32,
    min_y: i32,
    max_x: i32,
    max_y: i32,
}

impl IntBox {
    /// The box of some shapes; an inverted box (meeting nothing) when they are empty.
    fn of(shapes: &[IntShape<i32>]) -> IntBox {
        let mut b = IntBox {
            min_x: i32::MAX,
            min_y: i32::MAX,
            max_x: i32::MIN,
            max_y: i32::MIN,
        };
        for p in shapes.iter().flatten().flatten() {
            b.min_x = b.min_x.min(p.x);
            b.min_y = b.min_y.min(p.y);
            b.max_x = b.max_x.max(p.x);
            b.max_y = b.max_y.max(p.y);
        }
        b
    }

    fn grown(self, by: i32) -> IntBox {
        IntBox {
            min_x: self.min_x.saturating_sub(by),
            min_y: self.min_y.saturating_sub(by),
            max_x: self.max_x.saturating_add(by),
            max_y: self.max_y.saturating_add(by),
        }
    }

    /// Interiors overlap (touching edges do not count).
    fn overlaps(&self, other: &IntBox) -> bool {
        self.min_x < other.max_x
            && other.min_x < self.max_x
            && self.min_y < other.max_y
            && other.min_y < self.max_y
    }

    /// Closed boxes share at least a point.
    fn meets(&self, other: &IntBox) -> bool {
        self.min_x <= other.max_x
            && other.min_x <= self.max_x
            && self.min_y <= other.max_y
            && other.min_y <= self.max_y
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::contains;
    use std::time::Instant;

    /// Cell size in degrees: about 490 m × 555 m in Hunan.
    const S: f64 = 0.005;
    const X0: f64 = 112.9;
    const Y0: f64 = 28.2;

    fn at(i: f64, j: f64) -> Point {
        [X0 + i * S, Y0 + j * S]
    }

    fn shape(ring: Vec<Point>) -> MultiPolygon {
        let mut ring = ring;
        ring.push(ring[0]);
        MultiPolygon(vec![Polygon {
            outer: ring,
            holes: vec![],
        }])
    }

    /// The lattice cell whose south-west corner is (i, j).
    fn cell(i: f64, j: f64) -> MultiPolygon {
        shape(vec![
            at(i, j),
            at(i + 1.0, j),
            at(i + 1.0, j + 1.0),
            at(i, j + 1.0),
        ])
    }

    fn named(cells: Vec<(&str, MultiPolygon)>) -> Vec<(String, MultiPolygon)> {
        cells.into_iter().map(|(c, s)| (c.to_owned(), s)).collect()
    }

    fn two_by_two() -> Vec<(String, MultiPolygon)> {
        named(vec![
            ("SW", cell(0.0, 0.0)),
            ("SE", cell(1.0, 0.0)),
            ("NW", cell(0.0, 1.0)),
            ("NE", cell(1.0, 1.0)),
        ])
    }

    fn close_to(got: f64, want: f64) -> bool {
        (got - want).abs() <= want * 1e-4 + 1.0
    }

    #[test]
    fn exact_tiling_reports_nothing() {
        let area = shape(vec![at(0.0, 0.0), at(2.0, 0.0), at(2.0, 2.0), at(0.0, 2.0)]);
        assert!(check_coverage(&area, &two_by_two(), 0.0).is_empty());
        // The community's edge may carry extra vertices where grid edges meet it.
        let area_with_midpoints = shape(vec![
            at(0.0, 0.0),
            at(1.0, 0.0),
            at(2.0, 0.0),
            at(2.0, 1.0),
            at(2.0, 2.0),
            at(1.0, 2.0),
            at(0.0, 2.0),
            at(0.0, 1.0),
        ]);
        assert!(check_coverage(&area_with_midpoints, &two_by_two(), 0.0).is_empty());
    }

    #[test]
    fn moved_shared_vertex_makes_an_overlap_and_a_gap() {
        let area = shape(vec![at(0.0, 0.0), at(2.0, 0.0), at(2.0, 2.0), at(0.0, 2.0)]);
        let mut grids = two_by_two();
        // Move the centre vertex in SW's ring only: into SE's cell, and below NW's edge.
        grids[0].1 = shape(vec![at(0.0, 0.0), at(1.0, 0.0), at(1.2, 0.9), at(0.0, 1.0)]);
        let findings = check_coverage(&area, &grids, 1.0);
        assert_eq!(findings.len(), 2, "{findings:#?}");

        // SW's new edge from (1.2, 0.9) to (0, 1) crosses x = 1 at y = 0.9 + 0.1/6.
        let y = 0.9 + 0.1 / 6.0;
        let overlap = &findings[0];
        assert_eq!(overlap.kind, FindingKind::Overlap);
        assert_eq!(overlap.grids, ["SW", "SE"]);
        let want = area_m2(&shape(vec![at(1.0, 0.0), at(1.2, 0.9), at(1.0, y)]));
        assert!(
            close_to(overlap.area_m2, want),
            "{} vs {want}",
            overlap.area_m2
        );
        assert!(overlap.area_m2 > 20_000.0, "about 0.09 of a 27 ha cell");

        let gap = &findings[1];
        assert_eq!(gap.kind, FindingKind::Gap);
        let want = area_m2(&shape(vec![at(0.0, 1.0), at(1.0, y), at(1.0, 1.0)]));
        assert!(close_to(gap.area_m2, want), "{} vs {want}", gap.area_m2);
        // NE meets the gap only at a corner.
        assert_eq!(gap.grids, ["SW", "SE", "NW"]);
        assert!(overlap.area_m2 > gap.area_m2, "largest first");
        assert!(contains(&gap.shape, at(0.5, 0.98)));
    }

    #[test]
    fn grid_sticking_out_is_outside_not_gap() {
        let area = shape(vec![at(0.0, 0.0), at(2.0, 0.0), at(2.0, 2.0), at(0.0, 2.0)]);
        let mut grids = two_by_two();
        grids[3].1 = shape(vec![at(1.0, 1.0), at(2.5, 1.0), at(2.5, 2.0), at(1.0, 2.0)]);
        let findings = check_coverage(&area, &grids, 1.0);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].kind, FindingKind::Outside);
        assert_eq!(findings[0].grids, ["NE"]);
        let want = area_m2(&cell(2.0, 1.0)) / 2.0;
        assert!(close_to(findings[0].area_m2, want));
    }

    #[test]
    fn missing_grid_and_no_grids_are_gaps() {
        let area = shape(vec![at(0.0, 0.0), at(2.0, 0.0), at(2.0, 2.0), at(0.0, 2.0)]);
        let mut grids = two_by_two();
        grids.remove(3);
        let findings = check_coverage(&area, &grids, 1.0);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].kind, FindingKind::Gap);
        assert_eq!(findings[0].grids, ["SE", "NW"]);
        assert!(close_to(findings[0].area_m2, area_m2(&cell(1.0, 1.0))));

        let findings = check_coverage(&area, &[], 1.0);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].grids.is_empty());
        assert!(close_to(findings[0].area_m2, area_m2(&area)));
        assert!(check_coverage(&MultiPolygon::default(), &[], 0.0).is_empty());
    }

    #[test]
    fn holes_filled_by_another_grid_are_covered() {
        let area = cell(0.0, 0.0);
        let mut ring = cell(0.0, 0.0);
        let hole = vec![
            at(0.25, 0.25),
            at(0.25, 0.75),
            at(0.75, 0.75),
            at(0.75, 0.25),
            at(0.25, 0.25),
        ];
        ring.0[0].holes.push(hole);
        let inner = shape(vec![
            at(0.25, 0.25),
            at(0.75, 0.25),
            at(0.75, 0.75),
            at(0.25, 0.75),
        ]);
        let grids = named(vec![("RING", ring.clone()), ("CORE", inner)]);
        assert!(check_coverage(&area, &grids, 0.0).is_empty());
        // Without the core, its hole is a gap bordered by the ring grid.
        let findings = check_coverage(&area, &grids[..1], 1.0);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].grids, ["RING"]);
    }

    #[test]
    fn slivers_below_tolerance_are_ignored() {
        let area = shape(vec![at(0.0, 0.0), at(2.0, 0.0), at(2.0, 2.0), at(0.0, 2.0)]);
        let mut grids = two_by_two();
        // SE's west edge pulled 1e-6 degree (about 10 cm) east: a 555 m × 10 cm gap.
        grids[1].1 = shape(vec![
            [X0 + S + 1e-6, Y0],
            at(2.0, 0.0),
            at(2.0, 1.0),
            [X0 + S + 1e-6, Y0 + S],
        ]);
        assert!(check_coverage(&area, &grids, 100.0).is_empty());
        let findings = check_coverage(&area, &grids, 1.0);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].kind, FindingKind::Gap);
        assert!(
            findings[0].area_m2 > 40.0 && findings[0].area_m2 < 70.0,
            "{}",
            findings[0].area_m2
        );
    }

    /// xorshift64: deterministic pseudo-random inputs for the property tests.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    fn uniform(state: &mut u64, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (next(state) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Cells of a `cols × rows` lattice whose interior vertices are jittered (the same
    /// jitter in every cell sharing the vertex), and the lattice's outline.
    fn jittered(
        cols: usize,
        rows: usize,
        state: &mut u64,
    ) -> (MultiPolygon, Vec<(String, MultiPolygon)>) {
        let mut vertex = vec![vec![[0.0; 2]; rows + 1]; cols + 1];
        for (i, column) in vertex.iter_mut().enumerate() {
            for (j, v) in column.iter_mut().enumerate() {
                let interior = i > 0 && i < cols && j > 0 && j < rows;
                let (di, dj) = if interior {
                    (uniform(state, -0.3, 0.3), uniform(state, -0.3, 0.3))
                } else {
                    (0.0, 0.0)
                };
                *v = at(i as f64 + di, j as f64 + dj);
            }
        }
        let mut grids = Vec::new();
        for i in 0..cols {
            for j in 0..rows {
                let ring = vec![
                    vertex[i][j],
                    vertex[i + 1][j],
                    vertex[i + 1][j + 1],
                    vertex[i][j + 1],
                ];
                grids.push((format!("G{i:03}{j:03}"), shape(ring)));
            }
        }
        // The outline passes through every boundary vertex, as a digitized community would.
        let mut outline = Vec::new();
        outline.extend((0..cols).map(|i| vertex[i][0]));
        outline.extend((0..rows).map(|j| vertex[cols][j]));
        outline.extend((1..=cols).rev().map(|i| vertex[i][rows]));
        outline.extend((1..=rows).rev().map(|j| vertex[0][j]));
        (shape(outline), grids)
    }

    #[test]
    fn thousand_jittered_cells_check_quickly() {
        let mut state = 0xfeed_face_0bad_c0de_u64;
        let (area, mut grids) = jittered(40, 25, &mut state);
        let started = Instant::now();
        let findings = check_coverage(&area, &grids, 1.0);
        println!("1,000 jittered cells, clean: {:?}", started.elapsed());
        assert!(findings.is_empty(), "{findings:#?}");

        // Pull one corner of one cell (in its ring only) towards its centre: a gap appears.
        let ring = &mut grids[517].1.0[0].outer;
        ring[2] = [
            (ring[0][0] + ring[2][0]) / 2.0,
            (ring[0][1] + ring[2][1]) / 2.0,
        ];
        let started = Instant::now();
        let findings = check_coverage(&area, &grids, 1.0);
        println!("1,000 jittered cells, one gap: {:?}", started.elapsed());
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].kind, FindingKind::Gap);
        assert!(findings[0].grids.contains(&grids[517].0));
    }

    #[test]
    fn property_area_balances() {
        // With one cell's corner moved (no triple overlaps possible), the areas add up:
        // Σ grids − Σ overlaps − Σ outside + Σ gaps = community.
        let mut state = 0x0dd_ba11_u64;
        for round in 0..60 {
            let (area, mut grids) = jittered(4, 4, &mut state);
            let g = (next(&mut state) % grids.len() as u64) as usize;
            let corner = (next(&mut state) % 4) as usize;
            let ring = &mut grids[g].1.0[0].outer;
            ring[corner][0] += uniform(&mut state, -0.25, 0.25) * S;
            ring[corner][1] += uniform(&mut state, -0.25, 0.25) * S;
            ring[4] = ring[0];
            let findings = check_coverage(&area, &grids, 0.0);
            let sum = |kind| -> f64 {
                findings
                    .iter()
                    .filter(|f| f.kind == kind)
                    .map(|f| f.area_m2)
                    .sum()
            };
            let grid_total: f64 = grids.iter().map(|(_, s)| area_m2(s)).sum();
            let balance = grid_total - sum(FindingKind::Overlap) - sum(FindingKind::Outside)
                + sum(FindingKind::Gap);
            assert!(
                (balance - area_m2(&area)).abs() < 5.0,
                "round {round}: {balance} vs {}",
                area_m2(&area)
            );
            for f in &findings {
                assert!(f.area_m2 > 0.0 && !f.shape.is_empty());
                if f.kind == FindingKind::Overlap {
                    assert!(
                        f.grids.contains(&grids[g].0),
                        "only the moved cell overlaps"
                    );
                }
            }
        }
    }

    /// Shoelace sum of a closed ring in degrees², positive when counter-clockwise.
    fn ring_sign(ring: &[Point]) -> f64 {
        ring.windows(2)
            .map(|w| (w[0][0] - X0) * (w[1][1] - Y0) - (w[1][0] - X0) * (w[0][1] - Y0))
            .sum()
    }

    /// Rings closed, outer counter-clockwise, holes clockwise.
    fn assert_normalized(shape: &MultiPolygon) {
        for polygon in &shape.0 {
            for (r, ring) in polygon.rings().enumerate() {
                assert!(ring.len() >= 4 && ring.first() == ring.last(), "{ring:?}");
                assert_eq!(ring_sign(ring) > 0.0, r == 0, "ring {r}: {ring:?}");
            }
        }
    }

    fn shapes_of(grids: &[(String, MultiPolygon)]) -> Vec<MultiPolygon> {
        grids.iter().map(|g| g.1.clone()).collect()
    }

    #[test]
    fn union_of_a_tiling_is_its_outline() {
        let mut cells = shapes_of(&two_by_two());
        // Input orientation does not matter.
        cells[2].0[0].outer.reverse();
        let square = shape(vec![at(0.0, 0.0), at(2.0, 0.0), at(2.0, 2.0), at(0.0, 2.0)]);
        let got = union(&cells);
        assert_eq!(got.0.len(), 1, "{got:?}");
        assert!(got.0[0].holes.is_empty());
        assert_normalized(&got);
        let (a, want) = (area_m2(&got), area_m2(&square));
        assert!((a - want).abs() <= want * 1e-9, "{a} vs {want}");
        // The midpoints on the outline are collinear and dropped; corners are the input's.
        assert_eq!(got.0[0].outer.len(), 5);
        for p in &got.0[0].outer {
            assert!(square.0[0].outer.contains(p), "{p:?}");
        }
        assert!(union(&[]).is_empty());
        assert!(union(&[MultiPolygon::default()]).is_empty());
    }

    #[test]
    fn union_keeps_separate_pieces_and_holes() {
        let two = union(&[cell(0.0, 0.0), cell(3.0, 0.0)]);
        assert_eq!(two.0.len(), 2, "{two:?}");
        assert!(two.0.iter().all(|p| p.holes.is_empty()));
        assert_normalized(&two);

        let ring: Vec<MultiPolygon> = (0..3)
            .flat_map(|i| (0..3).map(move |j| (i, j)))
            .filter(|&(i, j)| (i, j) != (1, 1))
            .map(|(i, j)| cell(f64::from(i), f64::from(j)))
            .collect();
        let got = union(&ring);
        assert_eq!(got.0.len(), 1, "{got:?}");
        assert_eq!(got.0[0].holes.len(), 1);
        assert_normalized(&got);
        let want: f64 = ring.iter().map(area_m2).sum();
        assert!((area_m2(&got) - want).abs() <= want * 1e-9);
        assert!(!contains(&got, at(1.5, 1.5)));
        assert!(contains(&got, at(0.5, 1.5)));

        // The centre filled in, by a grid of its own: the hole disappears.
        let mut full = ring;
        full.push(cell(1.0, 1.0));
        let got = union(&full);
        assert_eq!((got.0.len(), got.0[0].holes.len()), (1, 0));
        // Overlapping input is merged, too.
        let got = union(&[
            cell(0.0, 0.0),
            shape(vec![at(0.5, 0.5), at(1.5, 0.5), at(1.5, 1.5), at(0.5, 1.5)]),
        ]);
        assert_eq!(got.0.len(), 1);
        assert_eq!(
            got.0[0].outer.len(),
            9,
            "two new corners where the edges cross"
        );
        assert_normalized(&got);
    }

    #[test]
    fn union_of_nine_thousand_jittered_cells() {
        let mut state = 0x0b0e_5eed_0123_4567_u64;
        let (area, grids) = jittered(100, 90, &mut state);
        let cells = shapes_of(&grids);
        let started = Instant::now();
        let outline = union(&cells);
        println!("union of 9,000 jittered cells: {:?}", started.elapsed());
        assert_eq!(outline.0.len(), 1);
        assert!(outline.0[0].holes.is_empty());
        assert_normalized(&outline);
        let want = area_m2(&area);
        assert!((area_m2(&outline) - want).abs() <= want * 1e-9);
        // Every corner is an input corner, bit for bit.
        for p in &outline.0[0].outer {
            assert!(area.0[0].outer.contains(p), "{p:?}");
        }
        let started = Instant::now();
        let findings = check_coverage(&outline, &grids, 1.0);
        println!(
            "coverage of 9,000 cells against their union: {:?}",
            started.elapsed()
        );
        assert!(findings.is_empty(), "{findings:#?}");
    }
}
