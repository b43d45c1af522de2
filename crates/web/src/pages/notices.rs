//! `/notices`: the caller's newest notices (临期预警、超期、督办、上报上级、差评、新交办),
//! each linking to its event; the page refreshes itself from the event stream.
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use wangge_store::notices::NoticeView;

use super::{Nav, render};
use crate::AppState;
use crate::auth::PageCaller;
use crate::error::PageError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/notices", get(list))
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    nav: Nav,
    notices: Vec<NoticeView>,
}

async fn list(State(s): State<AppState>, c: PageCaller) -> Result<Response, PageError> {
    let notices = s.store.notices(c.scope(), None).await?;
    Ok(render(&NoticesPage {
        nav: Nav::of(&c),
        notices,
    })
    .into_response())
}
