//! The steps of the closed loop: each request is checked by the state machine
//! (`wangge_domain::case`), its time limit worked out on the working calendar, and the
//! event, its trail and the audit log written in one transaction — only if nobody else
//! changed the event since it was read (two departments claiming at once: one wins).
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use wangge_domain::case::{self, Action, Deadline, Phase, RefusalKind, Request, State};
use wangge_domain::date::Date;
use wangge_domain::region::Level;
use wangge_domain::worktime::WorkCalendar;

use crate::audit::AuditEntry;
use crate::entity::{event, event_step};
use crate::events::{Departments, EventView, actor_of, flags_of, set_transition, write_step};
use crate::notices::NoticeKind;
use crate::uploads::{Uploader, join_ids};
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
    /// Photos of a result or progress note (`POST /uploads` references).
    pub photos: Vec<String>,
    /// The new catalog item (recategorize).
    pub category: Option<String>,
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
        let e = match self.visible_event(db, scope, id).await {
            Err(StoreError::NotFound) if input.action.trim() == Action::Claim.as_str() => {
                return Err(self.claimed_by_another(scope, id).await);
            }
            found => found?,
        };
        let depts = Departments::load(db).await?;
        let actor = actor_of(scope, &e, &depts);
        let name = scope.display_name.clone();
        let department = scope.department_id.filter(|_| scope.role.is_department());
        let who = Who {
            actor,
            account: Some(scope.account_id),
            name,
            role: scope.role.as_str(),
            department,
            audit_account: &scope.username,
            client,
        };
        let next = self.apply_action(e, who, input).await?;
        self.event_detail(scope, next).await
    }

    /// Why a department cannot claim an event it does not see: another department took it
    /// from the pool first (409, as when both are at it at once), or it is not there at all.
    async fn claimed_by_another(&self, scope: &Scope, id: i64) -> StoreError {
        match self.event_by_id(self.connection(), id).await {
            Ok(e) if e.claimable && scope.covers(&e.grid_code) && e.department_id.is_some() => {
                StoreError::Conflict("事件已被其他部门领办".into())
            }
            _ => StoreError::NotFound,
        }
    }

    /// Checks and writes one step by whoever acts (staff, or a citizen rating their report);
    /// answers the event as it is after the step.
    pub(crate) async fn apply_action(
        &self,
        e: event::Model,
        who: Who<'_>,
        input: ActionIn,
    ) -> Result<event::Model, StoreError> {
        let db = self.connection();
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
        let actor = who.actor;
        // Refuse on state and role before looking at the request's fields.
        case::check(state, &flags, &actor, action).map_err(refusal)?;
        // Recategorizing routes by the new item; every other step by the event's own.
        let new_item = match action {
            Action::Recategorize => {
                let code = input.category.as_deref().map(str::trim).unwrap_or("");
                if code.is_empty() {
                    return Err(StoreError::invalid("category", "请选择新的事项类别"));
                }
                let item = self.catalog_item(db, code).await?.ok_or_else(|| {
                    StoreError::invalid("category", format!("事项编码“{code}”不在事项清单中"))
                })?;
                if item.code == e.category {
                    return Err(StoreError::invalid("category", "新类别与原类别相同"));
                }
                Some(item)
            }
            _ => None,
        };
        let item = match &new_item {
            Some(i) => Some(i.clone()),
            None => self.catalog_item(db, &e.category).await?,
        };

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
            Action::Claim => (who.department, Vec::new()),
            // A dispatched event follows its new item to that item's lead department.
            Action::Recategorize if state == State::Dispatched => {
                let item = new_item.as_ref().expect("recategorize has its item");
                let lead = depts.by_code(&item.lead).ok_or_else(|| {
                    StoreError::invalid(
                        "category",
                        format!("新类别的主办部门“{}”不存在，请先交办", item.lead),
                    )
                })?;
                let co = item
                    .co
                    .iter()
                    .filter_map(|c| depts.by_code(c))
                    .map(|d| d.id)
                    .filter(|id| *id != lead.id)
                    .collect();
                (Some(lead.id), co)
            }
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
            let survivor = self.event_by_id(db, target).await;
            if !survivor.is_ok_and(|t| t.county == e.county && t.state != State::Merged.as_str()) {
                return Err(StoreError::invalid(
                    "duplicate_of",
                    "原事件不存在、不在同一辖区或已被合并",
                ));
            }
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
        set_transition(&mut next, &t);
        next.review_date = review_date
            .map(|d| d.to_string())
            .or(if t.state == State::Suspended {
                e.review_date.clone()
            } else {
                None
            });
        match action {
            Action::Recategorize => {
                let item = new_item.as_ref().expect("recategorize has its item");
                next.category = item.code.clone();
                next.category_name = item.name.clone();
                next.claimable = item.claimable;
                if state == State::Dispatched {
                    next.department_id = lead;
                    next.co_departments = co_list(&co, &depts);
                }
            }
            Action::Dispatch | Action::Claim => {
                next.department_id = lead;
                next.co_departments = co_list(&co, &depts);
            }
            Action::Return | Action::Escalate => {
                next.department_id = None;
                next.co_departments = String::new();
            }
            Action::RequestExtension => next.extension_days = input.days,
            Action::ApproveExtension | Action::RejectExtension => next.extension_days = None,
            Action::Rate => {
                next.rating = input.score.map(i32::from);
                next.rating_comment = Some(note.trim().to_string()).filter(|c| !c.is_empty());
                next.low_rating = input.score.is_some_and(|s| s <= LOW_RATING);
            }
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
        crate::tally::note_close(&mut next, &calendar, now);
        next.updated_at = now;

        let seq = event_step::Entity::find()
            .filter(event_step::Column::County.eq(e.county))
            .filter(event_step::Column::EventId.eq(e.id))
            .count(db)
            .await? as i32
            + 1;
        let mut step = event_step::Model {
            county: e.county,
            event_id: e.id,
            seq,
            at: now,
            account_id: who.account,
            actor: who.name.clone(),
            role: who.role.into(),
            action: action.as_str().into(),
            from_state: e.state.clone(),
            to_state: next.state.clone(),
            note: step_note(action, note, &input),
            department_id: lead.or(who.department),
            photos: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
        };

        let txn = crate::connect::begin_write(db).await?;
        if !input.photos.is_empty() {
            if !matches!(action, Action::Handle | Action::Progress | Action::Settle) {
                return Err(StoreError::invalid(
                    "photos",
                    "只有处置、进展和自行处置可以附照片",
                ));
            }
            let uploader = match who.account {
                Some(a) => Uploader::Staff(a),
                None => Uploader::Citizen,
            };
            let ids = self
                .attach_uploads(&txn, uploader, &input.photos, e.id)
                .await?;
            step.photos = join_ids(&ids);
        }
        // Applies only to the version read above: a concurrent step makes this one lose.
        if !write_step(&txn, &e, &mut next, step).await? {
            return Err(StoreError::Conflict(
                "事件刚被他人处理（例如已被其他部门领办），请刷新后再试".into(),
            ));
        }
        if let Some((kind, text)) = notice_of(action, &next, &depts, note) {
            self.notify(&txn, &next, kind, text).await?;
        }
        self.audit_in(
            &txn,
            AuditEntry {
                account: who.audit_account,
                action: &format!("event.{}", action.as_str()),
                object: &format!("事件{} {}→{}", e.id, e.state, next.state),
                outcome: "ok",
                client: who.client,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(next)
    }
}

/// Who takes a step: the state machine's view of them, and what the trail records.
pub(crate) struct Who<'a> {
    pub actor: case::Actor,
    pub account: Option<i64>,
    pub name: String,
    /// Role's machine name; empty for a citizen.
    pub role: &'a str,
    /// The actor's department, for department roles.
    pub department: Option<i64>,
    pub audit_account: &'a str,
    pub client: &'a str,
}

/// A rating this low or lower flags the event for the command center (差评回访).
pub(crate) const LOW_RATING: u8 = 2;

/// The notice a step sends, if any.
fn notice_of(
    action: Action,
    e: &event::Model,
    depts: &Departments,
    note: &str,
) -> Option<(NoticeKind, String)> {
    let dept = || {
        e.department_id
            .and_then(|d| depts.by_id(d))
            .map_or(String::new(), |d| d.name.clone())
    };
    let what = format!("事件{}（{}）", e.id, e.category_name);
    match action {
        Action::Dispatch | Action::Recategorize if e.department_id.is_some() => Some((
            NoticeKind::Dispatched,
            format!("{what}已交办{}，请及时签收", dept()),
        )),
        Action::Supervise => Some((
            NoticeKind::Supervised,
            format!("{what}被督办：{}", note.trim()),
        )),
        Action::Escalate => Some((
            NoticeKind::Escalated,
            format!(
                "{what}已上报至{}：{}",
                Level::parse_str(&e.level).map_or("", Level::label),
                note.trim()
            ),
        )),
        Action::Rate if e.low_rating => Some((
            NoticeKind::LowRating,
            format!("{what}评价为{}分，请回访", e.rating.unwrap_or_default()),
        )),
        _ => None,
    }
}

/// Co-departments' codes between commas (`,D03,D05,`), as the event stores them.
fn co_list(ids: &[i64], depts: &Departments) -> String {
    let mut list: String = ids
        .iter()
        .filter_map(|id| depts.by_id(*id))
        .map(|d| format!("{},", d.code))
        .collect();
    if !list.is_empty() {
        list.insert(0, ',');
    }
    list
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
        Action::Recategorize => parts.push(format!(
            "类别改为{}",
            input.category.as_deref().unwrap_or("").trim()
        )),
        _ => {}
    }
    parts.retain(|p| !p.is_empty());
    parts.join("；")
}

/// Starts, extends, pauses, resumes or clears the event's time limit as the step says.
pub(crate) fn apply_deadline(
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
