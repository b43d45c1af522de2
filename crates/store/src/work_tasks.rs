//! Work tasks (工作任务, 五问工作法): assigning a quarter's task to units, listing and reading
//! tasks within the caller's scope. The units' steps are in [`crate::work_task_steps`], the
//! board and the scores in [`crate::work_task_board`]; who sees what in
//! [`crate::work_task_scope`], what is shown in [`crate::work_task_views`].
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use wangge_domain::date::{Date, local_date};
use wangge_domain::region::Level;
use wangge_domain::work_task::{MAX_POINTS, Quarter, Status, UnitKind, may_assign};

use crate::audit::AuditEntry;
use crate::entity::{region, work_assignment, work_step, work_task};
use crate::events::Departments;
use crate::scope::county_of;
use crate::work_task_scope::{UnitNames, Viewer, region_names};
use crate::work_task_views::{
    UnitChoice, WorkTaskView, assignment_view, scored, status_of, task_view,
};
use crate::{Scope, Store, StoreError};

/// A unit as a task names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct UnitRef {
    /// `department` or `region`.
    pub kind: String,
    /// The department's code, or the street's or community's region code.
    pub code: String,
}

/// A task as its assigner types it.
#[derive(Debug, Clone, Default)]
pub struct NewWorkTask {
    pub title: String,
    pub description: String,
    /// `2026Q4`.
    pub quarter: String,
    pub points: i64,
    /// `YYYY-MM-DD`, within the quarter.
    pub due_date: String,
    /// The assigning level's region; the caller's own by default.
    pub region: Option<String>,
    pub units: Vec<UnitRef>,
}

/// Today's quarter in Shanghai time, for defaults.
pub fn current_quarter(now_ms: i64) -> Quarter {
    Quarter::of(local_date(now_ms))
}

/// A quarter as typed (`2026Q4`), or an error naming the field.
pub(crate) fn parse_quarter(q: &str) -> Result<Quarter, StoreError> {
    Quarter::parse(q)
        .ok_or_else(|| StoreError::invalid("quarter", format!("季度“{}”应写作如 2026Q4", q.trim())))
}

/// A typed text, trimmed; an error names the field and says what it is (`任务名称不能为空`).
pub(crate) fn checked_text(
    field: &'static str,
    label: &str,
    v: &str,
    max: usize,
    required: bool,
) -> Result<String, StoreError> {
    let v = v.trim();
    if required && v.is_empty() {
        return Err(StoreError::invalid(field, format!("{label}不能为空")));
    }
    if v.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            format!("{label}不能超过{max}个字"),
        ));
    }
    Ok(v.to_string())
}

impl Store {
    /// The units the caller may assign a task to: every department, and the streets and
    /// communities below the caller's region.
    pub async fn work_task_units(&self, scope: &Scope) -> Result<Vec<UnitChoice>, StoreError> {
        let db = self.connection();
        let mut units: Vec<UnitChoice> = self
            .departments()
            .await?
            .into_iter()
            .map(|d| UnitChoice {
                kind: UnitKind::Department.as_str(),
                code: d.code,
                name: d.name,
            })
            .collect();
        let (lo, hi) = Scope::range_of(&scope.region);
        let mut q = region::Entity::find().filter(
            region::Column::Level.is_in([Level::Street.as_str(), Level::Community.as_str()]),
        );
        if !scope.region.is_empty() {
            q = q
                .filter(region::Column::Code.gte(lo))
                .filter(region::Column::Code.lt(hi))
                .filter(region::Column::Code.ne(scope.region.as_str()));
        }
        for r in q.order_by_asc(region::Column::Code).all(db).await? {
            units.push(UnitChoice {
                kind: UnitKind::Region.as_str(),
                code: r.code,
                name: r.name,
            });
        }
        Ok(units)
    }

