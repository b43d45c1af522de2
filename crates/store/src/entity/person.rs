//! A person on a grid. ID number and phone are stored only encrypted (SM4-GCM), with an
//! HMAC-SM3 blind index for exact lookup and a masked form for lists.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(indexed)]
    pub household_id: i64,
    pub grid_code: String,
    #[sea_orm(indexed)]
    pub name: String,
    pub id_cipher: Vec<u8>,
    #[sea_orm(indexed)]
    pub id_index: Vec<u8>,
    pub id_masked: String,
    pub phone_cipher: Option<Vec<u8>>,
    pub phone_index: Option<Vec<u8>>,
    pub phone_masked: Option<String>,
    /// `M` or `F`, derived from the ID number.
    pub sex: String,
    /// `YYYY-MM-DD`, derived from the ID number.
    pub birth_date: String,
    pub relation: String,
    pub residence: String,
    pub ethnicity: Option<String>,
    pub note: Option<String>,
    /// `active`, `moved_out` or `deceased` (added by migration 3).
    pub status: String,
    pub updated_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
