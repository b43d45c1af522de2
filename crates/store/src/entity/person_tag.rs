//! A care or attention tag on a person (elderly, disabled, key person …).
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_tag")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub tag: String,
    /// Disability grade or mental-disorder risk grade, where the tag has one.
    pub grade: Option<i32>,
    #[sea_orm(indexed)]
    pub grid_code: String,
}

impl ActiveModelBehavior for ActiveModel {}
