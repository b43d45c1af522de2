//! One step of a work assignment (交办、预安、申请销号、销号、退回): who, when, from which
//! status to which, with what note and photos. The audit log records the same steps in
//! its SM3 chain.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_step")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub task_id: i64,
    #[sea_orm(indexed)]
    pub assignment_id: i64,
    pub at: i64,
    pub account_id: i64,
    pub actor: String,
    pub role: String,
    /// `assign` or a `wangge_domain::work_task::Step` machine name.
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub note: String,
    pub photos: String,
}

impl ActiveModelBehavior for ActiveModel {}
