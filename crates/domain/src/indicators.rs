//! Indicators of the event loop (考核指标): each a pure function over plain counts, with its
//! formula in Chinese for display. The counts are gathered by the store over the events
//! *reported* in a period (a cohort), so every numerator is a subset of its denominator.
//!
//! Definitions (all over the events reported in the period):
//!
//! - 上报数: events reported. 立案数: events verified into cases (a `verify` step).
//! - 派遣数: cases dispatched or claimed at least once. 按时派遣: the first dispatch (or
//!   claim) came within [`DISPATCH_LIMIT_MS`] (24 hours) of the verification.
//! - 准确派遣 (no return): dispatched cases never returned by a department.
//! - 签收数 / 按时签收: cases signed for; on time when the sweeper never flagged the case
//!   overdue while it waited to be signed (an `overdue` step from state `dispatched`).
//! - 办结数 / 按时办结: cases with a `handle` step; on time when never flagged overdue while
//!   being handled (an `overdue` step from state `handling`).
//! - 返工数: handled cases whose check failed at least once (`rework_count > 0`); 返工率 =
//!   返工数 / 办结数. 退回数: dispatched cases returned at least once; 退回率 = 退回数 / 派遣数.
//! - 已结案: cases in state `closed` (the check passed). 超期未结: open cases flagged overdue
//!   now. 应结案 = 已结案 + 超期未结: the cases whose deadline has passed or that are closed
//!   (an open case still within its time is not yet due). 结案率 = 已结案 / 应结案.
//! - 按期结案: closed cases never flagged overdue at any stage. 按期结案率 = 按期结案 /
//!   (已结案 + 超期未结): an open overdue case counts against it.
//! - 自行处置: events settled on the spot (`settled`); its rate is over 上报数.
//! - 平均处置时长: working hours from the first dispatch to the close, over closed cases.
//! - 满意率: ratings of 4 or 5 / rated events. 群众参与率: citizen-sourced reports / 上报数.
//!
//! A rate whose denominator is 0 is `None` (shown as “—”), never 0 % or 100 %.

use crate::worktime::WorkCalendar;

/// The time a verified case may wait for its first dispatch and still count as on time.
pub const DISPATCH_LIMIT_MS: i64 = 24 * 3600 * 1000;

/// The counts the indicators are computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub reports: u64,
    pub citizen_reports: u64,
    pub registered: u64,
    pub dispatched: u64,
    pub dispatched_on_time: u64,
    pub dispatched_no_return: u64,
    pub returned: u64,
    pub signed: u64,
    pub signed_on_time: u64,
    pub handled: u64,
    pub handled_on_time: u64,
    pub reworked: u64,
    pub closed: u64,
    pub closed_on_time: u64,
    pub open_overdue: u64,
    pub settled: u64,
    pub rated: u64,
    pub satisfied: u64,
}

/// One indicator as shown: its value, and for a rate the two counts it divides.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub key: &'static str,
    pub name: &'static str,
    /// A count, a percentage (0–100) or hours; `None` when the denominator is 0.
    pub value: Option<f64>,
    /// `件`, `%` or `小时`.
    pub unit: &'static str,
    pub numerator: u64,
    /// `None` for a plain count.
    pub denominator: Option<u64>,
    pub formula: &'static str,
}

/// `numerator / denominator` as a percentage, or `None` when nothing to divide by.
pub fn rate(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 * 100.0 / denominator as f64)
}

fn count(key: &'static str, name: &'static str, n: u64, formula: &'static str) -> Indicator {
    Indicator {
        key,
        name,
        value: Some(n as f64),
        unit: "件",
        numerator: n,
        denominator: None,
        formula,
    }
}

fn ratio(
    key: &'static str,
    name: &'static str,
    n: u64,
    d: u64,
    formula: &'static str,
) -> Indicator {
    Indicator {
        key,
        name,
        value: rate(n, d),
        unit: "%",
        numerator: n,
        denominator: Some(d),
        formula,
    }
}

/// 应结案: closed cases and open cases past their deadline.
pub fn due_to_close(c: &Counts) -> u64 {
    c.closed + c.open_overdue
}

/// Mean working hours of the `(start, end)` intervals (UTC ms), with the minutes summed.
pub fn average_working_hours(calendar: &WorkCalendar, spans: &[(i64, i64)]) -> (u64, Option<f64>) {
    let minutes: i64 = spans
        .iter()
        .map(|&(from, to)| calendar.working_minutes_between(from, to).max(0))
        .sum();
    let hours = (!spans.is_empty()).then(|| minutes as f64 / 60.0 / spans.len() as f64);
    (minutes as u64, hours)
}

