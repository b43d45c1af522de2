//! The daily social-governance index (社会治理指数, after Changde's 一日一生成): one number
//! from 0 to 100 per region and day, from the indicators of the events reported in the 30
//! days ending that day.
//!
//! | component | rate | weight |
//! | --- | --- | --- |
//! | 按期结案 | closed on time / (closed + open overdue) | 30 |
//! | 结案 | closed / (closed + open overdue) | 15 |
//! | 群众满意 | ratings 4–5 / rated | 20 |
//! | 按时签收 | signed on time / signed | 10 |
//! | 准确派遣 | dispatched never returned / dispatched | 10 |
//! | 就地化解 | settled on the spot / reports, against a target share of 30 % (capped at 100) | 15 |
//!
//! index = Σ weight × rate / Σ weight, over the components whose denominator is not 0 (a
//! region with nothing due to close is not punished for it); no reports at all: no index.

use crate::indicators::{Counts, rate};

/// Days in the window ending on the index's day.
pub const WINDOW_DAYS: i64 = 30;
/// The share of reports settled on the spot that earns the full component, in percent.
pub const SETTLED_TARGET: f64 = 30.0;

/// One component as computed: its key, name, weight and rate (`None`: left out).
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub key: &'static str,
    pub name: &'static str,
    pub weight: u32,
    pub value: Option<f64>,
}

/// The components of the index over the window's counts.
pub fn components(c: &Counts) -> Vec<Component> {
    let due = c.closed + c.open_overdue;
    let part = |key, name, weight, value| Component {
        key,
        name,
        weight,
        value,
    };
    vec![
        part(
            "closed_on_time",
            "按期结案",
            30,
            rate(c.closed_on_time, due),
        ),
        part("closure", "结案", 15, rate(c.closed, due)),
        part("satisfaction", "群众满意", 20, rate(c.satisfied, c.rated)),
        part(
            "signed_on_time",
            "按时签收",
            10,
            rate(c.signed_on_time, c.signed),
        ),
        part(
            "accurate_dispatch",
            "准确派遣",
            10,
            rate(c.dispatched_no_return, c.dispatched),
        ),
        part(
            "settled",
            "就地化解",
            15,
            rate(c.settled, c.reports).map(|r| (r * 100.0 / SETTLED_TARGET).min(100.0)),
        ),
    ]
}

/// The index: the weighted mean of the components that have a value.
pub fn index(parts: &[Component]) -> Option<f64> {
    let (sum, weights) = parts
        .iter()
        .filter_map(|p| p.value.map(|v| (v * f64::from(p.weight), p.weight)))
        .fold((0.0, 0u32), |(s, w), (v, pw)| (s + v, w + pw));
    (weights > 0).then(|| sum / f64::from(weights))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_100() {
        let w: u32 = components(&Counts::default())
            .iter()
            .map(|p| p.weight)
            .sum();
        assert_eq!(w, 100);
    }

    #[test]
    fn hand_computed() {
        let c = Counts {
            reports: 20,
            settled: 3, // 15 % of a 30 % target: 50
            dispatched: 10,
            dispatched_no_return: 9, // 90
            signed: 10,
            signed_on_time: 8, // 80
            closed: 8,
            closed_on_time: 6,
            open_overdue: 2, // 60 and 80
            rated: 5,
            satisfied: 4, // 80
            ..Counts::default()
        };
        let parts = components(&c);
        let v = |k: &str| parts.iter().find(|p| p.key == k).unwrap().value;
        assert_eq!(v("closed_on_time"), Some(60.0));
        assert_eq!(v("closure"), Some(80.0));
        assert_eq!(v("settled"), Some(50.0));
        // (30×60 + 15×80 + 20×80 + 10×80 + 10×90 + 15×50) / 100 = 70.5.
        assert_eq!(index(&parts), Some(70.5));
    }

    #[test]
    fn missing_components_are_left_out_and_nothing_gives_none() {
        let c = Counts {
            reports: 2,
            settled: 2,
            ..Counts::default()
        };
        // Only 就地化解 (100 % ≥ target): the index is 100.
        assert_eq!(index(&components(&c)), Some(100.0));
        assert_eq!(index(&components(&Counts::default())), None);
    }
}
