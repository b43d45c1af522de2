//! A grid (网格): its boundary, its bounding box for lookups, and cached population counts.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "grid")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(indexed)]
    pub code: String,
    pub name: String,
    pub community_code: String,
    /// GeoJSON geometry (Polygon or MultiPolygon) in WGS84.
    pub boundary: String,
    pub min_lng: f64,
    pub min_lat: f64,
    pub max_lng: f64,
    pub max_lat: f64,
    pub household_count: i32,
    pub person_count: i32,
    pub updated_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
