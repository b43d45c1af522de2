//! Events (事件): filing a report on the map, reading one with its trail, and the scoped
//! work lists. The steps of the loop are in [`crate::event_actions`].
//!
//! Who sees an event: staff whose region covers its grid; department roles only the events
//! dispatched to their department (lead or co-department) and the claimable pool.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde::Serialize;
use wangge_domain::audit::{GENESIS, chain_hash, to_hex};
use wangge_domain::case::{self, Actor, State};
use wangge_domain::coords::{self, Crs};
use wangge_domain::date::format_local;
use wangge_domain::region::Level;
use wangge_domain::role::Role;

use crate::audit::AuditEntry;
use crate::entity::{department, event, event_step};
use crate::people::{Page, Paging};
use crate::scope::county_of;
use crate::{Scope, Store, StoreError};

/// An event as filed: the catalog item, what and where.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub category: String,
    pub description: String,
    pub lng: f64,
    pub lat: f64,
    /// `wgs84` (default), `gcj02` or `bd09`.
    pub crs: Option<String>,
    pub address: String,
    /// `normal` (default) or `urgent`.
    pub urgency: Option<String>,
    /// `patrol` (default for staff), `hotline`, `department`, `video`.
    pub source: Option<String>,
}

/// An action the caller may take now, for buttons.
#[derive(Debug, Clone, Serialize)]
pub struct ActionChoice {
    pub action: &'static str,
    pub label: &'static str,
    /// The text the action needs (`reason`, `result`, `note`) and whether it is required.
    pub text_field: &'static str,
    pub text_required: bool,
}

/// One step of the trail.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub seq: i32,
    pub at: i64,
    pub at_text: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub action_label: String,
    pub from_state: String,
    pub to_state: String,
    pub to_state_label: String,
    pub note: String,
    pub department: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub id: i64,
    pub grid_code: String,
    pub category: String,
    pub category_name: String,
    pub description: String,
    pub address: String,
    pub lng: f64,
    pub lat: f64,
    pub urgency: String,
    pub source: String,
    pub state: String,
    pub state_label: &'static str,
    pub reporter_name: String,
    pub department: Option<String>,
    pub department_name: Option<String>,
    pub co_departments: Vec<String>,
    pub level: String,
    pub level_label: &'static str,
    /// `sign` or `handle` while a time limit runs.
    pub phase: Option<String>,
    pub deadline: Option<i64>,
    pub deadline_text: Option<String>,
    pub warning: bool,
    pub overdue: bool,
    pub supervised: bool,
    pub extended: bool,
    pub extension_pending: bool,
    pub rework_count: i32,
    pub return_count: i32,
    pub review_date: Option<String>,
    pub duplicate_of: Option<i64>,
    pub rating: Option<i32>,
    pub created_at: i64,
    pub created_text: String,
    pub closed_at: Option<i64>,
    /// What the caller may do now (detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<ActionChoice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trail: Option<Vec<StepView>>,
    /// Whether the trail's hash chain is unbroken (detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trail_intact: Option<bool>,
}

/// Filters of the event list; all optional.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub state: Option<String>,
    pub category: Option<String>,
    pub department: Option<String>,
    pub region: Option<String>,
    pub overdue: Option<bool>,
}

/// The departments by id, for names and codes.
pub(crate) struct Departments(Vec<department::Model>);

impl Departments {
    pub(crate) async fn load(db: &impl sea_orm::ConnectionTrait) -> Result<Self, StoreError> {
        Ok(Departments(department::Entity::find().all(db).await?))
    }
    pub(crate) fn by_id(&self, id: i64) -> Option<&department::Model> {
        self.0.iter().find(|d| d.id == id)
    }
    pub(crate) fn by_code(&self, code: &str) -> Option<&department::Model> {
        self.0.iter().find(|d| d.code == code.trim())
    }
}

