//! What the API and the pages show of work tasks: a task with the counts of its parts,
//! each part with its plan, evidence, score, trail and the steps the caller may take.
use std::collections::HashMap;

use serde::Serialize;
use wangge_domain::date::{Date, format_local};
use wangge_domain::role::Role;
use wangge_domain::work_task::{
    Milestone, Quarter, Scored, Status, Step, UnitKind, available, round2, tenths_value,
};

use crate::entity::{work_assignment, work_step, work_task};
use crate::uploads::photo_ids;
use crate::work_task_scope::{UnitNames, Viewer};

/// How many of a task's (or a unit's) parts stand where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub assigned: u64,
    /// Not planned yet (待预安).
    pub waiting: u64,
    pub planned: u64,
    pub submitted: u64,
    pub checked_off: u64,
    /// Past the due date and not checked off, or checked off after it (逾期).
    pub overdue: u64,
}

impl StatusCounts {
    pub(crate) fn add(&mut self, status: Status, late: bool) {
        self.assigned += 1;
        match status {
            Status::Assigned => self.waiting += 1,
            Status::Planned => self.planned += 1,
            Status::Submitted => self.submitted += 1,
            Status::CheckedOff => self.checked_off += 1,
        }
        self.overdue += u64::from(late);
    }

    pub(crate) fn merge(&mut self, o: &StatusCounts) {
        self.assigned += o.assigned;
        self.waiting += o.waiting;
        self.planned += o.planned;
        self.submitted += o.submitted;
        self.checked_off += o.checked_off;
        self.overdue += o.overdue;
    }
}

