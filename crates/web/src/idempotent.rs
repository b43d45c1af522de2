//! `Idempotency-Key` on writes a phone may retry (reports, steps, uploads): the first
//! request under a key is done and its answer kept; a retry gets the same answer with
//! `Idempotent-Replayed: true`, without doing the write again.
use std::future::Future;

use axum::body::{Body, to_bytes};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use wangge_store::Store;
use wangge_store::idempotency::Claim;

use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";
/// Longest answer kept for a retry.
const MAX_KEPT_BODY: usize = 4 * 1024 * 1024;

/// Runs `work` once per `(owner, key)`; without the header it simply runs it.
pub async fn once<Fut, R>(
    store: &Store,
    owner: &str,
    headers: &HeaderMap,
    request: &str,
    work: impl FnOnce() -> Fut,
) -> Response
where
    Fut: Future<Output = R>,
    R: IntoResponse,
{
    let Some(key) = headers.get(HEADER) else {
        return work().await.into_response();
    };
    let key = match key.to_str() {
        Ok(k) => k.to_string(),
        Err(_) => {
            return ApiError::unprocessable("invalid_field", "Idempotency-Key 应为ASCII字符")
                .with_field("Idempotency-Key")
                .into_response();
        }
    };
    match store.idempotency_claim(owner, &key, request).await {
        Err(e) => ApiError::from(e).into_response(),
        Ok(Claim::Done { status, body }) => replay(status, body),
        Ok(Claim::New) => {
            let response = work().await.into_response();
            let (parts, body) = response.into_parts();
            let bytes = match to_bytes(body, MAX_KEPT_BODY).await {
                Ok(b) => b,
                Err(_) => {
                    // Too large to keep: release the key so a retry does the work again.
                    let _ = store
                        .idempotency_finish(owner, &key, 500, String::new())
                        .await;
                    return ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        "服务器内部错误，请稍后重试",
                    )
                    .into_response();
                }
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if let Err(e) = store
                .idempotency_finish(owner, &key, parts.status.as_u16(), text)
                .await
            {
                tracing::error!(error = %e, "could not keep an idempotent answer");
            }
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

fn replay(status: u16, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}
