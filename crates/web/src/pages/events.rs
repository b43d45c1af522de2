//! Events for the people who work them: the list with a report form (`/events`), and one
//! event with its trail and a form for each step the caller may take (`/events/{id}`).
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use wangge_store::catalog::CatalogEntry;
use wangge_store::event_actions::ActionIn;
use wangge_store::events::{EventFilter, EventView, NewEvent};
use wangge_store::people::{Page, Paging};

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::auth::{PageCaller, check_csrf};
use crate::error::PageError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(list).post(report))
        .route("/events/{id}", get(one))
        .route("/events/{id}/actions", post(act))
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    nav: Nav,
    page: Page<EventView>,
    state: String,
    catalog: Vec<CatalogEntry>,
    can_report: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    nav: Nav,
    e: EventView,
    departments: Vec<(String, String)>,
    error: Option<String>,
}

#[derive(serde::Deserialize)]
struct ListQuery {
    state: Option<String>,
    page: Option<u64>,
}

async fn list_page(
    s: &AppState,
    c: &PageCaller,
    state: Option<String>,
    page: Option<u64>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let filter = EventFilter {
        state: state.clone().filter(|s| !s.is_empty()),
        ..EventFilter::default()
    };
    let page = s
        .store
        .events(c.scope(), &filter, Paging::new(page, Some(50))?)
        .await?;
    let role = c.scope().role;
    Ok(render(&EventsPage {
        nav: Nav::of(c),
        page,
        state: state.unwrap_or_default(),
        catalog: s.store.catalog().await?,
        can_report: role.can_write() && !role.is_department(),
        error,
    })
    .into_response())
}

async fn list(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    list_page(&s, &c, q.state, q.page, None).await
}

async fn report(
    State(s): State<AppState>,
    c: PageCaller,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, f.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let coordinate = |k: &str| {
        get(k)
            .parse::<f64>()
            .map_err(|_| format!("请填写有效的{}", if k == "lng" { "经度" } else { "纬度" }))
    };
    let result = match (coordinate("lng"), coordinate("lat")) {
        (Ok(lng), Ok(lat)) => s
            .store
            .report_event(
                c.scope(),
                NewEvent {
                    category: get("category"),
                    description: get("description"),
                    lng,
                    lat,
                    crs: Some(get("crs")),
                    address: get("address"),
                    urgency: Some(get("urgency")),
                    source: None,
                },
                &c.client,
            )
            .await
            .map_err(|e| e.to_string()),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(e) => Ok(Redirect::to(&format!("/events/{}", e.id)).into_response()),
        Err(e) => list_page(&s, &c, None, None, Some(e)).await,
    }
}

async fn event_page(
    s: &AppState,
    c: &PageCaller,
    id: i64,
    error: Option<String>,
) -> Result<Response, PageError> {
    let e = s.store.event(c.scope(), id).await?;
    let departments = s
        .store
        .departments()
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    Ok(render(&EventPage {
        nav: Nav::of(c),
        e,
        departments,
        error,
    })
    .into_response())
}

async fn one(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    event_page(&s, &c, id, None).await
}

async fn act(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, f.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| {
        f.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let input = ActionIn {
        action: get("action").unwrap_or_default(),
        note: get("note"),
        department: get("department"),
        co_departments: None,
        review_date: get("review_date"),
        duplicate_of: get("duplicate_of").and_then(|v| v.parse().ok()),
        score: get("score").and_then(|v| v.parse().ok()),
        days: get("days").and_then(|v| v.parse().ok()),
    };
    match s.store.act_on_event(c.scope(), id, input, &c.client).await {
        Ok(_) => match s.store.event(c.scope(), id).await {
            Ok(_) => Ok(Redirect::to(&format!("/events/{id}")).into_response()),
            // A department that returned the event no longer sees it.
            Err(_) => Ok(Redirect::to("/events").into_response()),
        },
        Err(e) => event_page(&s, &c, id, Some(e.to_string())).await,
    }
}
