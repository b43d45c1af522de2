//! What field work adds to the grid-worker assessment, per grid over a period: visits due
//! and done on time (the rules' coverage of the period), and working days that met the
//! daily patrol rule. `None` when the region has no such records at all in the period, so
//! the dimension is shown as not recorded rather than as zero.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use wangge_domain::date::{Date, local_date};
use wangge_domain::period::Period;
use wangge_domain::visits::{Window, coverage_by_grid};

use crate::entity::{patrol_day, visit};
use crate::{Scope, Store, StoreError};

/// Per grid: `(done on time, due and settled)` of visits; the working days that met the
/// patrol rule, with the working days of the period.
#[derive(Debug, Default)]
pub(crate) struct FieldFacts {
    pub visits: Option<HashMap<String, (u64, u64)>>,
    pub patrol_days: Option<(HashMap<String, u64>, u64)>,
}

impl FieldFacts {
    /// A grid's `(days met, working days)`.
    pub fn patrol_days_of(&self, grid: &str) -> Option<(u64, u64)> {
        self.patrol_days
            .as_ref()
            .map(|(met, days)| (met.get(grid).copied().unwrap_or(0), *days))
    }
}

impl Store {
    pub(crate) async fn field_facts(
        &self,
        region: &str,
        p: Period,
    ) -> Result<FieldFacts, StoreError> {
        let db = self.connection();
        let (lo, hi) = Scope::range_of(region);
        let today = local_date(self.now_ms());
        // Visits count as of today; patrol days once they are over.
        let (seen, last) = (p.to.min(today.add_days(1)), p.to.min(today));
        if seen <= p.from {
            return Ok(FieldFacts::default());
        }
        let (from, to) = (day(p.from), day(last));
        let settings = self.field_settings().await?;

        let visited = visit::Entity::find()
            .filter(visit::Column::GridCode.gte(lo.clone()))
            .filter(visit::Column::GridCode.lt(hi.clone()))
            .filter(visit::Column::Day.gte(from))
            .filter(visit::Column::Day.lt(day(seen)))
            .count(db)
            .await?;
        let visits = if visited == 0 {
            None
        } else {
            let homes = self
                .visit_households(region, settings.visits_since, &settings.rules)
                .await?;
            let window = Window {
                from: p.from,
                to: last,
            };
            let by_grid = homes.with_subjects(settings.visits_since, |subjects| {
                coverage_by_grid(&settings.rules, subjects, window, today)
                    .into_iter()
                    .map(|(g, c)| {
                        let settled = c.total.due - c.total.pending;
                        (
                            g.to_string(),
                            (u64::from(c.total.on_time), u64::from(settled)),
                        )
                    })
                    .collect::<HashMap<_, _>>()
            });
            Some(by_grid)
        };

        let rows: Vec<(String, i32, i64)> = patrol_day::Entity::find()
            .select_only()
            .column(patrol_day::Column::GridCode)
            .column(patrol_day::Column::Day)
            .column(patrol_day::Column::Ms)
            .filter(patrol_day::Column::GridCode.gte(lo))
            .filter(patrol_day::Column::GridCode.lt(hi))
            .filter(patrol_day::Column::Day.gte(from))
            .filter(patrol_day::Column::Day.lt(to))
            .into_tuple()
            .all(db)
            .await?;
        let patrol_days = if rows.is_empty() {
            None
        } else {
            let calendar = self.work_calendar().await?;
            let working: Vec<Date> = (from..to)
                .map(|d| Date::from_days_since_epoch(d.into()))
                .filter(|d| calendar.is_working_day(*d))
                .collect();
            let mut ms: HashMap<(String, i32), i64> = HashMap::new();
            for (g, d, m) in rows {
                *ms.entry((g, d)).or_default() += m;
            }
            let mut met: HashMap<String, u64> = HashMap::new();
            for ((g, d), m) in ms {
                let date = Date::from_days_since_epoch(d.into());
                if working.contains(&date) && settings.daily.status(date, m).met {
                    *met.entry(g).or_default() += 1;
                }
            }
            Some((met, working.len() as u64))
        };
        Ok(FieldFacts {
            visits,
            patrol_days,
        })
    }
}

fn day(d: Date) -> i32 {
    d.days_since_epoch() as i32
}
