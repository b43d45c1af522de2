//! The working-time calendar deadlines count on: `GET /calendar` (working periods and the
//! days that break the weekly rule), `PUT /calendar/days/{date}` and `PUT
//! /calendar/periods` (admins).
use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use wangge_store::calendar::SpecialDay;

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(calendar))
        .route("/calendar/days/{date}", put(set_day))
        .route("/calendar/periods", put(set_periods))
}

#[derive(Serialize)]
struct Calendar {
    /// `08:30-12:00,13:30-17:30`.
    periods: String,
    days: Vec<SpecialDay>,
}

async fn calendar(State(s): State<AppState>, _c: ApiCaller) -> Result<Json<Calendar>, ApiError> {
    Ok(Json(Calendar {
        periods: s.store.work_periods_text().await?,
        days: s.store.special_days().await?,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DayBody {
    /// `off`, `work` or `normal`.
    kind: String,
    #[serde(default)]
    note: String,
}

async fn set_day(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(date): Path<String>,
    ApiJson(b): ApiJson<DayBody>,
) -> Result<Json<Calendar>, ApiError> {
    s.store
        .set_calendar_day(c.scope(), &date, &b.kind, &b.note, &c.client)
        .await?;
    calendar(State(s), c).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodsBody {
    periods: String,
}

async fn set_periods(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiJson(b): ApiJson<PeriodsBody>,
) -> Result<Json<Calendar>, ApiError> {
    s.store
        .set_work_periods(c.scope(), &b.periods, &c.client)
        .await?;
    calendar(State(s), c).await
}
