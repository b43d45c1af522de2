//! Where indicator sums are read: the daily rollup (`event_tally`: a row a day per county,
//! street, community and lead department) when the question is one of those, else the
//! indicator facts on the event rows; and how they are grouped.
use sea_orm::{DbBackend, QueryResult, Statement, Value};
use wangge_domain::case::State;
use wangge_domain::date::SHANGHAI_OFFSET_MS;
use wangge_domain::event_facts::Tally;
use wangge_domain::indicators::DISPATCH_LIMIT_MS;

use crate::tally::{CATEGORY_LEVEL, CO_DEPARTMENT_LEVEL, DEPARTMENT_LEVEL, REGION_LEVELS};
use crate::{Scope, StoreError, sql};

const DAY_MS: i64 = 86_400_000;

/// Which codes of a level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Codes {
    All,
    Exact(String),
    /// `[lo, hi)`.
    Range(String, String),
}

/// Rows of the rollup: one level, codes in a range, counties in a range, days in a range.
#[derive(Debug, Clone)]
pub(crate) struct Rollup {
    /// `[lo, hi)` of county codes; `None`: every county.
    pub counties: Option<(i32, i32)>,
    pub level: i32,
    pub codes: Codes,
    /// Rows of one more `(level, code)` summed with them.
    pub also: Option<(i32, String)>,
    /// `[from, to)` of Shanghai day numbers.
    pub days: (i64, i64),
}

impl Rollup {
    /// The rows summing `region` (a county, street or community, or everything under a
    /// wider prefix) at `level`, or at the region's own level when `None`.
    pub fn region(region: &str, level: Option<usize>, days: (i64, i64)) -> Option<Rollup> {
        let level = match level {
            Some(l) => l,
            None => *REGION_LEVELS.iter().find(|&&l| l >= region.len())?,
        };
        let codes = if region.is_empty() {
            Codes::All
        } else if region.len() == level {
            Codes::Exact(region.to_string())
        } else {
            let (lo, hi) = Scope::range_of(region);
            Codes::Range(lo, hi)
        };
        Some(Rollup {
            counties: counties_of(region),
            level: level as i32,
            codes,
            also: None,
            days,
        })
    }

    /// The rows of a lead department (its id), or of every department when `None`, in the
    /// counties of `region` (a county or wider: department rows are county-wide).
    pub fn departments(region: &str, id: Option<i64>, days: (i64, i64)) -> Option<Rollup> {
        (region.len() <= 6).then(|| Rollup {
            counties: counties_of(region),
            level: DEPARTMENT_LEVEL,
            codes: id.map_or(Codes::All, |id| Codes::Exact(id.to_string())),
            also: None,
            days,
        })
    }

    /// The rows of the catalog items whose code starts with `prefix` (`A01`, `A01-003`), in
    /// the counties of `region` (a county or wider: item rows are county-wide).
    pub fn categories(region: &str, prefix: &str, days: (i64, i64)) -> Option<Rollup> {
        let (lo, hi) = Scope::range_of(prefix);
        (region.len() <= 6).then(|| Rollup {
            counties: counties_of(region),
            level: CATEGORY_LEVEL,
            codes: Codes::Range(lo, hi),
            also: None,
            days,
        })
    }

    /// What a department sees of its own work: the events it leads (its id's department
    /// rows) and those it co-handles (its code's co-department rows; never the same event).
    pub fn department_view(region: &str, id: i64, code: &str, days: (i64, i64)) -> Option<Rollup> {
        Rollup::departments(region, Some(id), days).map(|r| Rollup {
            also: Some((CO_DEPARTMENT_LEVEL, code.to_string())),
            ..r
        })
    }

    fn condition(&self) -> (String, Vec<Value>) {
        let mut rows = "level = ?".to_string();
        let mut values: Vec<Value> = vec![self.level.into()];
        match &self.codes {
            Codes::All => {}
            Codes::Exact(code) => {
                rows.push_str(" AND code = ?");
                values.push(code.clone().into());
            }
            Codes::Range(lo, hi) => {
                rows.push_str(" AND code >= ? AND code < ?");
                values.extend([lo.clone().into(), hi.clone().into()]);
            }
        }
        if let Some((level, code)) = &self.also {
            rows = format!("(({rows}) OR (level = ? AND code = ?))");
            values.extend([Value::from(*level), code.clone().into()]);
        }
        let mut sql = format!("{rows} AND day >= ? AND day < ?");
        values.extend([self.days.0.into(), self.days.1.into()]);
        if let Some((lo, hi)) = self.counties {
            sql.push_str(" AND county >= ? AND county < ?");
            values.extend([lo.into(), hi.into()]);
        }
        (sql, values)
    }
}

