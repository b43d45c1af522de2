//! A login account with its role, scope and protection state (reference table).
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    /// Region code prefix the account may see.
    pub scope: String,
    pub department_id: Option<i64>,
    pub must_change_password: bool,
    pub failed_logins: i32,
    pub locked_until: Option<i64>,
    /// Encrypted TOTP secret once enrolled.
    pub totp_secret: Option<Vec<u8>>,
    /// Last accepted TOTP time step, so a code cannot be replayed.
    pub totp_last_step: Option<i64>,
    pub disabled: bool,
    pub created_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
