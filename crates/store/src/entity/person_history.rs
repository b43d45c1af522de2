//! What happened to a person's record: created, changed (which fields), moved between
//! grids, moved out, died. Kept when the person leaves, so the record's story stays whole.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(indexed)]
    pub person_id: i64,
    pub at: i64,
    /// `create`, `update`, `move`, `move_out`, `death`, `return`.
    pub kind: String,
    pub grid_from: Option<String>,
    pub grid_to: Option<String>,
    /// The fields that changed, comma-separated keys (`phone,residence`); no values, so no
    /// personal data is copied out of its encrypted columns.
    pub fields: String,
    /// Where the change came from: `页面`, `导入 人口.xlsx`, `网格拆分` …
    pub source: String,
    pub note: Option<String>,
    pub account_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
