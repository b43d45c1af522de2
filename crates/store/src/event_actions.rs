//! The steps of the closed loop: each request is checked by the state machine
//! (`wangge_domain::case`), its time limit worked out on the working calendar, and the
//! event, its trail and the audit log written in one transaction — only if nobody else
//! changed the event since it was read (two departments claiming at once: one wins).
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use wangge_domain::case::{self, Action, Deadline, Phase, RefusalKind, Request, State};
use wangge_domain::date::Date;
use wangge_domain::worktime::WorkCalendar;

use crate::audit::AuditEntry;
use crate::entity::{event, event_step};
use crate::events::{Departments, EventView, actor_of, flags_of, write_step};
use crate::{Scope, Store, StoreError};

/// A step as asked for: `{"action": "dispatch", "department": "D01", ...}`.
#[derive(Debug, Clone, Default)]
pub struct ActionIn {
    pub action: String,
    /// The reason, result or note the action needs.
    pub note: Option<String>,
    /// Lead department's code (dispatch; defaults to the catalog's lead).
    pub department: Option<String>,
    pub co_departments: Option<Vec<String>>,
    /// `YYYY-MM-DD` (suspend).
    pub review_date: Option<String>,
    pub duplicate_of: Option<i64>,
    /// Satisfaction 1–5 (rate).
    pub score: Option<u8>,
    /// Working days asked for (request_extension).
    pub days: Option<i32>,
}

/// Share of a time limit after which the warning is raised.
const WARNING_PERMILLE: i64 = 800;

fn refusal(r: case::Refusal) -> StoreError {
    match r.kind {
        RefusalKind::Conflict => StoreError::Conflict(r.message),
        RefusalKind::Forbidden => StoreError::Forbidden(r.message),
        RefusalKind::Missing { field } | RefusalKind::Invalid { field } => {
            StoreError::invalid(field, r.message)
        }
    }
}

impl Store {
    /// Takes one step of the loop on an event the caller can see, and answers the event as
    /// it is after the step.
    pub async fn act_on_event(
        &self,
        scope: &Scope,
        id: i64,
        input: ActionIn,
        client: &str,
    ) -> Result<EventView, StoreError> {
        let db = self.connection();
        let e = self.visible_event(db, scope, id).await?;
        let action = Action::parse(input.action.trim()).ok_or_else(|| {
            StoreError::invalid(
                "action",
                format!(
                    "动作“{}”不存在，可用：{}",
                    input.action,
                    Action::ALL.map(Action::as_str).join("、")
                ),
            )
        })?;
        let depts = Departments::load(db).await?;
        let state = State::parse(&e.state).unwrap_or(State::Reported);
        let flags = flags_of(&e);
        let actor = actor_of(scope, &e, &depts);
        // Refuse on state and role before looking at the request's fields.
        case::check(state, &flags, &actor, action).map_err(refusal)?;
        let item = self.catalog_item(db, &e.category).await?;

        let (lead, co) = match action {
            Action::Dispatch => {
                let lead_code = input
                    .department
                    .clone()
                    .filter(|d| !d.trim().is_empty())
                    .or_else(|| item.as_ref().map(|i| i.lead.clone()))
                    .ok_or_else(|| StoreError::invalid("department", "请选择主办部门"))?;
                let lead = depts.by_code(&lead_code).ok_or_else(|| {
                    StoreError::invalid("department", format!("部门“{lead_code}”不存在"))
                })?;
                let co_codes: Vec<String> = match &input.co_departments {
                    Some(list) => list.clone(),
                    None => item.as_ref().map(|i| i.co.clone()).unwrap_or_default(),
                };
                let mut co = Vec::new();
                for code in co_codes.iter().filter(|c| !c.trim().is_empty()) {
                    match depts.by_code(code) {
                        Some(d) if d.id != lead.id && !co.contains(&d.id) => co.push(d.id),
                        Some(_) => {}
                        // The default catalog names departments a small district may lack.
                        None if input.co_departments.is_none() => {}
                        None => {
                            return Err(StoreError::invalid(
                                "co_departments",
                                format!("协办部门“{code}”不存在"),
                            ));
                        }
                    }
                }
                (Some(lead.id), co)
            }
            Action::Claim => (scope.department_id, Vec::new()),
            _ => (None, Vec::new()),
        };
        let review_date = match input.review_date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => {
                let date = Date::parse(d).ok_or_else(|| {
                    StoreError::invalid("review_date", format!("复查日期“{d}”应为 YYYY-MM-DD"))
                })?;
                if date <= wangge_domain::date::local_date(self.now_ms()) {
                    return Err(StoreError::invalid("review_date", "复查日期应晚于今天"));
                }
                Some(date)
            }
        };
        if action == Action::RequestExtension && !matches!(input.days, Some(1..=30)) {
            return Err(StoreError::invalid(
                "days",
                "申请延期的天数应为1到30个工作日",
            ));
        }
        if action == Action::Merge {
            let target = input
                .duplicate_of
                .ok_or_else(|| StoreError::invalid("duplicate_of", "请填写重复的原事件编号"))?;
            if target == e.id {
                return Err(StoreError::invalid("duplicate_of", "不能合并到事件自身"));
            }
            self.visible_event(db, scope, target)
                .await
                .map_err(|_| StoreError::invalid("duplicate_of", "原事件不存在或不在您的范围内"))?;
        }
        let note = input.note.as_deref().unwrap_or("");
        let mut request = Request::new(action).note(note);
        if let Some(lead) = lead {
            request = request.department(lead, &co);
        }
        if let Some(d) = review_date {
            request = request.review_date(d);
        }
        if let Some(t) = input.duplicate_of {
            request = request.duplicate_of(t);
        }
        if let Some(s) = input.score {
            request = request.score(s);
        }
        let t = case::step(state, &flags, &actor, &request).map_err(refusal)?;

