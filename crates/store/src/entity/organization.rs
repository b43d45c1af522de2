//! An organization on a grid (组织): enterprise, shop, school, social organization,
//! property company, owners' committee.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organization")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub grid_code: String,
    #[sea_orm(indexed)]
    pub name: String,
    /// Unified social credit code (GB 32100), validated; unique when present.
    #[sea_orm(indexed)]
    pub uscc: Option<String>,
    pub kind: String,
    pub address: String,
    pub leader: Option<String>,
    pub phone_cipher: Option<Vec<u8>>,
    pub phone_masked: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    /// `active` or `closed`.
    pub status: String,
    pub note: Option<String>,
    pub updated_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
