//! The single row that holds the audit chain's head; updating it first serialises appenders
//! on both databases. `anchor_*` marks where the chain starts after a purge.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_head")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub seq: i64,
    pub last_hash: String,
    pub anchor_hash: String,
}

impl ActiveModelBehavior for ActiveModel {}