        let now = self.now_ms();
        let calendar = self.work_calendar().await?;
        let mut next = e.clone();
        next.state = t.state.as_str().into();
        next.warning = t.flags.warning;
        next.overdue = t.flags.overdue;
        next.supervised = t.flags.supervised;
        next.extended = t.flags.extended;
        next.extension_pending = t.flags.extension_pending;
        next.rework_count = t.flags.rework_count as i32;
        next.return_count = t.flags.return_count as i32;
        next.level = t.flags.escalation.as_str().into();
        next.suspended_from = t.flags.suspended_from.map(|s| s.as_str().to_string());
        next.duplicate_of = t.flags.duplicate_of;
        next.review_date = review_date
            .map(|d| d.to_string())
            .or(if t.state == State::Suspended {
                e.review_date.clone()
            } else {
                None
            });
        match action {
            Action::Dispatch | Action::Claim => {
                next.department_id = lead;
                next.co_departments = co
                    .iter()
                    .filter_map(|id| depts.by_id(*id))
                    .map(|d| format!("{},", d.code))
                    .collect::<String>();
                if !next.co_departments.is_empty() {
                    next.co_departments.insert(0, ',');
                }
            }
            Action::Return | Action::Escalate => {
                next.department_id = None;
                next.co_departments = String::new();
            }
            Action::RequestExtension => next.extension_days = input.days,
            Action::ApproveExtension | Action::RejectExtension => next.extension_days = None,
            Action::Rate => next.rating = input.score.map(i32::from),
            _ => {}
        }
        let urgent = e.urgency == "urgent";
        apply_deadline(
            &mut next,
            t.deadline,
            &calendar,
            item.as_ref(),
            urgent,
            now,
            e.extension_days,
        );
        if t.state.is_closed() && e.closed_at.is_none() {
            next.closed_at = Some(now);
        }
        next.updated_at = now;

        let actor_name = self
            .account(scope.account_id)
            .await
            .map_or_else(|_| scope.username.clone(), |a| a.display_name);
        let seq = event_step::Entity::find()
            .filter(event_step::Column::County.eq(e.county))
            .filter(event_step::Column::EventId.eq(e.id))
            .count(db)
            .await? as i32
            + 1;
        let step = event_step::Model {
            county: e.county,
            event_id: e.id,
            seq,
            at: now,
            account_id: Some(scope.account_id),
            actor: actor_name,
            role: scope.role.as_str().into(),
            action: action.as_str().into(),
            from_state: e.state.clone(),
            to_state: next.state.clone(),
            note: step_note(action, note, &input),
            department_id: lead.or(scope.department_id.filter(|_| scope.role.is_department())),
            photos: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
        };

