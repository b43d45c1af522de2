//! Assessment (考核) of grid workers and departments over a period, within the caller's
//! region: the counts behind each dimension gathered here, scored and ranked by
//! `wangge_domain::assessment`; the weights are settings an admin may change.
//!
//! A grid worker is the full-time worker (专职网格员) of a grid, assessed on the grid's
//! figures; a department on the events it leads within the caller's region.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryResult, QuerySelect};
use serde::Serialize;
use wangge_domain::assessment::{
    self as rules, CHECK_LIMIT_MINUTES, DEPARTMENT_DIMENSIONS, Dimension, Scored,
    WORKER_DIMENSIONS, Weights, WorkerFacts,
};
use wangge_domain::date::local_midnight_ms;
use wangge_domain::event_facts::Tally;
use wangge_domain::period::{Period, PeriodKind};
use wangge_domain::population::Duty;
use wangge_domain::role::Role;
use wangge_domain::work_task::UnitKind;

use crate::audit::AuditEntry;
use crate::entity::{department, grid, grid_staff};
use crate::indicators::{Breakdown, IndicatorFilter};
use crate::{Scope, Store, StoreError, sql};

const DAY_MS: i64 = 86_400_000;
/// Records updated within this many days count as fresh.
const FRESH_DAYS: i64 = 365;
/// Checks are looked for on events reported up to this many days before the period.
const CHECK_LOOKBACK_DAYS: i64 = 60;

/// Who is assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    GridWorkers,
    Departments,
}

impl Subject {
    pub fn parse(s: &str) -> Option<Subject> {
        match s {
            "grid_workers" | "workers" => Some(Subject::GridWorkers),
            "departments" => Some(Subject::Departments),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Subject::GridWorkers => "grid_workers",
            Subject::Departments => "departments",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Subject::GridWorkers => "网格员",
            Subject::Departments => "职能部门",
        }
    }

