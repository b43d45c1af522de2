//! A notice for the people responsible for an event (预警、超期、督办、差评、上报): the
//! department handling it and the supervising level, addressed by department and region
//! prefix so that everyone whose scope covers it sees it.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(indexed)]
    pub created_at: i64,
    pub event_id: i64,
    /// `warning`, `overdue`, `supervised`, `escalated`, `low_rating`, `dispatched`.
    pub kind: String,
    /// The department addressed, if any.
    pub department_id: Option<i64>,
    /// The region addressed: staff whose scope covers this code (the supervising level).
    pub region_code: String,
    pub text: String,
}

impl ActiveModelBehavior for ActiveModel {}
