//! Scoped, paged lists of buildings, households and persons, and one person's record.
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use wangge_store::people::{
    BuildingItem, HouseholdItem, Page, Paging, PersonFilter, PersonItem, PersonRecord,
};

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
pub(crate) struct ListQuery {
    pub(crate) region: Option<String>,
    building: Option<i64>,
    household: Option<i64>,
    /// Part of the address.
    address: Option<String>,
    /// One search box: ID number, phone or name.
    q: Option<String>,
    name: Option<String>,
    id_number: Option<String>,
    phone: Option<String>,
    tag: Option<String>,
    age_min: Option<u32>,
    age_max: Option<u32>,
    page: Option<u64>,
    per_page: Option<u64>,
}

impl ListQuery {
    fn paging(&self) -> Result<Paging, ApiError> {
        Ok(Paging::new(self.page, self.per_page)?)
    }

    pub(crate) fn filter(&self) -> PersonFilter {
        let mut f = self
            .q
            .as_deref()
            .map(PersonFilter::from_query)
            .unwrap_or_default();
        f.name = self.name.clone().or(f.name);
        f.id_number = self.id_number.clone().or(f.id_number);
        f.phone = self.phone.clone().or(f.phone);
        f.tag = self.tag.clone();
        f.age_min = self.age_min;
        f.age_max = self.age_max;
        f.household = self.household;
        f.building = self.building;
        f.address = self.address.clone();
        f
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
            .persons(c.scope(), q.region.as_deref(), &q.filter(), q.paging()?)
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
