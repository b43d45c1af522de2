//! Field work as overseers see it: `/field/coverage` — visit coverage this month and half
//! year by street, community or grid (drawn as bars), the households never visited, and
//! the day's board of workers short of patrol time or without a daily report — and
//! `/field/settings`, the admin's visit rules and patrol settings.
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use wangge_domain::role::Role;
use wangge_store::field_reports::DayBoard;
use wangge_store::field_settings::FieldSettingsText;
use wangge_store::visits::CoverageReport;

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::api::field::day_or_today;
use crate::auth::{PageCaller, check_csrf};
use crate::error::PageError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/field/coverage", get(coverage))
        .route("/field/settings", get(settings).post(save_settings))
}

/// Width of a bar at 100%.
const BAR_W: f64 = 160.0;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CoverageQuery {
    region: String,
    day: String,
}

#[derive(Template)]
#[template(path = "field_coverage.html")]
struct CoveragePage {
    nav: Nav,
    r: CoverageReport,
    board: DayBoard,
    /// Workers in the region; the page lists at most [`MAX_WORKERS_LISTED`] of them.
    workers: usize,
    bar_w: f64,
}

/// A county has thousands of grids: the page lists the first who fell short, the areas
/// above sum up the rest.
const MAX_WORKERS_LISTED: usize = 200;

impl CoveragePage {
    fn bar(&self, rate: &Option<f64>) -> f64 {
        rate.map_or(0.0, |r| (r / 100.0 * self.bar_w).clamp(0.0, self.bar_w))
    }

    /// The width of a bar for `n` of `of`.
    fn share(&self, n: &u32, of: &u32) -> f64 {
        if *of == 0 {
            0.0
        } else {
            f64::from(*n) / f64::from(*of) * self.bar_w
        }
    }

    fn rate(rate: &Option<f64>) -> String {
        rate.map_or_else(|| "—".into(), |r| format!("{r:.1}%"))
    }

    /// Where a row leads: one level down, to its own coverage.
    fn link(&self, code: &str) -> String {
        format!("/field/coverage?region={code}&day={}", self.board.day)
    }
}

async fn coverage(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<CoverageQuery>,
) -> Result<Response, PageError> {
    let region = Some(q.region.as_str()).filter(|r| !r.is_empty());
    let day = day_or_today(Some(&q.day), s.store.now_ms())?;
    let r = s.store.visit_coverage(c.scope(), region).await?;
    let mut board = s.store.day_board(c.scope(), region, day).await?;
    let workers = board.workers.len();
    board.workers.truncate(MAX_WORKERS_LISTED);
    Ok(render(&CoveragePage {
        nav: Nav::of(&c),
        r,
        board,
        workers,
        bar_w: BAR_W,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "field_settings.html")]
struct SettingsPage {
    nav: Nav,
    s: FieldSettingsText,
    admin: bool,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SettingsQuery {
    saved: String,
}

async fn settings(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<SettingsQuery>,
) -> Result<Response, PageError> {
    Ok(render(&SettingsPage {
        nav: Nav::of(&c),
        s: s.store.field_settings().await?.to_text(),
        admin: c.session.account.role == Role::Admin,
        notice: (q.saved == "1").then(|| "已保存".to_string()),
        error: None,
    })
    .into_response())
}

#[derive(serde::Deserialize)]
struct SettingsForm {
    csrf: String,
    visit_rules: String,
    patrol_daily_minutes: String,
    track_keep_days: String,
    visits_since: String,
}

async fn save_settings(
    State(s): State<AppState>,
    c: PageCaller,
    Form(f): Form<SettingsForm>,
) -> Result<Response, PageError> {
    check_csrf(&c, &f.csrf)?;
    let number = |v: &str| v.trim().parse::<u32>().ok();
    let text = FieldSettingsText {
        visit_rules: f.visit_rules.clone(),
        patrol_daily_minutes: number(&f.patrol_daily_minutes).unwrap_or(u32::MAX),
        track_keep_days: number(&f.track_keep_days).unwrap_or(0),
        visits_since: f.visits_since.clone(),
    };
    match s
        .store
        .set_field_settings(c.scope(), &text, &c.client)
        .await
    {
        Ok(_) => Ok(Redirect::to("/field/settings?saved=1").into_response()),
        Err(e) => Ok(render(&SettingsPage {
            nav: Nav::of(&c),
            s: FieldSettingsText {
                visit_rules: f.visit_rules,
                patrol_daily_minutes: number(&f.patrol_daily_minutes).unwrap_or(0),
                track_keep_days: number(&f.track_keep_days).unwrap_or(0),
                visits_since: f.visits_since,
            },
            admin: true,
            notice: None,
            error: Some(e.to_string()),
        })
        .into_response()),
    }
}
