//! Citizens, without an account (随手拍、随时看、随时评): `POST /public/reports` files a
//! report and answers its tracking code; `GET /public/reports/{code}` shows its progress;
//! `POST /public/reports/{code}/rating` rates it once after closure; the photos of the
//! report and its result at `GET /public/reports/{code}/photos/{id}`.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use wangge_store::citizen::{PublicReport, PublicTrack};
use wangge_store::events::NewEvent;

use super::ApiJson;
use super::events::{PhotoRef, photo_refs};
use super::uploads::photo_response;
use crate::AppState;
use crate::auth::ClientAddr;
use crate::error::ApiError;
use crate::idempotent::once;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/reports", post(report))
        .route("/public/reports/{code}", get(track))
        .route("/public/reports/{code}/rating", post(rate))
        .route("/public/reports/{code}/photos/{id}", get(photo))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportBody {
    category: String,
    description: String,
    lng: f64,
    lat: f64,
    crs: Option<String>,
    #[serde(default)]
    address: String,
    phone: String,
    #[serde(default)]
    photos: Vec<PhotoRef>,
}

impl From<ReportBody> for PublicReport {
    fn from(b: ReportBody) -> Self {
        PublicReport {
            event: NewEvent {
                category: b.category,
                description: b.description,
                lng: b.lng,
                lat: b.lat,
                crs: b.crs,
                address: b.address,
                urgency: None,
                source: None,
                photos: photo_refs(b.photos),
                ..NewEvent::default()
            },
            phone: b.phone,
        }
    }
}

async fn report(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ApiJson(b): ApiJson<ReportBody>,
) -> Response {
    let owner = format!("public:{client}");
    once(
        &s.store,
        &owner,
        &headers,
        "POST /public/reports",
        || async {
            s.limits
                .reports
                .check(&client, s.store.now_ms(), "反映问题")?;
            let tracking = s.store.public_report(b.into(), &client).await?;
            Ok::<_, ApiError>((StatusCode::CREATED, Json(tracking)))
        },
    )
    .await
}

async fn track(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<PublicTrack>, ApiError> {
    Ok(Json(s.store.public_track(&code).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RatingBody {
    score: u8,
    #[serde(default)]
    comment: String,
}

async fn rate(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<RatingBody>,
) -> Result<Json<PublicTrack>, ApiError> {
    Ok(Json(
        s.store
            .public_rate(&code, b.score, &b.comment, &client)
            .await?,
    ))
}

async fn photo(
    State(s): State<AppState>,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    Ok(photo_response(s.store.public_photo(&code, id).await?))
}
