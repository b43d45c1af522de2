//! Indicators (考核指标) over the events reported in a period, and their trend per day, week
//! or month. The counts are sums of what each event adds (`wangge_domain::event_facts`):
//! read from the daily rollup per community (`event_tally`) when the question is a region
//! and a period, else summed in SQL over the facts kept on the event rows (a grid, a
//! department, a category). The formulas are `wangge_domain::indicators`.
//!
//! Scope: the region prefix on `grid_code`; department roles see the events their
//! department leads or co-handles.
use sea_orm::{ConnectionTrait, Value};
use serde::Serialize;
use wangge_domain::date::{Date, local_date, local_midnight_ms};
use wangge_domain::event_facts::Tally;
use wangge_domain::indicators;
use wangge_domain::region::Level;

use crate::events::Departments;
pub(crate) use crate::indicator_source::tally_of_row;
use crate::indicator_source::{Group, Rollup, Source};
use crate::{Scope, Store, StoreError};

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

/// The filter checked: the rollup rows that answer it (when some do), the same as
/// conditions on the event rows, and the period.
struct Where {
    rollup: Option<Rollup>,
    events: Source,
    region: String,
    /// A department or category asked for (it picks their rows, not region rows).
    narrowed: bool,
    from: Date,
    to: Date,
}

impl Where {
    /// The rollup when it answers, else the event rows.
    fn source(&self) -> Source {
        self.rollup
            .clone()
            .map_or_else(|| self.events.clone(), Source::Rollup)
    }

    fn days(&self) -> (i64, i64) {
        (self.from.days_since_epoch(), self.to.days_since_epoch())
    }

    /// The rollup split by a region level (`Some`) or by department (`None`), when the
    /// filter is a region alone.
    fn rollup_by(&self, level: Option<usize>) -> Option<Rollup> {
        if self.rollup.is_none() || self.narrowed {
            return None;
        }
        match level {
            Some(l) => Rollup::region(&self.region, Some(l), self.days()),
            None => Rollup::departments(&self.region, None, self.days()),
        }
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
            .query_one_raw(w.source().query(db.get_database_backend(), Group::All))
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
            .query_all_raw(w.source().query(db.get_database_backend(), Group::Day))
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
        let w = self.indicator_where(scope, filter).await?;
        let (source, group) = match by {
            Breakdown::Departments => (
                w.rollup_by(None)
                    .map_or_else(|| w.events.clone(), Source::Rollup),
                Group::Department,
            ),
            Breakdown::Children => {
                let len = if w.region.len() < Level::County.code_len() {
                    Level::County.code_len()
                } else {
                    Level::from_code_len(w.region.len())
                        .and_then(|l| l.child())
                        .filter(|l| *l < Level::Building)
                        .map_or(Level::Grid.code_len(), |l| l.code_len())
                };
                let source = w
                    .rollup_by(Some(len))
                    .filter(|_| len <= Level::Community.code_len())
                    .map_or_else(|| w.events.clone(), Source::Rollup);
                (source, Group::Code(len))
            }
        };
        let db = self.connection();
        let depts = Departments::load(db).await?;
        let rows = db
            .query_all_raw(source.query(db.get_database_backend(), group))
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let Some(key) = r
                .try_get::<Option<String>>("", "k")?
                .filter(|k| !k.is_empty())
            else {
                continue;
            };
            let key = match group {
                Group::Department => key
                    .parse::<i64>()
                    .ok()
                    .and_then(|id| depts.by_id(id))
                    .map_or(key, |d| d.code.clone()),
                _ => key,
            };
            out.push((key, tally_of_row(r)?));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// The filter checked against the scope: the rollup rows and the event conditions.
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
        let department = nonempty(&filter.department);
        let category = nonempty(&filter.category);
        let depts = Departments::load(self.connection()).await?;
        let department_id = match &department {
            None => None,
            Some(code) => Some(
                depts
                    .by_code(code)
                    .ok_or_else(|| {
                        StoreError::invalid("department", format!("部门“{code}”不存在"))
                    })?
                    .id,
            ),
        };
        let mut sql = "e.created_at >= ? AND e.created_at < ?".to_string();
        let mut values: Vec<Value> =
            vec![local_midnight_ms(from).into(), local_midnight_ms(to).into()];
        if !region.is_empty() {
            let (lo, hi) = Scope::range_of(&region);
            sql.push_str(" AND e.grid_code >= ? AND e.grid_code < ?");
            values.extend([lo.into(), hi.into()]);
        }
        if let Some(id) = department_id {
            sql.push_str(" AND e.department_id = ?");
            values.push(id.into());
        }
        if let Some(c) = &category {
            if !c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(StoreError::invalid(
                    "category",
                    format!("类别代码“{c}”只能包含字母、数字和“-”"),
                ));
            }
            // A range on the code, so the category index serves it (LIKE would not).
            let (lo, hi) = Scope::range_of(c);
            sql.push_str(" AND e.category >= ? AND e.category < ?");
            values.extend([lo.into(), hi.into()]);
        }
        if scope.role.is_department() {
            let own = scope.department_id.ok_or(StoreError::NotFound)?;
            let code = depts.by_id(own).map(|d| d.code.clone()).unwrap_or_default();
            sql.push_str(" AND (e.department_id = ? OR e.co_departments LIKE ?)");
            values.extend([own.into(), format!("%,{code},%").into()]);
        }
        let days = (from.days_since_epoch(), to.days_since_epoch());
        let own = scope
            .department_id
            .filter(|_| scope.role.is_department())
            .and_then(|id| depts.by_id(id).map(|d| (id, d.code.clone())));
        let rollup = match (&category, department_id) {
            (None, None) if own.is_some() => own
                .as_ref()
                .and_then(|(id, code)| Rollup::department_view(&region, *id, code, days)),
            _ if scope.role.is_department() => None,
            (Some(_), Some(_)) => None,
            (Some(c), None) => Rollup::categories(&region, c, days),
            (None, Some(id)) => Rollup::departments(&region, Some(id), days),
            (None, None) => Rollup::region(&region, None, days),
        };
        Ok(Where {
            rollup,
            events: Source::Events { sql, values },
            narrowed: department_id.is_some() || category.is_some() || scope.role.is_department(),
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
