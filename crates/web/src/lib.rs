//! The web face of Wangge: one axum router serving the JSON API under `/api/v1` and the
//! server-rendered Chinese pages, with sessions, CSRF protection and embedded assets.

mod api;
mod assets;
mod auth;
mod download;
mod error;
mod form_photos;
mod idempotent;
mod imports;
mod map;
mod pages;
mod person_form;
mod rate;
mod review_doc;

use std::sync::Arc;
use std::time::Duration;

pub use auth::session_cookie;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
pub use error::{ApiError, PageError};
use wangge_store::Store;

/// Request bodies larger than this are refused with 413 before they are read.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// Served behind TLS: cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub imports: imports::ImportJobs,
    pub limits: rate::PublicLimits,
}

pub fn router(store: Store, config: WebConfig) -> Router {
    let state = AppState {
        store,
        config: Arc::new(config),
        imports: imports::ImportJobs::default(),
        limits: rate::PublicLimits::default(),
    };
    Router::new()
        .route("/healthz", get(health))
        .nest("/api/v1", api::routes())
        .merge(pages::routes())
        .merge(assets::routes())
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, ApiError> {
    tokio::time::timeout(Duration::from_secs(5), state.store.ping())
        .await
        .map_err(|_| ApiError::unavailable("数据库无响应"))?
        .map_err(|e| ApiError::unavailable(&e.to_string()))?;
    Ok("ok")
}
