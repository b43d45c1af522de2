//! Importing base data: `POST /imports?kind=persons&file_name=…` with the file as the body
//! starts a job (mapping, then a dry run); `GET /imports/{id}` follows it; `PUT
//! /imports/{id}/mapping` sets the column choices; `POST /imports/{id}/apply` imports the
//! valid rows; `GET /imports/{id}/errors.xlsx` downloads the bad rows.
use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use wangge_import::{Kind, Upload, errors_xlsx};

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::imports::{JobView, MAX_UPLOAD_BYTES};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/imports",
            post(start).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/imports/{id}", get(show))
        .route("/imports/{id}/mapping", put(remap))
        .route("/imports/{id}/apply", post(apply))
        .route("/imports/{id}/errors.xlsx", get(errors))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartQuery {
    kind: String,
    file_name: String,
}

/// The kind named in a request, or a 422 naming the kinds there are.
pub fn kind_of(name: &str) -> Result<Kind, ApiError> {
    Kind::parse(name).ok_or_else(|| {
        ApiError::unprocessable(
            "invalid_field",
            format!("不支持导入“{name}”，可导入：persons、households、buildings、organizations"),
        )
        .with_field("kind")
    })
}

async fn start(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<StartQuery>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    let kind = kind_of(&q.kind)?;
    let bytes = body.map_err(|e| too_large_or_bad(e.status()))?;
    let upload = Upload {
        file_name: q.file_name,
        bytes: Arc::from(bytes.as_ref()),
    };
    let job = s.imports.start(&s.store, c.scope(), kind, upload)?;
    Ok((StatusCode::CREATED, Json(job.view())))
}

/// The answer to a body that could not be read: too large, or broken off.
pub fn too_large_or_bad(status: StatusCode) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("文件过大：上限为 {} MB", MAX_UPLOAD_BYTES / 1024 / 1024),
        )
    } else {
        ApiError::bad_request("bad_body", "文件上传不完整，请重试")
    }
}

async fn show(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<JobView>, ApiError> {
    Ok(Json(s.imports.get(c.scope(), id)?.view()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingBody {
    /// Header → field key; `""` leaves the column out.
    columns: BTreeMap<String, String>,
}

async fn remap(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MappingBody>,
) -> Result<Json<JobView>, ApiError> {
    let job = s.imports.get(c.scope(), id)?;
    let choices: Vec<(String, String)> = body.columns.into_iter().collect();
    job.remap(&s.store, c.scope(), &choices)?;
    Ok(Json(job.view()))
}

async fn apply(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<JobView>, ApiError> {
    let job = s.imports.get(c.scope(), id)?;
    job.apply(&s.store, c.scope(), &c.client)?;
    Ok(Json(job.view()))
}

async fn errors(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let job = s.imports.get(c.scope(), id)?;
    errors_download(&job)
}

/// The dry run's errors as an .xlsx attachment (also served to the page).
pub fn errors_download(job: &crate::imports::Job) -> Result<Response, ApiError> {
    let report = job
        .errors()
        .ok_or_else(|| ApiError::conflict("检查（试运行）尚未完成"))?;
    let bytes = errors_xlsx(&report.errors)
        .map_err(|e| ApiError::unprocessable("export_failed", e.to_string()))?;
    Ok(xlsx_response(bytes, "导入错误明细.xlsx"))
}

/// An .xlsx file as a download with a UTF-8 file name.
pub fn xlsx_response(bytes: Vec<u8>, file_name: &str) -> Response {
    crate::download::attachment(bytes, crate::download::XLSX, file_name, "export.xlsx")
}