        let txn = db.begin().await?;
        // Applies only to the version read above: a concurrent step makes this one lose.
        if !write_step(&txn, &e, &mut next, step).await? {
            return Err(StoreError::Conflict(
                "事件刚被他人处理（例如已被其他部门领办），请刷新后再试".into(),
            ));
        }
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action: &format!("event.{}", action.as_str()),
                object: &format!("事件{} {}→{}", e.id, e.state, next.state),
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        self.event_detail(scope, next).await
    }
}

/// What the trail says of a step: the text given, with the details that are not in it.
fn step_note(action: Action, note: &str, input: &ActionIn) -> String {
    let mut parts = vec![note.trim().to_string()];
    match action {
        Action::RequestExtension => {
            parts.push(format!("申请延期{}个工作日", input.days.unwrap_or(0)))
        }
        Action::Rate => parts.push(format!("满意度{}分", input.score.unwrap_or(0))),
        Action::Suspend => parts.push(format!(
            "复查日期{}",
            input.review_date.as_deref().unwrap_or("")
        )),
        Action::Merge => parts.push(format!("与事件{}重复", input.duplicate_of.unwrap_or(0))),
        _ => {}
    }
    parts.retain(|p| !p.is_empty());
    parts.join("；")
}

/// Starts, extends, pauses, resumes or clears the event's time limit as the step says.
fn apply_deadline(
    e: &mut event::Model,
    deadline: Deadline,
    calendar: &WorkCalendar,
    item: Option<&wangge_domain::catalog::CatalogItem>,
    urgent: bool,
    now: i64,
    extension_days: Option<i32>,
) {
    let per_day = calendar.working_minutes_per_day();
    let clear = |e: &mut event::Model| {
        e.phase = None;
        e.clock_started_at = None;
        e.allowed_minutes = None;
        e.warning_at = None;
        e.deadline = None;
        e.minutes_left = None;
    };
    match deadline {
        Deadline::Keep => {}
        Deadline::Clear => clear(e),
        Deadline::Start(phase) => {
            let limits = item.map(|i| i.effective_limits());
            let mut minutes = match phase {
                Phase::Sign => limits.map_or(120, |l| i64::from(l.sign_minutes)),
                Phase::Handle => limits.map_or(5, |l| i64::from(l.handle_days)) * per_day,
            };
            // An urgent report halves the catalog's limit again.
            if urgent {
                minutes = (minutes / 2).max(30);
            }
            e.phase = Some(
                match phase {
                    Phase::Sign => "sign",
                    Phase::Handle => "handle",
                }
                .into(),
            );
            e.clock_started_at = Some(now);
            e.allowed_minutes = Some(minutes);
            e.minutes_left = None;
            set_limit(e, calendar, now, minutes, 0);
        }
        Deadline::Extend => {
            let extra = i64::from(extension_days.unwrap_or(0)) * per_day;
            if let (Some(deadline), Some(allowed), Some(start)) =
                (e.deadline, e.allowed_minutes, e.clock_started_at)
            {
                let allowed = allowed + extra;
                e.allowed_minutes = Some(allowed);
                e.deadline = Some(calendar.add_working_minutes(deadline, extra));
                e.warning_at =
                    Some(calendar.add_working_minutes(start, allowed * WARNING_PERMILLE / 1000));
            }
        }
        Deadline::Pause => {
            if let Some(deadline) = e.deadline {
                e.minutes_left = Some(calendar.working_minutes_between(now, deadline));
                e.deadline = None;
                e.warning_at = None;
            }
        }
        Deadline::Resume => {
            if let (Some(left), Some(allowed)) = (e.minutes_left, e.allowed_minutes) {
                set_limit(e, calendar, now, left, allowed - left);
                e.minutes_left = None;
            }
        }
    }
}

/// Sets the deadline `left` working minutes from now, with the warning where 80 % of the
/// whole limit (of which `used` is gone) will have been used.
fn set_limit(e: &mut event::Model, calendar: &WorkCalendar, now: i64, left: i64, used: i64) {
    let allowed = left + used;
    let warn_after = (allowed * WARNING_PERMILLE / 1000 - used).max(0);
    e.deadline = Some(calendar.add_working_minutes(now, left));
    e.warning_at = Some(calendar.add_working_minutes(now, warn_after));
}
