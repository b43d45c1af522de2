//! `GET /locate?lng=&lat=&crs=wgs84|gcj02|bd09`: the grid a coordinate falls in, with its
//! community, street and grid worker; 404 outside every grid of the caller's scope.
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use wangge_domain::coords::Crs;
use wangge_store::locate::Located;

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/locate", get(locate))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocateQuery {
    lng: f64,
    lat: f64,
    crs: Option<String>,
}

async fn locate(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<LocateQuery>,
) -> Result<Json<Located>, ApiError> {
    let crs = match q.crs.as_deref() {
        None => Crs::Wgs84,
        Some(name) => Crs::parse(name).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_field",
                format!("坐标系“{name}”无法识别：可选 wgs84、gcj02、bd09"),
            )
            .with_field("crs")
        })?,
    };
    Ok(Json(s.store.locate(c.scope(), q.lng, q.lat, crs).await?))
}
