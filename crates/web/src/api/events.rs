//! Events and the closed loop: `POST/GET /events`, `GET /events/{id}` (with its trail and
//! the caller's possible actions), `POST /events/{id}/actions`, and the handling catalog
//! at `GET /catalog`.
use axum::extract::{Path, State};
use axum::http::StatusCode;
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
}

async fn report(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiJson(b): ApiJson<ReportBody>,
) -> Result<(StatusCode, Json<EventView>), ApiError> {
    let new = NewEvent {
        category: b.category,
        description: b.description,
        lng: b.lng,
        lat: b.lat,
        crs: b.crs,
        address: b.address,
        urgency: b.urgency,
        source: b.source,
    };
    let view = s.store.report_event(c.scope(), new, &c.client).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    state: Option<String>,
    category: Option<String>,
    department: Option<String>,
    region: Option<String>,
    overdue: Option<bool>,
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
        }
    }
}

async fn act(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ActionBody>,
) -> Result<Json<EventView>, ApiError> {
    Ok(Json(
        s.store
            .act_on_event(c.scope(), id, b.into(), &c.client)
            .await?,
    ))
}
