//! An item of the handling-standards catalog (事项清单), a reference table: who leads,
//! who helps, the time limits and the closure standard. Events are routed by it.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "catalog_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub category: String,
    pub name: String,
    /// Department codes.
    pub lead: String,
    pub co: String,
    pub sign_hours: i32,
    pub handle_days: i32,
    pub urgency_permille: i32,
    pub claimable: bool,
    pub standard: String,
    /// Retired items stay for the events that refer to them.
    pub active: bool,
}

impl ActiveModelBehavior for ActiveModel {}
