//! `GET /openapi.json`: the API described in OpenAPI 3.1 (kept beside the code; a test
//! checks every documented path answers).
use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

pub const OPENAPI_JSON: &str = include_str!("../../static/openapi.json");

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/openapi.json",
        get(|| async { ([(CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response() }),
    )
}
