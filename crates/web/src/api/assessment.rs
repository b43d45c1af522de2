//! Assessment (考核): `GET /assessment?subject=&period=&region=` — grid workers or
//! departments scored on each dimension with the counts behind it, weighted, ranked — and
//! `PUT /assessment/weights/{subject}` (admins).
use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use wangge_store::StoreError;
use wangge_store::assessment::{Assessment, Subject};

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessment", get(assessment))
        .route("/assessment/weights/{subject}", put(set_weights))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssessmentQuery {
    subject: Option<String>,
    period: Option<String>,
    region: Option<String>,
}

/// `grid_workers` (default) or `departments`.
pub(crate) fn subject(v: Option<&str>) -> Result<Subject, StoreError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Subject::GridWorkers),
        Some(s) => Subject::parse(s).ok_or_else(|| {
            StoreError::invalid(
                "subject",
                format!("考核对象“{s}”应为 grid_workers 或 departments"),
            )
        }),
    }
}

async fn assessment(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<AssessmentQuery>,
) -> Result<Json<Assessment>, ApiError> {
    let subject = subject(q.subject.as_deref())?;
    let period = q
        .period
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| s.store.current_period());
    Ok(Json(
        s.store
            .assessment(c.scope(), subject, &period, q.region.as_deref())
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightsIn {
    /// `base_data=15,reporting=20,…`, summing to 100.
    weights: String,
}

#[derive(Serialize)]
struct WeightsOut {
    weights: String,
}

async fn set_weights(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(which): Path<String>,
    ApiJson(w): ApiJson<WeightsIn>,
) -> Result<Json<WeightsOut>, ApiError> {
    let subject = subject(Some(&which))?;
    let saved = s
        .store
        .set_assessment_weights(c.scope(), subject, &w.weights, &c.client)
        .await?;
    Ok(Json(WeightsOut {
        weights: saved.to_string(),
    }))
}
