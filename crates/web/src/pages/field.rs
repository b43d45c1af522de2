//! The field screens for a grid worker's phone (F6), under `/field`: today's work, the
//! patrol with its track on the grid's map, the visit list and a household's card with the
//! visit form, the daily report, the weekly work log. Records are sent by `field.js`
//! through the JSON API with idempotency keys, queued on the phone while offline; the
//! pages are cached by the service worker (`/field/sw.js`).
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use wangge_domain::date::local_date;
use wangge_domain::region::Level;
use wangge_domain::visits::Horizon;
use wangge_store::catalog::CatalogEntry;
use wangge_store::field_reports::WorkLogView;
use wangge_store::patrols::{PatrolDetail, PatrolView};
use wangge_store::visits::{HouseholdCard, VisitPlan};

use super::{Nav, PageQuery, catalog_groups, render};
use crate::AppState;
use crate::api::field::horizon;
use crate::auth::{PageCaller, check_csrf};
use crate::error::PageError;
use crate::map::{self, Shape};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/field", get(home))
        .route("/field/patrol", get(patrol))
        .route("/field/patrols/{id}", get(patrol_track))
        .route("/field/visits", get(visits))
        .route("/field/households/{id}", get(household))
        .route("/field/daily", get(daily))
        .route("/field/report", get(report))
        .route("/field/log", get(log).post(save_log))
}

/// Minutes, kilometres and shares for people (templates pass references).
pub(crate) fn minutes(ms: impl std::borrow::Borrow<i64>) -> i64 {
    ms.borrow() / 60_000
}

pub(crate) fn when(ms: impl std::borrow::Borrow<i64>) -> String {
    wangge_domain::date::format_local(*ms.borrow())
}

pub(crate) fn km(m: impl std::borrow::Borrow<f64>) -> String {
    format!("{:.2}", m.borrow() / 1000.0)
}

pub(crate) fn percent(share: impl std::borrow::Borrow<f64>) -> String {
    format!("{:.0}%", share.borrow() * 100.0)
}

#[derive(Template)]
#[template(path = "field_home.html")]
struct HomePage {
    nav: Nav,
    today: String,
    running: Option<PatrolView>,
    plan: Option<VisitPlan>,
    reported: bool,
    today_minutes: i64,
    required_minutes: u32,
    error: Option<String>,
}

