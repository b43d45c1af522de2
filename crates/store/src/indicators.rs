//! Indicators (考核指标) over the events reported in a period, and their trend per day, week
//! or month. The counts are sums of what each event adds (`wangge_domain::event_facts`):
//! read from the daily rollup per community (`event_tally`) when the question is a region
//! and a period, else summed in SQL over the facts kept on the event rows (a grid, a
//! department, a category). The formulas are `wangge_domain::indicators`.
//!
//! Scope: the region prefix on `grid_code`; department roles see the events their
//! department leads or co-handles.
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};
use serde::Serialize;
use wangge_domain::case::State;
use wangge_domain::date::{Date, SHANGHAI_OFFSET_MS, local_date, local_midnight_ms};
use wangge_domain::event_facts::Tally;
use wangge_domain::indicators::{self, DISPATCH_LIMIT_MS};
use wangge_domain::region::Level;

use crate::events::Departments;
use crate::scope::county_of;
use crate::{Scope, Store, StoreError, sql};

const DAY_MS: i64 = 86_400_000;
/// The longest period asked for at once.
const MAX_DAYS: i64 = 731;
/// The period when none is given: the last 30 days, today included.
const DEFAULT_DAYS: i64 = 30;

/// What to count: all optional; the period is `[from, to)` in Shanghai days.
/// How `indicator_breakdown` splits the sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    /// By the regions one level below the filter's region.
    Children,
    /// By lead department.
    Departments,
}

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

/// The filter checked: where the sums come from, and the period.
struct Where {
    source: Source,
    region: String,
    from: Date,
    to: Date,
}

/// Where the sums are read.
enum Source {
    /// The daily rollup: conditions on `event_tally`, for a region of community level or
    /// above with no other filter (the command center's everyday question).
    Rollup { sql: String, values: Vec<Value> },
    /// The events themselves: conditions on `e`, for a grid, a department or a category.
    Events { sql: String, values: Vec<Value> },
}

