//! Correcting a building through a form (name, address, floors, units, position).
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use wangge_store::people::BuildingItem;
use wangge_store::place_import::BuildingRow;

use super::{Nav, render};
use crate::AppState;
use crate::auth::{PageCaller, check_csrf};
use crate::error::PageError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/buildings/{id}/edit", get(form).post(save))
}

#[derive(Template)]
#[template(path = "building_edit.html")]
struct EditPage {
    nav: Nav,
    b: BuildingItem,
    error: Option<String>,
}

async fn form(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let b = s.store.building(c.scope(), id).await?;
    Ok(render(&EditPage {
        nav: Nav::of(&c),
        b,
        error: None,
    })
    .into_response())
}

async fn save(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, f.get("csrf").map_or("", String::as_str))?;
    let text = |k: &str| {
        f.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let parsed = (|| -> Result<BuildingRow, String> {
        let int = |k: &str| {
            text(k)
                .map(|v| v.parse::<i32>().map_err(|_| format!("“{v}”不是整数")))
                .transpose()
        };
        let real = |k: &str| {
            text(k)
                .map(|v| v.parse::<f64>().map_err(|_| format!("“{v}”不是有效的坐标")))
                .transpose()
        };
        Ok(BuildingRow {
            code: None,
            name: text("name").unwrap_or_default(),
            address: text("address").unwrap_or_default(),
            floors: int("floors")?,
            units: int("units")?,
            rooms_per_floor: int("rooms_per_floor")?,
            lng: real("lng")?,
            lat: real("lat")?,
            grid: None,
        })
    })();
    let result = match parsed {
        Ok(row) => s
            .store
            .edit_building(c.scope(), id, row, &c.client)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    let b = s.store.building(c.scope(), id).await?;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/grids/{}", b.grid_code)).into_response()),
        Err(e) => Ok(render(&EditPage {
            nav: Nav::of(&c),
            b,
            error: Some(e),
        })
        .into_response()),
    }
}
