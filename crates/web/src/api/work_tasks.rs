//! Work tasks (五问工作法): `GET/POST /work-tasks`, the board `GET /work-tasks/board`,
//! `GET /work-tasks/{id}`, and a unit's steps `POST
//! /work-tasks/{id}/assignments/{aid}/{plan,submit,check-off,send-back}`. Writes take an
//! `Idempotency-Key`: a retry is answered once.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use wangge_store::work_task_board::Board;
use wangge_store::work_task_steps::{MilestoneIn, StepIn};
use wangge_store::work_task_views::WorkTaskView;
use wangge_store::work_tasks::{NewWorkTask, UnitRef};

use super::events::{PhotoRef, photo_refs};
use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::idempotent::once;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work-tasks", get(list).post(create))
        .route("/work-tasks/board", get(board))
        .route("/work-tasks/{id}", get(one))
        .route(
            "/work-tasks/{id}/assignments/{aid}/plan",
            post(step::<PlanBody>),
        )
        .route(
            "/work-tasks/{id}/assignments/{aid}/submit",
            post(step::<SubmitBody>),
        )
        .route(
            "/work-tasks/{id}/assignments/{aid}/check-off",
            post(step::<CheckOffBody>),
        )
        .route(
            "/work-tasks/{id}/assignments/{aid}/send-back",
            post(step::<SendBackBody>),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuarterQuery {
    quarter: Option<String>,
}

async fn list(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<QuarterQuery>,
) -> Result<Json<Vec<WorkTaskView>>, ApiError> {
    Ok(Json(
        s.store.work_tasks(c.scope(), q.quarter.as_deref()).await?,
    ))
}

async fn board(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<QuarterQuery>,
) -> Result<Json<Board>, ApiError> {
    Ok(Json(
        s.store
            .work_task_board(c.scope(), q.quarter.as_deref())
            .await?,
    ))
}

async fn one(
    State(s): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<WorkTaskView>, ApiError> {
    Ok(Json(s.store.work_task(c.scope(), id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    title: String,
    #[serde(default)]
    description: String,
    quarter: String,
    points: i64,
    due_date: String,
    region: Option<String>,
    units: Vec<UnitRef>,
}

async fn create(
    State(s): State<AppState>,
    c: ApiCaller,
    headers: HeaderMap,
    ApiJson(b): ApiJson<CreateBody>,
) -> Response {
    let new = NewWorkTask {
        title: b.title,
        description: b.description,
        quarter: b.quarter,
        points: b.points,
        due_date: b.due_date,
        region: b.region,
        units: b.units,
    };
    let owner = format!("account:{}", c.scope().account_id);
    once(&s.store, &owner, &headers, "POST /work-tasks", || async {
        let view = s.store.create_work_task(c.scope(), new, &c.client).await?;
        Ok::<_, ApiError>((StatusCode::CREATED, Json(view)))
    })
    .await
}

/// A step's body, as the step it asks for.
trait StepBody: DeserializeOwned + Send {
    fn into_step(self) -> StepIn;
}

/// Takes a step once per `Idempotency-Key` and answers the task as the caller sees it.
async fn step<B: StepBody>(
    State(s): State<AppState>,
    c: ApiCaller,
    headers: HeaderMap,
    Path((id, aid)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<B>,
) -> Response {
    let input = b.into_step();
    let owner = format!("account:{}", c.scope().account_id);
    let request = format!(
        "POST /work-tasks/{id}/assignments/{aid}/{}",
        input.step().as_str()
    );
    once(&s.store, &owner, &headers, &request, || async {
        let view = s
            .store
            .work_task_step(c.scope(), id, aid, input, &c.client)
            .await?;
        Ok::<_, ApiError>(Json(view))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanBody {
    plan: String,
    #[serde(default)]
    milestones: Vec<MilestoneIn>,
    planned_finish: String,
}

impl StepBody for PlanBody {
    fn into_step(self) -> StepIn {
        StepIn::Plan {
            plan: self.plan,
            milestones: self.milestones,
            planned_finish: self.planned_finish,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    evidence: String,
    #[serde(default)]
    photos: Vec<PhotoRef>,
}

impl StepBody for SubmitBody {
    fn into_step(self) -> StepIn {
        StepIn::Submit {
            evidence: self.evidence,
            photos: photo_refs(self.photos),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckOffBody {
    score: f64,
    #[serde(default)]
    comment: String,
}

impl StepBody for CheckOffBody {
    fn into_step(self) -> StepIn {
        StepIn::CheckOff {
            score: self.score,
            comment: self.comment,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendBackBody {
    reason: String,
}

impl StepBody for SendBackBody {
    fn into_step(self) -> StepIn {
        StepIn::SendBack {
            reason: self.reason,
        }
    }
}