/// Every indicator, in display order. `handling` is the average handling time from
/// [`average_working_hours`]: total working minutes, mean hours, and the closed cases timed.
pub fn indicators(c: &Counts, handling: (u64, Option<f64>, u64)) -> Vec<Indicator> {
    let due = due_to_close(c);
    vec![
        count(
            "reports",
            "上报数",
            c.reports,
            "上报数 = 期间内上报的事件数",
        ),
        count(
            "registered",
            "立案数",
            c.registered,
            "立案数 = 核实立案的事件数",
        ),
        ratio(
            "dispatched_on_time",
            "按时派遣率",
            c.dispatched_on_time,
            c.dispatched,
            "按时派遣率 = 立案后24小时内派遣数 / 派遣数",
        ),
        ratio(
            "accurate_dispatch",
            "准确派遣率",
            c.dispatched_no_return,
            c.dispatched,
            "准确派遣率 = 未被退回的派遣数 / 派遣数",
        ),
        ratio(
            "signed_on_time",
            "按时签收率",
            c.signed_on_time,
            c.signed,
            "按时签收率 = 签收前未超期的签收数 / 签收数",
        ),
        ratio(
            "handled_on_time",
            "按时办结率",
            c.handled_on_time,
            c.handled,
            "按时办结率 = 处置中未超期的办结数 / 办结数",
        ),
        count(
            "open_overdue",
            "超期未结数",
            c.open_overdue,
            "超期未结数 = 未结案且已超期的案件数",
        ),
        ratio(
            "rework",
            "返工率",
            c.reworked,
            c.handled,
            "返工率 = 核查不通过过的案件数 / 办结数",
        ),
        ratio(
            "return",
            "退回率",
            c.returned,
            c.dispatched,
            "退回率 = 被退回过的案件数 / 派遣数",
        ),
        ratio(
            "closure",
            "结案率",
            c.closed,
            due,
            "结案率 = 已结案 / 应结案（已结案 + 超期未结）",
        ),
        ratio(
            "closed_on_time",
            "按期结案率",
            c.closed_on_time,
            due,
            "按期结案率 = 按期结案 / (已结案 + 超期未结)",
        ),
        ratio(
            "settled",
            "自行处置率",
            c.settled,
            c.reports,
            "自行处置率 = 自行处置数 / 上报数",
        ),
        Indicator {
            key: "handling_hours",
            name: "平均处置时长",
            value: handling.1,
            unit: "小时",
            numerator: handling.0,
            denominator: Some(handling.2),
            formula: "平均处置时长 = 派遣至结案的工作分钟合计 / 60 / 已结案数",
        },
        ratio(
            "satisfaction",
            "满意率",
            c.satisfied,
            c.rated,
            "满意率 = 4–5星评价数 / 评价数",
        ),
        ratio(
            "citizen_participation",
            "群众参与率",
            c.citizen_reports,
            c.reports,
            "群众参与率 = 群众上报数 / 上报数",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(all: &'a [Indicator], key: &str) -> &'a Indicator {
        all.iter().find(|i| i.key == key).unwrap()
    }

    #[test]
    fn rates_are_none_without_denominator() {
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(1, 4), Some(25.0));
        let all = indicators(&Counts::default(), (0, None, 0));
        for i in &all {
            if i.denominator.is_some() {
                assert_eq!(i.value, None, "{}", i.key);
            } else {
                assert_eq!(i.value, Some(0.0), "{}", i.key);
            }
        }
    }

    #[test]
    fn open_overdue_counts_against_closure() {
        // 3 closed (2 on time), 1 open and overdue: due to close = 4.
        let c = Counts {
            reports: 6,
            closed: 3,
            closed_on_time: 2,
            open_overdue: 1,
            ..Counts::default()
        };
        assert_eq!(due_to_close(&c), 4);
        let all = indicators(&c, (0, None, 0));
        let closure = find(&all, "closure");
        assert_eq!((closure.numerator, closure.denominator), (3, Some(4)));
        assert_eq!(closure.value, Some(75.0));
        let on_time = find(&all, "closed_on_time");
        assert_eq!((on_time.numerator, on_time.denominator), (2, Some(4)));
        assert_eq!(on_time.value, Some(50.0));
        assert_eq!(find(&all, "open_overdue").value, Some(1.0));
    }

    #[test]
    fn hand_computed_rates() {
        let c = Counts {
            reports: 8,
            citizen_reports: 2,
            registered: 5,
            dispatched: 5,
            dispatched_on_time: 4,
            dispatched_no_return: 4,
            returned: 1,
            signed: 4,
            signed_on_time: 3,
            handled: 4,
            handled_on_time: 2,
            reworked: 1,
            settled: 2,
            rated: 4,
            satisfied: 3,
            ..Counts::default()
        };
        let all = indicators(&c, (600, Some(5.0), 2));
        let v = |k: &str| find(&all, k).value;
        assert_eq!(v("reports"), Some(8.0));
        assert_eq!(v("registered"), Some(5.0));
        assert_eq!(v("dispatched_on_time"), Some(80.0));
        assert_eq!(v("accurate_dispatch"), Some(80.0));
        assert_eq!(v("return"), Some(20.0));
        assert_eq!(v("signed_on_time"), Some(75.0));
        assert_eq!(v("handled_on_time"), Some(50.0));
        assert_eq!(v("rework"), Some(25.0));
        assert_eq!(v("settled"), Some(25.0));
        assert_eq!(v("satisfaction"), Some(75.0));
        assert_eq!(v("citizen_participation"), Some(25.0));
        assert_eq!(v("handling_hours"), Some(5.0));
        assert_eq!(v("closure"), None, "nothing due to close");
        assert!(all.iter().all(|i| !i.formula.is_empty()));
    }

    #[test]
    fn average_hours_on_the_working_calendar() {
        use crate::date::{Date, local_midnight_ms};
        let cal = WorkCalendar::china_2026();
        // Tuesday 2026-03-03 09:00 → 11:00 (2 h), and 09:00 → 16:00 with lunch 12:00–13:30
        // (3 h + 2.5 h = 5.5 h): mean 3.75 h.
        let day = local_midnight_ms(Date::new(2026, 3, 3).unwrap());
        let h = |x: i64| day + x * 60_000;
        let (minutes, mean) = average_working_hours(&cal, &[(h(540), h(660)), (h(540), h(960))]);
        assert_eq!(minutes, 120 + 330);
        assert_eq!(mean, Some(3.75));
        assert_eq!(average_working_hours(&cal, &[]), (0, None));
    }
}
