//! Changing the population register one person at a time: `POST /persons` registers,
//! `PATCH /persons/{id}` edits or moves (a new `grid`), `POST /persons/{id}/move_out` and
//! `/death` end the record, `GET /persons/{id}/history` tells its story.
use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use wangge_store::person_edit::{HistoryItem, Leaving};

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::person_form::person_input;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persons", post(create))
        .route("/persons/{id}", patch(edit))
        .route("/persons/{id}/move_out", post(move_out))
        .route("/persons/{id}/death", post(death))
        .route("/persons/{id}/history", get(history))
}

#[derive(Serialize)]
struct Created {
    id: i64,
}

async fn create(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiJson(fields): ApiJson<HashMap<String, String>>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = person_input(&fields, None)?;
    let id = s.store.create_person(c.scope(), input, &c.client).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize)]
struct Edited {
    changed: Vec<&'static str>,
}

async fn edit(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(fields): ApiJson<HashMap<String, String>>,
) -> Result<Json<Edited>, ApiError> {
    if fields.contains_key("id_number") {
        return Err(ApiError::unprocessable(
            "invalid_field",
            "身份证号不能修改：号码有误时请迁出此档案后重新登记",
        )
        .with_field("id_number"));
    }
    let changed = s
        .store
        .edit_person(
            c.scope(),
            id,
            |number, name| person_input(&fields, Some((number, name))),
            &c.client,
        )
        .await?;
    Ok(Json(Edited { changed }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndBody {
    note: String,
}

async fn move_out(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<EndBody>,
) -> Result<StatusCode, ApiError> {
    s.store
        .end_person(c.scope(), id, Leaving::MovedOut, &b.note, &c.client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn death(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<EndBody>,
) -> Result<StatusCode, ApiError> {
    s.store
        .end_person(c.scope(), id, Leaving::Deceased, &b.note, &c.client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
struct History {
    items: Vec<HistoryItem>,
}

async fn history(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<History>, ApiError> {
    Ok(Json(History {
        items: s.store.person_history(c.scope(), id).await?,
    }))
}
