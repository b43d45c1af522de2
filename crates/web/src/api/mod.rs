//! The JSON API under `/api/v1`: the same operations as the pages, for apps and systems.
pub(crate) mod assessment;
mod audit;
mod buildings;
mod calendar;
pub(crate) mod catalog;
mod command;
mod events;
mod export;
pub(crate) mod field;
pub(crate) mod imports;
mod indicators;
mod locate;
mod notices;
mod openapi;
pub(crate) mod people;
mod person_edit;
mod places;
mod public;
mod regions;
pub(crate) mod reviews;
mod session;
mod staff;
mod uploads;
mod work_tasks;

pub(crate) use uploads::photo_response as uploads_photo_response;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(session::routes())
        .merge(regions::routes())
        .merge(people::routes())
        .merge(audit::routes())
        .merge(imports::routes())
        .merge(export::routes())
        .merge(staff::routes())
        .merge(person_edit::routes())
        .merge(places::routes())
        .merge(buildings::routes())
        .merge(locate::routes())
        .merge(events::routes())
        .merge(calendar::routes())
        .merge(indicators::routes())
        .merge(assessment::routes())
        .merge(reviews::routes())
        .merge(command::routes())
        .merge(catalog::routes())
        .merge(uploads::routes())
        .merge(work_tasks::routes())
        .merge(field::routes())
        .merge(public::routes())
        .merge(notices::routes())
        .merge(openapi::routes())
}

/// A JSON body whose errors name the field and say what is wrong, in Chinese.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求体应为 JSON（Content-Type: application/json）",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("请求体过大：上限为 {} KB", crate::MAX_BODY_BYTES / 1024),
                )
            } else {
                ApiError::bad_request("bad_body", format!("无法读取请求体：{e}"))
            }
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(de) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let msg = inner.to_string();
                if inner.is_syntax() || inner.is_eof() {
                    return Err(ApiError::bad_request(
                        "invalid_json",
                        format!("JSON 格式错误：{msg}"),
                    ));
                }
                // serde names a missing field only in its message.
                if let Some(name) = msg
                    .strip_prefix("missing field `")
                    .and_then(|r| r.split('`').next())
                {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "missing_field",
                        format!("缺少字段“{name}”"),
                    )
                    .with_field(name));
                }
                Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    format!("字段“{path}”的值无效：{msg}"),
                )
                .with_field(path))
            }
        }
    }
}

/// Query parameters with the same kind of errors.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| {
                ApiError::bad_request("invalid_query", format!("查询参数无效：{}", e.body_text()))
            })
    }
}