/// Each rollup column summed over the events matching the conditions, from the facts kept
/// on each event row (the same definitions as `event_facts::tally`).
pub(crate) fn event_sums() -> String {
    let closed = State::Closed.as_str();
    let settled = State::Settled.as_str();
    let open = open_states();
    let dispatched = "e.dispatched_at IS NOT NULL";
    let exprs = [
        "1".to_string(),
        "CASE WHEN e.source = 'citizen' THEN 1 ELSE 0 END".into(),
        "CASE WHEN e.verified_at IS NOT NULL THEN 1 ELSE 0 END".into(),
        format!("CASE WHEN {dispatched} THEN 1 ELSE 0 END"),
        format!(
            "CASE WHEN e.dispatched_at - e.verified_at <= {DISPATCH_LIMIT_MS} THEN 1 ELSE 0 END"
        ),
        format!("CASE WHEN {dispatched} AND NOT e.returned THEN 1 ELSE 0 END"),
        format!("CASE WHEN {dispatched} AND e.returned THEN 1 ELSE 0 END"),
        "CASE WHEN e.signed_at IS NOT NULL THEN 1 ELSE 0 END".into(),
        "CASE WHEN e.signed_at IS NOT NULL AND NOT e.sign_late THEN 1 ELSE 0 END".into(),
        "CASE WHEN e.handled_at IS NOT NULL THEN 1 ELSE 0 END".into(),
        "CASE WHEN e.handled_at IS NOT NULL AND NOT e.handle_late THEN 1 ELSE 0 END".into(),
        "CASE WHEN e.handled_at IS NOT NULL AND e.check_failed THEN 1 ELSE 0 END".into(),
        format!("CASE WHEN e.state = '{closed}' THEN 1 ELSE 0 END"),
        format!("CASE WHEN e.state = '{closed}' AND NOT e.ever_late THEN 1 ELSE 0 END"),
        format!("CASE WHEN e.state IN ({open}) AND e.overdue THEN 1 ELSE 0 END"),
        format!("CASE WHEN e.state = '{settled}' THEN 1 ELSE 0 END"),
        "CASE WHEN e.rating IS NOT NULL THEN 1 ELSE 0 END".into(),
        "CASE WHEN e.rating >= 4 THEN 1 ELSE 0 END".into(),
        "CASE WHEN e.ever_late OR e.overdue THEN 1 ELSE 0 END".into(),
        format!(
            "CASE WHEN e.state = '{closed}' AND {dispatched} AND e.handling_minutes IS NOT NULL \
             THEN 1 ELSE 0 END"
        ),
        format!(
            "CASE WHEN e.state = '{closed}' AND {dispatched} THEN COALESCE(e.handling_minutes, 0) \
             ELSE 0 END"
        ),
    ];
    exprs
        .iter()
        .zip(Tally::COLUMNS)
        .map(|(x, c)| format!("CAST(SUM({x}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn rollup_sums() -> String {
    Tally::COLUMNS
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn open_states() -> String {
    State::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sums of a result row (absent sums, over no rows, are 0).
pub(crate) fn tally_of_row(r: &QueryResult) -> Result<Tally, StoreError> {
    let mut t = Tally::default();
    for (slot, c) in t.0.iter_mut().zip(Tally::COLUMNS) {
        *slot = r.try_get::<Option<i64>>("", c)?.unwrap_or(0);
    }
    Ok(t)
}

/// How the sums are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// One row for the whole filter.
    All,
    /// Per Shanghai day of report (`d`, a day number).
    Day,
    /// Per region code prefix of this many digits (`k`): the streets, communities or grids.
    Region(usize),
    /// Per lead department (`k`, its id).
    Department,
}

impl Where {
    /// The sums over the rollup or the events, grouped as asked.
    fn query(&self, backend: DbBackend, group: Group) -> Statement {
        let rollup = matches!(self.source, Source::Rollup { .. });
        let (from, sums, cond, values) = match &self.source {
            Source::Rollup { sql, values } => ("event_tally", rollup_sums(), sql, values),
            Source::Events { sql, values } => ("event e", event_sums(), sql, values),
        };
        let key = match (group, rollup) {
            (Group::All, _) => None,
            (Group::Day, true) => Some("CAST(day AS BIGINT) AS d".to_string()),
            (Group::Day, false) => Some(format!(
                "(e.created_at + {SHANGHAI_OFFSET_MS}) / {DAY_MS} AS d"
            )),
            (Group::Region(n), true) => Some(format!("SUBSTR(community, 1, {n}) AS k")),
            (Group::Region(n), false) => Some(format!("SUBSTR(e.grid_code, 1, {n}) AS k")),
            (Group::Department, _) => Some("e.department_id AS k".to_string()),
        };
        let query = match key {
            Some(k) => format!("SELECT {k}, {sums} FROM {from} WHERE {cond} GROUP BY 1"),
            None => format!("SELECT {sums} FROM {from} WHERE {cond}"),
        };
        sql::statement(backend, &query, values.clone())
    }
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
        let row = db
            .query_one_raw(w.query(db.get_database_backend(), Group::All))
            .await?
            .ok_or(StoreError::NotFound)?;
        let t = tally_of_row(&row)?;
        let (minutes, timed) = t.handling();
        let hours = (timed > 0).then(|| minutes as f64 / 60.0 / timed as f64);
        let indicators = indicators::indicators(&t.counts(), (minutes, hours, timed))
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
        let rows = db
            .query_all_raw(w.query(db.get_database_backend(), Group::Day))
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
            let t = tally_of_row(r)?;
            let c = t.counts();
            if let Some(p) = points.iter_mut().find(|p| p.bucket == label) {
                p.reports += c.reports;
                p.closed += c.closed;
                p.overdue += t.late();
                p.rated += c.rated;
                p.satisfied += c.satisfied;
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

    /// The sums of the filter split by the regions one level below it (streets of a county,
    /// communities of a street, grids of a community) or by lead department: `(code, sums)`,
    /// department ids as their codes; regions or departments without events are absent.
    pub async fn indicator_breakdown(
        &self,
        scope: &Scope,
        filter: &IndicatorFilter,
        by: Breakdown,
    ) -> Result<Vec<(String, Tally)>, StoreError> {
        let mut w = self.indicator_where(scope, filter).await?;
        let group = match by {
            Breakdown::Departments => {
                // Departments are on the event rows only.
                w = self.events_where(scope, filter, w).await?;
                Group::Department
            }
            Breakdown::Children => {
                let child = Level::from_code_len(w.region.len())
                    .and_then(|l| l.child())
                    .filter(|l| *l != Level::Building)
                    .unwrap_or(Level::Grid);
                let len = if w.region.is_empty() {
                    Level::County.code_len()
                } else {
                    child.code_len()
                };
                if len > Level::Community.code_len() {
                    w = self.events_where(scope, filter, w).await?;
                }
                Group::Region(len)
            }
        };
        let db = self.connection();
        let depts = Departments::load(db).await?;
        let rows = db
            .query_all_raw(w.query(db.get_database_backend(), group))
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let key = match group {
                Group::Department => match r.try_get::<Option<i64>>("", "k")? {
                    Some(id) => depts
                        .by_id(id)
                        .map_or_else(|| id.to_string(), |d| d.code.clone()),
                    None => continue,
                },
                _ => r.try_get::<String>("", "k")?,
            };
            out.push((key, tally_of_row(r)?));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// The same filter read from the event rows (for splits the rollup cannot make).
    async fn events_where(
        &self,
        scope: &Scope,
        filter: &IndicatorFilter,
        w: Where,
    ) -> Result<Where, StoreError> {
        if matches!(w.source, Source::Events { .. }) {
            return Ok(w);
        }
        self.indicator_where_from(scope, filter, true).await
    }

    /// The filter checked against the scope, as conditions on `e`.
    async fn indicator_where(
        &self,
        scope: &Scope,
        filter: &IndicatorFilter,
    ) -> Result<Where, StoreError> {
        self.indicator_where_from(scope, filter, false).await
    }

    /// The filter checked; `events` asks for the event rows even where the rollup would do.
    async fn indicator_where_from(
        &self,
        scope: &Scope,
        filter: &IndicatorFilter,
        events: bool,
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
        let department = nonempty(&filter.department);
        let category = nonempty(&filter.category);
        let (day_from, day_to) = (from.days_since_epoch(), to.days_since_epoch());
        if !events
            && department.is_none()
            && category.is_none()
            && !scope.role.is_department()
            && region.len() <= Level::Community.code_len()
        {
            let mut sql = "day >= ? AND day < ?".to_string();
            let mut values: Vec<Value> = vec![day_from.into(), day_to.into()];
            if let Some(county) = county_of(&region) {
                sql.push_str(" AND county = ?");
                values.push(county.into());
            }
            if !region.is_empty() {
                let (lo, hi) = Scope::range_of(&region);
                sql.push_str(" AND community >= ? AND community < ?");
                values.extend([lo.into(), hi.into()]);
            }
            return Ok(Where {
                source: Source::Rollup { sql, values },
                region,
                from,
                to,
            });
        }
        let mut sql = "e.created_at >= ? AND e.created_at < ?".to_string();
        let mut values: Vec<Value> =
            vec![local_midnight_ms(from).into(), local_midnight_ms(to).into()];
        if !region.is_empty() {
            let (lo, hi) = Scope::range_of(&region);
            sql.push_str(" AND e.grid_code >= ? AND e.grid_code < ?");
            values.extend([lo.into(), hi.into()]);
        }
        let depts = Departments::load(self.connection()).await?;
        if let Some(code) = department {
            let d = depts
                .by_code(&code)
                .ok_or_else(|| StoreError::invalid("department", format!("部门“{code}”不存在")))?;
            sql.push_str(" AND e.department_id = ?");
            values.push(d.id.into());
        }
        if let Some(c) = category {
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
            source: Source::Events { sql, values },
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
