//! Chinese map coordinate systems: WGS84 (= CGCS2000 at map accuracy), GCJ-02 and BD-09.
//!
//! Phones and map apps in China report GCJ-02 (AMap, Tencent, Apple Maps in China) or
//! BD-09 (Baidu); Wangge stores WGS84. GCJ-02 is the published "obfuscation" polynomial
//! on the Krasovsky ellipsoid; it has no closed-form inverse, so the inverses here iterate
//! the forward formula until it reproduces the input (error far below 1e-7 degree).
//! Arguments and results are always `(lng, lat)` in degrees.

use std::f64::consts::PI;

/// Semi-major axis of the Krasovsky 1940 ellipsoid, which GCJ-02 is defined on.
const KRASOVSKY_A: f64 = 6_378_245.0;
/// First eccentricity squared of the Krasovsky ellipsoid.
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;
/// Baidu's angular factor (π·3000/180) in the BD-09 offset.
const BD_X_PI: f64 = PI * 3000.0 / 180.0;
/// Inverses stop once the forward formula reproduces the input this closely (degrees).
const INVERSE_EPSILON: f64 = 1e-12;
/// Iterations are capped; each one gains about three digits, so this is never reached.
const INVERSE_MAX_ITERATIONS: usize = 30;

/// A coordinate reference system a client may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crs {
    /// WGS84, and CGCS2000 which agrees with it to centimetres: what Wangge stores.
    Wgs84,
    /// The national "Mars" system used by AMap, Tencent and Apple Maps in China.
    Gcj02,
    /// Baidu's system: GCJ-02 with a further offset.
    Bd09,
}

impl Crs {
    /// Parses a name case-insensitively; `cgcs2000` is accepted as WGS84.
    pub fn parse(s: &str) -> Option<Crs> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "cgcs2000" => Some(Crs::Wgs84),
            "gcj02" => Some(Crs::Gcj02),
            "bd09" => Some(Crs::Bd09),
            _ => None,
        }
    }

    /// Stable machine name for storage, URLs and the API; inverse of [`Crs::parse`].
    pub fn as_str(self) -> &'static str {
        match self {
            Crs::Wgs84 => "wgs84",
            Crs::Gcj02 => "gcj02",
            Crs::Bd09 => "bd09",
        }
    }
}

/// The rough box GCJ-02 is applied in; outside it the published algorithm is the identity.
pub fn out_of_china(lng: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lng) || !(0.8293..=55.8271).contains(&lat)
}

/// The latitude polynomial of GCJ-02, in metres-like units, of offsets from (105°E, 35°N).
fn gcj_lat_term(x: f64, y: f64) -> f64 {
    let mut t = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    t += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    t += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    t += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    t
}

/// The longitude polynomial of GCJ-02.
fn gcj_lng_term(x: f64, y: f64) -> f64 {
    let mut t = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    t += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    t += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    t += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    t
}

/// The GCJ-02 offset `(dlng, dlat)` in degrees at a WGS84 point inside China.
fn gcj_offset(lng: f64, lat: f64) -> (f64, f64) {
    let x = lng - 105.0;
    let y = lat - 35.0;
    let rad_lat = lat.to_radians();
    let s = rad_lat.sin();
    let magic = 1.0 - KRASOVSKY_EE * s * s;
    let sqrt_magic = magic.sqrt();
    // The polynomials give metres on the ellipsoid; divide by the meridional and parallel
    // radii (per degree) to turn them into degrees.
    let dlat = gcj_lat_term(x, y) * 180.0
        / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let dlng = gcj_lng_term(x, y) * 180.0 / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * PI);
    (dlng, dlat)
}

/// Solves `forward(p) = target` starting from `guess`, by correcting the guess with the
/// residual. Converges because every forward map here is the identity plus a small, slowly
/// varying offset.
fn invert(
    target: (f64, f64),
    guess: (f64, f64),
    forward: impl Fn(f64, f64) -> (f64, f64),
) -> (f64, f64) {
    let (mut x, mut y) = guess;
    for _ in 0..INVERSE_MAX_ITERATIONS {
        let (fx, fy) = forward(x, y);
        let (ex, ey) = (target.0 - fx, target.1 - fy);
        x += ex;
        y += ey;
        if ex.abs() < INVERSE_EPSILON && ey.abs() < INVERSE_EPSILON {
            break;
        }
    }
    (x, y)
}

/// WGS84 → GCJ-02; points outside China are returned unchanged.
pub fn wgs84_to_gcj02(lng: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lng, lat) {
        return (lng, lat);
    }
    let (dlng, dlat) = gcj_offset(lng, lat);
    (lng + dlng, lat + dlat)
}

