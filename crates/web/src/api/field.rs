//! Field work on the phone (F6): patrols and their positions, visit plans and records,
//! daily reports, weekly work logs, coverage, the daily board, and the admin's settings.
//! Every write a phone may retry takes an `Idempotency-Key`.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use wangge_domain::date::{Date, local_date};
use wangge_domain::patrol::TrackPoint;
use wangge_domain::visits::Horizon;
use wangge_store::StoreError;
use wangge_store::field_reports::{DailyReportView, DayBoard, WorkLogView};
use wangge_store::field_settings::FieldSettingsText;
use wangge_store::patrols::{PatrolDetail, PatrolView};
use wangge_store::visits::{CoverageReport, HouseholdCard, NewVisit, VisitPlan};

use super::events::{PhotoRef, photo_refs};
use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::idempotent::once;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/patrols", get(my_patrols).post(start))
        .route("/patrols/current", get(current))
        .route("/patrols/{id}", get(one))
        .route("/patrols/{id}/points", post(points))
        .route("/patrols/{id}/stop", post(stop))
        .route("/visits", post(record))
        .route("/visits/due", get(due))
        .route("/visits/coverage", get(coverage))
        .route("/households/{id}/card", get(card))
        .route("/daily-reports", get(daily_reports).post(file_daily))
        .route("/field/board", get(board))
        .route("/work-logs/{week}", get(work_log).put(save_work_log))
        .route("/field/settings", get(settings).put(set_settings))
}

fn owner(c: &ApiCaller) -> String {
    format!("account:{}", c.scope().account_id)
}

