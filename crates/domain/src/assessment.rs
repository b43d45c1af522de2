//! Assessment (考核) of grid workers and departments: each dimension scored 0–100 from the
//! counts behind it, a weighted total, and rankings.
//!
//! Grid workers are assessed on the eight aspects of the Shifeng practice (基础情况、事件处置、
//! 监督与服务微信群、网格五员 …), made measurable:
//!
//! | dimension | score |
//! | --- | --- |
//! | 基础数据 | half the share of residents whose record is complete (phone, residence, relation to the head), half the share updated within the last 365 days |
//! | 发现上报 | the grid worker's own reports against a target of [`REPORTS_PER_MONTH`] a month, capped at 100 |
//! | 就地化解 | events settled on the spot / reports from the grid, against a target share of [`SETTLED_TARGET`] %, capped at 100 |
//! | 按时核查 | checks done within [`CHECK_LIMIT_MINUTES`] working minutes of the department's result / checks done |
//! | 走访完成 | visits done on time / visits due |
//! | 巡查时长 | days with at least the daily patrol time / working days |
//! | 服务群活跃 | days with activity in the grid's service group / working days |
//! | 群众满意 | ratings of 4–5 / rated events of the grid |
//!
//! A dimension without data for the period (no rated event, no check to do, or a source
//! the district does not record) is left out and the weights of the others are scaled up,
//! so nobody gains or loses for what could not be measured; the page says so.
//!
//! Departments are scored on sign-for timeliness, on-time handling, return rate and rework
//! rate (100 − rate), on-time closure (an open overdue case counts against it),
//! satisfaction, and the work tasks (预安/销号) of the period.

use crate::indicators::{Counts, rate};

/// The grid worker's own reports expected per month.
pub const REPORTS_PER_MONTH: f64 = 8.0;
/// The share of reports settled on the spot that earns the full score, in percent.
pub const SETTLED_TARGET: f64 = 30.0;
/// A check counts as on time within one working day (8 working hours) of the result.
pub const CHECK_LIMIT_MINUTES: i64 = 480;

/// One dimension: a stable key for settings and the API, its name, its default weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dimension {
    pub key: &'static str,
    pub name: &'static str,
    pub default_weight: u32,
}

const fn dim(key: &'static str, name: &'static str, default_weight: u32) -> Dimension {
    Dimension {
        key,
        name,
        default_weight,
    }
}

/// The grid worker's dimensions, in display order; default weights sum to 100.
pub const WORKER_DIMENSIONS: [Dimension; 8] = [
    dim("base_data", "基础数据", 15),
    dim("reporting", "发现上报", 20),
    dim("settling", "就地化解", 10),
    dim("checking", "按时核查", 15),
    dim("visits", "走访完成", 15),
    dim("patrol", "巡查时长", 10),
    dim("service_group", "服务群活跃", 5),
    dim("satisfaction", "群众满意", 10),
];

/// The department's dimensions, in display order; default weights sum to 100.
pub const DEPARTMENT_DIMENSIONS: [Dimension; 7] = [
    dim("signing", "按时签收", 15),
    dim("handling", "按时办结", 20),
    dim("returns", "退回控制", 10),
    dim("rework", "返工控制", 10),
    dim("closure", "按期结案", 20),
    dim("satisfaction", "群众满意", 15),
    dim("work_tasks", "工作任务", 10),
];

/// Weights per dimension key, as configured; they must sum to 100.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weights(pub Vec<(&'static str, u32)>);

impl Weights {
    pub fn defaults(dims: &[Dimension]) -> Weights {
        Weights(dims.iter().map(|d| (d.key, d.default_weight)).collect())
    }

