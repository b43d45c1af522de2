//! `GET /regions`, `GET /regions/{code}`: the region tree with counts; `GET /grids/{code}`:
//! a grid with its GeoJSON boundary, buildings and responsible people.
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use wangge_domain::sizing::SizingRule;
use wangge_store::grids::{CoverageReport, GridUpdate, SizingItem};
use wangge_store::regions::{GridView, RegionNode};

use super::{ApiJson, ApiQuery};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/regions", get(scope_root))
        .route("/regions/{code}", get(region))
        .route("/grids/{code}", get(grid).put(update_grid))
        .route("/regions/{code}/coverage", get(coverage))
        .route("/sizing", get(sizing))
        .route("/grids/{code}/split", axum::routing::post(split))
        .route("/grids", axum::routing::post(create_grid))
}

async fn scope_root(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<RegionNode>, ApiError> {
    let code = caller.scope().region.clone();
    region_or_grid_root(&state, &caller, &code).await
}

async fn region_or_grid_root(
    state: &AppState,
    caller: &ApiCaller,
    code: &str,
) -> Result<Json<RegionNode>, ApiError> {
    Ok(Json(state.store.region(caller.scope(), code).await?))
}

async fn region(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> Result<Json<RegionNode>, ApiError> {
    region_or_grid_root(&state, &caller, &code).await
}

async fn grid(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> Result<Json<GridView>, ApiError> {
    Ok(Json(state.store.grid(caller.scope(), &code).await?))
}

async fn update_grid(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
    ApiJson(update): ApiJson<GridUpdate>,
) -> Result<Json<GridView>, ApiError> {
    Ok(Json(
        state
            .store
            .update_grid(caller.scope(), &code, update, &caller.client)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageQuery {
    /// Slivers smaller than this many square metres are not findings.
    tolerance: Option<f64>,
}

async fn coverage(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> Result<Json<CoverageReport>, ApiError> {
    Ok(Json(
        state
            .store
            .coverage(
                caller.scope(),
                &code,
                q.tolerance.unwrap_or(DEFAULT_TOLERANCE_M2),
            )
            .await?,
    ))
}

/// Below a square metre, a gap or overlap is drawing noise, not a blind spot.
pub const DEFAULT_TOLERANCE_M2: f64 = 1.0;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SizingQuery {
    region: Option<String>,
    households: Option<u32>,
    persons: Option<u32>,
}

async fn sizing(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<SizingQuery>,
) -> Result<Json<Vec<SizingItem>>, ApiError> {
    let mut rule = SizingRule::default();
    rule.households = q.households.unwrap_or(rule.households).max(1);
    rule.persons = q.persons.unwrap_or(rule.persons).max(1);
    Ok(Json(
        state
            .store
            .sizing(caller.scope(), q.region.as_deref(), &rule)
            .await?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SplitBody {
    households: Option<u32>,
    persons: Option<u32>,
}

/// Applies the split that `GET /sizing` proposes for the grid under the same rule.
async fn split(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<SplitBody>,
) -> Result<Json<wangge_store::split::SplitResult>, ApiError> {
    let mut rule = SizingRule::default();
    rule.households = b.households.unwrap_or(rule.households).max(1);
    rule.persons = b.persons.unwrap_or(rule.persons).max(1);
    Ok(Json(
        state
            .store
            .apply_split(caller.scope(), &code, &rule, &caller.client)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewGridBody {
    code: String,
    name: String,
    boundary: serde_json::Value,
}

async fn create_grid(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(b): ApiJson<NewGridBody>,
) -> Result<(axum::http::StatusCode, Json<GridView>), ApiError> {
    let code = state
        .store
        .create_grid(
            caller.scope(),
            wangge_store::split::NewGrid {
                code: &b.code,
                name: &b.name,
                boundary: &b.boundary,
            },
            &caller.client,
        )
        .await?;
    let view = state.store.grid(caller.scope(), &code).await?;
    Ok((axum::http::StatusCode::CREATED, Json(view)))
}
