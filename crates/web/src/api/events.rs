//! Events and the closed loop: `POST/GET /events`, `GET /events/{id}` (with its trail and
//! the caller's possible actions), `POST /events/{id}/actions`, and the handling catalog
//! at `GET /catalog`. Reports and steps take an `Idempotency-Key`: a phone's retry is
//! answered once.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use wangge_store::catalog::CatalogEntry;
use wangge_store::event_actions::ActionIn;
use wangge_store::events::{EventFilter, EventView, NewEvent};
use wangge_store::people::{Page, Paging};

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::idempotent::once;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/catalog", get(catalog))
        .route("/events", get(list).post(report))
        .route("/events/{id}", get(one))
        .route("/events/{id}/actions", post(act))
}

async fn catalog(
    State(s): State<AppState>,
    _c: ApiCaller,
) -> Result<Json<Vec<CatalogEntry>>, ApiError> {
    Ok(Json(s.store.catalog().await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportBody {
    category: String,
    description: String,
    lng: f64,
    lat: f64,
    crs: Option<String>,
    #[serde(default)]
    address: String,
    urgency: Option<String>,
    source: Option<String>,
    #[serde(default)]
    photos: Vec<PhotoRef>,
    /// When the report was recorded on the phone (field screens keep reports while the
    /// network is down); a late arrival says so on the event.
    at_ms: Option<i64>,
    /// How sure the phone was of the position, in metres; a coarse one is marked.
    accuracy_m: Option<f64>,
}

/// A photo named by the id (or reference) `POST /uploads` answered.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum PhotoRef {
    Id(i64),
    Ref(String),
}

pub(crate) fn photo_refs(list: Vec<PhotoRef>) -> Vec<String> {
    list.into_iter()
        .map(|p| match p {
            PhotoRef::Id(id) => id.to_string(),
            PhotoRef::Ref(r) => r,
        })
        .collect()
}

async fn report(
    State(s): State<AppState>,
    c: ApiCaller,
    headers: HeaderMap,
    ApiJson(b): ApiJson<ReportBody>,
) -> Response {
    let new = NewEvent {
        category: b.category,
        description: b.description,
        lng: b.lng,
        lat: b.lat,
        crs: b.crs,
        address: b.address,
        urgency: b.urgency,
        source: b.source,
        photos: photo_refs(b.photos),
        recorded_at_ms: b.at_ms,
        accuracy_m: b.accuracy_m,
    };
    let owner = format!("account:{}", c.scope().account_id);
    once(&s.store, &owner, &headers, "POST /events", || async {
        let view = s.store.report_event(c.scope(), new, &c.client).await?;
        Ok::<_, ApiError>((StatusCode::CREATED, Json(view)))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    state: Option<String>,
    category: Option<String>,
    department: Option<String>,
    region: Option<String>,
    overdue: Option<bool>,
    queue: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

async fn list(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<EventView>>, ApiError> {
    let paging = Paging::new(q.page, q.per_page)?;
    let filter = EventFilter {
        state: q.state,
        category: q.category,
        department: q.department,
        region: q.region,
        overdue: q.overdue,
        queue: q.queue,
    };
    Ok(Json(s.store.events(c.scope(), &filter, paging).await?))
}

async fn one(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<EventView>, ApiError> {
    Ok(Json(s.store.event(c.scope(), id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionBody {
    pub action: String,
    pub note: Option<String>,
    pub department: Option<String>,
    pub co_departments: Option<Vec<String>>,
    pub review_date: Option<String>,
    pub duplicate_of: Option<i64>,
    pub score: Option<u8>,
    pub days: Option<i32>,
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
    pub category: Option<String>,
}

impl From<ActionBody> for ActionIn {
    fn from(b: ActionBody) -> Self {
        ActionIn {
            action: b.action,
            note: b.note,
            department: b.department,
            co_departments: b.co_departments,
            review_date: b.review_date,
            duplicate_of: b.duplicate_of,
            score: b.score,
            days: b.days,
            photos: photo_refs(b.photos),
            category: b.category,
        }
    }
}

async fn act(
    State(s): State<AppState>,
    c: ApiCaller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ActionBody>,
) -> Response {
    let owner = format!("account:{}", c.scope().account_id);
    let request = format!("POST /events/{id}/actions");
    once(&s.store, &owner, &headers, &request, || async {
        let view = s
            .store
            .act_on_event(c.scope(), id, b.into(), &c.client)
            .await?;
        Ok::<_, ApiError>(Json(view))
    })
    .await
}