    /// Assigns a task to its units: the task, one part per unit and its first step, and
    /// the audit row, in one transaction. Leaders, command centers and admins, within their
    /// region.
    pub async fn create_work_task(
        &self,
        scope: &Scope,
        new: NewWorkTask,
        client: &str,
    ) -> Result<WorkTaskView, StoreError> {
        if !may_assign(scope.role) {
            return Err(StoreError::Forbidden(
                "只有领导、指挥中心和管理员可以交办工作任务".into(),
            ));
        }
        let db = self.connection();
        let region = scope.narrow(new.region.as_deref())?;
        if ![6, 9, 12].contains(&region.len()) {
            return Err(StoreError::invalid(
                "region",
                "请指定交办单位所在的区县、街道或社区（region）",
            ));
        }
        let owner = region::Entity::find_by_id(region.clone())
            .one(db)
            .await?
            .ok_or_else(|| StoreError::invalid("region", format!("区划“{region}”不存在")))?;
        let title = checked_text("title", "任务名称", &new.title, 100, true)?;
        let description = checked_text("description", "任务内容", &new.description, 2000, false)?;
        let quarter = parse_quarter(&new.quarter)?;
        if !(1..=i64::from(MAX_POINTS)).contains(&new.points) {
            return Err(StoreError::invalid(
                "points",
                format!("分值应为1到{MAX_POINTS}的整数"),
            ));
        }
        let due = Date::parse(new.due_date.trim()).ok_or_else(|| {
            StoreError::invalid(
                "due_date",
                format!(
                    "截止日期“{}”应为 YYYY-MM-DD 格式的有效日期",
                    new.due_date.trim()
                ),
            )
        })?;
        if !quarter.contains(due) {
            return Err(StoreError::invalid(
                "due_date",
                format!(
                    "截止日期应在{}内（{}至{}）",
                    quarter.label(),
                    quarter.first_day(),
                    quarter.last_day()
                ),
            ));
        }
        let units = self.check_units(db, &region, &new.units).await?;
        let county = county_of(&region).ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let task = work_task::Model {
            county,
            id: self.next_id(),
            region: owner.code,
            quarter: quarter.to_string(),
            title,
            description,
            points: new.points as i32,
            due_date: due.to_string(),
            created_by: scope.account_id,
            created_by_name: scope.display_name.clone(),
            created_at: now,
        };
        let txn = crate::connect::begin_write(db).await?;
        work_task::ActiveModel::from(task.clone())
            .insert(&txn)
            .await?;
        for (kind, code) in &units {
            let a = work_assignment::Model {
                county,
                id: self.next_id(),
                task_id: task.id,
                unit_kind: kind.as_str().into(),
                unit_code: code.clone(),
                status: Status::Assigned.as_str().into(),
                plan: String::new(),
                milestones: String::new(),
                planned_finish: None,
                evidence: String::new(),
                photos: String::new(),
                submitted_at: None,
                score_tenths: None,
                comment: String::new(),
                checked_off_at: None,
                checked_by: None,
                send_back_count: 0,
                updated_at: now,
                version: 0,
            };
            work_assignment::ActiveModel::from(a.clone())
                .insert(&txn)
                .await?;
            let first = work_step::Model {
                from_status: String::new(),
                note: task.title.clone(),
                ..self.work_step_row(scope, &a, "assign", Status::Assigned)
            };
            work_step::ActiveModel::from(first).insert(&txn).await?;
        }
        let object = format!("{} {} {}个单位", task.id, task.quarter, units.len());
        self.audit_work_task(&txn, scope, "create", &object, client)
            .await?;
        txn.commit().await?;
        self.work_task(scope, task.id).await
    }

    /// Checks the units a task names: at least one, no repeats; departments that exist;
    /// streets and communities that exist below the task's region.
    async fn check_units(
        &self,
        db: &impl ConnectionTrait,
        region: &str,
        units: &[UnitRef],
    ) -> Result<Vec<(UnitKind, String)>, StoreError> {
        if units.is_empty() {
            return Err(StoreError::invalid("units", "请至少选择一个责任单位"));
        }
        let departments = Departments::load(db).await?;
        let mut out: Vec<(UnitKind, String)> = Vec::with_capacity(units.len());
        for u in units {
            let code = u.code.trim().to_string();
            let kind = UnitKind::parse(&u.kind).ok_or_else(|| {
                StoreError::invalid(
                    "units",
                    format!("单位类型“{}”应为 department 或 region", u.kind.trim()),
                )
            })?;
            let known = match kind {
                UnitKind::Department => departments.by_code(&code).is_some(),
                UnitKind::Region => {
                    code.len() > region.len()
                        && code.starts_with(region)
                        && [9, 12].contains(&code.len())
                        && region::Entity::find_by_id(code.clone())
                            .one(db)
                            .await?
                            .is_some()
                }
            };
            if !known {
                let what = match kind {
                    UnitKind::Department => "部门不存在",
                    UnitKind::Region => "不是本辖区下的街道或社区",
                };
                return Err(StoreError::invalid(
                    "units",
                    format!("责任单位“{code}”{what}"),
                ));
            }
            if out.iter().any(|(k, c)| *k == kind && *c == code) {
                return Err(StoreError::invalid(
                    "units",
                    format!("责任单位“{code}”重复"),
                ));
            }
            out.push((kind, code));
        }
        Ok(out)
    }

