//! A thing on a grid (物): a safety hazard, a dangerous tree, fire equipment, a manhole
//! cover … kept on record so patrols and events can refer to it.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "thing")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub grid_code: String,
    pub kind: String,
    pub name: String,
    pub address: String,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    /// `active` or `removed`.
    pub status: String,
    pub note: Option<String>,
    pub updated_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
