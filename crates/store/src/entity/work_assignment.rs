//! One unit's part of a work task: its plan (预安, a roadmap with milestones and a planned
//! finish), its evidence for check-off (销号申请) and the assigner's score (销号). The
//! status follows `wangge_domain::work_task::Step`; every step is in `work_step`.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_assignment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(indexed)]
    pub task_id: i64,
    /// `department` or `region` (`wangge_domain::work_task::UnitKind`).
    pub unit_kind: String,
    /// The department's code, or the street's or community's region code.
    pub unit_code: String,
    /// `wangge_domain::work_task::Status` machine name.
    pub status: String,
    /// The roadmap (路线图) as the unit wrote it.
    pub plan: String,
    /// Milestones, one a line: `YYYY-MM-DD<TAB>text`.
    pub milestones: String,
    pub planned_finish: Option<String>,
    pub evidence: String,
    /// Upload ids of the evidence photos, comma-joined (`,17,18,`).
    pub photos: String,
    pub submitted_at: Option<i64>,
    /// The assigner's score in tenths of a point.
    pub score_tenths: Option<i32>,
    pub comment: String,
    pub checked_off_at: Option<i64>,
    pub checked_by: Option<String>,
    pub send_back_count: i32,
    pub updated_at: i64,
    /// Bumped by every step, so two concurrent steps cannot both apply.
    pub version: i32,
}

impl ActiveModelBehavior for ActiveModel {}
