//! Organizations and things on the grids: `GET/POST /organizations`, `DELETE
//! /organizations/{id}` (closed), `GET/POST /things`, `PATCH /things/{id}`, `DELETE
//! /things/{id}` (removed).
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use wangge_store::people::{Page, Paging};
use wangge_store::places::{OrgItem, PlaceIn, ThingItem};

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations",
            get(organizations).post(create_organization),
        )
        .route("/organizations/{id}", delete(close_organization))
        .route("/things", get(things).post(create_thing))
        .route("/things/{id}", delete(remove_thing).patch(edit_thing))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlaceBody {
    pub name: String,
    pub kind: String,
    pub grid: String,
    #[serde(default)]
    pub address: String,
    pub uscc: Option<String>,
    pub leader: Option<String>,
    pub phone: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub note: Option<String>,
}

impl From<PlaceBody> for PlaceIn {
    fn from(b: PlaceBody) -> Self {
        PlaceIn {
            name: b.name,
            kind: b.kind,
            grid: b.grid,
            address: b.address,
            uscc: b.uscc,
            leader: b.leader,
            phone: b.phone,
            lng: b.lng,
            lat: b.lat,
            note: b.note,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    region: Option<String>,
    name: Option<String>,
    kind: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

async fn organizations(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<OrgItem>>, ApiError> {
    let paging = Paging::new(q.page, q.per_page)?;
    Ok(Json(
        s.store
            .organizations(c.scope(), q.region.as_deref(), q.name.as_deref(), paging)
            .await?,
    ))
}

async fn create_organization(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiJson(b): ApiJson<PlaceBody>,
) -> Result<(StatusCode, Json<OrgItem>), ApiError> {
    let item = s
        .store
        .create_organization(c.scope(), b.into(), &c.client)
        .await?;
    Ok((StatusCode::CREATED, Json(item)))
}

async fn close_organization(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    s.store.close_place(c.scope(), true, id, &c.client).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn things(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<ThingItem>>, ApiError> {
    let paging = Paging::new(q.page, q.per_page)?;
    Ok(Json(
        s.store
            .things(c.scope(), q.region.as_deref(), q.kind.as_deref(), paging)
            .await?,
    ))
}

async fn create_thing(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiJson(b): ApiJson<PlaceBody>,
) -> Result<(StatusCode, Json<ThingItem>), ApiError> {
    let item = s.store.create_thing(c.scope(), b.into(), &c.client).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

async fn remove_thing(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    s.store.close_place(c.scope(), false, id, &c.client).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThingEdit {
    name: Option<String>,
    kind: Option<String>,
    address: Option<String>,
    lng: Option<f64>,
    lat: Option<f64>,
    note: Option<String>,
}

async fn edit_thing(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ThingEdit>,
) -> Result<Json<ThingItem>, ApiError> {
    let edit = PlaceIn {
        name: b.name.unwrap_or_default(),
        kind: b.kind.unwrap_or_default(),
        address: b.address.unwrap_or_default(),
        lng: b.lng,
        lat: b.lat,
        note: b.note,
        ..PlaceIn::default()
    };
    Ok(Json(
        s.store.edit_thing(c.scope(), id, edit, &c.client).await?,
    ))
}
