//! Region and grid boundaries: polygons on WGS84 `[lng, lat]`, read from and written to
//! GeoJSON, with area, bounding box, centroid and point-in-polygon.
//!
//! Parsing validates what later rules rely on (finite in-range coordinates, closed rings,
//! no self-intersection, holes inside their outer ring) and normalizes ring orientation to
//! RFC 7946 (outer counter-clockwise, holes clockwise). Parts of a multipolygon are not
//! checked against each other.

use serde_json::{Value, json};

pub use crate::coverage::{intersection, union};

/// A position `[lng, lat]` in degrees, WGS84.
pub type Point = [f64; 2];

/// One polygon: an outer ring and its holes, each ring closed (first == last).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Polygon {
    pub outer: Vec<Point>,
    pub holes: Vec<Vec<Point>>,
}

impl Polygon {
    /// The outer ring followed by the holes.
    pub fn rings(&self) -> impl Iterator<Item = &Vec<Point>> {
        std::iter::once(&self.outer).chain(&self.holes)
    }
}

/// A boundary made of one or more polygons (a community with an exclave has two).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MultiPolygon(pub Vec<Polygon>);

impl MultiPolygon {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why a GeoJSON value is not a usable boundary. Messages are shown to users as they are;
/// `place` reads like `第1个环` or `第2个多边形第1个环` (the first ring is the outer one).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    #[error("边界 GeoJSON 缺少“{0}”字段")]
    MissingField(&'static str),
    #[error("边界类型应为 Polygon 或 MultiPolygon，实际为 {0}")]
    BadType(String),
    #[error("边界要素集合应恰好包含一个要素，实际为{0}个")]
    FeatureCount(usize),
    #[error("边界要素没有几何图形")]
    NoGeometry,
    #[error("边界{place}格式错误：应为{expected}")]
    BadStructure {
        place: String,
        expected: &'static str,
    },
    #[error("边界不能为空")]
    Empty,
    #[error("边界{place}第{index}个坐标不是有效数字")]
    NotNumber { place: String, index: usize },
    #[error("边界{place}第{index}个坐标的经度{value}超出范围（-180～180）")]
    Longitude {
        place: String,
        index: usize,
        value: f64,
    },
    #[error("边界{place}第{index}个坐标的纬度{value}超出范围（-90～90）")]
    Latitude {
        place: String,
        index: usize,
        value: f64,
    },
    #[error("边界{place}坐标点过少：至少需要4个（首尾相同），实际为{count}个")]
    TooFewPositions { place: String, count: usize },
    #[error("边界{place}未闭合：首尾坐标不同")]
    NotClosed { place: String },
    #[error("边界{place}自相交：第{first}条边与第{second}条边相交")]
    SelfIntersection {
        place: String,
        first: usize,
        second: usize,
    },
    #[error("边界{place}面积为零")]
    ZeroArea { place: String },
    #[error("边界{place}与{other}相交")]
    RingsCross { place: String, other: String },
    #[error("边界{place}（内环）不在外环内")]
    HoleOutside { place: String },
    #[error("边界{place}（内环）位于{other}之内")]
    HoleInHole { place: String, other: String },
}

/// Reads a boundary from a GeoJSON Geometry (Polygon or MultiPolygon), a Feature, or a
/// FeatureCollection holding exactly one feature.
pub fn parse_geojson(value: &Value) -> Result<MultiPolygon, GeometryError> {
    let geometry = unwrap_feature(value)?;
    let kind = type_of(geometry)?;
    let coordinates = geometry
        .get("coordinates")
        .ok_or(GeometryError::MissingField("coordinates"))?;
    let polygons = match kind {
        "Polygon" => vec![parse_polygon(coordinates, None)?],
        "MultiPolygon" => {
            let parts = coordinates
                .as_array()
                .ok_or_else(|| GeometryError::BadStructure {
                    place: String::new(),
                    expected: "多边形数组",
                })?;
            parts
                .iter()
                .enumerate()
                .map(|(i, part)| parse_polygon(part, Some(i + 1)))
                .collect::<Result<Vec<_>, _>>()?
        }
        other => return Err(GeometryError::BadType(other.to_owned())),
    };
    if polygons.is_empty() {
        return Err(GeometryError::Empty);
    }
    Ok(MultiPolygon(polygons))
}

fn type_of(value: &Value) -> Result<&str, GeometryError> {
    value
        .get("type")
        .and_then(Value::as_str)
        .ok_or(GeometryError::MissingField("type"))
}

/// The geometry inside a Feature or a one-feature FeatureCollection, or the value itself.
fn unwrap_feature(value: &Value) -> Result<&Value, GeometryError> {
    match type_of(value)? {
        "FeatureCollection" => {
            let features = value
                .get("features")
                .and_then(Value::as_array)
                .ok_or(GeometryError::MissingField("features"))?;
            match features.as_slice() {
                [only] if type_of(only)? == "Feature" => unwrap_feature(only),
                [other] => Err(GeometryError::BadType(type_of(other)?.to_owned())),
                _ => Err(GeometryError::FeatureCount(features.len())),
            }
        }
        "Feature" => match value.get("geometry") {
            None | Some(Value::Null) => Err(GeometryError::NoGeometry),
            Some(geometry) => Ok(geometry),
        },
        _ => Ok(value),
    }
}

/// How a ring is named in messages.
fn ring_place(part: Option<usize>, ring: usize) -> String {
    match part {
        None => format!("第{ring}个环"),
        Some(p) => format!("第{p}个多边形第{ring}个环"),
    }
}

fn parse_polygon(value: &Value, part: Option<usize>) -> Result<Polygon, GeometryError> {
    let bad = |expected| GeometryError::BadStructure {
        place: part.map(|p| format!("第{p}个多边形")).unwrap_or_default(),
        expected,
    };
    let rings = value.as_array().ok_or_else(|| bad("环的数组"))?;
    if rings.is_empty() {
        return Err(GeometryError::Empty);
    }
    let mut parsed = Vec::with_capacity(rings.len());
    for (i, ring) in rings.iter().enumerate() {
        parsed.push(parse_ring(ring, &ring_place(part, i + 1))?);
    }
    check_rings(&parsed, part)?;
    let mut rings = parsed.into_iter().map(|r| r.points);
    let mut outer = rings.next().expect("checked non-empty");
    orient(&mut outer, true);
    let holes = rings
        .map(|mut h| {
            orient(&mut h, false);
            h
        })
        .collect();
    Ok(Polygon { outer, holes })
}

/// A ring with consecutive duplicate positions removed, remembering where each point came
/// from so messages can name the edges as the user numbered them.
struct ParsedRing {
    points: Vec<Point>,
    /// 1-based input position of each kept point.
    source: Vec<usize>,
}

fn parse_ring(value: &Value, place: &str) -> Result<ParsedRing, GeometryError> {
    let positions = value
        .as_array()
        .ok_or_else(|| GeometryError::BadStructure {
            place: place.to_owned(),
            expected: "坐标数组",
        })?;
    let mut raw = Vec::with_capacity(positions.len());
    for (i, position) in positions.iter().enumerate() {
        raw.push(parse_position(position, place, i + 1)?);
    }
    if raw.len() < 4 {
        return Err(GeometryError::TooFewPositions {
            place: place.to_owned(),
            count: raw.len(),
        });
    }
    if raw.first() != raw.last() {
        return Err(GeometryError::NotClosed {
            place: place.to_owned(),
        });
    }
    let mut ring = ParsedRing {
        points: Vec::with_capacity(raw.len()),
        source: Vec::with_capacity(raw.len()),
    };
    for (i, p) in raw.into_iter().enumerate() {
        if ring.points.last() != Some(&p) {
            ring.points.push(p);
            ring.source.push(i + 1);
        }
    }
    // Repeated points collapsed: a closed ring still needs three distinct corners.
    if ring.points.len() < 4 {
        return Err(GeometryError::TooFewPositions {
            place: place.to_owned(),
            count: ring.points.len(),
        });
    }
    Ok(ring)
}

fn parse_position(value: &Value, place: &str, index: usize) -> Result<Point, GeometryError> {
    let not_number = || GeometryError::NotNumber {
        place: place.to_owned(),
        index,
    };
    let items = value.as_array().ok_or_else(not_number)?;
    // A third number (elevation) is allowed by GeoJSON and ignored.
    if !(2..=3).contains(&items.len()) {
        return Err(not_number());
    }
    let mut xy = [0.0; 2];
    for (slot, item) in xy.iter_mut().zip(items) {
        *slot = item
            .as_f64()
            .filter(|v| v.is_finite())
            .ok_or_else(not_number)?;
    }
    if !(-180.0..=180.0).contains(&xy[0]) {
        return Err(GeometryError::Longitude {
            place: place.to_owned(),
            index,
            value: xy[0],
        });
    }
    if !(-90.0..=90.0).contains(&xy[1]) {
        return Err(GeometryError::Latitude {
            place: place.to_owned(),
            index,
            value: xy[1],
        });
    }
    Ok(xy)
}

/// One edge for the intersection sweep.
struct Edge {
    a: Point,
    b: Point,
    ring: usize,
    /// Index of the edge within its ring (edge i joins point i and i + 1).
    index: usize,
    min_x: f64,
    max_x: f64,
}

/// Checks that no ring touches itself or another ring, that each hole lies inside the outer
/// ring, and that no hole lies inside another.
fn check_rings(rings: &[ParsedRing], part: Option<usize>) -> Result<(), GeometryError> {
    let mut edges: Vec<Edge> = rings
        .iter()
        .enumerate()
        .flat_map(|(r, ring)| {
            ring.points.windows(2).enumerate().map(move |(i, w)| Edge {
                a: w[0],
                b: w[1],
                ring: r,
                index: i,
                min_x: w[0][0].min(w[1][0]),
                max_x: w[0][0].max(w[1][0]),
            })
        })
        .collect();
    // Sweep along x: only edges whose x-ranges overlap can meet.
    edges.sort_by(|e, f| e.min_x.total_cmp(&f.min_x));
    for (i, e) in edges.iter().enumerate() {
        for f in edges[i + 1..].iter().take_while(|f| f.min_x <= e.max_x) {
            if let Some(error) = edge_conflict(e, f, rings, part) {
                return Err(error);
            }
        }
    }
    // Not reachable by exact arithmetic (a ring without area doubles back on itself), but
    // rounding can hide a nearly collinear spike.
    for (r, ring) in rings.iter().enumerate() {
        if signed_area(&ring.points) == 0.0 {
            return Err(GeometryError::ZeroArea {
                place: ring_place(part, r + 1),
            });
        }
    }
    for (h, hole) in rings.iter().enumerate().skip(1) {
        // Rings do not touch, so one vertex decides on which side a whole ring lies.
        let probe = hole.points[0];
        if !ring_contains(&rings[0].points, probe) {
            return Err(GeometryError::HoleOutside {
                place: ring_place(part, h + 1),
            });
        }
        for (o, other) in rings.iter().enumerate().skip(1) {
            if o != h && ring_contains(&other.points, probe) {
                return Err(GeometryError::HoleInHole {
                    place: ring_place(part, h + 1),
                    other: ring_place(part, o + 1),
                });
            }
        }
    }
    Ok(())
}

/// The error, if edges `e` and `f` meet where they should not.
fn edge_conflict(
    e: &Edge,
    f: &Edge,
    rings: &[ParsedRing],
    part: Option<usize>,
) -> Option<GeometryError> {
    if e.ring != f.ring {
        if !segments_touch(e.a, e.b, f.a, f.b) {
            return None;
        }
        let (lo, hi) = (e.ring.min(f.ring), e.ring.max(f.ring));
        return Some(GeometryError::RingsCross {
            place: ring_place(part, hi + 1),
            other: ring_place(part, lo + 1),
        });
    }
    let ring = &rings[e.ring];
    let edge_count = ring.points.len() - 1;
    let (i, j) = (e.index.min(f.index), e.index.max(f.index));
    let conflict = if j == i + 1 || (i == 0 && j == edge_count - 1) {
        // Neighbours share a corner; they conflict only if one doubles back along the other.
        let (first, second) = if j == i + 1 { (i, j) } else { (j, i) };
        let p = ring.points[first];
        let corner = ring.points[second];
        let q = ring.points[second + 1];
        orientation(p, corner, q) == 0.0
            && (corner[0] - p[0]) * (q[0] - corner[0]) + (corner[1] - p[1]) * (q[1] - corner[1])
                < 0.0
    } else {
        segments_touch(e.a, e.b, f.a, f.b)
    };
    // Edge k of the user's list joins positions k and k + 1; after repeats were dropped,
    // name a kept edge by the input position where it ends, minus one.
    conflict.then(|| GeometryError::SelfIntersection {
        place: ring_place(part, e.ring + 1),
        first: ring.source[i + 1] - 1,
        second: ring.source[j + 1] - 1,
    })
}

/// Twice the signed area of triangle `a b c`: positive when counter-clockwise.
fn orientation(a: Point, b: Point, c: Point) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

/// Whether `p`, known to be collinear with `a b`, lies within that segment.
fn within_box(a: Point, b: Point, p: Point) -> bool {
    p[0] >= a[0].min(b[0])
        && p[0] <= a[0].max(b[0])
        && p[1] >= a[1].min(b[1])
        && p[1] <= a[1].max(b[1])
}

/// Whether closed segments `a b` and `c d` share at least one point.
fn segments_touch(a: Point, b: Point, c: Point, d: Point) -> bool {
    let d1 = orientation(c, d, a);
    let d2 = orientation(c, d, b);
    let d3 = orientation(a, b, c);
    let d4 = orientation(a, b, d);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && within_box(c, d, a))
        || (d2 == 0.0 && within_box(c, d, b))
        || (d3 == 0.0 && within_box(a, b, c))
        || (d4 == 0.0 && within_box(a, b, d))
}

