//! The assessment page `/assessment`: grid workers or departments of the caller's region for
//! a month, quarter or year — the total drawn as a bar, each dimension's score with the
//! counts behind it, ranks in the region, street and community — and, for admins, the
//! weights form (`POST /assessment/weights`).
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use wangge_domain::role::Role;
use wangge_store::StoreError;
use wangge_store::assessment::{AssessedRow, Assessment, Subject};

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::api::assessment::subject;
use crate::auth::{PageCaller, check_csrf};
use crate::error::PageError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessment", get(show))
        .route("/assessment/weights", post(set_weights))
}

/// Rows shown at most; a wider region is narrowed with the form.
const MAX_ROWS: usize = 1000;
/// Width of the total's bar at 100 points.
const BAR_W: f64 = 120.0;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Query {
    subject: String,
    period: String,
    region: String,
    saved: String,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    nav: Nav,
    q: Query,
    error: Option<String>,
    notice: Option<String>,
    a: Option<Assessment>,
    shown: usize,
    bar_w: f64,
    admin: bool,
    /// The weights form's value (kept after an error).
    weights: String,
}

impl AssessmentPage {
    /// The rows shown, best first.
    fn rows(&self) -> &[AssessedRow] {
        self.a.as_ref().map_or(&[], |a| &a.rows[..self.shown])
    }

    fn bar(&self, total: &Option<f64>) -> f64 {
        total.map_or(0.0, |t| (t / 100.0 * self.bar_w).clamp(0.0, self.bar_w))
    }
}

async fn page(
    s: &AppState,
    c: &PageCaller,
    q: Query,
    error: Option<String>,
    weights: Option<String>,
) -> Result<Response, PageError> {
    let period = if q.period.trim().is_empty() {
        s.store.current_period()
    } else {
        q.period.clone()
    };
    let answer = match subject(Some(&q.subject)) {
        Ok(who) => {
            s.store
                .assessment(c.scope(), who, &period, Some(&q.region))
                .await
        }
        Err(e) => Err(e),
    };
    let (a, error) = match (answer, error) {
        (Ok(a), e) => (Some(a), e),
        (Err(StoreError::Invalid { message, .. }), _) => (None, Some(message)),
        (Err(e), _) => return Err(e.into()),
    };
    let weights =
        weights.unwrap_or_else(|| a.as_ref().map(|a| a.weights.clone()).unwrap_or_default());
    let notice = (!q.saved.is_empty()).then(|| "考核权重已保存".to_string());
    Ok(render(&AssessmentPage {
        nav: Nav::of(c),
        shown: a.as_ref().map_or(0, |a| a.rows.len().min(MAX_ROWS)),
        admin: c.scope().role == Role::Admin,
        bar_w: BAR_W,
        q,
        error,
        notice,
        a,
        weights,
    })
    .into_response())
}

async fn show(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<Query>,
) -> Result<Response, PageError> {
    page(&s, &c, q, None, None).await
}

async fn set_weights(
    State(s): State<AppState>,
    c: PageCaller,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, f.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let who = subject(Some(&get("subject"))).unwrap_or(Subject::GridWorkers);
    let text = get("weights");
    match s
        .store
        .set_assessment_weights(c.scope(), who, &text, &c.client)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/assessment?subject={}&period={}&saved=1",
            who.as_str(),
            get("period")
        ))
        .into_response()),
        Err(StoreError::Invalid { field, message }) => {
            let q = Query {
                subject: who.as_str().into(),
                period: get("period"),
                ..Query::default()
            };
            page(&s, &c, q, Some(format!("{field}：{message}")), Some(text)).await
        }
        Err(e) => Err(e.into()),
    }
}
