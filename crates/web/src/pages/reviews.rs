//! The weekly review (一周一点评) and the monthly report as pages: `/reviews/{weekly|monthly}`
//! with the period and region in the query, the tables of `review_doc`, the regions'
//! on-time closure drawn as bars, and the same review to download as .xlsx and PDF.
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use wangge_store::StoreError;
use wangge_store::review::{CompareRow, Review, ReviewKind};

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::api::reviews::{ReviewQuery, file, kind, load};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::review_doc::{Section, sections};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reviews/{kind}", get(show))
        .route("/reviews/{kind}/{format}", get(download))
}

/// Bar width at 100 %.
const BAR_W: f64 = 240.0;

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    nav: Nav,
    kind: ReviewKind,
    period: String,
    region: String,
    error: Option<String>,
    review: Option<Review>,
    sections: Vec<Section>,
    /// The query string of the downloads (period and region).
    query: String,
}

impl ReviewPage {
    fn bar(&self, r: &CompareRow) -> f64 {
        r.on_time_closure
            .map_or(0.0, |v| (v / 100.0 * BAR_W).clamp(0.0, BAR_W))
    }

    fn bar_w(&self) -> f64 {
        BAR_W
    }
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn show(
    State(s): State<AppState>,
    c: PageCaller,
    Path(which): Path<String>,
    PageQuery(q): PageQuery<ReviewQuery>,
) -> Result<Response, PageError> {
    let kind = kind(&which)?;
    let (review, error) = match load(&s, c.scope(), kind, &q).await {
        Ok(r) => (Some(r), None),
        Err(StoreError::Invalid { message, .. }) => (None, Some(message)),
        Err(e) => return Err(e.into()),
    };
    let period = review
        .as_ref()
        .map(|r| r.period.clone())
        .or(q.period.clone())
        .unwrap_or_default();
    let region = q.region.clone().unwrap_or_default();
    Ok(render(&ReviewPage {
        nav: Nav::of(&c),
        kind,
        sections: review.as_ref().map_or_else(Vec::new, sections),
        query: format!("period={}&region={}", encode(&period), encode(&region)),
        period,
        region,
        error,
        review,
    })
    .into_response())
}

async fn download(
    State(s): State<AppState>,
    c: PageCaller,
    Path((which, format)): Path<(String, String)>,
    PageQuery(q): PageQuery<ReviewQuery>,
) -> Result<Response, PageError> {
    Ok(file(&s, c.scope(), kind(&which)?, &format, &q).await?)
}