/// The state machine's view of who is acting on this event.
pub(crate) fn actor_of(scope: &Scope, e: &event::Model, depts: &Departments) -> Actor {
    let mut actor = Actor::staff(scope.role);
    if e.reporter_account == Some(scope.account_id) {
        actor = actor.reporter();
    }
    if let Some(own) = scope.department_id.filter(|_| scope.role.is_department()) {
        if e.department_id == Some(own) {
            actor = actor.assigned();
        }
        if let Some(d) = depts.by_id(own)
            && co_codes(&e.co_departments).any(|c| c == d.code)
        {
            actor = actor.co_department();
        }
    }
    actor
}

pub(crate) fn co_codes(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').filter(|c| !c.is_empty())
}

pub(crate) fn flags_of(e: &event::Model) -> case::Flags {
    case::Flags {
        warning: e.warning,
        overdue: e.overdue,
        supervised: e.supervised,
        extended: e.extended,
        extension_pending: e.extension_pending,
        rework_count: u32::try_from(e.rework_count).unwrap_or(0),
        return_count: u32::try_from(e.return_count).unwrap_or(0),
        escalation: Level::parse_str(&e.level).unwrap_or(Level::Grid),
        claimable: e.claimable,
        suspended_from: e.suspended_from.as_deref().and_then(State::parse),
        duplicate_of: e.duplicate_of,
        rated: e.rating.is_some(),
    }
}

/// Writes `next` (the event after a step) and the step at the end of its trail, inside
/// `txn`, only if the event is still at the version `before` was read at: false when
/// someone else changed it first (two departments claiming at once, two sweepers).
pub(crate) async fn write_step(
    txn: &sea_orm::DatabaseTransaction,
    before: &event::Model,
    next: &mut event::Model,
    mut step: event_step::Model,
) -> Result<bool, StoreError> {
    use sea_orm::{ActiveValue, IntoActiveModel};
    step.prev_hash = before.trail_hash.clone();
    step.hash = step_hash(&step.prev_hash, &step);
    next.trail_hash = step.hash.clone();
    next.version = before.version + 1;
    let mut active = next.clone().into_active_model().reset_all();
    active.county = ActiveValue::Unchanged(before.county);
    active.id = ActiveValue::Unchanged(before.id);
    let updated = event::Entity::update_many()
        .set(active)
        .filter(event::Column::County.eq(before.county))
        .filter(event::Column::Id.eq(before.id))
        .filter(event::Column::Version.eq(before.version))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    event_step::ActiveModel::from(step).insert(txn).await?;
    Ok(true)
}

/// The fields a trail step's hash covers, in a fixed order.
pub(crate) fn step_hash(prev: &str, s: &event_step::Model) -> String {
    let prev: [u8; 32] = wangge_domain::audit::hash_from_hex(prev).unwrap_or(GENESIS);
    let fields = [
        s.event_id.to_string(),
        s.seq.to_string(),
        s.at.to_string(),
        s.account_id.map(|a| a.to_string()).unwrap_or_default(),
        s.actor.clone(),
        s.role.clone(),
        s.action.clone(),
        s.from_state.clone(),
        s.to_state.clone(),
        s.note.clone(),
        s.department_id.map(|d| d.to_string()).unwrap_or_default(),
        s.photos.clone(),
    ];
    to_hex(&chain_hash(&prev, &fields.each_ref().map(String::as_str)))
}

fn text(field: &'static str, v: &str, max: usize, required: bool) -> Result<String, StoreError> {
    let v = v.trim();
    if required && v.is_empty() {
        return Err(StoreError::invalid(field, "不能为空"));
    }
    if v.chars().count() > max {
        return Err(StoreError::invalid(field, format!("不能超过{max}个字")));
    }
    Ok(v.to_string())
}

