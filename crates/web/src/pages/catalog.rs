//! The handling catalog for staff: `/catalog` lists it by category with a filter and the
//! export link; admins also upload a replacement .xlsx there, its errors shown in place.
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use wangge_domain::role::Role;
use wangge_store::catalog::CatalogEntry;

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::api::catalog::{Imported, MAX_CATALOG_BYTES, Problem, import_file};
use crate::api::imports::too_large_or_bad;
use crate::auth::{PageCaller, check_csrf};
use crate::error::PageError;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/catalog",
        get(list)
            .post(upload)
            .layer(DefaultBodyLimit::max(MAX_CATALOG_BYTES)),
    )
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

/// The urgency factor as the catalog writes it: `1.0`, `0.5`.
pub(super) fn urgency_text(factor: f64) -> String {
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
