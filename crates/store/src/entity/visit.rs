//! A visit (走访) of a grid worker to a household: when and where, who was met, what was
//! found and what follows; a finding may have become an event. Its photos are uploads
//! whose `visit_id` names it.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "visit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub household_id: i64,
    /// The household's grid when it was visited.
    pub grid_code: String,
    pub account_id: i64,
    /// The visitor's name as trails show it.
    pub visitor: String,
    /// Days since 1970-01-01 of the visit, in Shanghai time.
    pub day: i32,
    pub at_ms: i64,
    /// Where the phone was (WGS84), when it could tell.
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub accuracy_m: Option<f64>,
    /// Metres from the household's building, when the position is known.
    pub distance_m: Option<f64>,
    pub met: String,
    pub finding: String,
    pub follow_up: String,
    /// The event the finding became, if any.
    pub event_id: Option<i64>,
    pub created_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