/// Shoelace sum of a closed ring in degrees² (positive when counter-clockwise), computed
/// relative to the first point so large coordinates do not cancel.
fn signed_area(ring: &[Point]) -> f64 {
    let Some(&origin) = ring.first() else {
        return 0.0;
    };
    ring.windows(2)
        .map(|w| {
            let (x0, y0) = (w[0][0] - origin[0], w[0][1] - origin[1]);
            let (x1, y1) = (w[1][0] - origin[0], w[1][1] - origin[1]);
            x0 * y1 - x1 * y0
        })
        .sum::<f64>()
        / 2.0
}

/// Reverses a ring if needed so it runs counter-clockwise (`ccw`) or clockwise.
pub(crate) fn orient(ring: &mut [Point], ccw: bool) {
    if (signed_area(ring) > 0.0) != ccw {
        ring.reverse();
    }
}

/// Even-odd test of a point against one closed ring.
fn ring_contains(ring: &[Point], p: Point) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        // Half-open rule on y, so a vertex exactly at the ray's height counts once.
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}

/// Writes a boundary as a GeoJSON geometry: a Polygon when it has one part, otherwise a
/// MultiPolygon.
pub fn to_geojson(shape: &MultiPolygon) -> Value {
    fn polygon_coordinates(polygon: &Polygon) -> Value {
        Value::Array(
            polygon
                .rings()
                .map(|ring| Value::Array(ring.iter().map(|p| json!([p[0], p[1]])).collect()))
                .collect(),
        )
    }
    match shape.0.as_slice() {
        [only] => json!({"type": "Polygon", "coordinates": polygon_coordinates(only)}),
        parts => json!({
            "type": "MultiPolygon",
            "coordinates": parts.iter().map(polygon_coordinates).collect::<Vec<_>>(),
        }),
    }
}