async fn home(State(s): State<AppState>, c: PageCaller) -> Result<Response, PageError> {
    let scope = c.scope();
    let today = local_date(s.store.now_ms());
    let (plan, error) = match s.store.visit_plan(scope, None, Horizon::Today).await {
        Ok(p) => (Some(p), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let board = s.store.day_board(scope, None, today).await?;
    let me = board.workers.iter().find(|w| w.grid_code == scope.region);
    Ok(render(&HomePage {
        nav: Nav::of(&c),
        today: today.to_string(),
        running: s.store.current_patrol(scope).await?,
        plan,
        reported: me.is_some_and(|w| w.reported),
        today_minutes: me.map_or(0, |w| i64::from(w.patrol_minutes)),
        required_minutes: board.required_minutes,
        error,
    })
    .into_response())
}

/// The caller's grid drawn for a track, with the track so far.
async fn grid_map(
    s: &AppState,
    c: &PageCaller,
    grid: &str,
    track: &[[f64; 2]],
) -> Result<String, PageError> {
    // Only one grid is drawn: an overseer's region would be thousands of shapes.
    if Level::from_code_len(grid.len()) != Some(Level::Grid) {
        return Ok(String::new());
    }
    let shapes = s
        .store
        .grid_shapes(c.scope(), grid)
        .await
        .unwrap_or_default();
    let rings: Vec<(String, map::Rings)> = shapes
        .iter()
        .map(|(_, name, shape, _)| (name.clone(), map::rings_of(shape)))
        .collect();
    let drawn: Vec<Shape<'_>> = rings
        .iter()
        .map(|(title, rings)| Shape {
            rings,
            class: "grid",
            fill: "#e8f1fb",
            title,
            href: None,
        })
        .collect();
    Ok(map::render_with_track(
        "track-map",
        &drawn,
        &[],
        track,
        640.0,
        480.0,
    ))
}

#[derive(Template)]
#[template(path = "field_patrol.html")]
struct PatrolPage {
    nav: Nav,
    running: Option<PatrolView>,
    recent: Vec<PatrolView>,
    map: String,
    required_minutes: u32,
}

async fn patrol(State(s): State<AppState>, c: PageCaller) -> Result<Response, PageError> {
    let scope = c.scope();
    let running = s.store.current_patrol(scope).await?;
    let track: Vec<[f64; 2]> = match &running {
        Some(p) => s
            .store
            .patrol(scope, p.id, &c.client)
            .await?
            .track
            .iter()
            .map(|t| [t[0], t[1]])
            .collect(),
        None => Vec::new(),
    };
    let map = grid_map(&s, &c, &scope.region, &track).await?;
    Ok(render(&PatrolPage {
        nav: Nav::of(&c),
        recent: s.store.my_patrols(scope, 10).await?,
        running,
        map,
        required_minutes: s.store.field_settings().await?.daily.min_minutes(),
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "field_track.html")]
struct TrackPage {
    nav: Nav,
    d: PatrolDetail,
    map: String,
}

async fn patrol_track(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let d = s.store.patrol(c.scope(), id, &c.client).await?;
    let track: Vec<[f64; 2]> = d.track.iter().map(|t| [t[0], t[1]]).collect();
    let map = grid_map(&s, &c, &d.patrol.grid_code, &track).await?;
    Ok(render(&TrackPage {
        nav: Nav::of(&c),
        d,
        map,
    })
    .into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct VisitsQuery {
    horizon: String,
}

#[derive(Template)]
#[template(path = "field_visits.html")]
struct VisitsPage {
    nav: Nav,
    week: bool,
    plan: VisitPlan,
}

async fn visits(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<VisitsQuery>,
) -> Result<Response, PageError> {
    let h = horizon(Some(&q.horizon))?;
    let plan = s.store.visit_plan(c.scope(), None, h).await?;
    Ok(render(&VisitsPage {
        nav: Nav::of(&c),
        week: h == Horizon::ThisWeek,
        plan,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "field_household.html")]
struct HouseholdPage {
    nav: Nav,
    card: HouseholdCard,
    catalog: Vec<(String, Vec<CatalogEntry>)>,
}

async fn household(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let card = s.store.household_card(c.scope(), id).await?;
    let catalog = catalog_groups(&s.store.catalog().await?);
    Ok(render(&HouseholdPage {
        nav: Nav::of(&c),
        card,
        catalog,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "field_report.html")]
struct ReportPage {
    nav: Nav,
    catalog: Vec<(String, Vec<CatalogEntry>)>,
}

/// 随手报: an event reported from the phone, kept there while the network is down.
async fn report(State(s): State<AppState>, c: PageCaller) -> Result<Response, PageError> {
    Ok(render(&ReportPage {
        nav: Nav::of(&c),
        catalog: catalog_groups(&s.store.catalog().await?),
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "field_daily.html")]
struct DailyPage {
    nav: Nav,
    today: String,
    reported: Option<wangge_store::field_reports::DailyReportView>,
}

async fn daily(State(s): State<AppState>, c: PageCaller) -> Result<Response, PageError> {
    let today = local_date(s.store.now_ms());
    let scope = c.scope();
    let reported = s
        .store
        .daily_reports(scope, None, today)
        .await?
        .into_iter()
        .find(|r| r.account_id == scope.account_id);
    Ok(render(&DailyPage {
        nav: Nav::of(&c),
        today: today.to_string(),
        reported,
    })
    .into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct LogQuery {
    week: String,
    saved: String,
}

#[derive(Template)]
#[template(path = "field_log.html")]
struct LogPage {
    nav: Nav,
    log: WorkLogView,
    notice: Option<String>,
    error: Option<String>,
}

async fn log(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<LogQuery>,
) -> Result<Response, PageError> {
    let log = s.store.work_log(c.scope(), Some(&q.week)).await?;
    let notice = match q.saved.as_str() {
        "1" => Some("已保存".to_string()),
        "submitted" => Some("已提交".to_string()),
        _ => None,
    };
    Ok(render(&LogPage {
        nav: Nav::of(&c),
        log,
        notice,
        error: None,
    })
    .into_response())
}

#[derive(serde::Deserialize)]
struct LogForm {
    csrf: String,
    week: String,
    text: String,
    #[serde(default)]
    submit: String,
}

async fn save_log(
    State(s): State<AppState>,
    c: PageCaller,
    Form(f): Form<LogForm>,
) -> Result<Response, PageError> {
    check_csrf(&c, &f.csrf)?;
    let submit = f.submit == "1";
    match s
        .store
        .save_work_log(c.scope(), &f.week, &f.text, submit)
        .await
    {
        Ok(saved) => Ok(Redirect::to(&format!(
            "/field/log?week={}&saved={}",
            saved.week,
            if submit { "submitted" } else { "1" }
        ))
        .into_response()),
        Err(e) => {
            let mut log = s.store.work_log(c.scope(), Some(&f.week)).await?;
            log.text = f.text;
            Ok(render(&LogPage {
                nav: Nav::of(&c),
                log,
                notice: None,
                error: Some(e.to_string()),
            })
            .into_response())
        }
    }
}
