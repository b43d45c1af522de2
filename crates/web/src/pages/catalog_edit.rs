//! Editing one item of the handling catalog (admins): `/catalog/{code}/edit`, a form whose
//! errors are shown beside their fields, in Chinese.
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use wangge_domain::catalog::sheet::ItemEdit;
use wangge_domain::role::Role;
use wangge_store::catalog::CatalogEntry;

use super::catalog::urgency_text;
use super::{Nav, render};
use crate::AppState;
use crate::auth::{PageCaller, check_csrf};
use crate::error::{ApiError, PageError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/catalog/{code}/edit", get(edit_form).post(edit))
}

/// The edit form's values, as stored or as typed.
struct Values {
    name: String,
    lead: String,
    co: Vec<String>,
    sign_hours: String,
    handle_days: String,
    urgency: String,
    standard: String,
    claimable: bool,
}

#[derive(Template)]
#[template(path = "catalog_edit.html")]
struct EditPage {
    nav: Nav,
    e: CatalogEntry,
    departments: Vec<(String, String)>,
    v: Values,
    /// (field key, message).
    errors: Vec<(&'static str, String)>,
}

impl EditPage {
    fn is_co(&self, code: &str) -> bool {
        self.v.co.iter().any(|c| c == code)
    }

    fn error_of(&self, key: &str) -> Vec<&str> {
        let found = self.errors.iter().filter(|(k, _)| *k == key);
        found.map(|(_, m)| m.as_str()).collect()
    }
}

fn admin(c: &PageCaller) -> Result<(), PageError> {
    if c.scope().role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::forbidden("只有管理员可以修改事项清单").into())
    }
}

async fn edit_page(
    s: &AppState,
    c: &PageCaller,
    e: CatalogEntry,
    v: Values,
    errors: Vec<(&'static str, String)>,
) -> Result<Response, PageError> {
    let departments = s.store.departments().await?;
    Ok(render(&EditPage {
        nav: Nav::of(c),
        e,
        departments: departments.into_iter().map(|d| (d.code, d.name)).collect(),
        v,
        errors,
    })
    .into_response())
}

async fn edit_form(
    State(s): State<AppState>,
    c: PageCaller,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    admin(&c)?;
    let e = s.store.catalog_entry(&code).await?;
    let v = Values {
        name: e.name.clone(),
        lead: e.lead_department.clone(),
        co: e.co_departments.clone(),
        sign_hours: e.sign_hours.to_string(),
        handle_days: e.handle_days.to_string(),
        urgency: urgency_text(e.urgency),
        standard: e.standard.clone(),
        claimable: e.claimable,
    };
    edit_page(&s, &c, e, v, Vec::new()).await
}

async fn edit(
    State(s): State<AppState>,
    c: PageCaller,
    Path(code): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        let found = fields.iter().find(|(n, _)| n == k);
        found.map(|(_, v)| v.trim().to_string()).unwrap_or_default()
    };
    check_csrf(&c, &get("csrf"))?;
    admin(&c)?;
    let v = Values {
        name: get("name"),
        lead: get("lead"),
        co: fields
            .iter()
            .filter(|(n, v)| n == "co" && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect(),
        sign_hours: get("sign_hours"),
        handle_days: get("handle_days"),
        urgency: get("urgency"),
        standard: get("standard"),
        claimable: !get("claimable").is_empty(),
    };
    let edit = ItemEdit {
        name: Some(v.name.clone()),
        lead: Some(v.lead.clone()),
        co: Some(v.co.clone()),
        sign_hours: Some(v.sign_hours.clone()),
        handle_days: Some(v.handle_days.clone()),
        urgency: Some(v.urgency.clone()),
        standard: Some(v.standard.clone()),
        claimable: Some(v.claimable),
    };
    let e = s.store.catalog_entry(&code).await?;
    match s
        .store
        .edit_catalog_item(c.scope(), &code, &edit, &c.client)
        .await?
    {
        Ok(saved) => {
            let to = format!("/catalog?edited={}#{}", saved.code, saved.code);
            Ok(Redirect::to(&to).into_response())
        }
        Err(errors) => {
            let errors = errors
                .into_iter()
                .map(|e| (e.column.unwrap_or("code"), e.message))
                .collect();
            edit_page(&s, &c, e, v, errors).await
        }
    }
}
