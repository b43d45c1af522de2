//! Indicators (考核指标) over the events reported in a period, and their trend per day, week
//! or month. The counts come from aggregate SQL over `event` joined with each event's steps
//! summed up (`event_step`: verify, dispatch, sign, handle, return, check-fail and the
//! sweeper's overdue flags); the formulas are `wangge_domain::indicators`.
//!
//! Scope: the region prefix on `grid_code`; department roles see the events their
//! department leads or co-handles.
use sea_orm::{ConnectionTrait, QueryResult, Value};
use serde::Serialize;
use wangge_domain::case::State;
use wangge_domain::date::{Date, SHANGHAI_OFFSET_MS, local_date, local_midnight_ms};
use wangge_domain::indicators::{self, Counts, DISPATCH_LIMIT_MS};

use crate::events::Departments;
use crate::{Scope, Store, StoreError, sql};

const DAY_MS: i64 = 86_400_000;
/// The longest period asked for at once.
const MAX_DAYS: i64 = 731;
/// The period when none is given: the last 30 days, today included.
const DEFAULT_DAYS: i64 = 30;

/// What to count: all optional; the period is `[from, to)` in Shanghai days.
#[derive(Debug, Clone, Default)]
pub struct IndicatorFilter {
    pub region: Option<String>,
    /// Department code (`D01`): the events it leads.
    pub department: Option<String>,
    /// Catalog code prefix (`A01`, `A01-003`).
    pub category: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, exclusive.
    pub to: Option<String>,
}

/// One indicator as answered.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorView {
    pub key: &'static str,
    pub name: &'static str,
    pub value: Option<f64>,
    /// The value for display: `75.0%`, `3 件`, `2.5 小时`, or `—`.
    pub value_text: String,
    pub unit: &'static str,
    pub numerator: u64,
    pub denominator: Option<u64>,
    pub formula: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorReport {
    pub region: String,
    pub department: Option<String>,
    pub category: Option<String>,
    pub from: String,
    pub to: String,
    pub indicators: Vec<IndicatorView>,
}

/// How the trend is bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Day,
    /// Weeks from Monday.
    Week,
    Month,
}

impl Bucket {
    pub fn parse(s: &str) -> Option<Bucket> {
        match s {
            "day" => Some(Bucket::Day),
            "week" => Some(Bucket::Week),
            "month" => Some(Bucket::Month),
            _ => None,
        }
    }