    pub fn of(&self, key: &str) -> u32 {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |(_, w)| *w)
    }

    /// `base_data=15,reporting=20,…`: every dimension named once, whole numbers summing to
    /// 100. The error names the dimension (or `weights`) and says what is wrong.
    pub fn parse(dims: &[Dimension], s: &str) -> Result<Weights, (&'static str, String)> {
        let mut out: Vec<(&'static str, u32)> = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| ("weights", format!("“{part}”应写成 维度=权重")))?;
            let d = dims
                .iter()
                .find(|d| d.key == k.trim())
                .ok_or_else(|| ("weights", format!("没有考核维度“{}”", k.trim())))?;
            let w: u32 = v.trim().parse().map_err(|_| {
                (
                    d.key,
                    format!("{}的权重“{}”应为0–100的整数", d.name, v.trim()),
                )
            })?;
            if w > 100 {
                return Err((d.key, format!("{}的权重不能超过100", d.name)));
            }
            if out.iter().any(|(k, _)| *k == d.key) {
                return Err((d.key, format!("{}的权重重复给出", d.name)));
            }
            out.push((d.key, w));
        }
        if let Some(d) = dims.iter().find(|d| !out.iter().any(|(k, _)| *k == d.key)) {
            return Err((d.key, format!("缺少{}的权重", d.name)));
        }
        let sum: u32 = out.iter().map(|(_, w)| w).sum();
        if sum != 100 {
            return Err(("weights", format!("各维度权重之和应为100，现为{sum}")));
        }
        out.sort_by_key(|(k, _)| dims.iter().position(|d| d.key == *k));
        Ok(Weights(out))
    }
}

/// The form `Weights::parse` reads.
impl std::fmt::Display for Weights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, w)| format!("{k}={w}")).collect();
        f.write_str(&parts.join(","))
    }
}

/// One dimension's result: its score (`None`: no data, left out), its weight, and the
/// counts behind it in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub key: &'static str,
    pub name: &'static str,
    pub weight: u32,
    pub score: Option<f64>,
    pub basis: String,
}

/// The weighted mean of the dimensions that have a score; `None` when none has.
pub fn weighted_total(dims: &[Scored]) -> Option<f64> {
    let (sum, weights) = dims
        .iter()
        .filter_map(|d| d.score.map(|s| (s * f64::from(d.weight), d.weight)))
        .fold((0.0, 0u32), |(a, w), (s, dw)| (a + s, w + dw));
    (weights > 0).then(|| sum / f64::from(weights))
}

/// What a grid worker's assessment is computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WorkerFacts {
    pub persons: u64,
    pub persons_complete: u64,
    pub persons_fresh: u64,
    /// Reports the grid worker filed (patrol reports of the grid).
    pub own_reports: u64,
    /// All reports from the grid, and those settled on the spot.
    pub reports: u64,
    pub settled: u64,
    pub checks: u64,
    pub checks_on_time: u64,
    /// `(done on time, due)`; `None` when visits are not recorded.
    pub visits: Option<(u64, u64)>,
    /// `(days meeting the daily patrol time, working days)`; `None` when not recorded.
    pub patrol_days: Option<(u64, u64)>,
    /// `(active days, working days)`; `None` when not recorded.
    pub service_days: Option<(u64, u64)>,
    pub rated: u64,
    pub satisfied: u64,
}

fn pct(n: u64, d: u64) -> Option<f64> {
    rate(n, d)
}

/// Scores a grid worker over a period of `months` months.
pub fn score_worker(f: &WorkerFacts, weights: &Weights, months: f64) -> Vec<Scored> {
    let target = (REPORTS_PER_MONTH * months).max(1.0);
    WORKER_DIMENSIONS
        .iter()
        .map(|d| {
            let (score, basis) = match d.key {
                "base_data" => (
                    (f.persons > 0).then(|| {
                        let complete = f.persons_complete as f64 / f.persons as f64;
                        let fresh = f.persons_fresh as f64 / f.persons as f64;
                        50.0 * (complete + fresh)
                    }),
                    format!(
                        "居民{}人，信息完整{}人，一年内更新{}人",
                        f.persons, f.persons_complete, f.persons_fresh
                    ),
                ),
                "reporting" => (
                    Some((f.own_reports as f64 * 100.0 / target).min(100.0)),
                    format!("本人上报{}件，目标{}件", f.own_reports, target.round()),
                ),
                "settling" => (
                    pct(f.settled, f.reports).map(|r| (r * 100.0 / SETTLED_TARGET).min(100.0)),
                    format!(
                        "自行处置{}件 / 网格上报{}件，目标占比{SETTLED_TARGET}%",
                        f.settled, f.reports
                    ),
                ),
                "checking" => (
                    pct(f.checks_on_time, f.checks),
                    format!(
                        "一个工作日内核查{}件 / 核查{}件",
                        f.checks_on_time, f.checks
                    ),
                ),
                "visits" => of_pair(f.visits, "按时走访{}户次 / 应走访{}户次"),
                "patrol" => of_pair(f.patrol_days, "巡查达标{}天 / 工作日{}天"),
                "service_group" => of_pair(f.service_days, "服务群活跃{}天 / 工作日{}天"),
                _ => (
                    pct(f.satisfied, f.rated),
                    format!("4–5星{}件 / 评价{}件", f.satisfied, f.rated),
                ),
            };
            Scored {
                key: d.key,
                name: d.name,
                weight: weights.of(d.key),
                score,
                basis,
            }
        })
        .collect()
}

