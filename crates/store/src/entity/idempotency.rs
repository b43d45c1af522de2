//! The first answer to a write sent with an `Idempotency-Key` header: a phone retrying a
//! report over a bad connection gets the same answer instead of a second event.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency")]
pub struct Model {
    /// Who sent it: `account:<id>` or `public:<client>`, and the key they chose.
    #[sea_orm(primary_key, auto_increment = false)]
    pub owner: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Method and path the key was first used with; another request under the same key
    /// is refused.
    pub request: String,
    pub status: i32,
    pub body: String,
    #[sea_orm(indexed)]
    pub created_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