/// GCJ-02 → WGS84 by iteration, error below 1e-9 degree; points outside China unchanged.
pub fn gcj02_to_wgs84(lng: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lng, lat) {
        return (lng, lat);
    }
    // The offset barely changes over its own size, so subtracting it is a close first guess.
    let (dlng, dlat) = gcj_offset(lng, lat);
    invert((lng, lat), (lng - dlng, lat - dlat), wgs84_to_gcj02)
}

/// GCJ-02 → BD-09 (Baidu's published offset, applied everywhere as Baidu does).
pub fn gcj02_to_bd09(lng: f64, lat: f64) -> (f64, f64) {
    let z = (lng * lng + lat * lat).sqrt() + 0.000_02 * (lat * BD_X_PI).sin();
    let theta = lat.atan2(lng) + 0.000_003 * (lng * BD_X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 → GCJ-02. The usual one-step formula is only good to about 1e-5 degree, so it
/// serves as the first guess and iteration makes this the exact inverse of
/// [`gcj02_to_bd09`].
pub fn bd09_to_gcj02(lng: f64, lat: f64) -> (f64, f64) {
    let x = lng - 0.0065;
    let y = lat - 0.006;
    let z = (x * x + y * y).sqrt() - 0.000_02 * (y * BD_X_PI).sin();
    let theta = y.atan2(x) - 0.000_003 * (x * BD_X_PI).cos();
    let guess = (z * theta.cos(), z * theta.sin());
    invert((lng, lat), guess, gcj02_to_bd09)
}

/// WGS84 → BD-09.
pub fn wgs84_to_bd09(lng: f64, lat: f64) -> (f64, f64) {
    let (g_lng, g_lat) = wgs84_to_gcj02(lng, lat);
    gcj02_to_bd09(g_lng, g_lat)
}

/// BD-09 → WGS84.
pub fn bd09_to_wgs84(lng: f64, lat: f64) -> (f64, f64) {
    let (g_lng, g_lat) = bd09_to_gcj02(lng, lat);
    gcj02_to_wgs84(g_lng, g_lat)
}

/// Converts a point given in `crs` to WGS84, the system Wangge stores.
pub fn to_wgs84(crs: Crs, lng: f64, lat: f64) -> (f64, f64) {
    match crs {
        Crs::Wgs84 => (lng, lat),
        Crs::Gcj02 => gcj02_to_wgs84(lng, lat),
        Crs::Bd09 => bd09_to_wgs84(lng, lat),
    }
}

/// Great-circle distance in metres between two WGS84 points (haversine on the mean earth
/// radius; metres-accurate at the distances that matter here: duplicates within 50 m).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_008.8;
    let (lng1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lng2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lng2 - lng1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// Converts a stored WGS84 point to `crs`, for a client that draws on a Chinese map.
pub fn from_wgs84(crs: Crs, lng: f64, lat: f64) -> (f64, f64) {
    match crs {
        Crs::Wgs84 => (lng, lat),
        Crs::Gcj02 => wgs84_to_gcj02(lng, lat),
        Crs::Bd09 => wgs84_to_bd09(lng, lat),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn distances_on_the_ground() {
        use super::distance_m;
        // One degree of latitude is about 111.2 km everywhere.
        let d = distance_m((113.0, 27.0), (113.0, 28.0));
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
        // Near Zhuzhou, 0.0005° of longitude is about 49.6 m; symmetric, zero to itself.
        let a = (113.13, 27.83);
        let b = (113.1305, 27.83);
        let ab = distance_m(a, b);
        assert!((ab - 49.2).abs() < 1.0, "{ab}");
        assert_eq!(ab, distance_m(b, a));
        assert_eq!(distance_m(a, a), 0.0);
    }

    use super::*;

    fn assert_close(got: (f64, f64), want: (f64, f64), tolerance: f64) {
        assert!(
            (got.0 - want.0).abs() < tolerance && (got.1 - want.1).abs() < tolerance,
            "got {got:?}, want {want:?} within {tolerance}"
        );
    }

    #[test]
    fn crs_names() {
        for crs in [Crs::Wgs84, Crs::Gcj02, Crs::Bd09] {
            assert_eq!(Crs::parse(crs.as_str()), Some(crs));
        }
        assert_eq!(Crs::parse("GCJ02"), Some(Crs::Gcj02));
        assert_eq!(Crs::parse("Bd09"), Some(Crs::Bd09));
        assert_eq!(Crs::parse("CGCS2000"), Some(Crs::Wgs84));
        assert_eq!(Crs::parse("gcj-02"), None);
        assert_eq!(Crs::parse(""), None);
    }

    /// Reference values published by several independent implementations of the same
    /// algorithm (to 1e-9 degree, i.e. millimetres).
    #[test]
    fn wgs84_to_gcj02_reference_points() {
        // Tiananmen.
        assert_close(
            wgs84_to_gcj02(116.391349, 39.907375),
            (116.397_590_191_235_27, 39.908_776_294_140_95),
            1e-9,
        );
        // Central Beijing, the common demo point.
        assert_close(
            wgs84_to_gcj02(116.404, 39.915),
            (116.410_244_499_169_38, 39.916_404_281_501_64),
            1e-9,
        );
        // Heilongjiang: one library documents GCJ-02 (123, 45) as WGS84 (122.99395597,
        // 44.99804071); its inverse stops iterating early, about 2e-7 degree (2 cm) short.
        assert_close(
            gcj02_to_wgs84(123.0, 45.0),
            (122.993_955_97, 44.998_040_71),
            3e-7,
        );
    }

    #[test]
    fn gcj02_to_bd09_reference_points() {
        assert_close(
            gcj02_to_bd09(116.404, 39.915),
            (116.410_369_493_710_29, 39.921_336_993_510_21),
            1e-9,
        );
        // BD-09 of Tiananmen's GCJ-02 point, and WGS84 → BD-09 in one go.
        assert_close(
            gcj02_to_bd09(116.397_590_191_235_27, 39.908_776_294_140_95),
            (116.403_963_025_245_93, 39.915_119_833_724_745),
            1e-9,
        );
        assert_close(
            wgs84_to_bd09(116.391349, 39.907375),
            (116.403_963_025_245_93, 39.915_119_833_724_745),
            1e-9,
        );
        assert_close(
            gcj02_to_bd09(123.0, 45.0),
            (123.006_364_99, 45.006_368_99),
            1e-8,
        );
        // Another library's forward conversion of that WGS84 point, to full precision.
        assert_close(
            wgs84_to_bd09(122.993_955_97, 44.998_040_71),
            (123.006_365_160_288_85, 45.006_369_091_895_9),
            1e-9,
        );
    }

    #[test]
    fn inverses_reach_reference_points() {
        assert_close(
            gcj02_to_wgs84(116.397_590_191_235_27, 39.908_776_294_140_95),
            (116.391349, 39.907375),
            1e-9,
        );
        assert_close(
            bd09_to_wgs84(116.403_963_025_245_93, 39.915_119_833_724_745),
            (116.391349, 39.907375),
            1e-9,
        );
        // The one-step BD-09 inverse others publish is within about 1e-5 degree of ours.
        assert_close(
            bd09_to_gcj02(116.404, 39.915),
            (116.397_627_291_193_15, 39.908_656_739_576_31),
            2e-5,
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

    #[test]
    fn property_round_trips_inside_china() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..5000 {
            let p = (
                uniform(&mut state, 73.5, 135.0),
                uniform(&mut state, 18.0, 53.5),
            );
            let gcj = wgs84_to_gcj02(p.0, p.1);
            assert_close(gcj02_to_wgs84(gcj.0, gcj.1), p, 1e-7);
            let bd = wgs84_to_bd09(p.0, p.1);
            assert_close(bd09_to_wgs84(bd.0, bd.1), p, 1e-7);
            assert_close(bd09_to_gcj02(bd.0, bd.1), gcj, 1e-7);
            for crs in [Crs::Wgs84, Crs::Gcj02, Crs::Bd09] {
                let q = from_wgs84(crs, p.0, p.1);
                assert_close(to_wgs84(crs, q.0, q.1), p, 1e-7);
            }
            // The offsets are a few hundred metres, never more than about 0.02 degree.
            assert!((gcj.0 - p.0).abs() < 0.02 && (gcj.1 - p.1).abs() < 0.02);
        }
    }

    #[test]
    fn identity_outside_china() {
        let mut state = 0x1234_5678_u64;
        let outside = [(-122.4194, 37.7749), (2.3522, 48.8566), (139.6917, 35.6895)];
        for p in outside {
            assert!(out_of_china(p.0, p.1));
            assert_eq!(wgs84_to_gcj02(p.0, p.1), p);
            assert_eq!(gcj02_to_wgs84(p.0, p.1), p);
            assert_eq!(to_wgs84(Crs::Gcj02, p.0, p.1), p);
        }
        for _ in 0..1000 {
            let p = (
                uniform(&mut state, -180.0, 70.0),
                uniform(&mut state, -90.0, 90.0),
            );
            assert_eq!(wgs84_to_gcj02(p.0, p.1), p);
            assert_eq!(gcj02_to_wgs84(p.0, p.1), p);
        }
        assert!(!out_of_china(116.4, 39.9));
        // BD-09 is Baidu's offset on top of GCJ-02 and applies everywhere; it still inverts.
        let bd = wgs84_to_bd09(2.3522, 48.8566);
        assert_close(bd09_to_wgs84(bd.0, bd.1), (2.3522, 48.8566), 1e-9);
    }
}
