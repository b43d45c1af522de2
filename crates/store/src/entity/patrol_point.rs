//! One position of a patrol's track (WGS84). Personal whereabouts (PIPL): deleted by the
//! sweeper after the configured retention. One point per timestamp, so a retried batch
//! adds nothing.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "patrol_point")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub patrol_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub at_ms: i64,
    pub lng: f64,
    pub lat: f64,
    pub accuracy_m: Option<f64>,
}

impl ActiveModelBehavior for ActiveModel {}
