//! Administering the handling catalog: `GET /catalog.xlsx` (any staff), `PUT /catalog`
//! with an .xlsx body (admins; all or nothing, 422 with every bad cell) and `PATCH
//! /catalog/{code}` (admins; one item).
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wangge_domain::catalog::CatalogError;
use wangge_domain::catalog::sheet::{ItemEdit, SHEET_HEADERS, SheetProblem};
use wangge_domain::role::Role;
use wangge_sheet::{Format, Limits, Sheet, detect_format, read_table, write_xlsx};
use wangge_store::Scope;
use wangge_store::catalog::CatalogEntry;

use super::ApiJson;
use super::imports::xlsx_response;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

/// Largest catalog file accepted: a few thousand items fit in far less.
pub const MAX_CATALOG_BYTES: usize = 4 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/catalog.xlsx", get(export))
        .route(
            "/catalog",
            put(import).layer(DefaultBodyLimit::max(MAX_CATALOG_BYTES)),
        )
        .route("/catalog/{code}", patch(edit))
}

/// The catalog as an .xlsx attachment, with the sheet's Chinese headers.
pub async fn catalog_xlsx(s: &AppState) -> Result<Response, ApiError> {
    let rows = s.store.catalog_sheet().await?;
    let bytes = write_xlsx(&[Sheet {
        name: "事项清单",
        headers: &SHEET_HEADERS,
        rows: &rows,
    }])
    .map_err(|e| ApiError::unprocessable("export_failed", e.to_string()))?;
    Ok(xlsx_response(bytes, "事项清单.xlsx"))
}

async fn export(State(s): State<AppState>, _c: ApiCaller) -> Result<Response, ApiError> {
    catalog_xlsx(&s).await
}

/// One bad cell as the API reports it.
#[derive(Serialize)]
pub struct Problem {
    pub row: usize,
    pub column: Option<String>,
    pub header: Option<String>,
    pub message: String,
}

impl From<SheetProblem> for Problem {
    fn from(p: SheetProblem) -> Self {
        Problem {
            row: p.row,
            column: p.column,
            header: p.header,
            message: p.message,
        }
    }
}

/// What became of an uploaded catalog file: the number of items, or every problem.
pub enum Imported {
    Items(usize),
    Rejected(Vec<Problem>),
}

/// Reads an .xlsx catalog and hands it to the store. A file that cannot be read at all is
/// one problem at row 0. Non-admins are refused before the file is looked at.
pub async fn import_file(
    s: &AppState,
    scope: &Scope,
    client: &str,
    bytes: &[u8],
) -> Result<Imported, ApiError> {
    if scope.role != Role::Admin {
        return Err(ApiError::forbidden("只有管理员可以修改事项清单"));
    }
    let limits = Limits {
        max_rows: 10_000,
        max_columns: 50,
        ..Limits::default()
    };
    // The name makes anything but an .xlsx (zip) body an error naming what it is.
    let table = detect_format("catalog.xlsx", bytes)
        .and_then(|_| read_table(Format::Xlsx, bytes, &limits))
        .map_err(|e| {
            vec![Problem {
                row: 0,
                column: None,
                header: None,
                message: e.to_string(),
            }]
        });
    let table = match table {
        Ok(t) => t,
        Err(problems) => return Ok(Imported::Rejected(problems)),
    };
    let rows: Vec<(usize, Vec<String>)> =
        table.rows.into_iter().map(|r| (r.line, r.cells)).collect();
    Ok(
        match s
            .store
            .import_catalog_sheet(scope, &table.headers, &rows, client)
            .await?
        {
            Ok(n) => Imported::Items(n),
            Err(problems) => Imported::Rejected(problems.into_iter().map(Problem::from).collect()),
        },
    )
}

/// A 422 with the usual `error` object and the whole list under `errors`.
fn rejected(error: Value, errors: Value) -> Response {
    let body = json!({"error": error, "errors": errors});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

async fn import(
    State(s): State<AppState>,
    c: ApiCaller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let bytes = body.map_err(|e| super::imports::too_large_or_bad(e.status()))?;
    match import_file(&s, c.scope(), &c.client, &bytes).await? {
        Imported::Items(n) => Ok(Json(json!({ "items": n })).into_response()),
        Imported::Rejected(errors) => {
            let message = format!("事项清单有{}处错误，未做任何修改", errors.len());
            let error = json!({"code": "invalid_catalog", "message": message, "field": "file"});
            Ok(rejected(error, json!(errors)))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditBody {
    name: Option<String>,
    lead_department: Option<String>,
    co_departments: Option<Vec<String>>,
    sign_hours: Option<Value>,
    handle_days: Option<Value>,
    urgency: Option<Value>,
    standard: Option<String>,
    claimable: Option<bool>,
}

/// A number or text given for a limit, as the catalog's rules read it.
fn text_of(field: &'static str, v: Option<Value>) -> Result<Option<String>, ApiError> {
    match v {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::String(t)) => Ok(Some(t)),
        Some(_) => Err(
            ApiError::unprocessable("invalid_field", format!("字段“{field}”应为数字"))
                .with_field(field),
        ),
    }
}

/// The API field a catalog column is edited through.
pub fn field_of(e: &CatalogError) -> &'static str {
    match e.column {
        Some("lead") => "lead_department",
        Some("co") => "co_departments",
        Some(key) => key,
        None => "code",
    }
}

async fn edit(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<EditBody>,
) -> Result<Response, ApiError> {
    let edit = ItemEdit {
        name: b.name,
        lead: b.lead_department,
        co: b.co_departments,
        sign_hours: text_of("sign_hours", b.sign_hours)?,
        handle_days: text_of("handle_days", b.handle_days)?,
        urgency: text_of("urgency", b.urgency)?,
        standard: b.standard,
        claimable: b.claimable,
    };
    match s
        .store
        .edit_catalog_item(c.scope(), &code, &edit, &c.client)
        .await?
    {
        Ok(entry) => Ok(Json::<CatalogEntry>(entry).into_response()),
        Err(errors) => {
            let first = errors.first();
            let field = first.map_or("code", field_of);
            let message = first.map_or_else(String::new, |e| e.message.clone());
            let list: Vec<Value> = errors
                .iter()
                .map(|e| json!({"field": field_of(e), "message": e.message}))
                .collect();
            let error = json!({"code": "invalid_field", "message": message, "field": field});
            Ok(rejected(error, json!(list)))
        }
    }
}
