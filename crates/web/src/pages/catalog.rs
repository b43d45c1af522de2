//! The handling catalog for staff: `/catalog` lists it by category with a filter (admins
//! also upload a replacement .xlsx there, its errors shown in place), `/catalog/{code}/edit`
//! edits one item (admins).
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use wangge_domain::catalog::sheet::ItemEdit;
use wangge_domain::role::Role;
use wangge_store::catalog::CatalogEntry;

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::api::catalog::{Imported, MAX_CATALOG_BYTES, Problem, import_file};
use crate::api::imports::too_large_or_bad;
use crate::auth::{PageCaller, check_csrf};
use crate::error::{ApiError, PageError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/catalog",
            get(list)
                .post(upload)
                .layer(DefaultBodyLimit::max(MAX_CATALOG_BYTES)),
        )
        .route("/catalog/{code}/edit", get(edit_form).post(edit))
}

/// One item as listed, departments by name.
struct Row {
    e: CatalogEntry,
    co: String,
    urgency: String,
}

struct Group {
    category: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage {
    nav: Nav,
    q: String,
    groups: Vec<Group>,
    total: usize,
    shown: usize,
    admin: bool,
    notice: Option<String>,
    problems: Vec<Problem>,
    max_mb: usize,
}

#[derive(serde::Deserialize)]
struct ListQuery {
    q: Option<String>,
    imported: Option<usize>,
    edited: Option<String>,
}

fn urgency_text(factor: f64) -> String {
    let text = factor.to_string();
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

async fn list_page(
    s: &AppState,
    c: &PageCaller,
    q: String,
    notice: Option<String>,
    problems: Vec<Problem>,
) -> Result<Response, PageError> {
    let names: HashMap<String, String> = s
        .store
        .departments()
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    let entries = s.store.catalog().await?;
    let total = entries.len();
    let needle = q.trim().to_uppercase();
    let mut groups: Vec<Group> = Vec::new();
    let mut shown = 0;
    for e in entries {
        let co: Vec<&str> = e
            .co_departments
            .iter()
            .map(|c| names.get(c).map_or(c.as_str(), String::as_str))
            .collect();
        let co = co.join("、");
        let text = [&e.code, &e.name, &e.category, &e.lead_department_name, &co];
        if !needle.is_empty() && !text.iter().any(|t| t.to_uppercase().contains(&needle)) {
            continue;
        }
        shown += 1;
        let row = Row {
            urgency: urgency_text(e.urgency),
            co,
            e,
        };
        match groups.last_mut() {
            Some(g) if g.category == row.e.category => g.rows.push(row),
            _ => groups.push(Group {
                category: row.e.category.clone(),
                rows: vec![row],
            }),
        }
    }
    Ok(render(&CatalogPage {
        nav: Nav::of(c),
        q,
        groups,
        total,
        shown,
        admin: c.scope().role == Role::Admin,
        notice,
        problems,
        max_mb: MAX_CATALOG_BYTES / 1024 / 1024,
    })
    .into_response())
}

async fn list(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    let notice = match (q.imported, q.edited) {
        (Some(n), _) => Some(format!("已导入事项清单，共{n}项。")),
        (_, Some(code)) => Some(format!("已保存事项 {code}。")),
        _ => None,
    };
    list_page(&s, &c, q.q.unwrap_or_default(), notice, Vec::new()).await
}

async fn upload(
    State(s): State<AppState>,
    c: PageCaller,
    mut parts: Multipart,
) -> Result<Response, PageError> {
    let (mut csrf, mut file) = (String::new(), Vec::new());
    while let Some(field) = parts
        .next_field()
        .await
        .map_err(|e| too_large_or_bad(e.status()))?
    {
        match field.name().unwrap_or("") {
            "csrf" => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| too_large_or_bad(e.status()))?
            }
            "file" => {
                let bytes = field.bytes().await;
                file = bytes.map_err(|e| too_large_or_bad(e.status()))?.to_vec();
            }
            _ => {}
        }
    }
    check_csrf(&c, &csrf)?;
    if file.is_empty() {
        let missing = Problem {
            row: 0,
            column: None,
            header: None,
            message: "请选择要导入的 .xlsx 文件".into(),
        };
        return list_page(&s, &c, String::new(), None, vec![missing]).await;
    }
    match import_file(&s, c.scope(), &c.client, &file).await? {
        Imported::Items(n) => Ok(Redirect::to(&format!("/catalog?imported={n}")).into_response()),
        Imported::Rejected(problems) => list_page(&s, &c, String::new(), None, problems).await,
    }
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
