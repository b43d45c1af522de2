//! Editing a grid's name and boundary (a GeoJSON file or pasted text) for the command
//! center and admins; the boundary is validated and the coverage check is one click away.
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use wangge_store::grids::GridUpdate;

use super::{Nav, render};
use crate::AppState;
use crate::api::imports::too_large_or_bad;
use crate::auth::{PageCaller, check_csrf};
use crate::error::{ApiError, PageError};

/// A grid boundary file is small; a few MB allows detailed outlines.
const MAX_BOUNDARY_BYTES: usize = 4 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/grids/{code}/edit",
        get(form)
            .post(save)
            .layer(DefaultBodyLimit::max(MAX_BOUNDARY_BYTES)),
    )
}

#[derive(Template)]
#[template(path = "grid_edit.html")]
struct EditPage {
    nav: Nav,
    code: String,
    name: String,
    community: String,
    error: Option<String>,
}

async fn form(
    State(s): State<AppState>,
    c: PageCaller,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    if !c.scope().role.can_manage_grids() {
        return Err(ApiError::forbidden("只有指挥中心和管理员可以编辑网格").into());
    }
    let g = s.store.grid(c.scope(), &code).await?;
    Ok(render(&EditPage {
        nav: Nav::of(&c),
        code: g.code,
        name: g.name,
        community: g.community_code,
        error: None,
    })
    .into_response())
}

async fn save(
    State(s): State<AppState>,
    c: PageCaller,
    Path(code): Path<String>,
    mut parts: Multipart,
) -> Result<Response, PageError> {
    let mut fields: HashMap<String, String> = HashMap::new();
    while let Some(field) = parts
        .next_field()
        .await
        .map_err(|e| too_large_or_bad(e.status()))?
    {
        let name = field.name().unwrap_or("").to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| too_large_or_bad(e.status()))?;
        fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
    }
    check_csrf(&c, fields.get("csrf").map_or("", String::as_str))?;
    let text = |k: &str| fields.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let boundary_text = text("file").or(text("geojson"));
    let boundary = match boundary_text.map(serde_json::from_str::<serde_json::Value>) {
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            return edit_error(&s, &c, &code, format!("边界不是有效的 GeoJSON：{e}")).await;
        }
        None => None,
    };
    let update = GridUpdate {
        name: text("name").map(str::to_string),
        boundary,
    };
    match s
        .store
        .update_grid(c.scope(), &code, update, &c.client)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/grids/{code}")).into_response()),
        Err(e) => edit_error(&s, &c, &code, e.to_string()).await,
    }
}

async fn edit_error(
    s: &AppState,
    c: &PageCaller,
    code: &str,
    error: String,
) -> Result<Response, PageError> {
    let g = s.store.grid(c.scope(), code).await?;
    Ok(render(&EditPage {
        nav: Nav::of(c),
        code: g.code,
        name: g.name,
        community: g.community_code,
        error: Some(error),
    })
    .into_response())
}
