//! Putting people on a grid and taking them off (forms on the grid page), and the list of
//! grids that lack a worker or an AB backup.
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use wangge_store::staff::{StaffIn, StaffingGap};

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::auth::{PageCaller, check_csrf};
use crate::error::PageError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/grids/{code}/staff", post(add))
        .route("/grids/{code}/staff/{id}/remove", post(remove))
        .route("/staffing", get(gaps))
}

#[derive(Deserialize)]
struct AddForm {
    csrf: String,
    duty: String,
    name: String,
    phone: String,
    #[serde(default)]
    account: String,
}

async fn add(
    State(s): State<AppState>,
    c: PageCaller,
    Path(code): Path<String>,
    Form(f): Form<AddForm>,
) -> Result<Response, PageError> {
    check_csrf(&c, &f.csrf)?;
    s.store
        .add_staff(
            c.scope(),
            &code,
            StaffIn {
                duty: &f.duty,
                name: &f.name,
                phone: &f.phone,
                account: Some(f.account.as_str()),
            },
            &c.client,
        )
        .await?;
    Ok(Redirect::to(&format!("/grids/{code}")).into_response())
}

async fn remove(
    State(s): State<AppState>,
    c: PageCaller,
    Path((code, id)): Path<(String, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, f.get("csrf").map_or("", String::as_str))?;
    s.store
        .remove_staff(c.scope(), &code, id, &c.client)
        .await?;
    Ok(Redirect::to(&format!("/grids/{code}")).into_response())
}

#[derive(Template)]
#[template(path = "staffing.html")]
struct GapsPage {
    nav: Nav,
    region: String,
    items: Vec<StaffingGap>,
}

#[derive(Deserialize)]
struct GapQuery {
    region: Option<String>,
}

async fn gaps(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<GapQuery>,
) -> Result<Response, PageError> {
    let items = s
        .store
        .staffing_gaps(c.scope(), q.region.as_deref())
        .await?;
    Ok(render(&GapsPage {
        nav: Nav::of(&c),
        region: q.region.unwrap_or_else(|| c.scope().region.clone()),
        items,
    })
    .into_response())
}
