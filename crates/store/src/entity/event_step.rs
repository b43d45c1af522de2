//! One step of an event's trail (全程留痕): who did what, when, from which state to which,
//! with what note and attachments. Each row carries the SM3 hash of the previous one, so
//! an edited or deleted step breaks the chain.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_step")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i32,
    pub at: i64,
    pub account_id: Option<i64>,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub note: String,
    /// The department the step concerns (dispatched to, claimed by, returned by).
    pub department_id: Option<i64>,
    pub photos: String,
    pub prev_hash: String,
    pub hash: String,
}

impl ActiveModelBehavior for ActiveModel {}
