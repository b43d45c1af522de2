//! The steps of a unit's part of a work task: the unit plans (预安: a roadmap with
//! milestones and a planned finish) and applies for check-off with evidence (销号申请: text
//! and photos); the assigner checks it off with a score (销号) or sends it back with a
//! reason (退回). Each step writes the part, its trail row and the audit row in one
//! transaction, and only if no one changed the part meanwhile.
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use wangge_domain::date::Date;
use wangge_domain::work_task::{MAX_MILESTONES, Milestone, Step, parse_score};

use crate::entity::{work_assignment, work_step, work_task};
use crate::uploads::{Attachment, Uploader, join_ids};
use crate::work_task_scope::Viewer;
use crate::work_task_views::{WorkTaskView, status_of};
use crate::work_tasks::checked_text;
use crate::{Scope, Store, StoreError};

/// A milestone as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct MilestoneIn {
    pub date: String,
    pub text: String,
}

/// A step with what it needs.
#[derive(Debug, Clone)]
pub enum StepIn {
    Plan {
        plan: String,
        milestones: Vec<MilestoneIn>,
        planned_finish: String,
    },
    Submit {
        evidence: String,
        /// Photos from `POST /uploads`, by reference.
        photos: Vec<String>,
    },
    CheckOff {
        score: f64,
        comment: String,
    },
    SendBack {
        reason: String,
    },
}

impl StepIn {
    pub fn step(&self) -> Step {
        match self {
            StepIn::Plan { .. } => Step::Plan,
            StepIn::Submit { .. } => Step::Submit,
            StepIn::CheckOff { .. } => Step::CheckOff,
            StepIn::SendBack { .. } => Step::SendBack,
        }
    }
}

/// A plan checked: the roadmap, its milestones in date order, the planned finish.
fn check_plan(
    t: &work_task::Model,
    plan: &str,
    milestones: &[MilestoneIn],
    planned_finish: &str,
) -> Result<(String, Vec<Milestone>, Date), StoreError> {
    let plan = checked_text("plan", "路线图", plan, 2000, true)?;
    let finish = Date::parse(planned_finish.trim()).ok_or_else(|| {
        StoreError::invalid(
            "planned_finish",
            format!(
                "计划完成日期“{}”应为 YYYY-MM-DD 格式的有效日期",
                planned_finish.trim()
            ),
        )
    })?;
    if finish.to_string() > t.due_date {
        return Err(StoreError::invalid(
            "planned_finish",
            format!("计划完成日期不能晚于任务截止日期 {}", t.due_date),
        ));
    }
    if milestones.len() > MAX_MILESTONES {
        return Err(StoreError::invalid(
            "milestones",
            format!("节点最多{MAX_MILESTONES}个"),
        ));
    }
    let mut list = milestones
        .iter()
        .map(|m| Milestone::parse(&m.date, &m.text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|m| StoreError::invalid("milestones", m))?;
    if let Some(m) = list.iter().find(|m| m.date > finish) {
        return Err(StoreError::invalid(
            "milestones",
            format!("节点 {} 晚于计划完成日期 {finish}", m.date),
        ));
    }
    list.sort_by_key(|m| m.date);
    Ok((plan, list, finish))
}

impl Store {
    /// Takes a step on a part the caller sees (404 otherwise): the unit plans and submits,
    /// the assigner checks off and sends back (403 for anyone else); a step that does not
    /// apply to the part's status answers 409, bad input 422 naming the field. Answers the
    /// task as the caller now sees it.
    pub async fn work_task_step(
        &self,
        scope: &Scope,
        task_id: i64,
        assignment_id: i64,
        input: StepIn,
        client: &str,
    ) -> Result<WorkTaskView, StoreError> {
        let db = self.connection();
        let viewer = Viewer::of(db, scope).await?;
        let (t, a) = self
            .visible_part(db, &viewer, Some(task_id), assignment_id)
            .await?;
        let step = input.step();
        let allowed = if step.by_assigner() {
            viewer.assigns(&t)
        } else {
            viewer.acts_for(&t, &a)
        };
        if !allowed {
            let who = if step.by_assigner() {
                "交办单位"
            } else {
                "责任单位"
            };
            return Err(StoreError::Forbidden(format!(
                "只有{who}可以{}",
                step.label()
            )));
        }
        let from = status_of(&a);
        let to = step.next(from).ok_or_else(|| {
            StoreError::Conflict(format!(
                "该单位的任务当前为“{}”，不能{}",
                from.label(),
                step.label()
            ))
        })?;
        let now = self.now_ms();
        let mut next = a.clone();
        next.status = to.as_str().into();
        next.updated_at = now;
        next.version = a.version + 1;
        let mut photo_refs = Vec::new();
        let note = match input {
            StepIn::Plan {
                plan,
                milestones,
                planned_finish,
            } => {
                let (plan, list, finish) = check_plan(&t, &plan, &milestones, &planned_finish)?;
                next.plan = plan;
                next.milestones = Milestone::join(&list);
                next.planned_finish = Some(finish.to_string());
                format!("计划{finish}完成：{}", next.plan)
            }
            StepIn::Submit { evidence, photos } => {
                next.evidence = checked_text("evidence", "销号材料", &evidence, 2000, true)?;
                next.submitted_at = Some(now);
                photo_refs = photos;
                next.evidence.clone()
            }
            StepIn::CheckOff { score, comment } => {
                let points = u32::try_from(t.points).unwrap_or(0);
                let tenths =
                    parse_score(score, points).map_err(|m| StoreError::invalid("score", m))?;
                next.score_tenths = Some(tenths as i32);
                next.comment = checked_text("comment", "销号意见", &comment, 500, false)?;
                next.checked_off_at = Some(now);
                next.checked_by = Some(scope.display_name.clone());
                let score = wangge_domain::work_task::tenths_value(tenths);
                format!("得分{score}（满分{points}）{}", next.comment)
            }
            StepIn::SendBack { reason } => {
                next.send_back_count = a.send_back_count + 1;
                checked_text("reason", "退回原因", &reason, 500, true)?
            }
        };
        let txn = crate::connect::begin_write(db).await?;
        let ids = self
            .attach_uploads_to(
                &txn,
                Uploader::Staff(scope.account_id),
                &photo_refs,
                Attachment::WorkAssignment(a.id),
            )
            .await?;
        if !ids.is_empty() {
            next.photos = join_ids(&ids);
        }
        let mut row = next.into_active_model().reset_all();
        row.county = ActiveValue::Unchanged(a.county);
        row.id = ActiveValue::Unchanged(a.id);
        let updated = work_assignment::Entity::update_many()
            .set(row)
            .filter(work_assignment::Column::County.eq(a.county))
            .filter(work_assignment::Column::Id.eq(a.id))
            .filter(work_assignment::Column::Version.eq(a.version))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(StoreError::Conflict(
                "该任务刚被他人处理，请刷新后再试".into(),
            ));
        }
        let row = work_step::Model {
            note,
            photos: join_ids(&ids),
            ..self.work_step_row(scope, &a, step.as_str(), to)
        };
        work_step::ActiveModel::from(row).insert(&txn).await?;
        let object = format!("{} {} {}", t.id, a.id, a.unit_code);
        let action = step.as_str().replace('-', "_");
        self.audit_work_task(&txn, scope, &action, &object, client)
            .await?;
        txn.commit().await?;
        self.work_task(scope, task_id).await
    }
}
