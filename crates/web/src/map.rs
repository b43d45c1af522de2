//! Maps drawn as SVG on the server from GeoJSON: grid polygons in an equirectangular
//! projection corrected for latitude, fitted to the view box. No tile server is needed.
use std::fmt::Write;

/// One polygon (with holes) or several, as rings of [lng, lat].
pub type Rings = Vec<Vec<[f64; 2]>>;

/// The rings of a GeoJSON Polygon or MultiPolygon geometry; anything else has none.
pub fn rings_of(geometry: &serde_json::Value) -> Rings {
    let ring = |r: &serde_json::Value| -> Vec<[f64; 2]> {
        r.as_array()
            .map(|pts| {
                pts.iter()
                    .filter_map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
                    .collect()
            })
            .unwrap_or_default()
    };
    let coords = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Polygon") => coords
            .as_array()
            .map(|rs| rs.iter().map(ring).collect())
            .unwrap_or_default(),
        Some("MultiPolygon") => coords
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p.as_array())
                    .flatten()
                    .map(ring)
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

pub struct Shape<'a> {
    pub rings: &'a Rings,
    pub class: &'a str,
    pub fill: &'a str,
    pub title: &'a str,
    pub href: Option<&'a str>,
}

pub struct Point<'a> {
    pub at: [f64; 2],
    pub class: &'a str,
    pub title: &'a str,
}

struct Projection {
    min: [f64; 2],
    scale: [f64; 2],
    height: f64,
    pad: f64,
}

impl Projection {
    fn fit<'a>(
        points: impl Iterator<Item = &'a [f64; 2]>,
        width: f64,
        height: f64,
        pad: f64,
    ) -> Projection {
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for p in points {
            for i in 0..2 {
                lo[i] = lo[i].min(p[i]);
                hi[i] = hi[i].max(p[i]);
            }
        }
        if lo[0] > hi[0] {
            return Projection {
                min: [0.0; 2],
                scale: [1.0; 2],
                height,
                pad,
            };
        }
        // A degree of longitude shrinks with cos(latitude); keep shapes true.
        let kx = ((lo[1] + hi[1]) / 2.0).to_radians().cos();
        let span = [((hi[0] - lo[0]) * kx).max(1e-9), (hi[1] - lo[1]).max(1e-9)];
        let s = ((width - 2.0 * pad) / span[0]).min((height - 2.0 * pad) / span[1]);
        Projection {
            min: lo,
            scale: [s * kx, s],
            height,
            pad,
        }
    }

    fn xy(&self, p: [f64; 2]) -> (f64, f64) {
        let x = self.pad + (p[0] - self.min[0]) * self.scale[0];
        let y = self.height - self.pad - (p[1] - self.min[1]) * self.scale[1];
        (x, y)
    }
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An `<svg class="{class}">` with the shapes filled and the points as dots.
pub fn render(
    class: &str,
    shapes: &[Shape<'_>],
    points: &[Point<'_>],
    width: f64,
    height: f64,
) -> String {
    render_with_track(class, shapes, points, &[], width, height)
}

/// The same with a track (`[lng, lat]` in time order) drawn over the shapes as a
/// `polyline.track`, which a script may extend (the projection is on the element).
pub fn render_with_track(
    class: &str,
    shapes: &[Shape<'_>],
    points: &[Point<'_>],
    track: &[[f64; 2]],
    width: f64,
    height: f64,
) -> String {
    let proj = Projection::fit(
        shapes.iter().flat_map(|s| s.rings.iter().flatten()),
        width,
        height,
        8.0,
    );
    let mut out = String::with_capacity(256 + shapes.len() * 400);
    // The projection, so that a script can turn a click into a point (choosing where a
    // problem is on the map).
    let _ = write!(
        out,
        r#"<svg class="{class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" data-proj="{} {} {} {} {} {}">"#,
        proj.min[0], proj.min[1], proj.scale[0], proj.scale[1], proj.height, proj.pad
    );
    for s in shapes {
        let mut d = String::new();
        for ring in s.rings.iter().filter(|r| r.len() >= 3) {
            for (i, p) in ring.iter().enumerate() {
                let (x, y) = proj.xy(*p);
                let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
        let path = format!(
            r#"<path class="{}" d="{d}" fill="{}" fill-rule="evenodd"><title>{}</title></path>"#,
            s.class,
            s.fill,
            escape(s.title)
        );
        match s.href {
            Some(h) => {
                let _ = write!(out, r#"<a href="{}">{path}</a>"#, escape(h));
            }
            None => out.push_str(&path),
        }
    }
    let mut line = String::with_capacity(track.len() * 12);
    let drawn = !track.is_empty() || class.contains("track-map");
    for p in track {
        let (x, y) = proj.xy(*p);
        let _ = write!(line, "{x:.1},{y:.1} ");
    }
    if drawn {
        let _ = write!(
            out,
            r#"<polyline class="track" points="{}" fill="none"/>"#,
            line.trim_end()
        );
    }
    for p in points {
        let (x, y) = proj.xy(p.at);
        let _ = write!(
            out,
            r#"<circle class="{}" cx="{x:.1}" cy="{y:.1}" r="4"><title>{}</title></circle>"#,
            p.class,
            escape(p.title)
        );
    }
    out.push_str("</svg>");
    out
}

/// A sequential colour ramp (light to dark blue) for a value in [0, 1].
pub fn ramp(t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        lerp(222.0, 8.0),
        lerp(235.0, 81.0),
        lerp(247.0, 156.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_polygon_inside_the_view_box() {
        let g = serde_json::json!({"type":"Polygon","coordinates":[[[113.1,27.8],[113.2,27.8],[113.2,27.9],[113.1,27.9],[113.1,27.8]]]});
        let rings = rings_of(&g);
        assert_eq!(rings[0].len(), 5);
        let svg = render(
            "grid-map",
            &[Shape {
                rings: &rings,
                class: "grid-boundary",
                fill: "#eee",
                title: "A<B",
                href: None,
            }],
            &[],
            400.0,
            300.0,
        );
        assert!(svg.starts_with(r#"<svg class="grid-map""#));
        assert!(svg.contains(r#"<path class="grid-boundary" d="M"#));
        assert!(svg.contains("A&lt;B"));
        // The projection is on the element, so that a click can be turned into a point.
        assert!(svg.contains(r#"data-proj=""#));
        let d = svg
            .split(r#" d=""#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for num in d
            .split(['M', 'L', ' ', 'Z'])
            .filter_map(|t| t.parse::<f64>().ok())
        {
            assert!((0.0..=400.0).contains(&num), "{num} outside the view box");
        }
        let multi = serde_json::json!({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]});
        assert_eq!(rings_of(&multi).len(), 2);
        assert!(rings_of(&serde_json::json!({"type":"Point","coordinates":[1,2]})).is_empty());
    }

    #[test]
    fn ramp_goes_from_light_to_dark() {
        assert_eq!(ramp(0.0), "#deebf7");
        assert_eq!(ramp(1.0), "#08519c");
        assert_eq!(ramp(7.0), ramp(1.0));
    }
}
