//! Persons of the caller's area, masked by default, and one person's record (audited).
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use wangge_domain::population::{Relation, Residence};
use wangge_store::people::{Page, Paging, PersonItem, PersonRecord};

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::auth::PageCaller;
use crate::error::{ApiError, PageError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persons", get(list))
        .route("/persons/{id}", get(one))
}

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    nav: Nav,
    region: String,
    page: Page<PersonItem>,
    prev: Option<u64>,
    next: Option<u64>,
}

#[derive(Deserialize)]
struct ListQuery {
    region: Option<String>,
    page: Option<u64>,
}

/// Relation and residence are stored as ids; pages show their Chinese labels.
fn labelled(mut p: PersonItem) -> PersonItem {
    p.relation = Relation::label_of(&p.relation).to_string();
    p.residence = Residence::label_of(&p.residence).to_string();
    p
}

async fn list(
    State(state): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    let region = c.scope().narrow(q.region.as_deref())?;
    let mut page = state
        .store
        .persons(
            c.scope(),
            Some(&region),
            None,
            Paging::new(q.page, Some(50))?,
        )
        .await?;
    page.items = page.items.into_iter().map(labelled).collect();
    let prev = (page.page > 1).then(|| page.page - 1);
    let next = (page.page * page.per_page < page.total).then(|| page.page + 1);
    Ok(render(&PersonsPage {
        nav: Nav::of(&c),
        region,
        page,
        prev,
        next,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    nav: Nav,
    p: PersonRecord,
    can_unmask: bool,
}

#[derive(Deserialize)]
struct OneQuery {
    #[serde(default)]
    unmask: bool,
}

async fn one(
    State(state): State<AppState>,
    c: PageCaller,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<OneQuery>,
) -> Result<Response, PageError> {
    let unmask = q.unmask;
    let id: i64 = id.parse().map_err(|_| PageError(ApiError::not_found()))?;
    let mut p = state.store.person(c.scope(), id, unmask, &c.client).await?;
    p.person = labelled(p.person);
    let can_unmask = c.scope().role.can_unmask();
    Ok(render(&PersonPage {
        nav: Nav::of(&c),
        p,
        can_unmask,
    })
    .into_response())
}
