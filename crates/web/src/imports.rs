//! Import jobs of the web: an uploaded file stays in memory (never on disk, since it holds
//! ID numbers in clear) while its owner maps it, checks it and applies it. Jobs end when
//! applied or after an hour, and each account holds at most a few at a time.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use wangge_import::{
    Applied, ImportError, Kind, Prepared, Progress, Report, RowError, Upload, apply, check, prepare,
};
use wangge_sheet::{FieldSpec, Limits};
use wangge_store::{Scope, Store};

use crate::error::ApiError;

/// Largest file accepted: a district's population register as CSV.
pub const MAX_UPLOAD_BYTES: usize = 200 * 1024 * 1024;
/// Unfinished jobs one account may hold (each keeps its file in memory).
const JOBS_PER_ACCOUNT: usize = 3;
const JOB_LIFETIME: Duration = Duration::from_secs(3600);
/// Errors shown on the page and in the JSON; all of them are in the .xlsx.
pub const ERRORS_SHOWN: usize = 200;

#[derive(Clone, Default)]
pub struct ImportJobs {
    jobs: Arc<Mutex<HashMap<i64, Arc<Job>>>>,
}

pub struct Job {
    pub id: i64,
    owner: i64,
    pub kind: Kind,
    pub upload: Upload,
    created: Instant,
    pub progress: Arc<Progress>,
    state: Mutex<State>,
}

#[derive(Clone)]
enum State {
    /// Headers need the user's choices before checking.
    Mapping(Prepared),
    Checking(Prepared),
    Checked(Prepared, Arc<Report>),
    Applying(Prepared, Arc<Report>),
    Applied(Prepared, Arc<Report>, Applied),
    /// The file as a whole is unusable, or the database failed; nothing was written by
    /// the step that failed.
    Failed(Option<Prepared>, String),
}

/// A job as the page and the API show it.
#[derive(Serialize)]
pub struct JobView {
    pub id: i64,
    pub kind: Kind,
    pub kind_label: &'static str,
    pub file_name: String,
    /// `mapping`, `checking`, `checked`, `applying`, `applied` or `failed`.
    pub state: &'static str,
    pub headers: Vec<String>,
    /// The field each column feeds (`""`: not imported).
    pub columns: Vec<String>,
    pub unknown: Vec<String>,
    pub missing_required: Vec<&'static str>,
    pub fields: Vec<FieldView>,
    pub progress: ProgressView,
    pub report: Option<ReportView>,
    pub applied: Option<Applied>,
    pub failure: Option<String>,
}

#[derive(Serialize)]
pub struct FieldView {
    pub key: &'static str,
    pub label: &'static str,
    pub required: bool,
}

#[derive(Serialize)]
pub struct ProgressView {
    pub phase: wangge_import::Phase,
    pub rows: u64,
    pub percent: u64,
}

#[derive(Serialize)]
pub struct ReportView {
    pub rows: u64,
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub bad_rows: u64,
    pub error_count: usize,
    /// The first [`ERRORS_SHOWN`] errors.
    pub errors: Vec<RowError>,
}

impl ImportJobs {
    /// Takes an upload, maps its headers, and starts the dry run when the mapping needs no
    /// choice. A file that cannot be read is refused here, before any job exists.
    pub fn start(
        &self,
        store: &Store,
        scope: &Scope,
        kind: Kind,
        upload: Upload,
    ) -> Result<Arc<Job>, ApiError> {
        if !scope.role.can_write() {
            return Err(ApiError::forbidden("只有可写的角色可以导入数据"));
        }
        let prepared = prepare(&upload, kind, &[], &Limits::default())
            .map_err(|e| ApiError::unprocessable("bad_file", e.to_string()).with_field("file"))?;
        let job = {
            let mut jobs = self.lock();
            jobs.retain(|_, j| j.created.elapsed() < JOB_LIFETIME);
            let open = jobs
                .values()
                .filter(|j| j.owner == scope.account_id && !j.finished())
                .count();
            if open >= JOBS_PER_ACCOUNT {
                return Err(ApiError::conflict(format!(
                    "您已有 {JOBS_PER_ACCOUNT} 个未完成的导入，请先完成或等待其过期（1 小时）"
                )));
            }
            let job = Arc::new(Job {
                id: store.next_id(),
                owner: scope.account_id,
                kind,
                upload,
                created: Instant::now(),
                progress: Arc::new(Progress::default()),
                state: Mutex::new(State::Mapping(prepared.clone())),
            });
            jobs.insert(job.id, job.clone());
            job
        };
        if !prepared.needs_mapping() {
            job.check(store, scope, prepared);
        }
        Ok(job)
    }

