//! Daily rollup of the indicators (指标日汇总): per county, Shanghai day of report and
//! community, the sum of what its events add to each count
//! (`wangge_domain::event_facts::Tally`, same columns in the same order). Every step adds
//! its event's change, so indicators over a region and a period read a few rows per day
//! and community instead of every event and trail.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_tally")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    /// Days since 1970-01-01 of the report, in Shanghai time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: i32,
    /// The 12-digit community code (the grid code's prefix).
    #[sea_orm(primary_key, auto_increment = false)]
    pub community: String,
    pub reports: i64,
    pub citizen_reports: i64,
    pub registered: i64,
    pub dispatched: i64,
    pub dispatched_on_time: i64,
    pub dispatched_no_return: i64,
    pub returned: i64,
    pub signed: i64,
    pub signed_on_time: i64,
    pub handled: i64,
    pub handled_on_time: i64,
    pub reworked: i64,
    pub closed: i64,
    pub closed_on_time: i64,
    pub open_overdue: i64,
    pub settled: i64,
    pub rated: i64,
    pub satisfied: i64,
    pub late: i64,
    pub timed: i64,
    pub handling_minutes: i64,
}

impl ActiveModelBehavior for ActiveModel {}
