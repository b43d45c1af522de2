//! The weekly review and the monthly report: `GET /reviews/{weekly|monthly}?period=&region=`
//! as JSON, and `…/xlsx` and `…/pdf` as downloads (the pages serve the same downloads).
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use wangge_store::review::{Review, ReviewKind};
use wangge_store::{Scope, StoreError};

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::download::{PDF, XLSX, attachment};
use crate::error::ApiError;
use crate::review_doc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reviews/{kind}", get(review))
        .route("/reviews/{kind}/{format}", get(download))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ReviewQuery {
    pub period: Option<String>,
    pub region: Option<String>,
}

pub(crate) fn kind(v: &str) -> Result<ReviewKind, StoreError> {
    ReviewKind::parse(v).ok_or(StoreError::NotFound)
}

/// The review asked for: the last whole week or month when no period is given.
pub(crate) async fn load(
    s: &AppState,
    scope: &Scope,
    kind: ReviewKind,
    q: &ReviewQuery,
) -> Result<Review, StoreError> {
    let period = q
        .period
        .clone()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| s.store.last_review_period(kind));
    s.store
        .review(scope, kind, &period, q.region.as_deref())
        .await
}

/// The review as a file: `xlsx` or `pdf`.
pub(crate) async fn file(
    s: &AppState,
    scope: &Scope,
    kind: ReviewKind,
    format: &str,
    q: &ReviewQuery,
) -> Result<Response, ApiError> {
    if !matches!(format, "xlsx" | "pdf") {
        return Err(StoreError::NotFound.into());
    }
    let r = load(s, scope, kind, q).await?;
    let name = format!("{}.{format}", r.title);
    let fallback = format!("review-{}.{format}", r.period);
    let failed = |e: String| ApiError::unprocessable("export_failed", e);
    // Rendering is CPU work (the PDF subsets a font): off the async workers.
    let is_pdf = format == "pdf";
    let bytes = tokio::task::spawn_blocking(move || {
        if is_pdf {
            review_doc::pdf(&r)
        } else {
            review_doc::xlsx(&r)
        }
    })
    .await
    .map_err(|e| failed(e.to_string()))?
    .map_err(failed)?;
    let content_type = if is_pdf { PDF } else { XLSX };
    Ok(attachment(bytes, content_type, &name, &fallback))
}

async fn review(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(which): Path<String>,
    ApiQuery(q): ApiQuery<ReviewQuery>,
) -> Result<Json<Review>, ApiError> {
    Ok(Json(load(&s, c.scope(), kind(&which)?, &q).await?))
}

async fn download(
    State(s): State<AppState>,
    c: ApiCaller,
    Path((which, format)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<ReviewQuery>,
) -> Result<Response, ApiError> {
    Ok(file(&s, c.scope(), kind(&which)?, &format, &q)
        .await?
        .into_response())
}
