//! Daily rollup of the indicators (指标日汇总): per county, Shanghai day of report and
//! county, street, community, lead department or catalog item, the sum of what its events
//! add to each
//! count (`wangge_domain::event_facts::Tally`, same columns in the same order). Every step
//! adds its event's change, so indicators over a region or department and a period read one
//! row a day instead of every event and trail.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, Default, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_tally")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    /// 6, 9 or 12: the row sums a county, street or community (`code`, the grid code's
    /// prefix); 0: a lead department of the county (`code`, its id; empty while no
    /// department leads); 1: a catalog item of the county (`code`, `A01-003`); 2: a department
    /// co-handling events of the county (`code`, its code `D03`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub level: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    /// Days since 1970-01-01 of the report, in Shanghai time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: i32,
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
