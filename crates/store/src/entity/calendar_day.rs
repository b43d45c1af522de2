//! A day that breaks the weekly rule of the working-time calendar (reference table): an
//! official day off, or a make-up working day (调休) on a weekend.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_day")]
pub struct Model {
    /// `YYYY-MM-DD`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub date: String,
    /// `off` or `work`.
    pub kind: String,
    pub note: String,
}

impl ActiveModelBehavior for ActiveModel {}
