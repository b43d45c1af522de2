//! Events for the people who work them: the list with the role's work queues and a report
//! form with photos and the phone's position (`/events`), and one event with its photos,
//! possible duplicates, trail and a form for each step the caller may take
//! (`/events/{id}`). Both refresh themselves when the event stream says something changed.
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use wangge_store::catalog::CatalogEntry;
use wangge_store::event_actions::ActionIn;
use wangge_store::events::{EventFilter, EventView, NewEvent, Queue};
use wangge_store::people::{Page, Paging};
use wangge_store::uploads::Uploader;

use super::{Nav, PageQuery, catalog_groups, render};
use crate::AppState;
use crate::auth::{PageCaller, check_csrf};
use crate::error::PageError;
use crate::form_photos::{AnyForm, MAX_FORM_BYTES};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/events",
            get(list)
                .post(report)
                .layer(DefaultBodyLimit::max(MAX_FORM_BYTES)),
        )
        .route("/events/{id}", get(one))
        .route(
            "/events/{id}/actions",
            post(act).layer(DefaultBodyLimit::max(MAX_FORM_BYTES)),
        )
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    nav: Nav,
    page: Page<EventView>,
    state: String,
    queue: String,
    /// The role's work queues as (name, label) tabs.
    queues: Vec<(&'static str, &'static str)>,
    catalog: Vec<(String, Vec<CatalogEntry>)>,
    can_report: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    nav: Nav,
    e: EventView,
    departments: Vec<(String, String)>,
    catalog: Vec<(String, Vec<CatalogEntry>)>,
    /// The catalog's lead department for the event's item (dispatch's default).
    suggested: String,
    error: Option<String>,
}

#[derive(serde::Deserialize)]
struct ListQuery {
    state: Option<String>,
    queue: Option<String>,
    page: Option<u64>,
}

async fn list_page(
    s: &AppState,
    c: &PageCaller,
    q: ListQuery,
    error: Option<String>,
) -> Result<Response, PageError> {
    let ListQuery { state, queue, page } = q;
    let filter = EventFilter {
        state: state.clone().filter(|s| !s.is_empty()),
        queue: queue.clone().filter(|s| !s.is_empty()),
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
        queue: queue.unwrap_or_default(),
        queues: Queue::for_role(role)
            .iter()
            .map(|q| (q.as_str(), q.label()))
            .collect(),
        catalog: catalog_groups(&s.store.catalog().await?),
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
    list_page(&s, &c, q, None).await
}

async fn report(
    State(s): State<AppState>,
    c: PageCaller,
    AnyForm(form): AnyForm,
) -> Result<Response, PageError> {
    let result = async {
        let f = form?;
        check_csrf(&c, &f.get("csrf")).map_err(|e| e.0.message)?;
        let coordinate = |k: &str| {
            f.get(k).parse::<f64>().map_err(|_| {
                format!(
                    "请填写有效的{}，或点击“使用我的位置”",
                    if k == "lng" { "经度" } else { "纬度" }
                )
            })
        };
        let (lng, lat) = (coordinate("lng")?, coordinate("lat")?);
        let photos = f
            .store_photos(&s.store, Uploader::Staff(c.scope().account_id))
            .await?;
        s.store
            .report_event(
                c.scope(),
                NewEvent {
                    category: f.get("category"),
                    description: f.get("description"),
                    lng,
                    lat,
                    crs: f.opt("crs"),
                    address: f.get("address"),
                    urgency: f.opt("urgency"),
                    source: f.opt("source"),
                    photos,
                    ..NewEvent::default()
                },
                &c.client,
            )
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    match result {
        Ok(e) => Ok(Redirect::to(&format!("/events/{}", e.id)).into_response()),
        Err(e) => {
            let q = ListQuery {
                state: None,
                queue: None,
                page: None,
            };
            list_page(&s, &c, q, Some(e)).await
        }
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
    let catalog = s.store.catalog().await?;
    Ok(render(&EventPage {
        nav: Nav::of(c),
        suggested: catalog
            .iter()
            .find(|i| i.code == e.category)
            .map(|i| i.lead_department_name.clone())
            .unwrap_or_default(),
        e,
        departments,
        catalog: catalog_groups(&catalog),
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
    AnyForm(form): AnyForm,
) -> Result<Response, PageError> {
    let result = async {
        let f = form?;
        check_csrf(&c, &f.get("csrf")).map_err(|e| e.0.message)?;
        let photos = f
            .store_photos(&s.store, Uploader::Staff(c.scope().account_id))
            .await?;
        let input = ActionIn {
            action: f.get("action"),
            note: f.opt("note"),
            department: f.opt("department"),
            co_departments: None,
            review_date: f.opt("review_date"),
            duplicate_of: f.opt("duplicate_of").and_then(|v| v.parse().ok()),
            score: f.opt("score").and_then(|v| v.parse().ok()),
            days: f.opt("days").and_then(|v| v.parse().ok()),
            photos,
            category: f.opt("category"),
        };
        s.store
            .act_on_event(c.scope(), id, input, &c.client)
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    match result {
        Ok(_) => match s.store.event(c.scope(), id).await {
            Ok(_) => Ok(Redirect::to(&format!("/events/{id}")).into_response()),
            // A department that returned the event no longer sees it.
            Err(_) => Ok(Redirect::to("/events").into_response()),
        },
        Err(e) => event_page(&s, &c, id, Some(e)).await,
    }
}
