//! A grid worker's key-event daily report (每日必报): one a day; "nothing to report" is a
//! report too.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "daily_report")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    /// Days since 1970-01-01, Shanghai time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: i32,
    pub grid_code: String,
    pub reporter: String,
    pub nothing: bool,
    pub content: String,
    pub created_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