impl Store {
    /// Files an event at a point of the map: the point decides the grid, which must lie in
    /// the caller's scope; the catalog item decides who will handle it.
    pub async fn report_event(
        &self,
        scope: &Scope,
        new: NewEvent,
        client: &str,
    ) -> Result<EventView, StoreError> {
        if !scope.role.can_write() || scope.role.is_department() && scope.role != Role::DeptHead {
            return Err(StoreError::Forbidden("您的角色不能上报事件".into()));
        }
        let db = self.connection();
        let item = self.catalog_item(db, &new.category).await?.ok_or_else(|| {
            StoreError::invalid(
                "category",
                format!("事项编码“{}”不在事项清单中", new.category.trim()),
            )
        })?;
        let description = text("description", &new.description, 2000, true)?;
        let address = text("address", &new.address, 200, false)?;
        let urgency = match new.urgency.as_deref().map(str::trim) {
            None | Some("") | Some("normal") => "normal",
            Some("urgent") => "urgent",
            Some(other) => {
                return Err(StoreError::invalid(
                    "urgency",
                    format!("紧急程度“{other}”应为 normal 或 urgent"),
                ));
            }
        };
        let source = match new.source.as_deref().map(str::trim) {
            None | Some("") => "patrol",
            Some(s @ ("patrol" | "hotline" | "department" | "video" | "citizen")) => s,
            Some(other) => {
                return Err(StoreError::invalid(
                    "source",
                    format!("来源“{other}”应为 patrol、hotline、department、video 之一"),
                ));
            }
        };
        let crs = match new.crs.as_deref().map(str::trim) {
            None | Some("") => Crs::Wgs84,
            Some(c) => Crs::parse(c).ok_or_else(|| {
                StoreError::invalid("crs", format!("坐标系“{c}”应为 wgs84、gcj02 或 bd09"))
            })?,
        };
        if !new.lng.is_finite() || !new.lat.is_finite() || coords::out_of_china(new.lng, new.lat) {
            return Err(StoreError::invalid("lng", "坐标不在中国境内"));
        }
        let (lng, lat) = coords::to_wgs84(crs, new.lng, new.lat);
        let grid = self
            .grid_at(lng, lat)
            .await?
            .filter(|g| scope.covers(g))
            .ok_or_else(|| StoreError::invalid("lng", "该位置不在您管辖范围内的任何网格中"))?;
        let county = county_of(&grid).ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let reporter = self
            .account(scope.account_id)
            .await
            .map_or_else(|_| scope.username.clone(), |a| a.display_name);
        let model = event::Model {
            county,
            id: self.next_id(),
            grid_code: grid,
            category: item.code.clone(),
            category_name: item.name.clone(),
            description,
            address,
            lng,
            lat,
            urgency: urgency.into(),
            source: source.into(),
            state: State::Reported.as_str().into(),
            reporter_account: Some(scope.account_id),
            reporter_name: reporter.clone(),
            tracking_code: None,
            department_id: None,
            co_departments: String::new(),
            level: Level::Grid.as_str().into(),
            claimable: item.claimable,
            phase: None,
            clock_started_at: None,
            allowed_minutes: None,
            warning_at: None,
            deadline: None,
            minutes_left: None,
            warning: false,
            overdue: false,
            supervised: false,
            extended: false,
            extension_pending: false,
            extension_days: None,
            rework_count: 0,
            return_count: 0,
            suspended_from: None,
            review_date: None,
            duplicate_of: None,
            rating: None,
            photos: String::new(),
            created_at: now,
            updated_at: now,
            closed_at: None,
            version: 0,
            trail_hash: String::new(),
        };
        let mut step = event_step::Model {
            county,
            event_id: model.id,
            seq: 1,
            at: now,
            account_id: Some(scope.account_id),
            actor: reporter,
            role: scope.role.as_str().into(),
            action: "report".into(),
            from_state: String::new(),
            to_state: State::Reported.as_str().into(),
            note: model.description.clone(),
            department_id: None,
            photos: String::new(),
            prev_hash: to_hex(&GENESIS),
            hash: String::new(),
        };
        step.hash = step_hash(&step.prev_hash, &step);
        let model = event::Model {
            trail_hash: step.hash.clone(),
            ..model
        };
        let txn = db.begin().await?;
        event::ActiveModel::from(model.clone()).insert(&txn).await?;
        event_step::ActiveModel::from(step).insert(&txn).await?;
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action: "event.report",
                object: &format!("事件{} {}", model.id, model.category_name),
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        self.event(scope, model.id).await
    }

