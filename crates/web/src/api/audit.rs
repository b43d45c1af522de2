//! `GET /audit` (the log, newest first) and `GET /audit/verify` (walk the chain): auditors
//! and admins only.
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use wangge_store::audit::{AuditRow, Verification};
use wangge_store::people::Paging;

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(list))
        .route("/audit/verify", get(verify))
}

fn require_auditor(c: &ApiCaller) -> Result<(), ApiError> {
    if c.scope().role.can_read_audit() {
        Ok(())
    } else {
        Err(ApiError::forbidden("只有审计员和管理员可以查看审计日志"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

#[derive(Serialize)]
struct AuditPage {
    items: Vec<AuditRow>,
    total: u64,
}

async fn list(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    require_auditor(&c)?;
    let p = Paging::new(q.page, q.per_page)?;
    let (items, total) = s.store.audit_page(p.page, p.per_page).await?;
    Ok(Json(AuditPage { items, total }))
}

#[derive(Serialize)]
struct VerifyAnswer {
    intact: bool,
    rows: u64,
    broken_row: Option<i64>,
    reason: Option<String>,
}

async fn verify(State(s): State<AppState>, c: ApiCaller) -> Result<Json<VerifyAnswer>, ApiError> {
    require_auditor(&c)?;
    Ok(Json(match s.store.verify_audit().await? {
        Verification::Intact { rows } => VerifyAnswer {
            intact: true,
            rows,
            broken_row: None,
            reason: None,
        },
        Verification::Broken {
            rows_checked,
            row_id,
            reason,
        } => VerifyAnswer {
            intact: false,
            rows: rows_checked,
            broken_row: row_id,
            reason: Some(reason),
        },
    }))
}
