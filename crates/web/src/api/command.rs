//! `GET /map?region=&measure=`: the one map (grids with a measure, open events as points,
//! the counter strip); `GET /map/grids/{code}`: a grid's card.
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use wangge_store::command_map::{CommandMap, GridCard, Measure};

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/map", get(map))
        .route("/map/grids/{code}", get(card))
}

#[derive(Deserialize)]
struct MapQuery {
    region: Option<String>,
    measure: Option<String>,
}

async fn map(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<MapQuery>,
) -> Result<Json<CommandMap>, ApiError> {
    let measure = Measure::parse(q.measure.as_deref())?;
    Ok(Json(
        state
            .store
            .command_map(caller.scope(), q.region.as_deref(), measure)
            .await?,
    ))
}

async fn card(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> Result<Json<GridCard>, ApiError> {
    Ok(Json(state.store.grid_card(caller.scope(), &code).await?))
}