/// A `(numerator, denominator)` dimension; `None` reads “not recorded”.
fn of_pair(pair: Option<(u64, u64)>, words: &str) -> (Option<f64>, String) {
    match pair {
        None => (None, "本区尚未记录，不计入".into()),
        Some((n, d)) => {
            let mut parts = words.split("{}");
            let text = format!(
                "{}{n}{}{d}{}",
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
                parts.next().unwrap_or("")
            );
            (pct(n, d), text)
        }
    }
}

/// Scores a department from the counts of the events it led in the period and its work
/// tasks' score (`None` when it had none).
pub fn score_department(c: &Counts, work_tasks: Option<f64>, weights: &Weights) -> Vec<Scored> {
    let due = c.closed + c.open_overdue;
    DEPARTMENT_DIMENSIONS
        .iter()
        .map(|d| {
            let (score, basis) = match d.key {
                "signing" => (
                    pct(c.signed_on_time, c.signed),
                    format!("按时签收{} / 签收{}", c.signed_on_time, c.signed),
                ),
                "handling" => (
                    pct(c.handled_on_time, c.handled),
                    format!("按时办结{} / 办结{}", c.handled_on_time, c.handled),
                ),
                "returns" => (
                    pct(c.returned, c.dispatched).map(|r| 100.0 - r),
                    format!("退回{} / 派遣{}（100 − 退回率）", c.returned, c.dispatched),
                ),
                "rework" => (
                    pct(c.reworked, c.handled).map(|r| 100.0 - r),
                    format!("返工{} / 办结{}（100 − 返工率）", c.reworked, c.handled),
                ),
                "closure" => (
                    pct(c.closed_on_time, due),
                    format!(
                        "按期结案{} / (已结案{} + 超期未结{})",
                        c.closed_on_time, c.closed, c.open_overdue
                    ),
                ),
                "satisfaction" => (
                    pct(c.satisfied, c.rated),
                    format!("4–5星{} / 评价{}", c.satisfied, c.rated),
                ),
                _ => (
                    work_tasks,
                    match work_tasks {
                        Some(s) => format!("工作任务得分率{s:.1}%"),
                        None => "本期无工作任务，不计入".into(),
                    },
                ),
            };
            Scored {
                key: d.key,
                name: d.name,
                weight: weights.of(d.key),
                score,
                basis,
            }
        })
        .collect()
}