    /// One event within the caller's scope, with its trail and the caller's choices.
    pub async fn event(&self, scope: &Scope, id: i64) -> Result<EventView, StoreError> {
        let e = self.visible_event(self.connection(), scope, id).await?;
        self.event_detail(scope, e).await
    }

    /// The detail of an event already known to be the caller's to see (or just acted on:
    /// a department that returned an event still gets the answer to its step).
    pub(crate) async fn event_detail(
        &self,
        scope: &Scope,
        e: event::Model,
    ) -> Result<EventView, StoreError> {
        let db = self.connection();
        let depts = Departments::load(db).await?;
        let steps = event_step::Entity::find()
            .filter(event_step::Column::County.eq(e.county))
            .filter(event_step::Column::EventId.eq(e.id))
            .order_by_asc(event_step::Column::Seq)
            .all(db)
            .await?;
        let mut prev = to_hex(&GENESIS);
        let mut intact = true;
        for s in &steps {
            intact &= s.prev_hash == prev && step_hash(&prev, s) == s.hash;
            prev = s.hash.clone();
        }
        intact &= prev == e.trail_hash;
        let actor = actor_of(scope, &e, &depts);
        let state = State::parse(&e.state).unwrap_or(State::Reported);
        let actions = case::available(state, &flags_of(&e), &actor)
            .into_iter()
            .map(|a| {
                let (field, required) = a.text_field();
                ActionChoice {
                    action: a.as_str(),
                    label: a.label(),
                    text_field: field,
                    text_required: required,
                }
            })
            .collect();
        let trail = steps
            .into_iter()
            .map(|s| StepView {
                at_text: format_local(s.at),
                action_label: step_label(&s.action).to_string(),
                to_state_label: State::parse(&s.to_state)
                    .map_or("", State::label)
                    .to_string(),
                department: s
                    .department_id
                    .and_then(|d| depts.by_id(d))
                    .map(|d| d.name.clone()),
                seq: s.seq,
                at: s.at,
                actor: s.actor,
                role: Role::parse(&s.role).map_or("", Role::label).to_string(),
                action: s.action,
                from_state: s.from_state,
                to_state: s.to_state,
                note: s.note,
            })
            .collect();
        let mut view = view_of(e, &depts);
        view.actions = Some(actions);
        view.trail = Some(trail);
        view.trail_intact = Some(intact);
        Ok(view)
    }

