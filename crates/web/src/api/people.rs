//! Scoped, paged lists of buildings, households and persons, and one person's record.
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use wangge_store::people::{BuildingItem, HouseholdItem, Page, Paging, PersonItem, PersonRecord};

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/buildings", get(buildings))
        .route("/households", get(households))
        .route("/persons", get(persons))
        .route("/persons/{id}", get(person))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    region: Option<String>,
    building: Option<i64>,
    household: Option<i64>,
    page: Option<u64>,
    per_page: Option<u64>,
}

impl ListQuery {
    fn paging(&self) -> Result<Paging, ApiError> {
        Ok(Paging::new(self.page, self.per_page)?)
    }
}

async fn buildings(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<BuildingItem>>, ApiError> {
    Ok(Json(
        s.store
            .buildings(c.scope(), q.region.as_deref(), q.paging()?)
            .await?,
    ))
}

async fn households(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<HouseholdItem>>, ApiError> {
    Ok(Json(
        s.store
            .households(c.scope(), q.region.as_deref(), q.building, q.paging()?)
            .await?,
    ))
}

async fn persons(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<PersonItem>>, ApiError> {
    Ok(Json(
        s.store
            .persons(c.scope(), q.region.as_deref(), q.household, q.paging()?)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonQuery {
    #[serde(default)]
    unmask: bool,
}

async fn person(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> Result<Json<PersonRecord>, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    Ok(Json(
        s.store.person(c.scope(), id, q.unmask, &c.client).await?,
    ))
}
