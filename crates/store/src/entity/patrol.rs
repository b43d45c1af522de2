//! A patrol (巡查) of a grid worker: started and stopped on the phone, with the statistics
//! of its track (`wangge_domain::patrol::stats`) kept up to date as points arrive. At most
//! one patrol of a worker runs at a time.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "patrol")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub account_id: i64,
    /// The worker's grid when the patrol started.
    pub grid_code: String,
    pub started_at: i64,
    /// `None` while it runs.
    pub stopped_at: Option<i64>,
    pub points: i32,
    pub distance_m: f64,
    /// Time backed by positions (the daily rule counts this).
    pub patrol_ms: i64,
    pub inside_ms: i64,
    /// What the statistics noticed (gaps, impossible speeds), one per line, in Chinese.
    pub notes: String,
    pub updated_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