async fn start(State(s): State<AppState>, c: ApiCaller, headers: HeaderMap) -> Response {
    once(&s.store, &owner(&c), &headers, "POST /patrols", || async {
        let (view, new) = s.store.start_patrol(c.scope()).await?;
        let status = if new {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok::<_, ApiError>((status, Json(view)))
    })
    .await
}

async fn current(
    State(s): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Option<PatrolView>>, ApiError> {
    Ok(Json(s.store.current_patrol(c.scope()).await?))
}

async fn my_patrols(
    State(s): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<PatrolView>>, ApiError> {
    Ok(Json(s.store.my_patrols(c.scope(), 30).await?))
}

async fn one(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<PatrolDetail>, ApiError> {
    Ok(Json(s.store.patrol(c.scope(), id, &c.client).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PointIn {
    at_ms: i64,
    lng: f64,
    lat: f64,
    accuracy_m: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PointsBody {
    points: Vec<PointIn>,
}

async fn points(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<PointsBody>,
) -> Response {
    let points: Vec<TrackPoint> = b
        .points
        .iter()
        .map(|p| TrackPoint::new(p.at_ms, p.lng, p.lat, p.accuracy_m))
        .collect();
    let request = format!("POST /patrols/{id}/points");
    once(&s.store, &owner(&c), &headers, &request, || async {
        let answer = s.store.add_patrol_points(c.scope(), id, &points).await?;
        Ok::<_, ApiError>(Json(answer))
    })
    .await
}

async fn stop(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let request = format!("POST /patrols/{id}/stop");
    once(&s.store, &owner(&c), &headers, &request, || async {
        Ok::<_, ApiError>(Json(s.store.stop_patrol(c.scope(), id).await?))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VisitBody {
    household_id: i64,
    at_ms: Option<i64>,
    lng: Option<f64>,
    lat: Option<f64>,
    accuracy_m: Option<f64>,
    #[serde(default)]
    met: String,
    #[serde(default)]
    finding: String,
    #[serde(default)]
    follow_up: String,
    #[serde(default)]
    photos: Vec<PhotoRef>,
    /// Turn the finding into an event now, under `category`.
    #[serde(default)]
    report_event: bool,
    category: Option<String>,
}

async fn record(
    State(s): State<AppState>,
    c: ApiCaller,
    headers: HeaderMap,
    ApiJson(b): ApiJson<VisitBody>,
) -> Response {
    once(&s.store, &owner(&c), &headers, "POST /visits", || async {
        if b.report_event && b.category.as_deref().is_none_or(|x| x.trim().is_empty()) {
            return Err(ApiError::from(StoreError::invalid(
                "category",
                "转为事件时请选择事项类别",
            )));
        }
        let new = NewVisit {
            household_id: b.household_id,
            at_ms: b.at_ms,
            lng: b.lng,
            lat: b.lat,
            accuracy_m: b.accuracy_m,
            met: b.met,
            finding: b.finding,
            follow_up: b.follow_up,
            photos: photo_refs(b.photos),
            event_category: if b.report_event { b.category } else { None },
        };
        let answer = s.store.record_visit(c.scope(), new, &c.client).await?;
        Ok((StatusCode::CREATED, Json(answer)))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DueQuery {
    region: Option<String>,
    /// `today` (default) or `week`.
    horizon: Option<String>,
}

pub(crate) fn horizon(v: Option<&str>) -> Result<Horizon, StoreError> {
    match v.map(str::trim) {
        None | Some("") | Some("today") => Ok(Horizon::Today),
        Some("week") => Ok(Horizon::ThisWeek),
        Some(other) => Err(StoreError::invalid(
            "horizon",
            format!("范围“{other}”应为 today 或 week"),
        )),
    }
}

async fn due(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> Result<Json<VisitPlan>, ApiError> {
    let h = horizon(q.horizon.as_deref())?;
    Ok(Json(
        s.store
            .visit_plan(c.scope(), q.region.as_deref(), h)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionQuery {
    region: Option<String>,
    day: Option<String>,
}

async fn coverage(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<CoverageReport>, ApiError> {
    Ok(Json(
        s.store
            .visit_coverage(c.scope(), q.region.as_deref())
            .await?,
    ))
}

async fn card(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<HouseholdCard>, ApiError> {
    Ok(Json(s.store.household_card(c.scope(), id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DailyBody {
    day: Option<String>,
    #[serde(default)]
    nothing: bool,
    #[serde(default)]
    content: String,
}

async fn file_daily(
    State(s): State<AppState>,
    c: ApiCaller,
    headers: HeaderMap,
    ApiJson(b): ApiJson<DailyBody>,
) -> Response {
    once(
        &s.store,
        &owner(&c),
        &headers,
        "POST /daily-reports",
        || async {
            let view = s
                .store
                .file_daily_report(c.scope(), b.day.as_deref(), b.nothing, &b.content)
                .await?;
            Ok::<_, ApiError>((StatusCode::CREATED, Json(view)))
        },
    )
    .await
}

/// A day as typed, or today.
pub(crate) fn day_or_today(v: Option<&str>, now_ms: i64) -> Result<Date, StoreError> {
    match v.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(local_date(now_ms)),
        Some(d) => Date::parse(d)
            .ok_or_else(|| StoreError::invalid("day", format!("日期“{d}”应写作 YYYY-MM-DD"))),
    }
}

async fn daily_reports(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<DailyReportView>>, ApiError> {
    let day = day_or_today(q.day.as_deref(), s.store.now_ms())?;
    Ok(Json(
        s.store
            .daily_reports(c.scope(), q.region.as_deref(), day)
            .await?,
    ))
}

async fn board(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<DayBoard>, ApiError> {
    let day = day_or_today(q.day.as_deref(), s.store.now_ms())?;
    Ok(Json(
        s.store
            .day_board(c.scope(), q.region.as_deref(), day)
            .await?,
    ))
}

async fn work_log(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(week): Path<String>,
) -> Result<Json<WorkLogView>, ApiError> {
    let week = Some(week).filter(|w| w != "current");
    Ok(Json(s.store.work_log(c.scope(), week.as_deref()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkLogBody {
    text: String,
    #[serde(default)]
    submit: bool,
}

async fn save_work_log(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(week): Path<String>,
    ApiJson(b): ApiJson<WorkLogBody>,
) -> Result<Json<WorkLogView>, ApiError> {
    Ok(Json(
        s.store
            .save_work_log(c.scope(), &week, &b.text, b.submit)
            .await?,
    ))
}

async fn settings(
    State(s): State<AppState>,
    _c: ApiCaller,
) -> Result<Json<FieldSettingsText>, ApiError> {
    Ok(Json(s.store.field_settings().await?.to_text()))
}

async fn set_settings(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiJson(b): ApiJson<FieldSettingsText>,
) -> Result<Json<FieldSettingsText>, ApiError> {
    Ok(Json(
        s.store
            .set_field_settings(c.scope(), &b, &c.client)
            .await?
            .to_text(),
    ))
}