/// A step the caller may take now, for buttons.
#[derive(Debug, Clone, Serialize)]
pub struct StepChoice {
    pub step: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct MilestoneView {
    pub date: String,
    pub text: String,
}

/// One step of a part's trail.
#[derive(Debug, Clone, Serialize)]
pub struct WorkStepView {
    pub at: i64,
    pub at_text: String,
    pub actor: String,
    pub role: &'static str,
    pub action: String,
    pub action_label: &'static str,
    pub to_status_label: &'static str,
    pub note: String,
    pub photos: Vec<i64>,
}

/// One unit's part of a task.
#[derive(Debug, Clone, Serialize)]
pub struct AssignmentView {
    pub id: i64,
    pub unit_kind: &'static str,
    pub unit_code: String,
    pub unit_name: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub plan: String,
    pub milestones: Vec<MilestoneView>,
    pub planned_finish: Option<String>,
    pub evidence: String,
    /// Upload ids of the evidence photos.
    pub photos: Vec<i64>,
    pub submitted_text: Option<String>,
    /// The assigner's score (0 to the task's points).
    pub score: Option<f64>,
    /// What it earns toward the quarter (the score, × 0.8 when late, 0 after the quarter).
    pub earned: Option<f64>,
    pub comment: String,
    pub checked_off_text: Option<String>,
    pub checked_by: Option<String>,
    pub late: bool,
    pub send_back_count: i32,
    /// Why it was last sent back, while it waits to be submitted again.
    pub send_back_reason: Option<String>,
    pub actions: Vec<StepChoice>,
    pub trail: Vec<WorkStepView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkTaskView {
    pub id: i64,
    pub region: String,
    pub region_name: String,
    pub quarter: String,
    pub quarter_label: String,
    pub title: String,
    pub description: String,
    pub points: i32,
    pub due_date: String,
    pub created_by_name: String,
    pub created_text: String,
    /// Over the parts the caller sees.
    pub counts: StatusCounts,
    /// Whether the caller checks this task's parts off (the assigning level).
    pub assigner: bool,
    /// The parts the caller sees (detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignments: Option<Vec<AssignmentView>>,
}

/// A unit the caller may assign tasks to, for the form.
#[derive(Debug, Clone, Serialize)]
pub struct UnitChoice {
    pub kind: &'static str,
    pub code: String,
    pub name: String,
}

pub(crate) fn status_of(a: &work_assignment::Model) -> Status {
    Status::parse(&a.status).unwrap_or(Status::Assigned)
}

pub(crate) fn kind_of(a: &work_assignment::Model) -> UnitKind {
    UnitKind::parse(&a.unit_kind).unwrap_or(UnitKind::Region)
}

/// What scoring needs of a part of `t`.
pub(crate) fn scored(t: &work_task::Model, a: &work_assignment::Model) -> Scored {
    Scored {
        points: u32::try_from(t.points).unwrap_or(0),
        due: Date::parse(&t.due_date).unwrap_or(Date {
            year: 1970,
            month: 1,
            day: 1,
        }),
        quarter: Quarter::parse(&t.quarter).unwrap_or(Quarter { year: 1970, q: 1 }),
        score_tenths: a.score_tenths.and_then(|s| u32::try_from(s).ok()),
        checked_off_at: a.checked_off_at,
    }
}

/// The label of a trail row: the first (交办) or a step.
fn step_label(action: &str) -> &'static str {
    if action == "assign" {
        return "交办";
    }
    Step::parse(action).map_or("", Step::label)
}

/// A task as listed, its counts still to be added.
pub(crate) fn task_view(
    viewer: &Viewer<'_>,
    t: &work_task::Model,
    regions: &HashMap<String, String>,
) -> WorkTaskView {
    WorkTaskView {
        id: t.id,
        region: t.region.clone(),
        region_name: regions.get(&t.region).cloned().unwrap_or_default(),
        quarter: t.quarter.clone(),
        quarter_label: Quarter::parse(&t.quarter).map_or_else(String::new, Quarter::label),
        title: t.title.clone(),
        description: t.description.clone(),
        points: t.points,
        due_date: t.due_date.clone(),
        created_by_name: t.created_by_name.clone(),
        created_text: format_local(t.created_at),
        counts: StatusCounts::default(),
        assigner: viewer.assigns(t),
        assignments: None,
    }
}

/// A part with its trail and the steps the caller may take.
pub(crate) fn assignment_view(
    viewer: &Viewer<'_>,
    t: &work_task::Model,
    a: work_assignment::Model,
    trail: &[&work_step::Model],
    names: &UnitNames,
    now: i64,
) -> AssignmentView {
    let status = status_of(&a);
    let kind = kind_of(&a);
    let s = scored(t, &a);
    let actions = available(status, viewer.acts_for(t, &a), viewer.assigns(t))
        .into_iter()
        .map(|s| StepChoice {
            step: s.as_str(),
            label: s.label(),
        })
        .collect();
    let send_back_reason = trail
        .last()
        .filter(|s| s.action == Step::SendBack.as_str())
        .map(|s| s.note.clone());
    AssignmentView {
        id: a.id,
        unit_kind: kind.as_str(),
        unit_name: names.name(kind, &a.unit_code),
        status: status.as_str(),
        status_label: status.label(),
        plan: a.plan,
        milestones: Milestone::split(&a.milestones)
            .into_iter()
            .map(|m| MilestoneView {
                date: m.date.to_string(),
                text: m.text,
            })
            .collect(),
        planned_finish: a.planned_finish,
        evidence: a.evidence,
        photos: photo_ids(&a.photos),
        submitted_text: a.submitted_at.map(format_local),
        score: s.score_tenths.map(tenths_value),
        earned: s.score_tenths.map(|_| round2(s.earned())),
        comment: a.comment,
        checked_off_text: a.checked_off_at.map(format_local),
        checked_by: a.checked_by,
        late: s.is_late(now),
        send_back_count: a.send_back_count,
        send_back_reason,
        actions,
        trail: trail
            .iter()
            .map(|s| WorkStepView {
                at: s.at,
                at_text: format_local(s.at),
                actor: s.actor.clone(),
                role: Role::parse(&s.role).map_or("", Role::label),
                action: s.action.clone(),
                action_label: step_label(&s.action),
                to_status_label: Status::parse(&s.to_status).map_or("", Status::label),
                note: s.note.clone(),
                photos: photo_ids(&s.photos),
            })
            .collect(),
        unit_code: a.unit_code,
    }
}
