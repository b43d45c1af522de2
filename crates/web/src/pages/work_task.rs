//! One work task `/work-tasks/{id}`: each unit's part the caller sees with its plan
//! (路线图 and milestones), evidence and photos, score and trail, and a form for each step
//! the caller may take (`POST /work-tasks/{id}/assignments/{aid}/{step}`; the evidence
//! form carries photos). A refused step shows its error at its part, naming the field.
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use wangge_domain::work_task::Step;
use wangge_store::StoreError;
use wangge_store::uploads::Uploader;
use wangge_store::work_task_steps::{MilestoneIn, StepIn};
use wangge_store::work_task_views::WorkTaskView;

use super::{Nav, render};
use crate::AppState;
use crate::auth::{PageCaller, check_csrf};
use crate::error::{ApiError, PageError};
use crate::form_photos::{AnyForm, MAX_FORM_BYTES, PhotoForm};

pub fn routes() -> Router<AppState> {
    Router::new().route("/work-tasks/{id}", get(show)).route(
        "/work-tasks/{id}/assignments/{aid}/{step}",
        post(act).layer(DefaultBodyLimit::max(MAX_FORM_BYTES)),
    )
}

/// A refused step: which part, which field, why, and what was typed.
struct StepError {
    aid: i64,
    field: &'static str,
    message: String,
    typed: HashMap<String, String>,
}

#[derive(Template)]
#[template(path = "work_task.html")]
struct TaskPage {
    nav: Nav,
    t: WorkTaskView,
    error: Option<StepError>,
}

impl TaskPage {
    /// The error of part `aid`, as shown beside its forms.
    fn error_at(&self, aid: &i64) -> Option<String> {
        let e = self.error.as_ref().filter(|e| e.aid == *aid)?;
        Some(format!("{}：{}", field_label(e.field), e.message))
    }

    /// What was typed into a field of part `aid`'s refused form, to show it again.
    fn typed(&self, aid: &i64, field: &str) -> String {
        self.error
            .as_ref()
            .filter(|e| e.aid == *aid)
            .and_then(|e| e.typed.get(field).cloned())
            .unwrap_or_default()
    }
}

/// The Chinese name of a form field, for error lines.
fn field_label(field: &str) -> &'static str {
    match field {
        "plan" => "路线图",
        "milestones" => "节点",
        "planned_finish" => "计划完成日期",
        "evidence" => "销号材料",
        "photos" | "photo" => "照片",
        "score" => "得分",
        "comment" => "销号意见",
        "reason" => "退回原因",
        _ => "表单",
    }
}

async fn task_page(
    s: &AppState,
    c: &PageCaller,
    id: i64,
    error: Option<StepError>,
) -> Result<Response, PageError> {
    let t = s.store.work_task(c.scope(), id).await?;
    Ok(render(&TaskPage {
        nav: Nav::of(c),
        t,
        error,
    })
    .into_response())
}

async fn show(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    task_page(&s, &c, id, None).await
}

/// Milestones typed one a line: the date, a space, the text.
fn milestones(text: &str) -> Vec<MilestoneIn> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (date, text) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            MilestoneIn {
                date: date.into(),
                text: text.into(),
            }
        })
        .collect()
}

/// The step a form asks for, from its fields (photos stored first for the evidence).
async fn step_in(
    s: &AppState,
    c: &PageCaller,
    step: Step,
    f: &PhotoForm,
) -> Result<StepIn, StoreError> {
    Ok(match step {
        Step::Plan => StepIn::Plan {
            plan: f.get("plan"),
            milestones: milestones(&f.get("milestones")),
            planned_finish: f.get("planned_finish"),
        },
        Step::Submit => StepIn::Submit {
            evidence: f.get("evidence"),
            photos: f
                .store_photos(&s.store, Uploader::Staff(c.scope().account_id))
                .await
                .map_err(|m| StoreError::invalid("photos", m))?,
        },
        Step::CheckOff => StepIn::CheckOff {
            score: f
                .get("score")
                .parse()
                .map_err(|_| StoreError::invalid("score", "得分应为数字，如 8.5"))?,
            comment: f.get("comment"),
        },
        Step::SendBack => StepIn::SendBack {
            reason: f.get("reason"),
        },
    })
}

async fn act(
    State(s): State<AppState>,
    c: PageCaller,
    Path((id, aid, step)): Path<(i64, i64, String)>,
    AnyForm(form): AnyForm,
) -> Result<Response, PageError> {
    let step = Step::parse(&step).ok_or_else(ApiError::not_found)?;
    let f = form.map_err(|m| PageError(ApiError::bad_request("bad_form", m)))?;
    check_csrf(&c, &f.get("csrf"))?;
    let result = match step_in(&s, &c, step, &f).await {
        Ok(input) => {
            s.store
                .work_task_step(c.scope(), id, aid, input, &c.client)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/work-tasks/{id}#part-{aid}")).into_response()),
        Err(StoreError::Invalid { field, message }) => {
            let error = StepError {
                aid,
                field,
                message,
                typed: f.fields,
            };
            task_page(&s, &c, id, Some(error)).await
        }
        Err(e) => Err(e.into()),
    }
}
