//! Photos: `POST /uploads` (staff) and `POST /public/uploads` (citizens, limited per
//! address) take one image as the body — JPEG, PNG or WebP, checked by content, stripped
//! of EXIF — and answer its reference for a report or a step; `GET /uploads/{id}` shows a
//! photo to whoever may see its event.
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use wangge_domain::photo::MAX_PHOTO_BYTES;
use wangge_store::uploads::{PhotoBytes, UploadView, Uploader};

use crate::AppState;
use crate::auth::{ApiCaller, ClientAddr};
use crate::error::ApiError;
use crate::idempotent::once;

pub fn routes() -> Router<AppState> {
    // A little room over the photo limit for the request itself; larger bodies are refused
    // before they are read.
    let limit = DefaultBodyLimit::max(MAX_PHOTO_BYTES + 64 * 1024);
    Router::new()
        .route("/uploads", post(upload).layer(limit))
        .route("/uploads/{id}", get(show))
        .route("/public/uploads", post(public_upload).layer(limit))
}

/// The body of an upload, or 413 naming the limit.
pub(crate) fn photo_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("照片过大：上限为 {} MB", MAX_PHOTO_BYTES / 1024 / 1024),
            )
        } else {
            ApiError::bad_request("bad_body", "照片上传不完整，请重试")
        }
    })
}

async fn upload(
    State(s): State<AppState>,
    c: ApiCaller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let owner = format!("account:{}", c.scope().account_id);
    once(&s.store, &owner, &headers, "POST /uploads", || async {
        let bytes = photo_body(body)?;
        let view = s
            .store
            .save_upload(Uploader::Staff(c.scope().account_id), &bytes)
            .await?;
        Ok::<_, ApiError>((StatusCode::CREATED, Json(view)))
    })
    .await
}

async fn public_upload(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<UploadView>), ApiError> {
    s.limits
        .uploads
        .check(&client, s.store.now_ms(), "上传照片")?;
    let bytes = photo_body(body)?;
    let view = s.store.save_upload(Uploader::Citizen, &bytes).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn show(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(photo_response(s.store.photo(c.scope(), id).await?))
}

/// A stored photo as an answer: its own type, never sniffed, cached privately.
pub(crate) fn photo_response(p: PhotoBytes) -> Response {
    (
        [
            (CONTENT_TYPE, p.content_type),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (CACHE_CONTROL, "private, max-age=86400".to_string()),
        ],
        p.data,
    )
        .into_response()
}