/// WGS84 semi-major axis (metres).
const WGS84_A: f64 = 6_378_137.0;
/// WGS84 flattening.
const WGS84_F: f64 = 1.0 / 298.257_223_563;

/// `q(φ)` of the authalic latitude: the ellipsoid's area between the equator and latitude
/// φ over one radian of longitude is `a²·q(φ)/2`.
fn authalic_q(lat_deg: f64) -> f64 {
    let e2 = WGS84_F * (2.0 - WGS84_F);
    let e = e2.sqrt();
    let s = lat_deg.to_radians().sin();
    (1.0 - e2) * (s / (1.0 - e2 * s * s) - ((1.0 - e * s) / (1.0 + e * s)).ln() / (2.0 * e))
}

/// Gauss–Legendre nodes and weights on [0, 1] (4 points: exact for polynomials of degree 7).
const GAUSS: [(f64, f64); 4] = [
    (0.069_431_844_202_973_71, 0.173_927_422_568_726_93),
    (0.330_009_478_207_571_87, 0.326_072_577_431_273_07),
    (0.669_990_521_792_428_1, 0.326_072_577_431_273_07),
    (0.930_568_155_797_026_3, 0.173_927_422_568_726_93),
];

/// Area of a ring in m² (absolute) on the WGS84 ellipsoid, each edge running straight in
/// longitude/latitude as GeoJSON (RFC 7946) defines it.
///
/// Green's theorem on the equal-area map `(a·λ, a·q(φ)/2)` turns the area into the line
/// integral `Σ (a²/2)·∫ q(φ) dλ` over the edges; along an edge φ is linear in λ, and `q` is
/// smooth enough that four Gauss points per edge are exact to rounding for edges under a
/// degree. `q` is taken relative to the first corner, which leaves a closed ring's
/// integral unchanged and avoids cancellation.
fn ring_area_m2(ring: &[Point]) -> f64 {
    let Some(first) = ring.first() else {
        return 0.0;
    };
    let q0 = authalic_q(first[1]);
    let integral: f64 = ring
        .windows(2)
        .map(|w| {
            let d_lng = (w[1][0] - w[0][0]).to_radians();
            if d_lng == 0.0 {
                return 0.0;
            }
            let mean_q: f64 = GAUSS
                .iter()
                .map(|&(t, weight)| weight * (authalic_q(w[0][1] + t * (w[1][1] - w[0][1])) - q0))
                .sum();
            mean_q * d_lng
        })
        .sum();
    (WGS84_A * WGS84_A / 2.0 * integral).abs()
}