    /// The caller's own job; anyone else's answers 404 like an absent one.
    pub fn get(&self, scope: &Scope, id: i64) -> Result<Arc<Job>, ApiError> {
        self.lock()
            .get(&id)
            .filter(|j| j.owner == scope.account_id && j.created.elapsed() < JOB_LIFETIME)
            .cloned()
            .ok_or_else(ApiError::not_found)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<Job>>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Job {
    fn state(&self) -> State {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, state: State) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }

    fn finished(&self) -> bool {
        matches!(self.state(), State::Applied(..) | State::Failed(..))
    }

    /// The user's column choices (header → field key, `""` to skip); starts the dry run.
    pub fn remap(
        self: &Arc<Self>,
        store: &Store,
        scope: &Scope,
        choices: &[(String, String)],
    ) -> Result<(), ApiError> {
        match self.state() {
            State::Mapping(_) | State::Checked(..) | State::Failed(Some(_), _) => {}
            _ => return Err(ApiError::conflict("导入正在进行或已完成，不能再修改列映射")),
        }
        let prepared =
            prepare(&self.upload, self.kind, choices, &Limits::default()).map_err(|e| {
                ApiError::unprocessable("bad_mapping", e.to_string()).with_field("columns")
            })?;
        if !prepared.mapping.missing_required.is_empty() {
            let labels: Vec<&str> = missing_labels(&prepared);
            self.set(State::Mapping(prepared));
            return Err(ApiError::unprocessable(
                "missing_required",
                format!("必填字段没有对应的列：{}", labels.join("、")),
            )
            .with_field("columns"));
        }
        self.check(store, scope, prepared);
        Ok(())
    }

    fn check(self: &Arc<Self>, store: &Store, scope: &Scope, prepared: Prepared) {
        self.set(State::Checking(prepared.clone()));
        let (job, store, scope) = (self.clone(), store.clone(), scope.clone());
        tokio::spawn(async move {
            let result = check(&store, &scope, &job.upload, &prepared, &job.progress).await;
            job.set(match result {
                Ok(report) => State::Checked(prepared, Arc::new(report)),
                Err(e) => State::Failed(Some(prepared), failure(e)),
            });
        });
    }

    /// Applies the checked rows. Asking again while it runs or after it ran changes nothing.
    pub fn apply(
        self: &Arc<Self>,
        store: &Store,
        scope: &Scope,
        client: &str,
    ) -> Result<(), ApiError> {
        let (prepared, report) = match self.state() {
            State::Checked(p, r) => (p, r),
            State::Applying(..) | State::Applied(..) => return Ok(()),
            _ => return Err(ApiError::conflict("请先完成检查（试运行），再导入")),
        };
        self.set(State::Applying(prepared.clone(), report.clone()));
        let (job, store, scope, client) = (
            self.clone(),
            store.clone(),
            scope.clone(),
            client.to_string(),
        );
        tokio::spawn(async move {
            let result = apply(
                &store,
                &scope,
                &job.upload,
                &prepared,
                &report.excluded,
                &job.progress,
                &client,
            )
            .await;
            job.set(match result {
                Ok(applied) => State::Applied(prepared, report, applied),
                Err(e) => State::Failed(Some(prepared), failure(e)),
            });
        });
        Ok(())
    }

    /// All errors of the dry run, for the .xlsx download.
    pub fn errors(&self) -> Option<Arc<Report>> {
        match self.state() {
            State::Checked(_, r) | State::Applying(_, r) | State::Applied(_, r, _) => Some(r),
            _ => None,
        }
    }

    pub fn view(&self) -> JobView {
        let state = self.state();
        let (name, prepared, report, applied, failure) = match &state {
            State::Mapping(p) => ("mapping", Some(p), None, None, None),
            State::Checking(p) => ("checking", Some(p), None, None, None),
            State::Checked(p, r) => ("checked", Some(p), Some(r), None, None),
            State::Applying(p, r) => ("applying", Some(p), Some(r), None, None),
            State::Applied(p, r, a) => ("applied", Some(p), Some(r), Some(a.clone()), None),
            State::Failed(p, m) => ("failed", p.as_ref(), None, None, Some(m.clone())),
        };
        let progress = ProgressView {
            phase: self.progress.phase(),
            rows: self.progress.rows(),
            percent: self.progress.permille() / 10,
        };
        JobView {
            id: self.id,
            kind: self.kind,
            kind_label: self.kind.label(),
            file_name: self.upload.file_name.clone(),
            state: name,
            headers: prepared.map(|p| p.headers.clone()).unwrap_or_default(),
            columns: prepared
                .map(|p| {
                    p.mapping
                        .columns
                        .iter()
                        .map(|c| c.unwrap_or("").to_string())
                        .collect()
                })
                .unwrap_or_default(),
            unknown: prepared
                .map(|p| p.mapping.unknown.clone())
                .unwrap_or_default(),
            missing_required: prepared
                .map(|p| p.mapping.missing_required.clone())
                .unwrap_or_default(),
            fields: self
                .kind
                .fields()
                .iter()
                .map(|f| FieldView {
                    key: f.key,
                    label: f.label,
                    required: f.required,
                })
                .collect(),
            progress,
            report: report.map(|r| ReportView {
                rows: r.rows,
                new: r.totals.new,
                changed: r.totals.changed,
                unchanged: r.totals.unchanged,
                bad_rows: r.bad_rows,
                error_count: r.errors.len(),
                errors: r.errors.iter().take(ERRORS_SHOWN).cloned().collect(),
            }),
            applied,
            failure,
        }
    }
}

fn missing_labels(p: &Prepared) -> Vec<&'static str> {
    p.mapping
        .missing_required
        .iter()
        .filter_map(|k| p.kind.fields().iter().find(|f: &&FieldSpec| f.key == *k))
        .map(|f| f.label)
        .collect()
}

fn failure(e: ImportError) -> String {
    match e {
        ImportError::Store(wangge_store::StoreError::Db(db)) => {
            tracing::error!(error = %db, "import failed");
            "数据库错误，本批数据未写入，请稍后重试（已写入的批次可重新导入同一文件补齐）".into()
        }
        other => other.to_string(),
    }
}
