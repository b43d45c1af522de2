//! The daily social-governance index (社会治理指数) of a county, street or community, kept
//! per day so its trend can be drawn (`wangge_domain::governance`).
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "governance_index")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    /// Days since 1970-01-01 (Shanghai) of the day the index closes.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: i32,
    /// County (6 digits), street (9) or community (12) code.
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_code: String,
    /// 0–100; `None` when the window had no reports.
    pub value: Option<f64>,
    /// Each component's rate: `closed_on_time=60.0;closure=80.0;…` (`-` when left out).
    pub components: String,
    pub computed_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