/// Area in square metres on the WGS84 ellipsoid, holes excluded.
///
/// Exact to rounding for edges that run straight in longitude/latitude (the GeoJSON
/// reading), which tests check against numerical integration of the ellipsoid's area
/// element. Read as geodesics instead, edges of a district-sized polygon enclose an area
/// that differs by far less than the 0.5% promised for such areas.
pub fn area_m2(shape: &MultiPolygon) -> f64 {
    shape
        .0
        .iter()
        .map(|polygon| {
            let holes: f64 = polygon.holes.iter().map(|h| ring_area_m2(h)).sum();
            ring_area_m2(&polygon.outer) - holes
        })
        .sum()
}

/// Whether a point lies inside the boundary (even-odd: inside an outer ring and outside its
/// holes). Points exactly on an edge may fall either way.
pub fn contains(shape: &MultiPolygon, p: Point) -> bool {
    shape
        .0
        .iter()
        .any(|polygon| polygon.rings().filter(|r| ring_contains(r, p)).count() % 2 == 1)
}

/// `[min_lng, min_lat, max_lng, max_lat]`; an empty shape gives an inverted (empty) box.
pub fn bbox(shape: &MultiPolygon) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in shape.0.iter().flat_map(|polygon| &polygon.outer) {
        b[0] = b[0].min(p[0]);
        b[1] = b[1].min(p[1]);
        b[2] = b[2].max(p[0]);
        b[3] = b[3].max(p[1]);
    }
    b
}

