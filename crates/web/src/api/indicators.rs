//! The indicators of the event loop: `GET /indicators` (value, numerator, denominator and
//! formula of each), `GET /indicators/trend` (per day, week or month) and `GET
//! /governance-index` (the daily social-governance index and its kept days), within the
//! scope.
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use wangge_store::governance::GovernanceIndex;
use wangge_store::indicators::{Bucket, IndicatorFilter, IndicatorReport, Trend};

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/indicators", get(indicators))
        .route("/indicators/trend", get(trend))
        .route("/governance-index", get(governance_index))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexQuery {
    region: Option<String>,
    days: Option<i64>,
}

async fn governance_index(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<IndexQuery>,
) -> Result<Json<GovernanceIndex>, ApiError> {
    Ok(Json(
        s.store
            .governance_index(c.scope(), q.region.as_deref(), q.days)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorQuery {
    region: Option<String>,
    department: Option<String>,
    category: Option<String>,
    from: Option<String>,
    to: Option<String>,
    bucket: Option<String>,
}

impl IndicatorQuery {
    fn filter(self) -> IndicatorFilter {
        IndicatorFilter {
            region: self.region,
            department: self.department,
            category: self.category,
            from: self.from,
            to: self.to,
        }
    }
}

async fn indicators(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> Result<Json<IndicatorReport>, ApiError> {
    Ok(Json(s.store.indicators(c.scope(), &q.filter()).await?))
}

async fn trend(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(mut q): ApiQuery<IndicatorQuery>,
) -> Result<Json<Trend>, ApiError> {
    let bucket = Bucket::from_param(q.bucket.take().as_deref())?;
    Ok(Json(
        s.store
            .indicator_trend(c.scope(), &q.filter(), bucket)
            .await?,
    ))
}
