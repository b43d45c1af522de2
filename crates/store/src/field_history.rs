//! Bulk writing of generated field-work history (`wangge gen`): patrol summaries with
//! their time per day, visits and daily reports, in large multi-row inserts.
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use wangge_domain::population::Duty;

use crate::entity::{daily_report, grid_staff, patrol, patrol_day, visit};
use crate::visit_plan::Households;
use crate::{Scope, Store, StoreError};

/// Rows of generated field work.
#[derive(Debug, Default)]
pub struct FieldHistory {
    pub patrols: Vec<patrol::Model>,
    pub days: Vec<patrol_day::Model>,
    pub visits: Vec<visit::Model>,
    pub reports: Vec<daily_report::Model>,
}

impl FieldHistory {
    pub fn len(&self) -> usize {
        self.patrols.len() + self.days.len() + self.visits.len() + self.reports.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits.
const CHUNK: usize = 500;

impl Store {
    /// Whether any field work is recorded in the county.
    pub async fn has_field_history(&self, county: i32) -> Result<bool, StoreError> {
        Ok(patrol::Entity::find()
            .filter(patrol::Column::County.eq(county))
            .count(self.connection())
            .await?
            > 0)
    }

    /// The households under a region as the visit rules see them (for the generator).
    pub async fn households_for_visits(&self, region: &str) -> Result<Households, StoreError> {
        let s = self.field_settings().await?;
        self.visit_households(region, s.visits_since, &s.rules)
            .await
    }

    /// Each grid's full-time worker under a region: `(grid, staff id, name)`.
    pub async fn grid_workers(
        &self,
        region: &str,
    ) -> Result<Vec<(String, i64, String)>, StoreError> {
        let (lo, hi) = Scope::range_of(region);
        Ok(grid_staff::Entity::find()
            .filter(grid_staff::Column::Duty.eq(Duty::FullTimeWorker.as_str()))
            .filter(grid_staff::Column::GridCode.gte(lo))
            .filter(grid_staff::Column::GridCode.lt(hi))
            .all(self.connection())
            .await?
            .into_iter()
            .map(|s| (s.grid_code, s.id, s.name))
            .collect())
    }

    /// Writes generated rows in one transaction (a rerun adds nothing twice).
    pub async fn write_field_history(&self, h: &FieldHistory) -> Result<(), StoreError> {
        let txn = crate::connect::begin_write(self.connection()).await?;
        for c in h.patrols.chunks(CHUNK) {
            patrol::Entity::insert_many(c.iter().cloned().map(patrol::ActiveModel::from))
                .on_conflict(
                    OnConflict::columns([patrol::Column::County, patrol::Column::Id])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        for c in h.days.chunks(CHUNK) {
            patrol_day::Entity::insert_many(c.iter().cloned().map(patrol_day::ActiveModel::from))
                .on_conflict(
                    OnConflict::columns([
                        patrol_day::Column::County,
                        patrol_day::Column::PatrolId,
                        patrol_day::Column::Day,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        for c in h.visits.chunks(CHUNK) {
            visit::Entity::insert_many(c.iter().cloned().map(visit::ActiveModel::from))
                .on_conflict(
                    OnConflict::columns([visit::Column::County, visit::Column::Id])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        for c in h.reports.chunks(CHUNK) {
            daily_report::Entity::insert_many(
                c.iter().cloned().map(daily_report::ActiveModel::from),
            )
            .on_conflict(
                OnConflict::columns([
                    daily_report::Column::County,
                    daily_report::Column::AccountId,
                    daily_report::Column::Day,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Gives a grid's generated patrols and daily reports to the account that now works it
    /// (the demo's grid worker sees their own history).
    pub async fn adopt_field_history(&self, grid: &str, account_id: i64) -> Result<(), StoreError> {
        let db = self.connection();
        let staff: Vec<i64> = self
            .grid_workers(grid)
            .await?
            .into_iter()
            .map(|w| w.1)
            .collect();
        patrol::Entity::update_many()
            .col_expr(patrol::Column::AccountId, account_id.into())
            .filter(patrol::Column::GridCode.eq(grid))
            .filter(patrol::Column::AccountId.is_in(staff.clone()))
            .exec(db)
            .await?;
        patrol_day::Entity::update_many()
            .col_expr(patrol_day::Column::AccountId, account_id.into())
            .filter(patrol_day::Column::GridCode.eq(grid))
            .filter(patrol_day::Column::AccountId.is_in(staff.clone()))
            .exec(db)
            .await?;
        daily_report::Entity::update_many()
            .col_expr(daily_report::Column::AccountId, account_id.into())
            .filter(daily_report::Column::GridCode.eq(grid))
            .filter(daily_report::Column::AccountId.is_in(staff.clone()))
            .exec(db)
            .await?;
        visit::Entity::update_many()
            .col_expr(visit::Column::AccountId, account_id.into())
            .filter(visit::Column::GridCode.eq(grid))
            .filter(visit::Column::AccountId.is_in(staff))
            .exec(db)
            .await?;
        Ok(())
    }
}
