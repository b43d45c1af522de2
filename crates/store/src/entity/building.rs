//! A building (楼栋) or house on a grid.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "building")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(indexed)]
    pub code: String,
    pub grid_code: String,
    pub name: String,
    pub address: String,
    pub floors: i32,
    pub units: i32,
    pub rooms_per_floor: i32,
    pub lng: f64,
    pub lat: f64,
}

impl ActiveModelBehavior for ActiveModel {}
