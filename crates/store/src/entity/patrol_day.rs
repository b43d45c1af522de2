//! A patrol's time on one Shanghai day (a patrol past midnight counts on both days), so
//! the daily rule and the assessment sum rows instead of tracks.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "patrol_day")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub patrol_id: i64,
    /// Days since 1970-01-01, Shanghai time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: i32,
    pub account_id: i64,
    pub grid_code: String,
    pub ms: i64,
}

impl ActiveModelBehavior for ActiveModel {}
