//! Which reported positions a patrol takes, and the reason for each one it refuses.

use super::{Area, TrackPoint, date_clock, distance_text};

/// Limits a position must keep to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointRules {
    /// Worst accuracy taken, in metres (default 100: GPS and Wi-Fi fixes pass, a fix from
    /// the cell tower alone, typically 500 m to several km, does not).
    pub max_accuracy_m: f64,
    /// How far beyond the district's boundary a position may lie, in metres (default
    /// 5 km: a worker at the edge of the district stays well inside it).
    pub district_margin_m: f64,
    /// How far a phone's clock may be ahead of the server, or a position before the
    /// patrol's start or after its stop (default 2 minutes).
    pub clock_tolerance_ms: i64,
}

impl Default for PointRules {
    fn default() -> PointRules {
        PointRules {
            max_accuracy_m: 100.0,
            district_margin_m: 5000.0,
            clock_tolerance_ms: 120_000,
        }
    }
}

/// The time a patrol has run: from its start to its stop, or on while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatrolWindow {
    pub started_ms: i64,
    pub stopped_ms: Option<i64>,
}

/// A field of a reported position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PointField {
    Lng,
    Lat,
    Accuracy,
    Time,
}

impl PointField {
    /// The field's name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PointField::Lng => "lng",
            PointField::Lat => "lat",
            PointField::Accuracy => "accuracy_m",
            PointField::Time => "at_ms",
        }
    }

    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            PointField::Lng => "经度",
            PointField::Lat => "纬度",
            PointField::Accuracy => "定位精度",
            PointField::Time => "定位时间",
        }
    }
}

/// Why a position is not taken. Messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PointRefusal {
    #[error("{}不是有效数字", .0.label())]
    NotANumber(PointField),
    #[error("经度{0}超出范围（-180～180）")]
    Longitude(f64),
    #[error("纬度{0}超出范围（-90～90）")]
    Latitude(f64),
    #[error("定位精度{0}米无效，应为不小于0的数")]
    BadAccuracy(f64),
    #[error("定位精度约{accuracy_m:.0}米，误差超过允许的{max_m:.0}米，请在开阔处打开GPS后再试")]
    PoorAccuracy { accuracy_m: f64, max_m: f64 },
    #[error(
        "定位时间{}比服务器时间晚{}秒，超过允许的{}秒，请校准手机时间",
        super::clock(*at_ms), ahead_ms / 1000, tolerance_ms / 1000
    )]
    InFuture {
        at_ms: i64,
        ahead_ms: i64,
        tolerance_ms: i64,
    },
    #[error(
        "定位时间{}早于本次巡查开始时间{}",
        date_clock(*at_ms), date_clock(*started_ms)
    )]
    BeforeStart { at_ms: i64, started_ms: i64 },
    #[error(
        "定位时间{}晚于本次巡查结束时间{}",
        date_clock(*at_ms), date_clock(*stopped_ms)
    )]
    AfterStop { at_ms: i64, stopped_ms: i64 },
    #[error(
        "位置在辖区边界外约{}，超出允许的{}，可能是定位错误",
        distance_text(*distance_m), distance_text(*margin_m)
    )]
    FarOutside { distance_m: f64, margin_m: f64 },
}

impl PointRefusal {
    /// The API's error code.
    pub fn code(&self) -> &'static str {
        match self {
            PointRefusal::NotANumber(_)
            | PointRefusal::Longitude(_)
            | PointRefusal::Latitude(_)
            | PointRefusal::BadAccuracy(_) => "invalid_field",
            PointRefusal::PoorAccuracy { .. } => "poor_accuracy",
            PointRefusal::InFuture { .. } => "clock_ahead",
            PointRefusal::BeforeStart { .. } | PointRefusal::AfterStop { .. } => "outside_patrol",
            PointRefusal::FarOutside { .. } => "far_outside_district",
        }
    }

    /// The field at fault; `None` when the position as a whole is (far outside).
    pub fn field(&self) -> Option<PointField> {
        match self {
            PointRefusal::NotANumber(field) => Some(*field),
            PointRefusal::Longitude(_) => Some(PointField::Lng),
            PointRefusal::Latitude(_) => Some(PointField::Lat),
            PointRefusal::BadAccuracy(_) | PointRefusal::PoorAccuracy { .. } => {
                Some(PointField::Accuracy)
            }
            PointRefusal::InFuture { .. }
            | PointRefusal::BeforeStart { .. }
            | PointRefusal::AfterStop { .. } => Some(PointField::Time),
            PointRefusal::FarOutside { .. } => None,
        }
    }
}

