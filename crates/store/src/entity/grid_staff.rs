//! A responsible person of a grid (网格长, 网格员, AB岗, 1+3 …): 人人都有责任田.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grid_staff")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(indexed)]
    pub grid_code: String,
    pub duty: String,
    pub name: String,
    pub phone_cipher: Vec<u8>,
    pub account_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