    /// The event if the caller may see it; otherwise NotFound, like a guessed id.
    pub(crate) async fn visible_event(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        scope: &Scope,
        id: i64,
    ) -> Result<event::Model, StoreError> {
        let e = event::Entity::find()
            .filter(event::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !scope.covers(&e.grid_code) {
            return Err(StoreError::NotFound);
        }
        if scope.role.is_department() {
            let own = scope.department_id.ok_or(StoreError::NotFound)?;
            let code = Departments::load(db)
                .await?
                .by_id(own)
                .map(|d| d.code.clone())
                .unwrap_or_default();
            let pool = e.state == State::Registered.as_str() && e.claimable;
            if e.department_id != Some(own)
                && !co_codes(&e.co_departments).any(|c| c == code)
                && !pool
            {
                return Err(StoreError::NotFound);
            }
        }
        Ok(e)
    }

    /// The scoped event list, newest first; a department sees supervised events on top.
    pub async fn events(
        &self,
        scope: &Scope,
        filter: &EventFilter,
        paging: Paging,
    ) -> Result<Page<EventView>, StoreError> {
        let db = self.connection();
        let depts = Departments::load(db).await?;
        let region = scope.narrow(filter.region.as_deref())?;
        let (lo, hi) = Scope::range_of(&region);
        let mut q = event::Entity::find();
        if !region.is_empty() {
            q = q
                .filter(event::Column::GridCode.gte(lo))
                .filter(event::Column::GridCode.lt(hi));
        }
        if let Some(s) = filter.state.as_deref().filter(|s| !s.is_empty()) {
            let state = State::parse(s)
                .ok_or_else(|| StoreError::invalid("state", format!("状态“{s}”不存在")))?;
            q = q.filter(event::Column::State.eq(state.as_str()));
        }
        if let Some(c) = filter.category.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(event::Column::Category.eq(c));
        }
        if let Some(code) = filter.department.as_deref().filter(|s| !s.is_empty()) {
            let d = depts
                .by_code(code)
                .ok_or_else(|| StoreError::invalid("department", format!("部门“{code}”不存在")))?;
            q = q.filter(event::Column::DepartmentId.eq(d.id));
        }
        if let Some(overdue) = filter.overdue {
            q = q.filter(event::Column::Overdue.eq(overdue));
        }
        if scope.role.is_department() {
            let own = scope.department_id.ok_or(StoreError::NotFound)?;
            let code = depts.by_id(own).map(|d| d.code.clone()).unwrap_or_default();
            q = q.filter(
                Condition::any()
                    .add(event::Column::DepartmentId.eq(own))
                    .add(event::Column::CoDepartments.contains(format!(",{code},")))
                    .add(
                        Condition::all()
                            .add(event::Column::State.eq(State::Registered.as_str()))
                            .add(event::Column::Claimable.eq(true)),
                    ),
            );
            q = q.order_by_desc(event::Column::Supervised);
        }
        let total = q.clone().count(db).await?;
        let items = q
            .order_by_desc(event::Column::Id)
            .paginate(db, paging.per_page)
            .fetch_page(paging.page - 1)
            .await?
            .into_iter()
            .map(|e| view_of(e, &depts))
            .collect();
        Ok(Page {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }
}

/// The label of a trail step: a step of the loop, or the report and the sweeper's flags.
fn step_label(action: &str) -> &'static str {
    match action {
        "report" => "上报",
        "warn" => "预警",
        "overdue" => "超期",
        other => case::Action::parse(other).map_or("", case::Action::label),
    }
}

pub(crate) fn view_of(e: event::Model, depts: &Departments) -> EventView {
    let state = State::parse(&e.state).unwrap_or(State::Reported);
    let level = Level::parse_str(&e.level).unwrap_or(Level::Grid);
    let dept = e.department_id.and_then(|d| depts.by_id(d));
    EventView {
        id: e.id,
        state_label: state.label(),
        level_label: level.label(),
        department: dept.map(|d| d.code.clone()),
        department_name: dept.map(|d| d.name.clone()),
        co_departments: co_codes(&e.co_departments).map(str::to_string).collect(),
        deadline_text: e.deadline.map(format_local),
        created_text: format_local(e.created_at),
        grid_code: e.grid_code,
        category: e.category,
        category_name: e.category_name,
        description: e.description,
        address: e.address,
        lng: e.lng,
        lat: e.lat,
        urgency: e.urgency,
        source: e.source,
        state: e.state,
        reporter_name: e.reporter_name,
        level: e.level,
        phase: e.phase,
        deadline: e.deadline,
        warning: e.warning,
        overdue: e.overdue,
        supervised: e.supervised,
        extended: e.extended,
        extension_pending: e.extension_pending,
        rework_count: e.rework_count,
        return_count: e.return_count,
        review_date: e.review_date,
        duplicate_of: e.duplicate_of,
        rating: e.rating,
        created_at: e.created_at,
        closed_at: e.closed_at,
        actions: None,
        trail: None,
        trail_intact: None,
    }
}
