//! Registering, editing, moving out and recording the death of a person through forms.
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use wangge_domain::population::{Relation, Residence};
use wangge_store::person_edit::Leaving;

use super::{Nav, render};
use crate::AppState;
use crate::auth::{PageCaller, check_csrf};
use crate::error::{ApiError, PageError};
use crate::person_form::person_input;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persons/new", get(new_form).post(create))
        .route("/persons/{id}/edit", get(edit_form).post(edit))
        .route("/persons/{id}/end", post(end))
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct FormPage {
    nav: Nav,
    /// `None` for a new person.
    id: Option<i64>,
    values: HashMap<String, String>,
    residences: Vec<(&'static str, &'static str)>,
    relations: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

impl FormPage {
    fn value(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }
}

fn form_page(
    c: &PageCaller,
    id: Option<i64>,
    values: HashMap<String, String>,
    error: Option<String>,
) -> Response {
    render(&FormPage {
        nav: Nav::of(c),
        id,
        values,
        residences: Residence::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        relations: Relation::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        error,
    })
    .into_response()
}

fn writer(c: &PageCaller) -> Result<(), PageError> {
    let role = c.scope().role;
    if role.can_write() && role.can_read_base_data() {
        Ok(())
    } else {
        Err(ApiError::forbidden("您的角色不能修改人员档案").into())
    }
}

async fn new_form(c: PageCaller) -> Result<Response, PageError> {
    writer(&c)?;
    let mut values = HashMap::new();
    if c.scope().region.len() == 15 {
        values.insert("grid".to_string(), c.scope().region.clone());
    }
    Ok(form_page(&c, None, values, None))
}

/// The form's fields without the token and empty entries.
fn fields(mut form: HashMap<String, String>) -> HashMap<String, String> {
    form.remove("csrf");
    form.retain(|_, v| !v.trim().is_empty());
    form
}

async fn create(
    State(s): State<AppState>,
    c: PageCaller,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, form.get("csrf").map_or("", String::as_str))?;
    let values = fields(form);
    let result = match person_input(&values, None) {
        Ok(input) => s.store.create_person(c.scope(), input, &c.client).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/persons/{id}")).into_response()),
        Err(e) => Ok(form_page(&c, None, values, Some(e.to_string()))),
    }
}

async fn edit_form(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    writer(&c)?;
    let p = s.store.person(c.scope(), id, false, &c.client).await?;
    let mut values = HashMap::new();
    values.insert("name".into(), p.person.name.clone());
    values.insert("residence".into(), p.person.residence.clone());
    values.insert("relation".into(), p.person.relation.clone());
    values.insert("grid".into(), p.person.grid_code.clone());
    let tags: Vec<String> = p
        .person
        .tags
        .iter()
        .filter(|t| t.tag != "elderly")
        .map(|t| match t.grade {
            Some(g) => format!("{}({g}级)", t.tag),
            None => t.tag.clone(),
        })
        .collect();
    values.insert("tags".into(), tags.join("、"));
    for (k, v) in [("ethnicity", &p.ethnicity), ("note", &p.note)] {
        if let Some(v) = v {
            values.insert(k.into(), v.clone());
        }
    }
    Ok(form_page(&c, Some(id), values, None))
}

async fn edit(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, form.get("csrf").map_or("", String::as_str))?;
    let mut values = fields(form);
    values.remove("id_number");
    let result = s
        .store
        .edit_person(
            c.scope(),
            id,
            |number, name| person_input(&values, Some((number, name))),
            &c.client,
        )
        .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/persons/{id}")).into_response()),
        Err(e) => Ok(form_page(&c, Some(id), values, Some(e.to_string()))),
    }
}

async fn end(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, form.get("csrf").map_or("", String::as_str))?;
    let leaving = match form.get("kind").map(String::as_str) {
        Some("death") => Leaving::Deceased,
        _ => Leaving::MovedOut,
    };
    let note = form.get("note").map_or("", String::as_str);
    s.store
        .end_person(c.scope(), id, leaving, note, &c.client)
        .await?;
    Ok(Redirect::to(&format!("/persons/{id}")).into_response())
}