/// Checks one position of a patrol: numbers, ranges, time (against `now_ms` and the
/// patrol's window, each with the clock tolerance), accuracy (a missing one is taken), and
/// distance from the district. `district` is `None` when the district has no boundary on
/// record; then that last check is skipped.
pub fn check_point(
    point: &TrackPoint,
    district: Option<&Area>,
    window: PatrolWindow,
    rules: &PointRules,
    now_ms: i64,
) -> Result<(), PointRefusal> {
    for (value, field) in [(point.lng, PointField::Lng), (point.lat, PointField::Lat)] {
        if !value.is_finite() {
            return Err(PointRefusal::NotANumber(field));
        }
    }
    if !(-180.0..=180.0).contains(&point.lng) {
        return Err(PointRefusal::Longitude(point.lng));
    }
    if !(-90.0..=90.0).contains(&point.lat) {
        return Err(PointRefusal::Latitude(point.lat));
    }
    let tolerance_ms = rules.clock_tolerance_ms;
    let at_ms = point.at_ms;
    if at_ms > now_ms.saturating_add(tolerance_ms) {
        return Err(PointRefusal::InFuture {
            at_ms,
            ahead_ms: at_ms - now_ms,
            tolerance_ms,
        });
    }
    if at_ms < window.started_ms.saturating_sub(tolerance_ms) {
        return Err(PointRefusal::BeforeStart {
            at_ms,
            started_ms: window.started_ms,
        });
    }
    if let Some(stopped_ms) = window.stopped_ms
        && at_ms > stopped_ms.saturating_add(tolerance_ms)
    {
        return Err(PointRefusal::AfterStop { at_ms, stopped_ms });
    }
    if let Some(accuracy_m) = point.accuracy_m {
        if accuracy_m.is_nan() {
            return Err(PointRefusal::NotANumber(PointField::Accuracy));
        }
        if accuracy_m < 0.0 || accuracy_m.is_infinite() {
            return Err(PointRefusal::BadAccuracy(accuracy_m));
        }
        if accuracy_m > rules.max_accuracy_m {
            return Err(PointRefusal::PoorAccuracy {
                accuracy_m,
                max_m: rules.max_accuracy_m,
            });
        }
    }
    if let Some(district) = district {
        let distance_m = district.distance_outside_m(point.lng_lat());
        if distance_m > rules.district_margin_m {
            return Err(PointRefusal::FarOutside {
                distance_m,
                margin_m: rules.district_margin_m,
            });
        }
    }
    Ok(())
}

/// A batch split into the positions taken and the refused ones with their index in the
/// batch (for a per-item answer to the phone).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchCheck {
    pub accepted: Vec<TrackPoint>,
    pub refused: Vec<(usize, PointRefusal)>,
}

