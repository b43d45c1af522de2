//! The import screens: upload a file (works without JavaScript), choose columns, watch the
//! dry run, read or download the bad rows, apply, see the result.
use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use wangge_import::{Kind, Upload};

use super::{Nav, render};
use crate::AppState;
use crate::api::imports::{errors_download, kind_of, too_large_or_bad};
use crate::auth::{PageCaller, check_csrf};
use crate::error::{ApiError, PageError};
use crate::imports::{JobView, MAX_UPLOAD_BYTES};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/imports",
            get(form)
                .post(upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/imports/{id}", get(show))
        .route("/imports/{id}/mapping", post(remap))
        .route("/imports/{id}/apply", post(apply))
        .route("/imports/{id}/errors.xlsx", get(errors))
}

#[derive(Template)]
#[template(path = "imports.html")]
struct UploadPage {
    nav: Nav,
    kinds: Vec<(&'static str, &'static str)>,
    max_mb: usize,
}

async fn form(c: PageCaller) -> Result<Response, PageError> {
    writer(&c)?;
    Ok(render(&UploadPage {
        nav: Nav::of(&c),
        kinds: Kind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        max_mb: MAX_UPLOAD_BYTES / 1024 / 1024,
    })
    .into_response())
}

fn writer(c: &PageCaller) -> Result<(), PageError> {
    let role = c.scope().role;
    if role.can_write() && role.can_read_base_data() {
        Ok(())
    } else {
        Err(ApiError::forbidden("您的角色不能导入数据").into())
    }
}

async fn upload(
    State(s): State<AppState>,
    c: PageCaller,
    mut parts: Multipart,
) -> Result<Response, PageError> {
    writer(&c)?;
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = parts
        .next_field()
        .await
        .map_err(|e| too_large_or_bad(e.status()))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| too_large_or_bad(e.status()))?;
            file = Some((file_name, bytes.to_vec()));
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| too_large_or_bad(e.status()))?;
            fields.insert(name, text);
        }
    }
    check_csrf(&c, fields.get("csrf").map_or("", String::as_str))?;
    let kind = kind_of(fields.get("kind").map_or("persons", String::as_str))?;
    let (file_name, bytes) = file
        .filter(|(name, bytes)| !name.is_empty() || !bytes.is_empty())
        .ok_or_else(|| {
            ApiError::unprocessable("missing_field", "请选择要导入的文件").with_field("file")
        })?;
    let upload = Upload {
        file_name,
        bytes: Arc::from(bytes),
    };
    let job = s.imports.start(&s.store, c.scope(), kind, upload)?;
    Ok(Redirect::to(&format!("/imports/{}", job.id)).into_response())
}

#[derive(Template)]
#[template(path = "import.html")]
struct JobPage {
    nav: Nav,
    job: JobView,
    /// (column index, header, chosen field key).
    columns: Vec<(usize, String, String)>,
    running: bool,
}

async fn show(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let job = s.imports.get(c.scope(), id)?.view();
    let columns = job
        .headers
        .iter()
        .zip(&job.columns)
        .enumerate()
        .map(|(i, (h, f))| (i, h.clone(), f.clone()))
        .collect();
    let running = matches!(job.state, "checking" | "applying");
    Ok(render(&JobPage {
        nav: Nav::of(&c),
        job,
        columns,
        running,
    })
    .into_response())
}

async fn remap(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, form.get("csrf").map_or("", String::as_str))?;
    let job = s.imports.get(c.scope(), id)?;
    let headers = job.view().headers;
    let choices: Vec<(String, String)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| form.get(&format!("c{i}")).map(|f| (h.clone(), f.clone())))
        .collect();
    match job.remap(&s.store, c.scope(), &choices) {
        Ok(()) => Ok(Redirect::to(&format!("/imports/{id}")).into_response()),
        Err(e) => Err(e.into()),
    }
}

async fn apply(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, form.get("csrf").map_or("", String::as_str))?;
    let job = s.imports.get(c.scope(), id)?;
    job.apply(&s.store, c.scope(), &c.client)?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

async fn errors(
    State(s): State<AppState>,
    c: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let job = s.imports.get(c.scope(), id)?;
    Ok(errors_download(&job)?)
}
