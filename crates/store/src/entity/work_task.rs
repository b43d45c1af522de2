//! A work task (工作任务, 五问工作法): what a leader or command center assigns for a quarter,
//! with its points and due date. It belongs to the region of whoever assigned it; its
//! units' parts are in `work_assignment`.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_task")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The assigning level's region code (county, street or community): whoever's scope
    /// covers it sees every unit's part and checks them off.
    pub region: String,
    /// `2026Q4` (`wangge_domain::work_task::Quarter`).
    pub quarter: String,
    pub title: String,
    pub description: String,
    /// 分值, 1–100.
    pub points: i32,
    /// `YYYY-MM-DD`, within the quarter.
    pub due_date: String,
    pub created_by: i64,
    pub created_by_name: String,
    pub created_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
