//! Persons of the caller's area, masked by default, and one person's record (audited).
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use wangge_domain::population::{Relation, Residence, TagKind};
use wangge_store::people::{Page, Paging, PersonFilter, PersonItem, PersonRecord};

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
    params: String,
    q: String,
    tag: String,
    address: String,
    age_min: String,
    age_max: String,
    tags: Vec<(&'static str, &'static str)>,
    page: Page<PersonItem>,
    prev: Option<u64>,
    next: Option<u64>,
}

#[derive(Deserialize)]
struct ListQuery {
    region: Option<String>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    address: String,
    building: Option<i64>,
    age_min: Option<String>,
    age_max: Option<String>,
    page: Option<u64>,
}

impl ListQuery {
    fn filter(&self) -> PersonFilter {
        // Empty form fields arrive as "": they mean "any".
        let number = |s: &Option<String>| s.as_deref().and_then(|v| v.trim().parse().ok());
        PersonFilter {
            tag: Some(self.tag.clone()).filter(|t| !t.is_empty()),
            age_min: number(&self.age_min),
            age_max: number(&self.age_max),
            address: Some(self.address.clone()).filter(|a| !a.trim().is_empty()),
            building: self.building,
            ..PersonFilter::from_query(&self.q)
        }
    }

    /// The query string of this search, for the pager's links.
    fn search_params(&self) -> String {
        let building = self.building.map(|b| b.to_string()).unwrap_or_default();
        let enc = |s: &str| {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        };
        // Only the fields filled in, so the same string serves the API's typed query.
        [
            ("q", self.q.as_str()),
            ("tag", self.tag.as_str()),
            ("address", self.address.as_str()),
            ("building", building.as_str()),
            ("age_min", self.age_min.as_deref().unwrap_or("")),
            ("age_max", self.age_max.as_deref().unwrap_or("")),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", enc(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
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
            &q.filter(),
            Paging::new(q.page, Some(50))?,
        )
        .await?;
    page.items = page.items.into_iter().map(labelled).collect();
    let prev = (page.page > 1).then(|| page.page - 1);
    let next = (page.page * page.per_page < page.total).then(|| page.page + 1);
    let tags = TagKind::ALL
        .iter()
        .map(|t| (t.as_str(), t.label()))
        .collect();
    Ok(render(&PersonsPage {
        nav: Nav::of(&c),
        region,
        params: q.search_params(),
        q: q.q.clone(),
        tag: q.tag.clone(),
        address: q.address.clone(),
        age_min: q.age_min.clone().unwrap_or_default(),
        age_max: q.age_max.clone().unwrap_or_default(),
        tags,
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
    can_write: bool,
    history: Vec<wangge_store::person_edit::HistoryItem>,
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
    let history = state.store.person_history(c.scope(), id).await?;
    Ok(render(&PersonPage {
        nav: Nav::of(&c),
        p,
        can_unmask,
        can_write: c.scope().role.can_write(),
        history,
    })
    .into_response())
}
