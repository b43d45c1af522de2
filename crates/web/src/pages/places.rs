//! Organizations and things of the caller's area: lists with a form to register one.
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use wangge_domain::population::{OrgKind, ThingKind};
use wangge_store::people::{Page, Paging};
use wangge_store::places::{OrgItem, PlaceIn, ThingItem};

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::auth::{PageCaller, check_csrf};
use crate::error::PageError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organizations", get(organizations).post(add_organization))
        .route("/things", get(things).post(add_thing))
}

#[derive(Template)]
#[template(path = "places.html")]
struct PlacesPage {
    nav: Nav,
    title: &'static str,
    action: &'static str,
    organizations: bool,
    kinds: Vec<(&'static str, &'static str)>,
    orgs: Option<Page<OrgItem>>,
    things: Option<Page<ThingItem>>,
    error: Option<String>,
    can_write: bool,
}

#[derive(serde::Deserialize)]
struct ListQuery {
    page: Option<u64>,
}

async fn page(
    s: &AppState,
    c: &PageCaller,
    organizations: bool,
    page: Option<u64>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let paging = Paging::new(page, Some(50))?;
    let (orgs, things) = if organizations {
        (
            Some(s.store.organizations(c.scope(), None, None, paging).await?),
            None,
        )
    } else {
        (
            None,
            Some(s.store.things(c.scope(), None, None, paging).await?),
        )
    };
    Ok(render(&PlacesPage {
        nav: Nav::of(c),
        title: if organizations {
            "组织"
        } else {
            "部件与隐患（物）"
        },
        action: if organizations {
            "/organizations"
        } else {
            "/things"
        },
        organizations,
        kinds: if organizations {
            OrgKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect()
        } else {
            ThingKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect()
        },
        orgs,
        things,
        error,
        can_write: c.scope().role.can_write(),
    })
    .into_response())
}

async fn organizations(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    page(&s, &c, true, q.page, None).await
}

async fn things(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    page(&s, &c, false, q.page, None).await
}

fn place_in(f: &HashMap<String, String>) -> Result<PlaceIn, String> {
    let get = |k: &str| {
        f.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let number = |k: &str| -> Result<Option<f64>, String> {
        get(k)
            .map(|v| v.parse::<f64>().map_err(|_| format!("“{v}”不是有效的坐标")))
            .transpose()
    };
    Ok(PlaceIn {
        name: get("name").unwrap_or_default(),
        kind: get("kind").unwrap_or_default(),
        grid: get("grid").unwrap_or_default(),
        address: get("address").unwrap_or_default(),
        uscc: get("uscc"),
        leader: get("leader"),
        phone: get("phone"),
        lng: number("lng")?,
        lat: number("lat")?,
        note: get("note"),
    })
}

async fn add(
    s: AppState,
    c: PageCaller,
    organizations: bool,
    f: HashMap<String, String>,
) -> Result<Response, PageError> {
    check_csrf(&c, f.get("csrf").map_or("", String::as_str))?;
    let result = match place_in(&f) {
        Ok(p) if organizations => s
            .store
            .create_organization(c.scope(), p, &c.client)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Ok(p) => s
            .store
            .create_thing(c.scope(), p, &c.client)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(if organizations {
            "/organizations"
        } else {
            "/things"
        })
        .into_response()),
        Err(e) => page(&s, &c, organizations, None, Some(e)).await,
    }
}

async fn add_organization(
    State(s): State<AppState>,
    c: PageCaller,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    add(s, c, true, f).await
}

async fn add_thing(
    State(s): State<AppState>,
    c: PageCaller,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    add(s, c, false, f).await
}