    pub fn dimensions(self) -> &'static [Dimension] {
        match self {
            Subject::GridWorkers => &WORKER_DIMENSIONS,
            Subject::Departments => &DEPARTMENT_DIMENSIONS,
        }
    }

    fn setting_key(self) -> String {
        format!("assessment.weights.{}", self.as_str())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DimensionView {
    pub key: &'static str,
    pub name: &'static str,
    pub weight: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreView {
    pub key: &'static str,
    pub name: &'static str,
    pub weight: u32,
    pub score: Option<f64>,
    /// The counts behind the score, in words.
    pub basis: String,
}

/// One assessed grid worker or department.
#[derive(Debug, Clone, Serialize)]
pub struct AssessedRow {
    /// Grid code or department code.
    pub code: String,
    pub name: String,
    /// The grid's full-time worker (empty for departments).
    pub person: String,
    pub community: String,
    pub street: String,
    pub total: Option<f64>,
    /// Rank among all rows answered (the caller's region).
    pub rank: Option<u32>,
    pub rank_in_street: Option<u32>,
    pub rank_in_community: Option<u32>,
    pub scores: Vec<ScoreView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub subject: Subject,
    /// `2026-11`, `2026Q4`, `2026`.
    pub period: String,
    pub period_label: String,
    pub from: String,
    pub to: String,
    pub region: String,
    pub weights: String,
    pub dimensions: Vec<DimensionView>,
    /// Best first; unranked (nothing measurable) last.
    pub rows: Vec<AssessedRow>,
}

fn count(r: &QueryResult, col: &str) -> Result<u64, StoreError> {
    Ok(r.try_get::<Option<i64>>("", col)?.unwrap_or(0).max(0) as u64)
}

fn views(scored: Vec<Scored>) -> Vec<ScoreView> {
    scored
        .into_iter()
        .map(|s| ScoreView {
            key: s.key,
            name: s.name,
            weight: s.weight,
            score: s.score,
            basis: s.basis,
        })
        .collect()
}

/// Parses the period, or names the field.
pub fn parse_period(s: &str) -> Result<Period, StoreError> {
    Period::parse(s).ok_or_else(|| {
        StoreError::invalid(
            "period",
            format!("考核周期“{s}”应为月（2026-11）、季度（2026Q4）或年（2026）"),
        )
    })
}

impl Store {
    /// This month, the default period (`2026-12`).
    pub fn current_period(&self) -> String {
        let today = wangge_domain::date::local_date(self.now_ms());
        Period::containing(wangge_domain::period::PeriodKind::Month, today).to_string()
    }

    /// The weights in force for `subject`: the saved ones, else the defaults.
    pub async fn assessment_weights(&self, subject: Subject) -> Result<Weights, StoreError> {
        let dims = subject.dimensions();
        let saved = self.setting(&subject.setting_key()).await?;
        Ok(saved
            .and_then(|s| Weights::parse(dims, &s).ok())
            .unwrap_or_else(|| Weights::defaults(dims)))
    }

    /// Saves new weights (`key=weight,…`, summing to 100); admins only, audited.
    pub async fn set_assessment_weights(
        &self,
        scope: &Scope,
        subject: Subject,
        text: &str,
        client: &str,
    ) -> Result<Weights, StoreError> {
        if scope.role != Role::Admin {
            return Err(StoreError::Forbidden(
                "只有系统管理员可以修改考核权重".into(),
            ));
        }
        let weights = Weights::parse(subject.dimensions(), text)
            .map_err(|(field, message)| StoreError::invalid(field, message))?;
        let value = weights.to_string();
        self.put_setting(&subject.setting_key(), &value).await?;
        self.audit(AuditEntry {
            account: &scope.username,
            action: "assessment.weights",
            object: &format!("{}考核权重 {value}", subject.label()),
            outcome: "ok",
            client,
        })
        .await?;
        Ok(weights)
    }

    /// The assessment of `subject` for the period, within the caller's region (narrowed to
    /// `region` when given). Department roles see their own department only.
    pub async fn assessment(
        &self,
        scope: &Scope,
        subject: Subject,
        period: &str,
        region: Option<&str>,
    ) -> Result<Assessment, StoreError> {
        let p = parse_period(period)?;
        let region = scope.narrow(region)?;
        let weights = self.assessment_weights(subject).await?;
        let mut rows = match subject {
            Subject::GridWorkers => {
                if scope.role.is_department() {
                    return Err(StoreError::Forbidden("部门账号不能查看网格员考核".into()));
                }
                self.worker_rows(&region, p, &weights).await?
            }
            Subject::Departments => self.department_rows(scope, &region, p, &weights).await?,
        };
        rank_rows(&mut rows);
        if let (true, Some(own)) = (scope.role.is_department(), scope.department_id) {
            let code = department::Entity::find_by_id(own)
                .one(self.connection())
                .await?
                .map(|d| d.code)
                .unwrap_or_default();
            rows.retain(|r| r.code == code);
        }
        Ok(Assessment {
            subject,
            period: p.to_string(),
            period_label: p.label(),
            from: p.from.to_string(),
            to: p.to.to_string(),
            region,
            weights: weights.to_string(),
            dimensions: subject
                .dimensions()
                .iter()
                .map(|d| DimensionView {
                    key: d.key,
                    name: d.name,
                    weight: weights.of(d.key),
                })
                .collect(),
            rows,
        })
    }

    async fn worker_rows(
        &self,
        region: &str,
        p: Period,
        weights: &Weights,
    ) -> Result<Vec<AssessedRow>, StoreError> {
        let db = self.connection();
        let (lo, hi) = Scope::range_of(region);
        let grids = grid::Entity::find()
            .filter(grid::Column::Code.gte(lo.clone()))
            .filter(grid::Column::Code.lt(hi.clone()))
            .all(db)
            .await?;
        let workers: HashMap<String, String> = grid_staff::Entity::find()
            .select_only()
            .column(grid_staff::Column::GridCode)
            .column(grid_staff::Column::Name)
            .filter(grid_staff::Column::Duty.eq(Duty::FullTimeWorker.as_str()))
            .filter(grid_staff::Column::GridCode.gte(lo.clone()))
            .filter(grid_staff::Column::GridCode.lt(hi.clone()))
            .into_tuple::<(String, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let names = self.names_under(region).await?;
        let mut facts: HashMap<String, WorkerFacts> = HashMap::new();
        let backend = db.get_database_backend();
        let (start, end) = (local_midnight_ms(p.from), local_midnight_ms(p.to));

        let fresh_since = end - FRESH_DAYS * DAY_MS;
        let persons = db
            .query_all_raw(sql::statement(
                backend,
                "SELECT grid_code, COUNT(*) AS persons, \
                 SUM(CASE WHEN phone_cipher IS NOT NULL AND residence <> '' \
                 AND relation <> '' THEN 1 ELSE 0 END) AS complete, \
                 SUM(CASE WHEN updated_at >= ? THEN 1 ELSE 0 END) AS fresh \
                 FROM person WHERE grid_code >= ? AND grid_code < ? AND status = 'active' \
                 GROUP BY grid_code",
                vec![fresh_since.into(), lo.clone().into(), hi.clone().into()],
            ))
            .await?;
        for r in &persons {
            let f = facts.entry(r.try_get("", "grid_code")?).or_default();
            f.persons = count(r, "persons")?;
            f.persons_complete = count(r, "complete")?;
            f.persons_fresh = count(r, "fresh")?;
        }

        let events = db
            .query_all_raw(sql::statement(
                backend,
                "SELECT grid_code, COUNT(*) AS reports, \
                 SUM(CASE WHEN source = 'patrol' THEN 1 ELSE 0 END) AS own, \
                 SUM(CASE WHEN state = 'settled' THEN 1 ELSE 0 END) AS settled, \
                 SUM(CASE WHEN rating IS NOT NULL THEN 1 ELSE 0 END) AS rated, \
                 SUM(CASE WHEN rating >= 4 THEN 1 ELSE 0 END) AS satisfied \
                 FROM event WHERE created_at >= ? AND created_at < ? \
                 AND grid_code >= ? AND grid_code < ? GROUP BY grid_code",
                vec![
                    start.into(),
                    end.into(),
                    lo.clone().into(),
                    hi.clone().into(),
                ],
            ))
            .await?;
        for r in &events {
            let f = facts.entry(r.try_get("", "grid_code")?).or_default();
            f.reports = count(r, "reports")?;
            f.own_reports = count(r, "own")?;
            f.settled = count(r, "settled")?;
            f.rated = count(r, "rated")?;
            f.satisfied = count(r, "satisfied")?;
        }

        for (grid_code, on_time, all) in self.checks(&lo, &hi, start, end).await? {
            let f = facts.entry(grid_code).or_default();
            f.checks = all;
            f.checks_on_time = on_time;
        }

        let field = self.field_facts(region, p).await?;
        let months = p.months();
        Ok(grids
            .into_iter()
            .map(|g| {
                let mut f = facts.get(&g.code).copied().unwrap_or_default();
                f.visits = field
                    .visits
                    .as_ref()
                    .map(|v| v.get(&g.code).copied().unwrap_or_default());
                f.patrol_days = field.patrol_days_of(&g.code);
                let scored = rules::score_worker(&f, weights, months);
                let street: String = g.code.chars().take(9).collect();
                AssessedRow {
                    total: rules::weighted_total(&scored),
                    scores: views(scored),
                    person: workers.get(&g.code).cloned().unwrap_or_default(),
                    community: names.get(&g.community_code).cloned().unwrap_or_default(),
                    street: names.get(&street).cloned().unwrap_or_default(),
                    code: g.code,
                    name: g.name,
                    rank: None,
                    rank_in_street: None,
                    rank_in_community: None,
                }
            })
            .collect())
    }

    /// Per grid: the checks by grid staff in `[start, end)` done within one working day of
    /// the department's result, and all of them: `(grid, on time, all)`.
    async fn checks(
        &self,
        lo: &str,
        hi: &str,
        start: i64,
        end: i64,
    ) -> Result<Vec<(String, u64, u64)>, StoreError> {
        let db = self.connection();
        let rows = db
            .query_all_raw(sql::statement(
                db.get_database_backend(),
                "SELECT e.grid_code, st.event_id, st.at, st.action, st.role \
                 FROM event e JOIN event_step st ON st.county = e.county AND st.event_id = e.id \
                 WHERE e.created_at >= ? AND e.created_at < ? AND e.grid_code >= ? \
                 AND e.grid_code < ? AND e.handled_at IS NOT NULL \
                 AND st.action IN ('handle', 'check_pass', 'check_fail') \
                 ORDER BY st.county, st.event_id, st.seq",
                vec![
                    (start - CHECK_LOOKBACK_DAYS * DAY_MS).into(),
                    end.into(),
                    lo.into(),
                    hi.into(),
                ],
            ))
            .await?;
        let calendar = self.work_calendar().await?;
        let mut out: HashMap<String, (u64, u64)> = HashMap::new();
        let mut handled: Option<(i64, i64)> = None;
        for r in &rows {
            let event: i64 = r.try_get("", "event_id")?;
            let at: i64 = r.try_get("", "at")?;
            let action: String = r.try_get("", "action")?;
            let role: String = r.try_get("", "role")?;
            if action == "handle" {
                handled = Some((event, at));
                continue;
            }
            let grid_staff = role == Role::GridWorker.as_str() || role == Role::GridLeader.as_str();
            if !(start..end).contains(&at) || !grid_staff {
                continue;
            }
            let Some((_, result_at)) = handled.filter(|(e, _)| *e == event) else {
                continue;
            };
            let slot = out.entry(r.try_get("", "grid_code")?).or_default();
            slot.1 += 1;
            if calendar.working_minutes_between(result_at, at) <= CHECK_LIMIT_MINUTES {
                slot.0 += 1;
            }
        }
        Ok(out.into_iter().map(|(g, (ok, all))| (g, ok, all)).collect())
    }

    async fn department_rows(
        &self,
        scope: &Scope,
        region: &str,
        p: Period,
        weights: &Weights,
    ) -> Result<Vec<AssessedRow>, StoreError> {
        let filter = IndicatorFilter {
            region: Some(region.to_string()),
            from: Some(p.from.to_string()),
            to: Some(p.to.to_string()),
            ..IndicatorFilter::default()
        };
        let tallies: HashMap<String, Tally> = self
            .indicator_breakdown(scope, &filter, Breakdown::Departments)
            .await?
            .into_iter()
            .collect();
        let tasks = self.work_task_percentages(scope, p).await?;
        let departments = department::Entity::find().all(self.connection()).await?;
        Ok(departments
            .into_iter()
            .map(|d| {
                let counts = tallies.get(&d.code).copied().unwrap_or_default().counts();
                let scored = rules::score_department(&counts, tasks.get(&d.code).copied(), weights);
                AssessedRow {
                    total: rules::weighted_total(&scored),
                    scores: views(scored),
                    code: d.code,
                    name: d.name,
                    person: String::new(),
                    community: String::new(),
                    street: String::new(),
                    rank: None,
                    rank_in_street: None,
                    rank_in_community: None,
                }
            })
            .collect())
    }

    /// Each department's work-task score (0–100) over the quarters the period covers,
    /// weighted by the points assigned; departments without tasks are absent.
    async fn work_task_percentages(
        &self,
        scope: &Scope,
        p: Period,
    ) -> Result<HashMap<String, f64>, StoreError> {
        // (Σ score × points, Σ points) per department over the quarters.
        let mut sums: HashMap<String, (f64, u64)> = HashMap::new();
        let mut quarter = Period::containing(PeriodKind::Quarter, p.from);
        while quarter.from < p.to {
            for u in self.work_task_scores(scope, &quarter.to_string()).await? {
                if let (UnitKind::Department, Some(score)) = (u.unit_kind, u.score) {
                    let sum = sums.entry(u.unit_code).or_default();
                    sum.0 += score * u.points as f64;
                    sum.1 += u.points;
                }
            }
            quarter = Period::containing(PeriodKind::Quarter, quarter.to);
        }
        Ok(sums
            .into_iter()
            .filter(|(_, (_, points))| *points > 0)
            .map(|(code, (sum, points))| (code, sum / points as f64))
            .collect())
    }
}

/// Ranks within the answer, each street and each community; best first.
fn rank_rows(rows: &mut [AssessedRow]) {
    let totals: Vec<Option<f64>> = rows.iter().map(|r| r.total).collect();
    for (row, rank) in rows.iter_mut().zip(rules::ranks(&totals)) {
        row.rank = rank;
    }
    for (width, set) in [
        (
            9usize,
            (|r: &mut AssessedRow, v| r.rank_in_street = v) as fn(&mut AssessedRow, Option<u32>),
        ),
        (12, |r: &mut AssessedRow, v| r.rank_in_community = v),
    ] {
        let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            if r.code.len() > width && r.code.bytes().all(|b| b.is_ascii_digit()) {
                groups
                    .entry(r.code[..width].to_string())
                    .or_default()
                    .push(i);
            }
        }
        for members in groups.values() {
            let totals: Vec<Option<f64>> = members.iter().map(|&i| rows[i].total).collect();
            for (&i, rank) in members.iter().zip(rules::ranks(&totals)) {
                set(&mut rows[i], rank);
            }
        }
    }
    rows.sort_by(|a, b| match (a.rank, b.rank) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.code.cmp(&b.code)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.code.cmp(&b.code),
    });
}
