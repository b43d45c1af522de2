//! A login session; the token itself is never stored, only its SM3 hash.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    #[sea_orm(indexed)]
    pub account_id: i64,
    pub csrf: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client: String,
}

impl ActiveModelBehavior for ActiveModel {}
