//! The audit log: append-only rows chained by SM3, verification of the chain, and a purge
//! that refuses rows younger than the retention period.
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use wangge_domain::audit::{GENESIS, chain_hash, from_hex, to_hex};

use crate::entity::{audit_head, audit_log};
use crate::{Store, StoreError};

/// Rows younger than this cannot be purged (等保: at least six months).
pub const RETENTION_DAYS: i64 = 180;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// What happened, by whom, to what, with which outcome, from where.
#[derive(Clone, Copy, Debug)]
pub struct AuditEntry<'a> {
    pub account: &'a str,
    pub action: &'a str,
    pub object: &'a str,
    pub outcome: &'a str,
    pub client: &'a str,
}

#[derive(Debug, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub account: String,
    pub action: String,
    pub object: String,
    pub outcome: String,
    pub client: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    Intact {
        rows: u64,
    },
    Broken {
        rows_checked: u64,
        row_id: Option<i64>,
        reason: String,
    },
}

pub(crate) async fn ensure_head(db: &impl ConnectionTrait) -> Result<(), StoreError> {
    let genesis = to_hex(&GENESIS);
    let head = audit_head::ActiveModel {
        id: Set(1),
        seq: Set(0),
        last_hash: Set(genesis.clone()),
        anchor_hash: Set(genesis),
    };
    audit_head::Entity::insert(head)
        .on_conflict(
            OnConflict::column(audit_head::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

fn fields(m: &audit_log::Model) -> [String; 7] {
    [
        m.id.to_string(),
        m.at.to_string(),
        m.account.clone(),
        m.action.clone(),
        m.object.clone(),
        m.outcome.clone(),
        m.client.clone(),
    ]
}

impl Store {
    /// Appends one row in a transaction of its own.
    pub async fn audit(&self, entry: AuditEntry<'_>) -> Result<(), StoreError> {
        let txn = crate::connect::begin_write(&self.db).await?;
        self.audit_in(&txn, entry).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Appends one row inside the caller's transaction, so a write and its audit row land
    /// together or not at all.
    pub async fn audit_in(
        &self,
        conn: &impl ConnectionTrait,
        entry: AuditEntry<'_>,
    ) -> Result<(), StoreError> {
        self.audit_many_in(conn, &[entry]).await
    }

    /// Appends rows in order inside the caller's transaction, reading and moving the chain's
    /// head once for all of them (a group commit of many reports).
    pub async fn audit_many_in(
        &self,
        conn: &impl ConnectionTrait,
        entries: &[AuditEntry<'_>],
    ) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        // Write first: the update locks the head row (PostgreSQL) or takes the write lock
        // (SQLite), so concurrent appenders queue here instead of forking the chain.
        audit_head::Entity::update_many()
            .col_expr(
                audit_head::Column::Seq,
                Expr::col(audit_head::Column::Seq).add(entries.len() as i64),
            )
            .filter(audit_head::Column::Id.eq(1))
            .exec(conn)
            .await?;
        let head = audit_head::Entity::find_by_id(1)
            .one(conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut last = head.last_hash;
        let mut rows = Vec::with_capacity(entries.len());
        for entry in entries {
            let prev: [u8; 32] = from_hex(&last)
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| StoreError::Crypto("审计链头已损坏".into()))?;
            let mut row = audit_log::Model {
                id: self.next_id(),
                at: self.now_ms(),
                account: entry.account.to_string(),
                action: entry.action.to_string(),
                object: entry.object.to_string(),
                outcome: entry.outcome.to_string(),
                client: entry.client.to_string(),
                prev_hash: last,
                hash: String::new(),
            };
            let f = fields(&row);
            row.hash = to_hex(&chain_hash(&prev, &f.each_ref().map(String::as_str)));
            last = row.hash.clone();
            rows.push(audit_log::ActiveModel::from(row));
        }
        audit_log::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await?;
        audit_head::Entity::update_many()
            .col_expr(audit_head::Column::LastHash, Expr::value(last))
            .filter(audit_head::Column::Id.eq(1))
            .exec(conn)
            .await?;
        Ok(())
    }

    /// Walks the whole chain in id order and reports the first row that does not verify.
    pub async fn verify_audit(&self) -> Result<Verification, StoreError> {
        let head = audit_head::Entity::find_by_id(1)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut expected_prev = head.anchor_hash.clone();
        let mut checked = 0u64;
        let mut after = i64::MIN;
        loop {
            let batch = audit_log::Entity::find()
                .filter(audit_log::Column::Id.gt(after))
                .order_by_asc(audit_log::Column::Id)
                .limit(5_000)
                .all(&self.db)
                .await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            for row in &batch {
                let broken = |reason: &str| Verification::Broken {
                    rows_checked: checked,
                    row_id: Some(row.id),
                    reason: reason.to_string(),
                };
                if row.prev_hash != expected_prev {
                    return Ok(broken("与上一行的哈希不衔接（行被删除、插入或改动）"));
                }
                let Some(prev) =
                    from_hex(&row.prev_hash).and_then(|v| <[u8; 32]>::try_from(v).ok())
                else {
                    return Ok(broken("上一行哈希格式无效"));
                };
                let f = fields(row);
                if to_hex(&chain_hash(&prev, &f.each_ref().map(String::as_str))) != row.hash {
                    return Ok(broken("本行内容与其哈希不符（行被改动）"));
                }
                expected_prev = row.hash.clone();
                checked += 1;
            }
        }
        if expected_prev != head.last_hash {
            return Ok(Verification::Broken {
                rows_checked: checked,
                row_id: None,
                reason: "链尾与链头记录不符（末尾的行被删除）".into(),
            });
        }
        Ok(Verification::Intact { rows: checked })
    }

    /// Deletes rows older than `before_ms`; refuses anything inside the retention period.
    pub async fn purge_audit_before(&self, before_ms: i64, by: &str) -> Result<u64, StoreError> {
        let limit = self.now_ms() - RETENTION_DAYS * DAY_MS;
        if before_ms > limit {
            return Err(StoreError::Forbidden(format!(
                "审计日志至少保留{RETENTION_DAYS}天：只能清理{}之前的记录",
                wangge_domain::date::format_local(limit)
            )));
        }
        let txn = crate::connect::begin_write(&self.db).await?;
        let last_purged = audit_log::Entity::find()
            .filter(audit_log::Column::At.lt(before_ms))
            .order_by_desc(audit_log::Column::Id)
            .one(&txn)
            .await?;
        let Some(last_purged) = last_purged else {
            return Ok(0);
        };
        // The chain now starts at the first kept row, whose prev_hash is the purged tail.
        let deleted = audit_log::Entity::delete_many()
            .filter(audit_log::Column::Id.lte(last_purged.id))
            .exec(&txn)
            .await?
            .rows_affected;
        audit_head::Entity::update_many()
            .col_expr(
                audit_head::Column::AnchorHash,
                Expr::value(last_purged.hash),
            )
            .filter(audit_head::Column::Id.eq(1))
            .exec(&txn)
            .await?;
        let object = format!("{deleted} rows before {before_ms}");
        self.audit_in(
            &txn,
            AuditEntry {
                account: by,
                action: "audit.purge",
                object: &object,
                outcome: "ok",
                client: "cli",
            },
        )
        .await?;
        txn.commit().await?;
        Ok(deleted)
    }

    /// Newest first, for the auditor's screen.
    pub async fn audit_page(
        &self,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<AuditRow>, u64), StoreError> {
        let total = audit_log::Entity::find().count(&self.db).await?;
        let rows = audit_log::Entity::find()
            .order_by_desc(audit_log::Column::Id)
            .offset(page.saturating_sub(1) * per_page)
            .limit(per_page)
            .all(&self.db)
            .await?;
        let rows = rows
            .into_iter()
            .map(|m| AuditRow {
                id: m.id,
                at: m.at,
                account: m.account,
                action: m.action,
                object: m.object,
                outcome: m.outcome,
                client: m.client,
            })
            .collect();
        Ok((rows, total))
    }
}