/// [`check_point`] over a batch.
pub fn check_batch(
    points: &[TrackPoint],
    district: Option<&Area>,
    window: PatrolWindow,
    rules: &PointRules,
    now_ms: i64,
) -> BatchCheck {
    let mut out = BatchCheck::default();
    for (index, point) in points.iter().enumerate() {
        match check_point(point, district, window, rules, now_ms) {
            Ok(()) => out.accepted.push(*point),
            Err(refusal) => out.refused.push((index, refusal)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{at, place, square};
    use super::*;
    use crate::geometry::MultiPolygon;

    /// A 20 km square district.
    fn district() -> MultiPolygon {
        square(20_000.0)
    }

    /// The patrol started at 09:00; it runs, or it stopped at `stopped_ms`.
    fn window(stopped_ms: Option<i64>) -> PatrolWindow {
        PatrolWindow {
            started_ms: at(9, 0),
            stopped_ms,
        }
    }

    fn check_at(
        point: TrackPoint,
        stopped_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(), PointRefusal> {
        let shape = district();
        let rules = PointRules::default();
        check_point(
            &point,
            Some(&Area::new(&shape)),
            window(stopped_ms),
            &rules,
            now_ms,
        )
    }

    /// The patrol runs; it is 10:00.
    fn check(point: TrackPoint) -> Result<(), PointRefusal> {
        check_at(point, None, at(10, 0))
    }

    fn point_at(at_ms: i64, (lng, lat): (f64, f64), accuracy_m: Option<f64>) -> TrackPoint {
        TrackPoint::new(at_ms, lng, lat, accuracy_m)
    }

    #[test]
    fn a_good_position_is_taken() {
        assert_eq!(
            check(point_at(at(9, 30), place(500.0, 500.0), Some(12.0))),
            Ok(())
        );
        // No accuracy reported: taken.
        assert_eq!(
            check(point_at(at(9, 30), place(500.0, 500.0), None)),
            Ok(())
        );
        // Just outside the district, within the margin: taken.
        assert_eq!(
            check(point_at(at(9, 30), place(21_000.0, 500.0), None)),
            Ok(())
        );
    }

    #[test]
    fn a_position_300_km_away_is_refused_with_its_distance() {
        let refusal = check(point_at(at(9, 30), place(320_000.0, 500.0), None)).unwrap_err();
        let PointRefusal::FarOutside { distance_m, .. } = refusal else {
            panic!("{refusal:?}");
        };
        assert!((distance_m - 300_000.0).abs() < 500.0, "{distance_m}");
        assert_eq!(
            refusal.to_string(),
            "位置在辖区边界外约300.0公里，超出允许的5.0公里，可能是定位错误"
        );
        assert_eq!(refusal.code(), "far_outside_district");
        assert_eq!(refusal.field(), None);
    }

    #[test]
    fn numbers_that_are_not_are_refused() {
        let (lng, lat) = place(500.0, 500.0);
        let nan = check(TrackPoint::new(at(9, 30), f64::NAN, lat, None)).unwrap_err();
        assert_eq!(nan, PointRefusal::NotANumber(PointField::Lng));
        assert_eq!(nan.to_string(), "经度不是有效数字");
        assert_eq!(nan.field().map(PointField::as_str), Some("lng"));
        assert_eq!(nan.code(), "invalid_field");
        let inf = check(TrackPoint::new(at(9, 30), lng, f64::INFINITY, None)).unwrap_err();
        assert_eq!(inf, PointRefusal::NotANumber(PointField::Lat));
        let acc = check(TrackPoint::new(at(9, 30), lng, lat, Some(f64::NAN))).unwrap_err();
        assert_eq!(acc.to_string(), "定位精度不是有效数字");
        assert_eq!(acc.field(), Some(PointField::Accuracy));
        let negative = check(TrackPoint::new(at(9, 30), lng, lat, Some(-3.0))).unwrap_err();
        assert_eq!(negative, PointRefusal::BadAccuracy(-3.0));
    }

    #[test]
    fn coordinates_out_of_range_are_refused() {
        let lat = check(TrackPoint::new(at(9, 30), 111.7, 91.0, None)).unwrap_err();
        assert_eq!(lat.to_string(), "纬度91超出范围（-90～90）");
        assert_eq!(lat.field(), Some(PointField::Lat));
        let lng = check(TrackPoint::new(at(9, 30), -181.5, 29.0, None)).unwrap_err();
        assert_eq!(lng.to_string(), "经度-181.5超出范围（-180～180）");
    }

    #[test]
    fn a_fix_too_coarse_is_refused() {
        let refusal = check(point_at(at(9, 30), place(500.0, 500.0), Some(850.0))).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "定位精度约850米，误差超过允许的100米，请在开阔处打开GPS后再试"
        );
        assert_eq!(refusal.code(), "poor_accuracy");
        assert_eq!(
            check(point_at(at(9, 30), place(500.0, 500.0), Some(100.0))),
            Ok(())
        );
    }

    #[test]
    fn times_outside_the_clock_tolerance_are_refused() {
        let here = place(500.0, 500.0);
        // Two minutes ahead of the server is a clock off by a little: taken.
        assert_eq!(check(point_at(at(10, 2), here, None)), Ok(()));
        let ahead = check(point_at(at(10, 5), here, None)).unwrap_err();
        assert_eq!(
            ahead.to_string(),
            "定位时间10:05:00比服务器时间晚300秒，超过允许的120秒，请校准手机时间"
        );
        assert_eq!(ahead.field(), Some(PointField::Time));
        assert_eq!(check(point_at(at(8, 59), here, None)), Ok(()));
        let early = check(point_at(at(8, 50), here, None)).unwrap_err();
        assert_eq!(
            early.to_string(),
            "定位时间2026-03-10 08:50:00早于本次巡查开始时间2026-03-10 09:00:00"
        );
        assert_eq!(early.code(), "outside_patrol");
    }

    #[test]
    fn a_position_after_the_stop_is_refused_but_a_late_batch_is_taken() {
        let here = place(500.0, 500.0);
        let stopped = Some(at(11, 0));
        // Sent at 15:00 after the network came back, taken at 10:40 during the patrol.
        let late = point_at(at(10, 40), here, None);
        assert_eq!(check_at(late, stopped, at(15, 0)), Ok(()));
        let after = point_at(at(11, 30), here, None);
        assert_eq!(
            check_at(after, stopped, at(15, 0)),
            Err(PointRefusal::AfterStop {
                at_ms: at(11, 30),
                stopped_ms: at(11, 0)
            })
        );
        // Without a district boundary on record, a far position is not judged by place.
        let far = point_at(at(10, 40), place(320_000.0, 0.0), None);
        let rules = PointRules::default();
        assert_eq!(
            check_point(&far, None, window(stopped), &rules, at(15, 0)),
            Ok(())
        );
    }

    #[test]
    fn a_batch_keeps_the_good_and_names_the_bad_by_index() {
        let shape = district();
        let good = point_at(at(9, 30), place(500.0, 500.0), None);
        let far = point_at(at(9, 31), place(320_000.0, 500.0), None);
        let nan = TrackPoint::new(at(9, 32), f64::NAN, 29.0, None);
        let batch = check_batch(
            &[good, far, nan, good],
            Some(&Area::new(&shape)),
            window(None),
            &PointRules::default(),
            at(10, 0),
        );
        assert_eq!(batch.accepted, vec![good, good]);
        let indexes: Vec<usize> = batch.refused.iter().map(|(i, _)| *i).collect();
        assert_eq!(indexes, vec![1, 2]);
    }
}
