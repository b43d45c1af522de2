//! The one map (一张图): the grids of a region coloured by a measure, the open events as
//! points and the region's counter strip; and a grid's card. Every figure comes from a
//! grouped query over the subtree's code range, never from a loop over grids.
use std::collections::HashMap;

use sea_orm::{ConnectionTrait, EntityTrait, Value};
use serde::Serialize;
use wangge_domain::case::State;
use wangge_domain::date::{Date, local_date, local_midnight_ms};
use wangge_domain::region::Level;

use crate::events::Departments;
use crate::regions::GridView;
use crate::{Scope, Store, StoreError, sql};

/// At most this many open events are drawn, newest first.
pub const MAX_POINTS: u64 = 3000;
const DAY_MS: i64 = 86_400_000;

/// What the grids are coloured by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Events in an open state (not closed, declined, settled or merged).
    Open,
    /// Open events flagged overdue by the sweeper.
    Overdue,
    /// Events reported in the last 30 days per 1,000 persons on the grid.
    PerThousand,
    /// Persons on record (the grid's cached count of active persons).
    Persons,
    /// Active persons born 60 or more years before today.
    Elderly,
    /// Things of kind `hazard` still active.
    Hazards,
}

impl Measure {
    pub const ALL: [Measure; 6] = [
        Measure::Open,
        Measure::Overdue,
        Measure::PerThousand,
        Measure::Persons,
        Measure::Elderly,
        Measure::Hazards,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Open => "open",
            Measure::Overdue => "overdue",
            Measure::PerThousand => "per_thousand",
            Measure::Persons => "persons",
            Measure::Elderly => "elderly",
            Measure::Hazards => "hazards",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Measure::Open => "未结事件",
            Measure::Overdue => "超期事件",
            Measure::PerThousand => "千人事件数（近30天）",
            Measure::Persons => "人口",
            Measure::Elderly => "60岁以上老人",
            Measure::Hazards => "安全隐患",
        }
    }

    /// The measure named, `open` when none is; an unknown name is invalid.
    pub fn parse(s: Option<&str>) -> Result<Measure, StoreError> {
        match s.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(Measure::Open),
            Some(s) => Measure::ALL
                .into_iter()
                .find(|m| m.as_str() == s)
                .ok_or_else(|| StoreError::invalid("measure", format!("指标“{s}”不存在"))),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MapGrid {
    pub code: String,
    pub name: String,
    /// GeoJSON geometry, WGS84.
    pub boundary: serde_json::Value,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MapPoint {
    pub id: i64,
    pub grid_code: String,
    pub category: String,
    pub category_name: String,
    pub state: String,
    pub state_label: &'static str,
    pub lng: f64,
    pub lat: f64,
    pub department_name: Option<String>,
    pub deadline: Option<i64>,
    pub overdue: bool,
}

/// The counter strip of a region.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Counters {
    /// Events reported since local midnight.
    pub reported_today: i64,
    pub open: i64,
    pub overdue: i64,
    /// Events closed (已结案) or settled on the spot since local midnight.
    pub closed_today: i64,
    /// Ratings given to events closed in the last 30 days, and those of 4 or 5.
    pub rated: i64,
    pub satisfied: i64,
    /// satisfied / rated; none when nothing was rated.
    pub satisfaction: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct CommandMap {
    pub region: String,
    pub measure: Measure,
    pub grids: Vec<MapGrid>,
    pub points: Vec<MapPoint>,
    /// Whether more open events exist than were drawn.
    pub points_truncated: bool,
    pub counters: Counters,
}

#[derive(Debug, Serialize)]
pub struct GridCard {
    pub grid: GridView,
    pub elderly: i64,
    pub hazards: i64,
    pub open_events: Vec<MapPoint>,
}

fn years_before(d: Date, years: i32) -> Date {
    let year = d.year - years;
    Date::new(year, d.month, d.day)
        .or_else(|| Date::new(year, d.month, d.day - 1))
        .unwrap_or(d)
}

impl Store {
    /// The map is the regions' view; a department's figures are its own (indicators).
    fn map_scope_check(&self, scope: &Scope) -> Result<(), StoreError> {
        self.base_scope_check(scope)?;
        if scope.role.is_department() {
            return Err(StoreError::Forbidden("部门角色请查看本部门的指标".into()));
        }
        Ok(())
    }

    /// The map of a region subtree within the caller's scope (NotFound outside it).
    pub async fn command_map(
        &self,
        scope: &Scope,
        region: Option<&str>,
        measure: Measure,
    ) -> Result<CommandMap, StoreError> {
        self.map_scope_check(scope)?;
        let region = scope.narrow(region)?;
        if !region.is_empty() {
            match Level::from_code_len(region.len()) {
                Some(Level::Building) | None => return Err(StoreError::NotFound),
                _ => {}
            }
        }
        let (lo, hi) = Scope::range_of(&region);
        let rows = self.grids_in_range(&lo, &hi).await?;
        if rows.is_empty() && !region.is_empty() {
            // A code with no grids under it must at least name a region or grid.
            let known = crate::entity::region::Entity::find_by_id(region.clone())
                .one(&self.db)
                .await?
                .is_some();
            if !known {
                return Err(StoreError::NotFound);
            }
        }
        let values: HashMap<String, f64> = match measure {
            Measure::Persons => rows
                .iter()
                .map(|g| (g.code.clone(), g.person_count as f64))
                .collect(),
            Measure::PerThousand => {
                let since = self.now_ms() - 30 * DAY_MS;
                let counts = self
                    .grouped(
                        "SELECT grid_code AS k, COUNT(*) AS n FROM event \
                         WHERE grid_code >= ? AND grid_code < ? AND created_at >= ? GROUP BY grid_code",
                        &lo,
                        &hi,
                        vec![since.into()],
                    )
                    .await?;
                rows.iter()
                    .map(|g| {
                        let n = counts.get(&g.code).copied().unwrap_or(0) as f64;
                        let v = if g.person_count > 0 {
                            n * 1000.0 / g.person_count as f64
                        } else {
                            0.0
                        };
                        (g.code.clone(), v)
                    })
                    .collect()
            }
            _ => {
                let (sql, extra) = self.measure_query(measure);
                self.grouped(&sql, &lo, &hi, extra)
                    .await?
                    .into_iter()
                    .map(|(k, n)| (k, n as f64))
                    .collect()
            }
        };
        let mut grids = Vec::with_capacity(rows.len());
        for g in rows {
            let boundary = serde_json::from_str(&g.boundary)
                .map_err(|e| StoreError::Crypto(format!("边界数据损坏：{e}")))?;
            grids.push(MapGrid {
                value: values.get(&g.code).copied().unwrap_or(0.0),
                code: g.code,
                name: g.name,
                boundary,
            });
        }
        let points = self.open_points(&lo, &hi, MAX_POINTS + 1).await?;
        let points_truncated = points.len() as u64 > MAX_POINTS;
        let points = points.into_iter().take(MAX_POINTS as usize).collect();
        let counters = self.counters(&lo, &hi).await?;
        Ok(CommandMap {
            region,
            measure,
            grids,
            points,
            points_truncated,
            counters,
        })
    }

    /// The grouped count behind a measure (not persons or per-thousand), with the values
    /// that follow the range's two.
    fn measure_query(&self, measure: Measure) -> (String, Vec<Value>) {
        let open = crate::sql::open_states();
        match measure {
            Measure::Overdue => (
                format!(
                    "SELECT grid_code AS k, COUNT(*) AS n FROM event WHERE grid_code >= ? AND \
                     grid_code < ? AND state IN ({open}) AND overdue = ? GROUP BY grid_code"
                ),
                vec![true.into()],
            ),
            Measure::Elderly => {
                let born_by = years_before(local_date(self.now_ms()), 60).to_string();
                (
                    "SELECT grid_code AS k, COUNT(*) AS n FROM person WHERE grid_code >= ? AND \
                     grid_code < ? AND status = 'active' AND birth_date <= ? GROUP BY grid_code"
                        .into(),
                    vec![born_by.into()],
                )
            }
            Measure::Hazards => (
                "SELECT grid_code AS k, COUNT(*) AS n FROM thing WHERE grid_code >= ? AND \
                 grid_code < ? AND kind = 'hazard' AND status = 'active' GROUP BY grid_code"
                    .into(),
                Vec::new(),
            ),
            _ => (
                format!(
                    "SELECT grid_code AS k, COUNT(*) AS n FROM event WHERE grid_code >= ? AND \
                     grid_code < ? AND state IN ({open}) GROUP BY grid_code"
                ),
                Vec::new(),
            ),
        }
    }

    async fn grouped(
        &self,
        sql: &str,
        lo: &str,
        hi: &str,
        extra: Vec<Value>,
    ) -> Result<HashMap<String, i64>, StoreError> {
        let mut values: Vec<Value> = vec![lo.into(), hi.into()];
        values.extend(extra);
        let stmt = sql::statement(self.db.get_database_backend(), sql, values);
        let rows = self.db.query_all_raw(stmt).await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<String>("", "k")?, r.try_get::<i64>("", "n")?)))
            .collect()
    }

    /// Open events in [lo, hi), newest first.
    async fn open_points(
        &self,
        lo: &str,
        hi: &str,
        limit: u64,
    ) -> Result<Vec<MapPoint>, StoreError> {
        let depts = Departments::load(&self.db).await?;
        let sql = format!(
            "SELECT id, grid_code, category, category_name, state, lng, lat, department_id, \
             deadline, overdue FROM event WHERE grid_code >= ? AND grid_code < ? AND state IN ({}) \
             ORDER BY id DESC LIMIT {limit}",
            crate::sql::open_states()
        );
        let stmt = sql::statement(
            self.db.get_database_backend(),
            &sql,
            vec![lo.into(), hi.into()],
        );
        let rows = self.db.query_all_raw(stmt).await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("", "state")?;
                let dept: Option<i64> = r.try_get("", "department_id")?;
                Ok(MapPoint {
                    id: r.try_get("", "id")?,
                    grid_code: r.try_get("", "grid_code")?,
                    category: r.try_get("", "category")?,
                    category_name: r.try_get("", "category_name")?,
                    state_label: State::parse(&state).map_or("", State::label),
                    state,
                    lng: r.try_get("", "lng")?,
                    lat: r.try_get("", "lat")?,
                    department_name: dept.and_then(|d| depts.by_id(d)).map(|d| d.name.clone()),
                    deadline: r.try_get("", "deadline")?,
                    overdue: r.try_get("", "overdue")?,
                })
            })
            .collect()
    }

    /// The counter strip over [lo, hi), in one pass.
    async fn counters(&self, lo: &str, hi: &str) -> Result<Counters, StoreError> {
        let now = self.now_ms();
        let midnight = local_midnight_ms(local_date(now));
        let month = now - 30 * DAY_MS;
        let open = crate::sql::open_states();
        let sql = format!(
            "SELECT \
             COALESCE(SUM(CASE WHEN created_at >= ? THEN 1 ELSE 0 END), 0) AS today, \
             COALESCE(SUM(CASE WHEN state IN ({open}) THEN 1 ELSE 0 END), 0) AS open, \
             COALESCE(SUM(CASE WHEN state IN ({open}) AND overdue = ? THEN 1 ELSE 0 END), 0) AS overdue, \
             COALESCE(SUM(CASE WHEN state IN ('closed','settled') AND closed_at >= ? THEN 1 ELSE 0 END), 0) AS closed, \
             COALESCE(SUM(CASE WHEN rating IS NOT NULL AND closed_at >= ? THEN 1 ELSE 0 END), 0) AS rated, \
             COALESCE(SUM(CASE WHEN rating >= 4 AND closed_at >= ? THEN 1 ELSE 0 END), 0) AS satisfied \
             FROM event WHERE grid_code >= ? AND grid_code < ?"
        );
        let stmt = sql::statement(
            self.db.get_database_backend(),
            &sql,
            vec![
                midnight.into(),
                true.into(),
                midnight.into(),
                month.into(),
                month.into(),
                lo.into(),
                hi.into(),
            ],
        );
        let Some(r) = self.db.query_one_raw(stmt).await? else {
            return Ok(Counters::default());
        };
        let rated: i64 = r.try_get("", "rated")?;
        let satisfied: i64 = r.try_get("", "satisfied")?;
        Ok(Counters {
            reported_today: r.try_get("", "today")?,
            open: r.try_get("", "open")?,
            overdue: r.try_get("", "overdue")?,
            closed_today: r.try_get("", "closed")?,
            rated,
            satisfied,
            satisfaction: (rated > 0).then(|| satisfied as f64 / rated as f64),
        })
    }

    /// A grid's card: its people counts and staff, elderly and hazards, and open events.
    pub async fn grid_card(&self, scope: &Scope, code: &str) -> Result<GridCard, StoreError> {
        self.map_scope_check(scope)?;
        let grid = self.grid(scope, code).await?;
        let (lo, hi) = Scope::range_of(code);
        let elderly = self.measure_count(Measure::Elderly, &lo, &hi, code).await?;
        let hazards = self.measure_count(Measure::Hazards, &lo, &hi, code).await?;
        let open_events = self.open_points(&lo, &hi, 500).await?;
        Ok(GridCard {
            grid,
            elderly,
            hazards,
            open_events,
        })
    }

    async fn measure_count(
        &self,
        measure: Measure,
        lo: &str,
        hi: &str,
        code: &str,
    ) -> Result<i64, StoreError> {
        let (sql, extra) = self.measure_query(measure);
        Ok(self
            .grouped(&sql, lo, hi, extra)
            .await?
            .get(code)
            .copied()
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_measures() {
        assert_eq!(Measure::parse(None).unwrap(), Measure::Open);
        for m in Measure::ALL {
            assert_eq!(Measure::parse(Some(m.as_str())).unwrap(), m);
        }
        assert!(Measure::parse(Some("x")).is_err());
        assert!(crate::sql::open_states().contains("'suspended'"));
        assert!(!crate::sql::open_states().contains("'closed'"));
    }
}