/// Competition ranks (1, 2, 2, 4) by score, highest first; no score, no rank. Scores equal
/// to 0.01 share a rank, as they are shown.
pub fn ranks(scores: &[Option<f64>]) -> Vec<Option<u32>> {
    let rounded = |s: f64| (s * 100.0).round() as i64;
    scores
        .iter()
        .map(|s| {
            s.map(|mine| {
                1 + scores
                    .iter()
                    .flatten()
                    .filter(|o| rounded(**o) > rounded(mine))
                    .count() as u32
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker_weights() -> Weights {
        Weights::defaults(&WORKER_DIMENSIONS)
    }

    #[test]
    fn default_weights_sum_to_100_and_round_trip() {
        for dims in [&WORKER_DIMENSIONS[..], &DEPARTMENT_DIMENSIONS[..]] {
            let w = Weights::defaults(dims);
            assert_eq!(w.0.iter().map(|(_, w)| w).sum::<u32>(), 100);
            assert_eq!(Weights::parse(dims, &w.to_string()), Ok(w));
        }
    }

    #[test]
    fn weights_errors_name_the_dimension() {
        let dims = &WORKER_DIMENSIONS;
        let all =
            "base_data=15,reporting=20,settling=10,checking=15,visits=15,patrol=10,service_group=5";
        assert_eq!(Weights::parse(dims, all).unwrap_err().0, "satisfaction");
        let bad = format!("{all},satisfaction=x");
        assert_eq!(Weights::parse(dims, &bad).unwrap_err().0, "satisfaction");
        let sum = format!("{all},satisfaction=11");
        let e = Weights::parse(dims, &sum).unwrap_err();
        assert_eq!(e.0, "weights");
        assert!(e.1.contains("101"), "{}", e.1);
        let unknown = format!("{all},satisfaction=10,luck=0");
        assert!(
            Weights::parse(dims, &unknown)
                .unwrap_err()
                .1
                .contains("luck")
        );
        // Order does not matter; the result is in display order.
        let shuffled = "satisfaction=10,service_group=5,patrol=10,visits=15,checking=15,settling=10,reporting=20,base_data=15";
        assert_eq!(Weights::parse(dims, shuffled), Ok(worker_weights()));
    }

    #[test]
    fn a_worker_hand_computed() {
        let f = WorkerFacts {
            persons: 400,
            persons_complete: 360, // 90 %
            persons_fresh: 200,    // 50 %
            own_reports: 4,        // target 8 a month: 50
            reports: 10,
            settled: 2, // 20 % of a 30 % target: 66.67
            checks: 5,
            checks_on_time: 4, // 80
            visits: None,
            patrol_days: None,
            service_days: None,
            rated: 4,
            satisfied: 3, // 75
        };
        let s = score_worker(&f, &worker_weights(), 1.0);
        let by = |k: &str| s.iter().find(|d| d.key == k).unwrap().score;
        assert_eq!(by("base_data"), Some(70.0));
        assert_eq!(by("reporting"), Some(50.0));
        assert!((by("settling").unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(by("checking"), Some(80.0));
        assert_eq!(
            (by("visits"), by("patrol"), by("service_group")),
            (None, None, None)
        );
        assert_eq!(by("satisfaction"), Some(75.0));
        // (15×70 + 20×50 + 10×66.67 + 15×80 + 10×75) / (15+20+10+15+10) = 4666.67 / 70.
        let total = weighted_total(&s).unwrap();
        assert!((total - (1050.0 + 1000.0 + 2000.0 / 3.0 + 1200.0 + 750.0) / 70.0).abs() < 1e-9);
        assert!(
            s.iter()
                .find(|d| d.key == "visits")
                .unwrap()
                .basis
                .contains("不计入")
        );
    }

    #[test]
    fn reporting_target_scales_with_the_period_and_caps() {
        let f = WorkerFacts {
            own_reports: 12,
            ..WorkerFacts::default()
        };
        let q = score_worker(&f, &worker_weights(), 3.0);
        assert_eq!(q[1].score, Some(50.0), "12 of a quarter's 24");
        let m = score_worker(&f, &worker_weights(), 1.0);
        assert_eq!(m[1].score, Some(100.0), "capped");
        assert_eq!(m[0].score, None, "no residents on record: left out");
    }

    #[test]
    fn a_department_hand_computed() {
        let c = Counts {
            dispatched: 10,
            returned: 1,
            signed: 9,
            signed_on_time: 9,
            handled: 8,
            handled_on_time: 6,
            reworked: 2,
            closed: 6,
            closed_on_time: 5,
            open_overdue: 2,
            rated: 5,
            satisfied: 4,
            ..Counts::default()
        };
        let w = Weights::defaults(&DEPARTMENT_DIMENSIONS);
        let s = score_department(&c, None, &w);
        let by = |k: &str| s.iter().find(|d| d.key == k).unwrap().score;
        assert_eq!(by("signing"), Some(100.0));
        assert_eq!(by("handling"), Some(75.0));
        assert_eq!(by("returns"), Some(90.0));
        assert_eq!(by("rework"), Some(75.0));
        assert_eq!(
            by("closure"),
            Some(62.5),
            "5 / (6 + 2): open overdue counts against"
        );
        assert_eq!(by("satisfaction"), Some(80.0));
        assert_eq!(by("work_tasks"), None);
        // (15×100 + 20×75 + 10×90 + 10×75 + 20×62.5 + 15×80) / 90.
        assert_eq!(weighted_total(&s), Some(7100.0 / 90.0));
        let with_tasks = score_department(&c, Some(50.0), &w);
        assert_eq!(weighted_total(&with_tasks), Some(7600.0 / 100.0));
    }

    #[test]
    fn competition_ranking() {
        let r = ranks(&[Some(80.0), Some(95.5), None, Some(80.004), Some(60.0)]);
        assert_eq!(r, [Some(2), Some(1), None, Some(2), Some(4)]);
        assert_eq!(ranks(&[]), Vec::<Option<u32>>::new());
    }
}
