//! Photos for events (`POST /uploads`): checked by content and stripped of their metadata
//! (the GPS position in EXIF) by `wangge_domain::photo` before they are stored, attached
//! to one event (a report, a handling result) or one work assignment (its evidence) and
//! shown only to who may see that.
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use wangge_domain::photo;

use crate::entity::upload;
use crate::sessions::random_token;
use crate::{Scope, Store, StoreError};

/// Unattached photos older than this are deleted.
const ORPHAN_AFTER_MS: i64 = 24 * 3_600_000;

/// Most photos one report or step may carry.
pub const MAX_PHOTOS: usize = 9;

/// What a photo is attached to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Attachment {
    Event(i64),
    /// The evidence of a work assignment (销号材料).
    WorkAssignment(i64),
    /// A photo taken on a visit.
    Visit(i64),
}

/// Who uploads: a signed-in member of staff, or a citizen without an account.
#[derive(Debug, Clone, Copy)]
pub enum Uploader {
    Staff(i64),
    Citizen,
}

/// A stored photo, as answered to its uploader.
#[derive(Debug, Clone, Serialize)]
pub struct UploadView {
    pub id: i64,
    /// What a report names the photo by: `id` for staff, `id.token` for citizens (the token
    /// proves the photo is the citizen's own).
    #[serde(rename = "ref")]
    pub reference: String,
    pub content_type: String,
    pub size: i64,
}

/// A photo's bytes for showing.
pub struct PhotoBytes {
    pub content_type: String,
    pub data: Vec<u8>,
}

/// The ids of a comma-joined list (`,17,18,`).
pub fn photo_ids(list: &str) -> Vec<i64> {
    list.split(',').filter_map(|p| p.parse().ok()).collect()
}

/// A photo reference as a report names it: `id` or `id.token`.
pub(crate) fn parse_photo_ref(r: &str) -> Result<(i64, &str), StoreError> {
    let (id, token) = r.trim().split_once('.').unwrap_or((r.trim(), ""));
    id.parse()
        .map(|id| (id, token))
        .map_err(|_| StoreError::invalid("photos", format!("照片“{r}”不存在或不是您上传的")))
}

pub(crate) fn join_ids(ids: &[i64]) -> String {
    if ids.is_empty() {
        return String::new();
    }
    let mut s = String::from(",");
    for id in ids {
        s.push_str(&id.to_string());
        s.push(',');
    }
    s
}

impl Store {
    /// Checks, cleans and stores one photo.
    pub async fn save_upload(
        &self,
        uploader: Uploader,
        bytes: &[u8],
    ) -> Result<UploadView, StoreError> {
        let clean =
            photo::sanitize(bytes).map_err(|e| StoreError::invalid("file", e.to_string()))?;
        let (account_id, token) = match uploader {
            Uploader::Staff(id) => (Some(id), String::new()),
            Uploader::Citizen => (None, random_token()[..24].to_string()),
        };
        let model = upload::Model {
            id: self.next_id(),
            account_id,
            owner_token: token.clone(),
            content_type: clean.content_type.to_string(),
            size: clean.bytes.len() as i64,
            data: clean.bytes,
            created_at: self.now_ms(),
            event_id: None,
            work_assignment_id: None,
            visit_id: None,
        };
        upload::ActiveModel::from(model.clone())
            .insert(self.connection())
            .await?;
        Ok(UploadView {
            id: model.id,
            reference: if token.is_empty() {
                model.id.to_string()
            } else {
                format!("{}.{token}", model.id)
            },
            content_type: model.content_type,
            size: model.size,
        })
    }

    /// Attaches the named uploads to an event inside `txn`: each must be the uploader's own
    /// and not attached yet. Answers the ids in order.
    pub(crate) async fn attach_uploads(
        &self,
        txn: &impl ConnectionTrait,
        uploader: Uploader,
        refs: &[String],
        event_id: i64,
    ) -> Result<Vec<i64>, StoreError> {
        self.attach_uploads_to(txn, uploader, refs, Attachment::Event(event_id))
            .await
    }

