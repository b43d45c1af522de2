//! The responsible people of a grid: `POST /grids/{code}/staff`, `DELETE
//! /grids/{code}/staff/{id}` (command center and admins), and `GET /staffing`, the grids
//! that lack a worker or an AB backup.
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use wangge_store::regions::ResponsiblePerson;
use wangge_store::staff::{StaffIn, StaffingGap};

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/grids/{code}/staff", post(add))
        .route("/grids/{code}/staff/{id}", delete(remove))
        .route("/staffing", get(gaps))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffBody {
    duty: String,
    name: String,
    phone: String,
    account: Option<String>,
}

async fn add(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<StaffBody>,
) -> Result<(StatusCode, Json<ResponsiblePerson>), ApiError> {
    let person = s
        .store
        .add_staff(
            c.scope(),
            &code,
            StaffIn {
                duty: &b.duty,
                name: &b.name,
                phone: &b.phone,
                account: b.account.as_deref(),
            },
            &c.client,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(person)))
}

async fn remove(
    State(s): State<AppState>,
    c: ApiCaller,
    Path((code, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    s.store
        .remove_staff(c.scope(), &code, id, &c.client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GapQuery {
    region: Option<String>,
}

#[derive(Serialize)]
struct Gaps {
    items: Vec<StaffingGap>,
}

async fn gaps(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<GapQuery>,
) -> Result<Json<Gaps>, ApiError> {
    let items = s
        .store
        .staffing_gaps(c.scope(), q.region.as_deref())
        .await?;
    Ok(Json(Gaps { items }))
}
