//! `GET /regions`, `GET /regions/{code}`: the region tree with counts; `GET /grids/{code}`:
//! a grid with its GeoJSON boundary, buildings and responsible people.
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use wangge_store::regions::{GridView, RegionNode};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/regions", get(scope_root))
        .route("/regions/{code}", get(region))
        .route("/grids/{code}", get(grid))
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