    /// Attaches the named uploads to an event or a work assignment, as
    /// [`Store::attach_uploads`] does.
    pub(crate) async fn attach_uploads_to(
        &self,
        txn: &impl ConnectionTrait,
        uploader: Uploader,
        refs: &[String],
        to: Attachment,
    ) -> Result<Vec<i64>, StoreError> {
        let (column, owner) = match to {
            Attachment::Event(id) => (upload::Column::EventId, id),
            Attachment::WorkAssignment(id) => (upload::Column::WorkAssignmentId, id),
            Attachment::Visit(id) => (upload::Column::VisitId, id),
        };
        if refs.len() > MAX_PHOTOS {
            return Err(StoreError::invalid(
                "photos",
                format!("照片最多{MAX_PHOTOS}张"),
            ));
        }
        let mut ids = Vec::with_capacity(refs.len());
        for r in refs {
            let (id, token) = parse_photo_ref(r)?;
            let bad = || StoreError::invalid("photos", format!("照片“{r}”不存在或不是您上传的"));
            let mut q = upload::Entity::update_many()
                .col_expr(column, Expr::value(owner))
                .filter(upload::Column::Id.eq(id))
                .filter(upload::Column::EventId.is_null())
                .filter(upload::Column::WorkAssignmentId.is_null())
                .filter(upload::Column::VisitId.is_null());
            q = match uploader {
                Uploader::Staff(account) => q.filter(upload::Column::AccountId.eq(account)),
                Uploader::Citizen if token.is_empty() => return Err(bad()),
                Uploader::Citizen => q
                    .filter(upload::Column::AccountId.is_null())
                    .filter(upload::Column::OwnerToken.eq(token)),
            };
            if q.exec(txn).await?.rows_affected != 1 || ids.contains(&id) {
                return Err(bad());
            }
            ids.push(id);
        }
        Ok(ids)
    }

    /// Deletes photos uploaded more than a day ago and never attached to an event or a
    /// work assignment (a report abandoned after its photos were sent).
    pub async fn purge_orphan_uploads(&self) -> Result<u64, StoreError> {
        Ok(upload::Entity::delete_many()
            .filter(upload::Column::EventId.is_null())
            .filter(upload::Column::WorkAssignmentId.is_null())
            .filter(upload::Column::VisitId.is_null())
            .filter(upload::Column::CreatedAt.lt(self.now_ms() - ORPHAN_AFTER_MS))
            .exec(self.connection())
            .await?
            .rows_affected)
    }

    /// A photo for a member of staff: one attached to an event or a work assignment they
    /// can see, or their own upload not attached yet.
    pub async fn photo(&self, scope: &Scope, id: i64) -> Result<PhotoBytes, StoreError> {
        let db = self.connection();
        let up = upload::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)?;
        match (up.event_id, up.work_assignment_id, up.visit_id) {
            (Some(event), _, _) => {
                self.visible_event(db, scope, event).await?;
            }
            (None, Some(assignment), _) => {
                self.visible_assignment(scope, assignment).await?;
            }
            (None, None, Some(visit)) => {
                self.visible_visit(scope, visit).await?;
            }
            (None, None, None) if up.account_id == Some(scope.account_id) => {}
            (None, None, None) => return Err(StoreError::NotFound),
        }
        Ok(PhotoBytes {
            content_type: up.content_type,
            data: up.data,
        })
    }

    /// A photo of an event, for the public tracking page (the caller has checked that the
    /// event shows this photo).
    pub(crate) async fn event_photo(
        &self,
        event_id: i64,
        id: i64,
    ) -> Result<PhotoBytes, StoreError> {
        let up = upload::Entity::find_by_id(id)
            .filter(upload::Column::EventId.eq(event_id))
            .one(self.connection())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(PhotoBytes {
            content_type: up.content_type,
            data: up.data,
        })
    }
}
