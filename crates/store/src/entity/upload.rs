//! A photo uploaded for an event or as a work task's evidence (reference table: it exists
//! before what it will be attached to). The bytes are stored as re-encoded by
//! `wangge_domain::photo`: checked by content, with EXIF (and so the GPS position) removed
//! before anyone else sees them.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "upload")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The staff account that uploaded it; `None` for a citizen's upload.
    pub account_id: Option<i64>,
    /// Random token given to a citizen with the upload id, proving the upload is theirs
    /// when the report names it.
    pub owner_token: String,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    pub size: i64,
    pub data: Vec<u8>,
    pub created_at: i64,
    /// The event it was attached to (once attached, no one else can attach it).
    pub event_id: Option<i64>,
    /// Or the work assignment whose check-off evidence it is.
    pub work_assignment_id: Option<i64>,
    /// Or the visit it was taken on (added by migration 9).
    pub visit_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
