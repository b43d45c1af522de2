//! The server-rendered Chinese screens. Pages work without JavaScript; every form carries
//! the session's CSRF token.
mod account;
mod assessment;
mod audit;
mod buildings;
mod calendar;
mod catalog;
mod catalog_edit;
mod command;
mod coverage;
mod events;
mod field;
mod field_admin;
mod grid_edit;
mod imports;
mod indicators;
mod notices;
mod people;
mod person_edit;
mod places;
mod public;
mod regions;
mod reviews;
mod sizing;
mod staff;
mod work_task;
mod work_task_new;
mod work_tasks;

use askama::Template;
use axum::Router;
use axum::response::Html;

use crate::AppState;
use crate::auth::PageCaller;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(account::routes())
        .merge(regions::routes())
        .merge(people::routes())
        .merge(audit::routes())
        .merge(coverage::routes())
        .merge(grid_edit::routes())
        .merge(imports::routes())
        .merge(staff::routes())
        .merge(sizing::routes())
        .merge(person_edit::routes())
        .merge(places::routes())
        .merge(buildings::routes())
        .merge(events::routes())
        .merge(catalog::routes())
        .merge(catalog_edit::routes())
        .merge(calendar::routes())
        .merge(command::routes())
        .merge(indicators::routes())
        .merge(assessment::routes())
        .merge(reviews::routes())
        .merge(public::routes())
        .merge(notices::routes())
        .merge(work_tasks::routes())
        .merge(work_task_new::routes())
        .merge(work_task::routes())
        .merge(field::routes())
        .merge(field_admin::routes())
}

/// The catalog's items under their categories, for `<optgroup>`s: a phone user scrolls a
/// category's dozen items instead of all of them.
pub(crate) fn catalog_groups(
    catalog: &[wangge_store::catalog::CatalogEntry],
) -> Vec<(String, Vec<wangge_store::catalog::CatalogEntry>)> {
    let mut groups: Vec<(String, Vec<wangge_store::catalog::CatalogEntry>)> = Vec::new();
    for item in catalog {
        match groups.iter_mut().find(|g| g.0 == item.category) {
            Some(g) => g.1.push(item.clone()),
            None => groups.push((item.category.clone(), vec![item.clone()])),
        }
    }
    groups
}

/// Query parameters for pages: a malformed query is an error page, not a plain-text 400.
pub struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S>
    for PageQuery<T>
{
    type Rejection = crate::error::PageError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| PageQuery(q.0))
            .map_err(|e| {
                crate::error::PageError(crate::error::ApiError::bad_request(
                    "invalid_query",
                    format!("查询参数无效：{}", e.body_text()),
                ))
            })
    }
}

/// Renders a template; a template that fails to render is a bug, shown as a plain page.
pub fn render<T: Template>(t: &T) -> Html<String> {
    Html(t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "template failed");
        "<!DOCTYPE html><meta charset=utf-8><p>页面渲染失败</p>".to_string()
    }))
}

/// The header's view of the signed-in user.
pub struct NavUser {
    pub display_name: String,
    pub role_label: &'static str,
    pub csrf: String,
    pub reads_people: bool,
    pub reads_audit: bool,
    pub imports: bool,
    pub commands: bool,
    /// Grid workers and leaders: the field screens.
    pub field: bool,
}

#[derive(Default)]
pub struct Nav {
    pub user: Option<NavUser>,
}

impl Nav {
    /// The session's CSRF token for forms ("" when signed out).
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.csrf.as_str())
    }

    pub fn of(c: &PageCaller) -> Nav {
        let role = c.session.account.role;
        Nav {
            user: Some(NavUser {
                display_name: c.session.account.display_name.clone(),
                role_label: role.label(),
                csrf: c.session.csrf.clone(),
                reads_people: role.can_read_base_data(),
                reads_audit: role.can_read_audit(),
                imports: role.can_write() && role.can_read_base_data(),
                commands: role.can_read_base_data() && !role.is_department(),
                field: matches!(
                    role,
                    wangge_domain::role::Role::GridWorker | wangge_domain::role::Role::GridLeader
                ),
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub nav: Nav,
    pub title: &'a str,
    pub message: &'a str,
    pub status: u16,
}

impl<'a> ErrorPage<'a> {
    pub fn new(title: &'a str, message: &'a str, status: u16) -> Self {
        ErrorPage {
            nav: Nav::default(),
            title,
            message,
            status,
        }
    }
}
