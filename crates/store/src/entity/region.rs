//! The region tree above the grid: city, county, street, community (reference table).
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "region")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    /// `city`, `county`, `street` or `community` (see `wangge_domain::region::Level`).
    pub level: String,
    #[sea_orm(indexed)]
    pub parent_code: Option<String>,
    /// The region's own boundary (GeoJSON, WGS84), against which grid coverage is checked.
    pub boundary: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
