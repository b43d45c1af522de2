//! Assigning a work task (交办): `/work-tasks/new`, a form with the title, content, quarter,
//! points, due date and the responsible units (departments, streets and communities as
//! checkboxes); errors are shown beside their fields, in Chinese.
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use wangge_domain::work_task::{MAX_POINTS, may_assign};
use wangge_store::StoreError;
use wangge_store::work_task_views::UnitChoice;
use wangge_store::work_tasks::{NewWorkTask, UnitRef, current_quarter};

use super::{Nav, render};
use crate::AppState;
use crate::auth::{PageCaller, check_csrf};
use crate::error::{ApiError, PageError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/work-tasks/new", get(form).post(create))
}

/// The form's values, as typed.
#[derive(Default)]
struct Values {
    title: String,
    description: String,
    quarter: String,
    points: String,
    due_date: String,
    /// `kind:code` of each ticked unit.
    units: Vec<String>,
}

#[derive(Template)]
#[template(path = "work_task_new.html")]
struct NewPage {
    nav: Nav,
    v: Values,
    departments: Vec<UnitChoice>,
    regions: Vec<UnitChoice>,
    max_points: u32,
    /// (field, message).
    error: Option<(&'static str, String)>,
}

impl NewPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    fn ticked(&self, u: &UnitChoice) -> bool {
        let key = format!("{}:{}", u.kind, u.code);
        self.v.units.contains(&key)
    }
}

fn assigner(c: &PageCaller) -> Result<(), PageError> {
    if may_assign(c.scope().role) {
        Ok(())
    } else {
        Err(ApiError::forbidden("只有领导、指挥中心和管理员可以交办工作任务").into())
    }
}

async fn page(
    s: &AppState,
    c: &PageCaller,
    v: Values,
    error: Option<(&'static str, String)>,
) -> Result<Response, PageError> {
    let (departments, regions) = s
        .store
        .work_task_units(c.scope())
        .await?
        .into_iter()
        .partition(|u| u.kind == "department");
    Ok(render(&NewPage {
        nav: Nav::of(c),
        v,
        departments,
        regions,
        max_points: MAX_POINTS,
        error,
    })
    .into_response())
}

async fn form(State(s): State<AppState>, c: PageCaller) -> Result<Response, PageError> {
    assigner(&c)?;
    let v = Values {
        quarter: current_quarter(s.store.now_ms()).to_string(),
        points: "10".into(),
        ..Values::default()
    };
    page(&s, &c, v, None).await
}

async fn create(
    State(s): State<AppState>,
    c: PageCaller,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        let found = fields.iter().find(|(n, _)| n == k);
        found.map(|(_, v)| v.trim().to_string()).unwrap_or_default()
    };
    check_csrf(&c, &get("csrf"))?;
    assigner(&c)?;
    let v = Values {
        title: get("title"),
        description: get("description"),
        quarter: get("quarter"),
        points: get("points"),
        due_date: get("due_date"),
        units: fields
            .iter()
            .filter(|(n, _)| n == "unit")
            .map(|(_, v)| v.trim().to_string())
            .collect(),
    };
    let Ok(points) = v.points.parse::<i64>() else {
        let message = format!("分值应为1到{MAX_POINTS}的整数");
        return page(&s, &c, v, Some(("points", message))).await;
    };
    let new = NewWorkTask {
        title: v.title.clone(),
        description: v.description.clone(),
        quarter: v.quarter.clone(),
        points,
        due_date: v.due_date.clone(),
        region: None,
        units: v
            .units
            .iter()
            .map(|u| {
                let (kind, code) = u.split_once(':').unwrap_or(("", u));
                UnitRef {
                    kind: kind.into(),
                    code: code.into(),
                }
            })
            .collect(),
    };
    match s.store.create_work_task(c.scope(), new, &c.client).await {
        Ok(t) => Ok(Redirect::to(&format!("/work-tasks/{}", t.id)).into_response()),
        Err(StoreError::Invalid { field, message }) => {
            page(&s, &c, v, Some((field, message))).await
        }
        Err(e) => Err(e.into()),
    }
}