    /// The `bucket` parameter: `day` (default when empty), `week` or `month`.
    pub fn from_param(v: Option<&str>) -> Result<Bucket, StoreError> {
        match v.map(str::trim).filter(|b| !b.is_empty()) {
            None => Ok(Bucket::Day),
            Some(b) => Bucket::parse(b).ok_or_else(|| {
                StoreError::invalid("bucket", format!("统计粒度“{b}”应为 day、week 或 month"))
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
        }
    }

    /// The bucket's label for a day: the day, the Monday of its week, or `YYYY-MM`.
    fn label(self, d: Date) -> String {
        match self {
            Bucket::Day => d.to_string(),
            Bucket::Week => d.add_days(1 - i64::from(d.weekday())).to_string(),
            Bucket::Month => format!("{:04}-{:02}", d.year, d.month),
        }
    }
}

/// The counts of one bucket of the trend (events reported in it).
#[derive(Debug, Clone, Default, Serialize)]
pub struct TrendPoint {
    pub bucket: String,
    pub reports: u64,
    pub closed: u64,
    /// Flagged overdue at any stage.
    pub overdue: u64,
    pub rated: u64,
    pub satisfied: u64,
    /// Satisfied / rated, in percent.
    pub satisfaction: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    pub bucket: &'static str,
    pub from: String,
    pub to: String,
    pub points: Vec<TrendPoint>,
}

/// The filter checked: the SQL conditions on `e` and their values, and the period.
struct Where {
    sql: String,
    values: Vec<Value>,
    region: String,
    from: Date,
    to: Date,
}

/// Each event matching `filter` (conditions on `e`) as one row `s`: its own columns and its
/// steps summed up, read through the step table's primary key (county, event, seq).
fn per_event(filter: &str) -> String {
    format!(
        "(SELECT e.county, e.id, e.source, e.state, e.overdue, e.deadline, e.rating, \
         e.created_at, e.closed_at, \
         MIN(CASE WHEN st.action = 'verify' THEN st.at END) AS verified_at, \
         MIN(CASE WHEN st.action IN ('dispatch', 'claim') THEN st.at END) AS dispatched_at, \
         SUM(CASE WHEN st.action = 'return' THEN 1 ELSE 0 END) AS returns, \
         SUM(CASE WHEN st.action = 'sign' THEN 1 ELSE 0 END) AS signs, \
         SUM(CASE WHEN st.action = 'overdue' AND st.from_state = 'dispatched' THEN 1 ELSE 0 END) AS sign_late, \
         SUM(CASE WHEN st.action = 'handle' THEN 1 ELSE 0 END) AS handles, \
         SUM(CASE WHEN st.action = 'overdue' AND st.from_state = 'handling' THEN 1 ELSE 0 END) AS handle_late, \
         SUM(CASE WHEN st.action = 'check_fail' THEN 1 ELSE 0 END) AS fails, \
         SUM(CASE WHEN st.action = 'overdue' THEN 1 ELSE 0 END) AS late \
         FROM event e JOIN event_step st ON st.county = e.county AND st.event_id = e.id \
         WHERE {filter} \
         GROUP BY e.county, e.id, e.source, e.state, e.overdue, e.deadline, e.rating, \
         e.created_at, e.closed_at) s"
    )
}

fn open_states() -> String {
    State::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn get(r: &QueryResult, col: &str) -> Result<u64, StoreError> {
    Ok(r.try_get::<Option<i64>>("", col)?.unwrap_or(0).max(0) as u64)
}

impl Store {
    /// The indicators of the events reported in the period, within the caller's scope.
    pub async fn indicators(
        &self,
        scope: &Scope,
        filter: &IndicatorFilter,
    ) -> Result<IndicatorReport, StoreError> {
        let w = self.indicator_where(scope, filter).await?;
        let db = self.connection();
        let backend = db.get_database_backend();
        let closed = State::Closed.as_str();
        let query = format!(
            "SELECT COUNT(*) AS reports, \
             SUM(CASE WHEN s.source = 'citizen' THEN 1 ELSE 0 END) AS citizen_reports, \
             SUM(CASE WHEN s.verified_at IS NOT NULL THEN 1 ELSE 0 END) AS registered, \
             SUM(CASE WHEN s.dispatched_at IS NOT NULL THEN 1 ELSE 0 END) AS dispatched, \
             SUM(CASE WHEN s.dispatched_at - s.verified_at <= ? THEN 1 ELSE 0 END) AS dispatched_on_time, \
             SUM(CASE WHEN s.dispatched_at IS NOT NULL AND s.returns = 0 THEN 1 ELSE 0 END) AS dispatched_no_return, \
             SUM(CASE WHEN s.dispatched_at IS NOT NULL AND s.returns > 0 THEN 1 ELSE 0 END) AS returned, \
             SUM(CASE WHEN s.signs > 0 THEN 1 ELSE 0 END) AS signed, \
             SUM(CASE WHEN s.signs > 0 AND s.sign_late = 0 THEN 1 ELSE 0 END) AS signed_on_time, \
             SUM(CASE WHEN s.handles > 0 THEN 1 ELSE 0 END) AS handled, \
             SUM(CASE WHEN s.handles > 0 AND s.handle_late = 0 THEN 1 ELSE 0 END) AS handled_on_time, \
             SUM(CASE WHEN s.handles > 0 AND s.fails > 0 THEN 1 ELSE 0 END) AS reworked, \
             SUM(CASE WHEN s.state = '{closed}' THEN 1 ELSE 0 END) AS closed, \
             SUM(CASE WHEN s.state = '{closed}' AND s.late = 0 THEN 1 ELSE 0 END) AS closed_on_time, \
             SUM(CASE WHEN s.state IN ({open}) AND (s.overdue = ? OR s.deadline <= ?) THEN 1 ELSE 0 END) AS open_overdue, \
             SUM(CASE WHEN s.state = '{settled}' THEN 1 ELSE 0 END) AS settled, \
             SUM(CASE WHEN s.rating IS NOT NULL THEN 1 ELSE 0 END) AS rated, \
             SUM(CASE WHEN s.rating >= 4 THEN 1 ELSE 0 END) AS satisfied \
             FROM {}",
            per_event(&w.sql),
            open = open_states(),
            settled = State::Settled.as_str(),
        );
        let mut values: Vec<Value> =
            vec![DISPATCH_LIMIT_MS.into(), true.into(), self.now_ms().into()];
        values.extend(w.values.iter().cloned());
        let row = db
            .query_one_raw(sql::statement(backend, &query, values))
            .await?
            .ok_or(StoreError::NotFound)?;
        let counts = Counts {
            reports: get(&row, "reports")?,
            citizen_reports: get(&row, "citizen_reports")?,
            registered: get(&row, "registered")?,
            dispatched: get(&row, "dispatched")?,
            dispatched_on_time: get(&row, "dispatched_on_time")?,
            dispatched_no_return: get(&row, "dispatched_no_return")?,
            returned: get(&row, "returned")?,
            signed: get(&row, "signed")?,
            signed_on_time: get(&row, "signed_on_time")?,
            handled: get(&row, "handled")?,
            handled_on_time: get(&row, "handled_on_time")?,
            reworked: get(&row, "reworked")?,
            closed: get(&row, "closed")?,
            closed_on_time: get(&row, "closed_on_time")?,
            open_overdue: get(&row, "open_overdue")?,
            settled: get(&row, "settled")?,
            rated: get(&row, "rated")?,
            satisfied: get(&row, "satisfied")?,
        };

        // Handling time: from the first dispatch to the close, on the working calendar.
        let spans_query = format!(
            "SELECT s.dispatched_at AS a, s.closed_at AS b FROM {} \
             WHERE s.state = '{closed}' AND s.dispatched_at IS NOT NULL \
             AND s.closed_at IS NOT NULL",
            per_event(&w.sql)
        );
        let values = w.values.clone();
        let spans = db
            .query_all_raw(sql::statement(backend, &spans_query, values))
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<i64>("", "a")?, r.try_get::<i64>("", "b")?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let calendar = self.work_calendar().await?;
        let (minutes, hours) = indicators::average_working_hours(&calendar, &spans);

        let indicators = indicators::indicators(&counts, (minutes, hours, spans.len() as u64))
            .into_iter()
            .map(|i| IndicatorView {
                value_text: match (i.value, i.unit) {
                    (None, _) => "—".into(),
                    (Some(v), "%") => format!("{v:.1}%"),
                    (Some(v), "件") => format!("{v:.0} 件"),
                    (Some(v), unit) => format!("{v:.1} {unit}"),
                },
                key: i.key,
                name: i.name,
                value: i.value,
                unit: i.unit,
                numerator: i.numerator,
                denominator: i.denominator,
                formula: i.formula,
            })
            .collect();
        Ok(IndicatorReport {
            region: w.region,
            department: nonempty(&filter.department),
            category: nonempty(&filter.category),
            from: w.from.to_string(),
            to: w.to.to_string(),
            indicators,
        })
    }

    /// Reports, closed, overdue and satisfaction of the events reported in each bucket of
    /// the period; empty buckets are answered with zeros.
    pub async fn indicator_trend(
        &self,
        scope: &Scope,
        filter: &IndicatorFilter,
        bucket: Bucket,
    ) -> Result<Trend, StoreError> {
        let w = self.indicator_where(scope, filter).await?;
        let db = self.connection();
        let closed = State::Closed.as_str();
        // The Shanghai day number of the report; weeks and months are made of days.
        let query = format!(
            "SELECT (s.created_at + {SHANGHAI_OFFSET_MS}) / {DAY_MS} AS d, COUNT(*) AS reports, \
             SUM(CASE WHEN s.state = '{closed}' THEN 1 ELSE 0 END) AS closed, \
             SUM(CASE WHEN s.late > 0 OR s.overdue = ? THEN 1 ELSE 0 END) AS overdue, \
             SUM(CASE WHEN s.rating IS NOT NULL THEN 1 ELSE 0 END) AS rated, \
             SUM(CASE WHEN s.rating >= 4 THEN 1 ELSE 0 END) AS satisfied \
             FROM {} GROUP BY 1 ORDER BY 1",
            per_event(&w.sql)
        );
        let mut values: Vec<Value> = vec![true.into()];
        values.extend(w.values.iter().cloned());
        let rows = db
            .query_all_raw(sql::statement(db.get_database_backend(), &query, values))
            .await?;
        let mut points: Vec<TrendPoint> = Vec::new();
        let mut day = w.from;
        while day < w.to {
            let label = bucket.label(day);
            if points.last().is_none_or(|p| p.bucket != label) {
                points.push(TrendPoint {
                    bucket: label,
                    ..TrendPoint::default()
                });
            }
            day = day.add_days(1);
        }
        for r in &rows {
            let d = Date::from_days_since_epoch(r.try_get::<i64>("", "d")?);
            let label = bucket.label(d);
            if let Some(p) = points.iter_mut().find(|p| p.bucket == label) {
                p.reports += get(r, "reports")?;
                p.closed += get(r, "closed")?;
                p.overdue += get(r, "overdue")?;
                p.rated += get(r, "rated")?;
                p.satisfied += get(r, "satisfied")?;
            }
        }
        for p in &mut points {
            p.satisfaction = indicators::rate(p.satisfied, p.rated);
        }
        Ok(Trend {
            bucket: bucket.as_str(),
            from: w.from.to_string(),
            to: w.to.to_string(),
            points,
        })
    }

    /// The filter checked against the scope, as conditions on `e`.
    async fn indicator_where(
        &self,
        scope: &Scope,
        filter: &IndicatorFilter,
    ) -> Result<Where, StoreError> {
        let today = local_date(self.now_ms());
        let date = |field: &'static str, v: &Option<String>| -> Result<Option<Date>, StoreError> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => Date::parse(s).map(Some).ok_or_else(|| {
                    StoreError::invalid(field, format!("日期“{s}”应为 YYYY-MM-DD 且为有效日期"))
                }),
            }
        };
        let from = date("from", &filter.from)?;
        let to = date("to", &filter.to)?;
        let (from, to) = match (from, to) {
            (Some(f), Some(t)) => (f, t),
            (Some(f), None) => (f, today.add_days(1).max(f.add_days(1))),
            (None, Some(t)) => (t.add_days(-DEFAULT_DAYS), t),
            (None, None) => (today.add_days(1 - DEFAULT_DAYS), today.add_days(1)),
        };
        if from >= to {
            return Err(StoreError::invalid("from", "开始日期应早于结束日期"));
        }
        if to.days_since_epoch() - from.days_since_epoch() > MAX_DAYS {
            return Err(StoreError::invalid(
                "to",
                format!("统计期间不能超过 {MAX_DAYS} 天"),
            ));
        }
        let region = scope.narrow(filter.region.as_deref())?;
        let mut sql = "e.created_at >= ? AND e.created_at < ?".to_string();
        let mut values: Vec<Value> =
            vec![local_midnight_ms(from).into(), local_midnight_ms(to).into()];
        if !region.is_empty() {
            let (lo, hi) = Scope::range_of(&region);
            sql.push_str(" AND e.grid_code >= ? AND e.grid_code < ?");
            values.extend([lo.into(), hi.into()]);
        }
        let depts = Departments::load(self.connection()).await?;
        if let Some(code) = nonempty(&filter.department) {
            let d = depts
                .by_code(&code)
                .ok_or_else(|| StoreError::invalid("department", format!("部门“{code}”不存在")))?;
            sql.push_str(" AND e.department_id = ?");
            values.push(d.id.into());
        }
        if let Some(c) = nonempty(&filter.category) {
            if !c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(StoreError::invalid(
                    "category",
                    format!("类别代码“{c}”只能包含字母、数字和“-”"),
                ));
            }
            sql.push_str(" AND e.category LIKE ?");
            values.push(format!("{c}%").into());
        }
        if scope.role.is_department() {
            let own = scope.department_id.ok_or(StoreError::NotFound)?;
            let code = depts.by_id(own).map(|d| d.code.clone()).unwrap_or_default();
            sql.push_str(" AND (e.department_id = ? OR e.co_departments LIKE ?)");
            values.extend([own.into(), format!("%,{code},%").into()]);
        }
        Ok(Where {
            sql,
            values,
            region,
            from,
            to,
        })
    }
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_labels() {
        let d = Date::new(2026, 3, 5).unwrap(); // a Thursday
        assert_eq!(Bucket::Day.label(d), "2026-03-05");
        assert_eq!(Bucket::Week.label(d), "2026-03-02");
        assert_eq!(Bucket::Month.label(d), "2026-03");
        assert_eq!(Bucket::parse("week"), Some(Bucket::Week));
        assert_eq!(Bucket::parse("year"), None);
    }
}
