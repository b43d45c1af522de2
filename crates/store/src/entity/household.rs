//! A household (户): a room in a building, with its members in `person`.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "household")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(indexed)]
    pub building_id: i64,
    pub grid_code: String,
    pub room: String,
    pub address: String,
    pub member_count: i32,
    /// The household number (户号) from the register, when known (added by migration 3).
    pub number: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
