//! `Idempotency-Key`: a write a phone may retry is done once. The first request under a
//! key claims it (an insert that only one of two racing requests can make), and its answer
//! is kept for a day; a retry gets that answer, a request racing the first one is told to
//! wait, and the same key on a different request is refused.
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entity::idempotency;
use crate::{Store, StoreError};

/// How long an answer is kept for retries.
pub const KEEP_MS: i64 = 24 * 3_600_000;
/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 100;

/// What a request under a key should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: do the work, then [`Store::idempotency_finish`].
    New,
    /// Done before: answer this again.
    Done { status: u16, body: String },
}

impl Store {
    /// Claims `key` for `owner`'s request (`POST /api/v1/events`, say).
    pub async fn idempotency_claim(
        &self,
        owner: &str,
        key: &str,
        request: &str,
    ) -> Result<Claim, StoreError> {
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.is_ascii() {
            return Err(StoreError::invalid(
                "Idempotency-Key",
                format!("Idempotency-Key 应为1到{MAX_KEY_LEN}个ASCII字符"),
            ));
        }
        let db = self.connection();
        let row = idempotency::ActiveModel {
            owner: Set(owner.into()),
            key: Set(key.into()),
            request: Set(request.into()),
            status: Set(0),
            body: Set(String::new()),
            created_at: Set(self.now_ms()),
        };
        let inserted = idempotency::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([idempotency::Column::Owner, idempotency::Column::Key])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        if inserted == 1 {
            return Ok(Claim::New);
        }
        let first = idempotency::Entity::find_by_id((owner.to_string(), key.to_string()))
            .one(db)
            .await?
            .ok_or_else(|| StoreError::Conflict("请求正在处理，请稍后重试".into()))?;
        if first.request != request {
            return Err(StoreError::invalid(
                "Idempotency-Key",
                "该 Idempotency-Key 已用于另一个请求",
            ));
        }
        match u16::try_from(first.status) {
            Ok(status) if status > 0 => Ok(Claim::Done {
                status,
                body: first.body,
            }),
            _ => Err(StoreError::Conflict(
                "相同 Idempotency-Key 的请求正在处理，请稍后重试".into(),
            )),
        }
    }

    /// Keeps the answer to a claimed request; a server error releases the key instead, so
    /// that the retry is done afresh.
    pub async fn idempotency_finish(
        &self,
        owner: &str,
        key: &str,
        status: u16,
        body: String,
    ) -> Result<(), StoreError> {
        let db = self.connection();
        let id = (owner.to_string(), key.trim().to_string());
        if status >= 500 {
            idempotency::Entity::delete_by_id(id).exec(db).await?;
            return Ok(());
        }
        if let Some(row) = idempotency::Entity::find_by_id(id).one(db).await? {
            let mut row: idempotency::ActiveModel = row.into();
            row.status = Set(i32::from(status));
            row.body = Set(body);
            row.update(db).await?;
        }
        Ok(())
    }

    /// Forgets answers older than a day.
    pub async fn purge_idempotency(&self) -> Result<u64, StoreError> {
        Ok(idempotency::Entity::delete_many()
            .filter(idempotency::Column::CreatedAt.lt(self.now_ms() - KEEP_MS))
            .exec(self.connection())
            .await?
            .rows_affected)
    }
}
