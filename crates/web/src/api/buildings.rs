//! `PATCH /buildings/{id}`: correcting a building's name, address, floors, units, rooms per
//! floor or position, by the same rules as a building import.
use axum::extract::{Path, State};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use wangge_store::place_import::BuildingRow;

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/buildings/{id}", axum::routing::patch(edit))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BuildingBody {
    pub name: Option<String>,
    pub address: Option<String>,
    pub floors: Option<i32>,
    pub units: Option<i32>,
    pub rooms_per_floor: Option<i32>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
}

impl From<BuildingBody> for BuildingRow {
    fn from(b: BuildingBody) -> Self {
        BuildingRow {
            code: None,
            name: b.name.unwrap_or_default(),
            address: b.address.unwrap_or_default(),
            floors: b.floors,
            units: b.units,
            rooms_per_floor: b.rooms_per_floor,
            lng: b.lng,
            lat: b.lat,
            grid: None,
        }
    }
}

#[derive(Serialize)]
struct Edited {
    changed: Vec<&'static str>,
}

async fn edit(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<BuildingBody>,
) -> Result<Json<Edited>, ApiError> {
    let changed = s
        .store
        .edit_building(c.scope(), id, b.into(), &c.client)
        .await?;
    Ok(Json(Edited { changed }))
}