/// Area-weighted centroid in degrees (holes subtract). It may lie outside a concave shape.
/// A degenerate shape gives the mean of its outer corners; an empty one gives NaN.
pub fn centroid(shape: &MultiPolygon) -> Point {
    let Some(origin) = shape.0.first().and_then(|p| p.outer.first().copied()) else {
        return [f64::NAN, f64::NAN];
    };
    // Degrees work as well as metres here: a centroid is unchanged by scaling one axis.
    let (mut sum_a, mut sum_x, mut sum_y) = (0.0, 0.0, 0.0);
    for polygon in &shape.0 {
        for (r, ring) in polygon.rings().enumerate() {
            // Orientation from parsing may be absent in hand-built shapes: sign by role.
            let sign = if r == 0 { 1.0 } else { -1.0 };
            let mut a_ring = 0.0;
            let (mut x_ring, mut y_ring) = (0.0, 0.0);
            for w in ring.windows(2) {
                let (x0, y0) = (w[0][0] - origin[0], w[0][1] - origin[1]);
                let (x1, y1) = (w[1][0] - origin[0], w[1][1] - origin[1]);
                let cross = x0 * y1 - x1 * y0;
                a_ring += cross;
                x_ring += (x0 + x1) * cross;
                y_ring += (y0 + y1) * cross;
            }
            // Normalize to the ring's absolute area so reversed rings still count right.
            let flip = if a_ring < 0.0 { -sign } else { sign };
            sum_a += flip * a_ring;
            sum_x += flip * x_ring;
            sum_y += flip * y_ring;
        }
    }
    if sum_a.abs() > 0.0 {
        // Shoelace centroid: (Σ(x0+x1)·cross / 3Σcross, …) with Σcross = 2·area.
        [
            origin[0] + sum_x / (3.0 * sum_a),
            origin[1] + sum_y / (3.0 * sum_a),
        ]
    } else {
        let corners: Vec<Point> = shape
            .0
            .iter()
            .flat_map(|p| p.outer.iter().skip(1).copied())
            .collect();
        let n = corners.len() as f64;
        [
            corners.iter().map(|p| p[0]).sum::<f64>() / n,
            corners.iter().map(|p| p[1]).sum::<f64>() / n,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, size: f64) -> Vec<Point> {
        vec![
            [x, y],
            [x + size, y],
            [x + size, y + size],
            [x, y + size],
            [x, y],
        ]
    }

    fn polygon_json(rings: &[Vec<Point>]) -> Value {
        json!({"type": "Polygon", "coordinates": rings})
    }

    fn parse_err(value: Value) -> String {
        parse_geojson(&value).unwrap_err().to_string()
    }

    #[test]
    fn parses_geometry_feature_and_collection() {
        let rings = vec![square(112.9, 28.2, 0.01), square(112.902, 28.202, 0.002)];
        let geometry = polygon_json(&rings);
        let shape = parse_geojson(&geometry).unwrap();
        assert_eq!(shape.0.len(), 1);
        assert_eq!(shape.0[0].holes.len(), 1);
        let feature =
            json!({"type": "Feature", "properties": {"name": "一网格"}, "geometry": geometry});
        assert_eq!(parse_geojson(&feature).unwrap(), shape);
        let collection = json!({"type": "FeatureCollection", "features": [feature]});
        assert_eq!(parse_geojson(&collection).unwrap(), shape);
        let multi = json!({"type": "MultiPolygon", "coordinates": [[square(0.0, 0.0, 1.0)], [square(2.0, 0.0, 1.0)]]});
        assert_eq!(parse_geojson(&multi).unwrap().0.len(), 2);
        // Elevation is allowed and dropped.
        let with_z = json!({"type": "Polygon", "coordinates": [[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 0, 5]]]});
        assert_eq!(parse_geojson(&with_z).unwrap().0[0].outer.len(), 4);
    }

    #[test]
    fn orientation_is_normalized_and_round_trips() {
        let mut clockwise = square(1.0, 1.0, 2.0);
        clockwise.reverse();
        let mut hole = square(1.5, 1.5, 0.5);
        hole.reverse();
        hole.reverse(); // counter-clockwise: the wrong way for a hole
        let shape = parse_geojson(&polygon_json(&[clockwise, hole])).unwrap();
        assert!(signed_area(&shape.0[0].outer) > 0.0);
        assert!(signed_area(&shape.0[0].holes[0]) < 0.0);
        assert_eq!(parse_geojson(&to_geojson(&shape)).unwrap(), shape);
        assert_eq!(to_geojson(&shape)["type"], "Polygon");
        let two = MultiPolygon(vec![shape.0[0].clone(), shape.0[0].clone()]);
        assert_eq!(to_geojson(&two)["type"], "MultiPolygon");
    }

    #[test]
    fn rejects_bad_input_with_chinese_messages() {
        assert_eq!(
            parse_err(
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]})
            ),
            "边界第1个环未闭合：首尾坐标不同"
        );
        assert_eq!(
            parse_err(json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]})),
            "边界第1个环坐标点过少：至少需要4个（首尾相同），实际为3个"
        );
        assert_eq!(
            parse_err(
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 0], [0, 0]]]})
            ),
            "边界第1个环坐标点过少：至少需要4个（首尾相同），实际为3个"
        );
        assert_eq!(
            parse_err(
                json!({"type": "Polygon", "coordinates": [[[0, 0], [181, 0], [1, 1], [0, 0]]]})
            ),
            "边界第1个环第2个坐标的经度181超出范围（-180～180）"
        );
        assert_eq!(
            parse_err(
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, -91], [0, 0]]]})
            ),
            "边界第1个环第3个坐标的纬度-91超出范围（-90～90）"
        );
        assert_eq!(
            parse_err(
                json!({"type": "Polygon", "coordinates": [[[0, 0], ["1", 0], [1, 1], [0, 0]]]})
            ),
            "边界第1个环第2个坐标不是有效数字"
        );
        assert_eq!(
            parse_err(json!({"type": "Point", "coordinates": [0, 0]})),
            "边界类型应为 Polygon 或 MultiPolygon，实际为 Point"
        );
        assert_eq!(
            parse_err(json!({"coordinates": []})),
            "边界 GeoJSON 缺少“type”字段"
        );
        assert_eq!(
            parse_err(json!({"type": "Polygon"})),
            "边界 GeoJSON 缺少“coordinates”字段"
        );
        assert_eq!(
            parse_err(json!({"type": "FeatureCollection", "features": []})),
            "边界要素集合应恰好包含一个要素，实际为0个"
        );
        assert_eq!(
            parse_err(json!({"type": "Feature", "geometry": null})),
            "边界要素没有几何图形"
        );
        assert_eq!(
            parse_err(json!({"type": "MultiPolygon", "coordinates": []})),
            "边界不能为空"
        );
        // A bow tie: edges 1 and 3 cross.
        assert_eq!(
            parse_err(
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})
            ),
            "边界第1个环自相交：第1条边与第3条边相交"
        );
        // A spike doubling back along itself.
        assert!(
            parse_err(json!({"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [1, 0], [1, 1], [0, 0]]]}))
                .contains("自相交")
        );
        // Collinear: the closing edge runs back over the others.
        assert_eq!(
            parse_err(
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]})
            ),
            "边界第1个环自相交：第1条边与第3条边相交"
        );
        // A hole crossing, outside, and inside another hole.
        let outer = square(0.0, 0.0, 10.0);
        assert_eq!(
            parse_err(polygon_json(&[outer.clone(), square(8.0, 8.0, 4.0)])),
            "边界第2个环与第1个环相交"
        );
        assert_eq!(
            parse_err(polygon_json(&[outer.clone(), square(20.0, 20.0, 1.0)])),
            "边界第2个环（内环）不在外环内"
        );
        assert_eq!(
            parse_err(polygon_json(&[
                outer.clone(),
                square(1.0, 1.0, 5.0),
                square(2.0, 2.0, 1.0)
            ])),
            "边界第3个环（内环）位于第2个环之内"
        );
        assert_eq!(
            parse_err(
                json!({"type": "MultiPolygon", "coordinates": [[outer], [[[0, 0], [1, 0], [1, 1], [0, 1]]]]})
            ),
            "边界第2个多边形第1个环未闭合：首尾坐标不同"
        );
    }

    #[test]
    fn repeated_points_are_tolerated_and_edges_named_as_given() {
        let shape = parse_geojson(&json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]})).unwrap();
        assert_eq!(shape.0[0].outer.len(), 5);
        // After a repeat, edge numbers still count the positions as the user wrote them.
        assert_eq!(
            parse_err(
                json!({"type": "Polygon", "coordinates": [[[0, 0], [0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})
            ),
            "边界第1个环自相交：第2条边与第4条边相交"
        );
    }

    /// Ellipsoidal area of the region between two longitudes and under a latitude profile,
    /// by Simpson integration of the area element M(φ)·N(φ)·cos φ — independent of the
    /// authalic-latitude formula used by [`area_m2`].
    fn integrated_area(lat0: f64, lat1: f64, width_deg: impl Fn(f64) -> f64) -> f64 {
        let e2 = WGS84_F * (2.0 - WGS84_F);
        let element = |lat: f64| {
            let s = lat.to_radians().sin();
            let w = 1.0 - e2 * s * s;
            let m = WGS84_A * (1.0 - e2) / w.powf(1.5);
            let n = WGS84_A / w.sqrt();
            m * n * lat.to_radians().cos() * width_deg(lat).to_radians()
        };
        let steps = 2000;
        let h = (lat1 - lat0) / steps as f64;
        let mut sum = element(lat0) + element(lat1);
        for k in 1..steps {
            let weight = if k % 2 == 1 { 4.0 } else { 2.0 };
            sum += weight * element(lat0 + k as f64 * h);
        }
        sum * h.to_radians() / 3.0
    }

    fn relative_error(got: f64, want: f64) -> f64 {
        (got - want).abs() / want
    }

    #[test]
    fn area_matches_the_ellipsoid() {
        // A one-degree cell at the equator: about 12,308.8 km².
        let cell = MultiPolygon(vec![Polygon {
            outer: square(0.0, 0.0, 1.0),
            holes: vec![],
        }]);
        let a = area_m2(&cell);
        assert!((a / 1e6 - 12_308.8).abs() < 0.5, "{a}");
        assert!(relative_error(a, integrated_area(0.0, 1.0, |_| 1.0)) < 1e-9);

        // A district-sized cell in Hunan with a hole.
        let district = MultiPolygon(vec![Polygon {
            outer: square(112.8, 28.1, 0.2),
            holes: vec![square(112.85, 28.15, 0.05)],
        }]);
        let want = integrated_area(28.1, 28.3, |_| 0.2) - integrated_area(28.15, 28.2, |_| 0.05);
        assert!(relative_error(area_m2(&district), want) < 1e-9);

        // A triangle with a sloping edge (straight in longitude/latitude).
        let triangle = MultiPolygon(vec![Polygon {
            outer: vec![[113.0, 23.0], [113.3, 23.0], [113.0, 23.4], [113.0, 23.0]],
            holes: vec![],
        }]);
        let want = integrated_area(23.0, 23.4, |lat| 0.3 * (23.4 - lat) / 0.4);
        assert!(
            relative_error(area_m2(&triangle), want) < 1e-5,
            "{} vs {want}",
            area_m2(&triangle)
        );

        // Orientation does not matter.
        let mut reversed = triangle.clone();
        reversed.0[0].outer.reverse();
        assert_eq!(area_m2(&reversed), area_m2(&triangle));
    }

    #[test]
    fn contains_bbox_centroid() {
        let shape = MultiPolygon(vec![
            Polygon {
                outer: square(0.0, 0.0, 4.0),
                holes: vec![square(1.0, 1.0, 2.0)],
            },
            Polygon {
                outer: square(10.0, 0.0, 1.0),
                holes: vec![],
            },
        ]);
        assert!(contains(&shape, [0.5, 0.5]));
        assert!(!contains(&shape, [2.0, 2.0]), "in the hole");
        assert!(contains(&shape, [10.5, 0.5]));
        assert!(!contains(&shape, [5.0, 0.5]));
        assert_eq!(bbox(&shape), [0.0, 0.0, 11.0, 4.0]);
        // Ring of area 12 centred at (2, 2) and a unit square at (10.5, 0.5).
        let c = centroid(&shape);
        let want = [(12.0 * 2.0 + 10.5) / 13.0, (12.0 * 2.0 + 0.5) / 13.0];
        assert!(
            (c[0] - want[0]).abs() < 1e-12 && (c[1] - want[1]).abs() < 1e-12,
            "{c:?}"
        );
        assert!(centroid(&MultiPolygon::default())[0].is_nan());
        assert!(bbox(&MultiPolygon::default())[0] > bbox(&MultiPolygon::default())[2]);
    }

    /// xorshift64: deterministic pseudo-random inputs for the property test.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn property_star_polygons_parse_and_contain_their_centre() {
        // Star-shaped rings (radius varying with angle) are simple by construction.
        let mut state = 0x5eed_1234_abcd_0001_u64;
        for _ in 0..200 {
            let n = 3 + (next(&mut state) % 40) as usize;
            let centre = [112.0 + (next(&mut state) % 1000) as f64 * 1e-3, 28.0];
            let ring: Vec<Point> = (0..=n)
                .map(|k| {
                    let t = (k % n) as f64 / n as f64 * std::f64::consts::TAU;
                    let r = 0.001 + (next(&mut state) % 1000) as f64 * 1e-6;
                    [centre[0] + r * t.cos(), centre[1] + r * t.sin()]
                })
                .collect();
            // The closing point must equal the first exactly.
            let mut ring = ring;
            let last = ring.len() - 1;
            ring[last] = ring[0];
            let shape = parse_geojson(&polygon_json(&[ring])).unwrap();
            assert!(contains(&shape, centre));
            assert!(area_m2(&shape) > 0.0);
            assert_eq!(parse_geojson(&to_geojson(&shape)).unwrap(), shape);
            let b = bbox(&shape);
            assert!(b[0] < centre[0] && centre[0] < b[2] && b[1] < centre[1] && centre[1] < b[3]);
        }
    }
}
