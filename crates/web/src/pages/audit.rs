//! The auditor's screen: the audit log, newest first, and a check of its hash chain.
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use wangge_domain::date::format_local;
use wangge_store::audit::{AuditRow, Verification};

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::auth::PageCaller;
use crate::error::{ApiError, PageError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    rows: Vec<(String, AuditRow)>,
    total: u64,
    verification: Option<(bool, String)>,
}

#[derive(Deserialize)]
struct AuditQuery {
    #[serde(default)]
    verify: bool,
}

async fn audit(
    State(state): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<AuditQuery>,
) -> Result<Response, PageError> {
    if !c.scope().role.can_read_audit() {
        return Err(PageError(ApiError::forbidden(
            "只有审计员和管理员可以查看审计日志",
        )));
    }
    let verification = if q.verify {
        Some(match state.store.verify_audit().await? {
            Verification::Intact { rows } => (true, format!("哈希链完整：已校验 {rows} 条记录")),
            Verification::Broken {
                rows_checked,
                row_id,
                reason,
            } => (
                false,
                format!(
                    "哈希链断裂：{reason}（第 {} 条之后{}）",
                    rows_checked,
                    row_id
                        .map(|r| format!("，记录编号 {r}"))
                        .unwrap_or_default()
                ),
            ),
        })
    } else {
        None
    };
    let (rows, total) = state.store.audit_page(1, 200).await?;
    let rows = rows.into_iter().map(|r| (format_local(r.at), r)).collect();
    Ok(render(&AuditPage {
        nav: Nav::of(&c),
        rows,
        total,
        verification,
    })
    .into_response())
}
