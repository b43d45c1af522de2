//! The citizens' pages, without an account (随手拍、随时看、随时评): `/report` to report a
//! problem with photos and the place (the phone's position or a point on the map),
//! `/track` to follow it by its tracking code, and the rating form once it is closed.
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use wangge_store::Scope;
use wangge_store::catalog::CatalogEntry;
use wangge_store::citizen::{PublicReport, PublicTrack};
use wangge_store::events::NewEvent;
use wangge_store::uploads::Uploader;

use super::{Nav, PageQuery, catalog_groups, render};
use crate::AppState;
use crate::api::uploads_photo_response;
use crate::auth::ClientAddr;
use crate::error::PageError;
use crate::form_photos::{AnyForm, MAX_FORM_BYTES, PhotoForm};
use crate::map;

/// Above this many grids the map is not drawn (the page offers the phone's position).
const MAP_MAX_GRIDS: usize = 3000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/report",
            get(form)
                .post(report)
                .layer(DefaultBodyLimit::max(MAX_FORM_BYTES)),
        )
        .route("/track", get(lookup))
        .route("/track/{code}", get(track))
        .route("/track/{code}/rating", post(rate))
        .route("/track/{code}/photos/{id}", get(photo))
}

#[derive(Template)]
#[template(path = "public_report.html")]
struct ReportPage {
    nav: Nav,
    catalog: Vec<(String, Vec<CatalogEntry>)>,
    map: String,
    error: Option<String>,
    /// What was typed, shown again after an error.
    description: String,
    address: String,
    phone: String,
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    nav: Nav,
    code: String,
    track: Option<PublicTrack>,
    error: Option<String>,
    /// Just filed: show the code prominently.
    fresh: bool,
}

async fn report_page(
    s: &AppState,
    error: Option<String>,
    f: Option<&PhotoForm>,
) -> Result<Response, PageError> {
    let shapes = s.store.grid_shapes(&Scope::system(), "").await?;
    let map = if shapes.len() <= MAP_MAX_GRIDS {
        let rings: Vec<_> = shapes.iter().map(|g| map::rings_of(&g.2)).collect();
        let drawn: Vec<_> = shapes
            .iter()
            .zip(&rings)
            .map(|(g, r)| map::Shape {
                rings: r,
                class: "grid",
                fill: "#eef3f8",
                title: &g.1,
                href: None,
            })
            .collect();
        map::render("pick-map", &drawn, &[], 640.0, 480.0)
    } else {
        String::new()
    };
    let keep = |k: &str| f.map(|f| f.get(k)).unwrap_or_default();
    Ok(render(&ReportPage {
        nav: Nav::default(),
        catalog: catalog_groups(&s.store.catalog().await?),
        map,
        error,
        description: keep("description"),
        address: keep("address"),
        phone: keep("phone"),
    })
    .into_response())
}

async fn form(State(s): State<AppState>) -> Result<Response, PageError> {
    report_page(&s, None, None).await
}

async fn report(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    AnyForm(form): AnyForm,
) -> Result<Response, PageError> {
    let f = match form {
        Ok(f) => f,
        Err(e) => return report_page(&s, Some(e), None).await,
    };
    let result = async {
        s.limits
            .reports
            .check(&client, s.store.now_ms(), "反映问题")
            .map_err(|e| e.message)?;
        let coordinate = |k: &str| f.get(k).parse::<f64>().ok();
        let (Some(lng), Some(lat)) = (coordinate("lng"), coordinate("lat")) else {
            return Err("请在地图上点选问题位置，或点击“使用我的位置”".to_string());
        };
        let photos = f.store_photos(&s.store, Uploader::Citizen).await?;
        let report = PublicReport {
            event: NewEvent {
                category: f.get("category"),
                description: f.get("description"),
                lng,
                lat,
                crs: f.opt("crs"),
                address: f.get("address"),
                urgency: None,
                source: None,
                photos,
                ..NewEvent::default()
            },
            phone: f.get("phone"),
        };
        s.store
            .public_report(report, &client)
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    match result {
        Ok(t) => Ok(Redirect::to(&format!("/track/{}?new=1", t.tracking_code)).into_response()),
        Err(e) => report_page(&s, Some(e), Some(&f)).await,
    }
}

#[derive(Deserialize)]
struct LookupQuery {
    code: Option<String>,
}

async fn lookup(PageQuery(q): PageQuery<LookupQuery>) -> Response {
    match q
        .code
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
    {
        Some(code) => Redirect::to(&format!("/track/{}", urlencode(&code))).into_response(),
        None => render(&TrackPage {
            nav: Nav::default(),
            code: String::new(),
            track: None,
            error: None,
            fresh: false,
        })
        .into_response(),
    }
}

/// Keeps a typed code safe in a path.
fn urlencode(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

#[derive(Deserialize)]
struct TrackQuery {
    new: Option<u8>,
}

async fn track_page(s: &AppState, code: &str, fresh: bool, error: Option<String>) -> Response {
    let (track, error) = match s.store.public_track(code).await {
        Ok(t) => (Some(t), error),
        Err(_) => (None, Some("未找到该查询码，请核对后重试".to_string())),
    };
    render(&TrackPage {
        nav: Nav::default(),
        code: code.to_string(),
        track,
        error,
        fresh,
    })
    .into_response()
}

async fn track(
    State(s): State<AppState>,
    Path(code): Path<String>,
    PageQuery(q): PageQuery<TrackQuery>,
) -> Response {
    track_page(&s, &code, q.new.is_some(), None).await
}

#[derive(Deserialize)]
struct RatingForm {
    score: String,
    #[serde(default)]
    comment: String,
}

async fn rate(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(code): Path<String>,
    Form(f): Form<RatingForm>,
) -> Response {
    let Ok(score) = f.score.trim().parse::<u8>() else {
        return track_page(&s, &code, false, Some("请选择1到5分".into())).await;
    };
    match s.store.public_rate(&code, score, &f.comment, &client).await {
        Ok(_) => Redirect::to(&format!("/track/{}", urlencode(&code))).into_response(),
        Err(e) => track_page(&s, &code, false, Some(e.to_string())).await,
    }
}

async fn photo(
    State(s): State<AppState>,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    Ok(uploads_photo_response(
        s.store.public_photo(&code, id).await?,
    ))
}
