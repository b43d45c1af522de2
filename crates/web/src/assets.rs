//! Static assets compiled into the binary, served with a long cache lifetime; the field
//! screens' service worker and web-app manifest live under `/field/`.
use axum::Router;
use axum::http::HeaderName;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

const CSS: &str = include_str!("../static/app.css");
const JS: &str = include_str!("../static/app.js");
const FIELD_JS: &str = include_str!("../static/field.js");
const SERVICE_WORKER: &str = include_str!("../static/sw.js");
const MANIFEST: &str = include_str!("../static/manifest.webmanifest");
const ICON: &str = include_str!("../static/icon.svg");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/static/app.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
        .route(
            "/static/field.js",
            get(|| async { asset("text/javascript; charset=utf-8", FIELD_JS) }),
        )
        .route(
            "/static/icon.svg",
            get(|| async { asset("image/svg+xml", ICON) }),
        )
        .route(
            "/field/manifest.webmanifest",
            get(|| async { asset("application/manifest+json", MANIFEST) }),
        )
        .route("/field/sw.js", get(|| async { service_worker() }))
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

/// The service worker is checked for updates on every visit (`no-cache`). Its scope is
/// `/field` without a slash, so that the start page `/field` itself works offline; a script
/// at `/field/sw.js` may only claim `/field/…` unless the server allows more.
fn service_worker() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
            (HeaderName::from_static("service-worker-allowed"), "/field"),
        ],
        SERVICE_WORKER,
    )
}