/// The county codes under a region prefix: `[lo, hi)`; `None` for everything.
fn counties_of(region: &str) -> Option<(i32, i32)> {
    let prefix = region.get(..region.len().min(6))?;
    if prefix.is_empty() {
        return None;
    }
    let n: i32 = prefix.parse().ok()?;
    let scale = 10_i32.pow(6 - prefix.len() as u32);
    Some((n * scale, (n + 1) * scale))
}

/// Where the sums are read.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    Rollup(Rollup),
    /// Conditions on the event rows `e` and their values.
    Events {
        sql: String,
        values: Vec<Value>,
    },
}

/// How the sums are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// One row for the whole filter.
    All,
    /// Per Shanghai day of report (`d`, a day number).
    Day,
    /// Per code (`k`): the rollup's codes of its level, or the event rows' region prefix of
    /// this many digits.
    Code(usize),
    /// Per lead department id (`k`, as text).
    Department,
}

impl Source {
    /// The sums, grouped as asked.
    pub fn query(&self, backend: DbBackend, group: Group) -> Statement {
        let (from, sums, cond, values, key) = match self {
            Source::Rollup(r) => {
                let (cond, values) = r.condition();
                let key = match group {
                    Group::All => None,
                    Group::Day => Some("CAST(day AS BIGINT) AS d".to_string()),
                    Group::Code(_) | Group::Department => Some("code AS k".to_string()),
                };
                ("event_tally", rollup_sums(), cond, values, key)
            }
            Source::Events { sql, values } => {
                let key = match group {
                    Group::All => None,
                    Group::Day => Some(format!(
                        "(e.created_at + {SHANGHAI_OFFSET_MS}) / {DAY_MS} AS d"
                    )),
                    Group::Code(n) => Some(format!("SUBSTR(e.grid_code, 1, {n}) AS k")),
                    Group::Department => Some("CAST(e.department_id AS TEXT) AS k".to_string()),
                };
                ("event e", event_sums(), sql.clone(), values.clone(), key)
            }
        };
        let query = match key {
            Some(k) => format!("SELECT {k}, {sums} FROM {from} WHERE {cond} GROUP BY 1"),
            None => format!("SELECT {sums} FROM {from} WHERE {cond}"),
        };
        sql::statement(backend, &query, values)
    }
}

/// Each rollup column summed over the events matching the conditions, from the facts kept
/// on each event row (the same definitions as `event_facts::tally`).
pub(crate) fn event_sums() -> String {
    let closed = State::Closed.as_str();
    let settled = State::Settled.as_str();
    let open = sql::open_states();
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

pub(crate) fn rollup_sums() -> String {
    Tally::COLUMNS
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counties_under_a_prefix() {
        assert_eq!(counties_of(""), None);
        assert_eq!(counties_of("4302"), Some((430_200, 430_300)));
        assert_eq!(counties_of("430204"), Some((430_204, 430_205)));
        assert_eq!(counties_of("430204001"), Some((430_204, 430_205)));
    }

    #[test]
    fn a_region_reads_its_own_level() {
        let r = Rollup::region("430204001", None, (0, 1)).unwrap();
        assert_eq!((r.level, r.codes), (9, Codes::Exact("430204001".into())));
        let streets = Rollup::region("430204", Some(9), (0, 1)).unwrap();
        assert_eq!(
            streets.codes,
            Codes::Range("430204".into(), "430205".into())
        );
        assert_eq!(Rollup::region("", None, (0, 1)).unwrap().level, 6);
        assert_eq!(
            Rollup::region("43020400100", None, (0, 1)).unwrap().level,
            12
        );
        assert!(
            Rollup::region("430204001001001", None, (0, 1)).is_none(),
            "a grid"
        );
        assert!(Rollup::departments("430204001", Some(1), (0, 1)).is_none());
    }
}