    /// The audit row of a write to work tasks (`work_task.create`, `work_task.check_off`…).
    pub(crate) async fn audit_work_task(
        &self,
        txn: &impl ConnectionTrait,
        scope: &Scope,
        action: &str,
        object: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        let entry = AuditEntry {
            account: &scope.username,
            action: &format!("work_task.{action}"),
            object,
            outcome: "ok",
            client,
        };
        self.audit_in(txn, entry).await
    }

    /// The trail row of a step the caller takes now on part `a` (still as it was before
    /// the step), to status `to`; the caller adds the note and photos.
    pub(crate) fn work_step_row(
        &self,
        scope: &Scope,
        a: &work_assignment::Model,
        action: &str,
        to: Status,
    ) -> work_step::Model {
        work_step::Model {
            county: a.county,
            id: self.next_id(),
            task_id: a.task_id,
            assignment_id: a.id,
            at: self.now_ms(),
            account_id: scope.account_id,
            actor: scope.display_name.clone(),
            role: scope.role.as_str().into(),
            action: action.into(),
            from_status: a.status.clone(),
            to_status: to.as_str().into(),
            note: String::new(),
            photos: String::new(),
        }
    }

    /// The tasks the caller sees, newest first, optionally of one quarter, each with the
    /// counts of the parts the caller sees.
    pub async fn work_tasks(
        &self,
        scope: &Scope,
        quarter: Option<&str>,
    ) -> Result<Vec<WorkTaskView>, StoreError> {
        let quarter = quarter
            .filter(|q| !q.trim().is_empty())
            .map(parse_quarter)
            .transpose()?;
        let db = self.connection();
        let viewer = Viewer::of(db, scope).await?;
        let seen = self.visible_parts(db, &viewer, quarter).await?;
        let regions = region_names(db, seen.iter().map(|(t, _)| t.region.as_str())).await?;
        let now = self.now_ms();
        let mut views: Vec<WorkTaskView> = seen
            .into_iter()
            .map(|(t, parts)| {
                let mut v = task_view(&viewer, &t, &regions);
                for a in &parts {
                    v.counts.add(status_of(a), scored(&t, a).is_late(now));
                }
                v
            })
            .collect();
        views.sort_by_key(|v| std::cmp::Reverse(v.id));
        Ok(views)
    }

    /// One task with the parts the caller sees, their trails and the caller's choices.
    pub async fn work_task(&self, scope: &Scope, id: i64) -> Result<WorkTaskView, StoreError> {
        let db = self.connection();
        let viewer = Viewer::of(db, scope).await?;
        let task = work_task::Entity::find()
            .filter(work_task::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let parts: Vec<work_assignment::Model> = work_assignment::Entity::find()
            .filter(work_assignment::Column::County.eq(task.county))
            .filter(work_assignment::Column::TaskId.eq(task.id))
            .order_by_asc(work_assignment::Column::UnitKind)
            .order_by_asc(work_assignment::Column::UnitCode)
            .all(db)
            .await?
            .into_iter()
            .filter(|a| viewer.sees(&task, a))
            .collect();
        if parts.is_empty() {
            return Err(StoreError::NotFound);
        }
        let steps = work_step::Entity::find()
            .filter(work_step::Column::County.eq(task.county))
            .filter(work_step::Column::TaskId.eq(task.id))
            .order_by_asc(work_step::Column::At)
            .order_by_asc(work_step::Column::Id)
            .all(db)
            .await?;
        let names = UnitNames::load(db, &parts).await?;
        let regions = region_names(db, [task.region.as_str()].into_iter()).await?;
        let now = self.now_ms();
        let mut view = task_view(&viewer, &task, &regions);
        let mut list = Vec::with_capacity(parts.len());
        for a in parts {
            view.counts
                .add(status_of(&a), scored(&task, &a).is_late(now));
            let trail: Vec<&work_step::Model> =
                steps.iter().filter(|s| s.assignment_id == a.id).collect();
            list.push(assignment_view(&viewer, &task, a, &trail, &names, now));
        }
        view.assignments = Some(list);
        Ok(view)
    }
}
