//! A weekly work log (周日志) of a grid worker or leader: drafted from the week's patrols,
//! visits, events and daily reports, edited, then submitted.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    /// ISO week, `2026-W49`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub week: String,
    pub region: String,
    pub author: String,
    pub text: String,
    pub submitted_at: Option<i64>,
    pub updated_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
