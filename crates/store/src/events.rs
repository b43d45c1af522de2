//! Events (事件): filing a report on the map, reading one with its trail, and the scoped
//! work lists. The steps of the loop are in [`crate::event_actions`].
//!
//! Who sees an event: staff whose region covers its grid; department roles only the events
//! dispatched to their department (lead or co-department) and the claimable pool.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use wangge_domain::audit::{GENESIS, chain_hash, to_hex};
use wangge_domain::case::{self, Actor, State};
use wangge_domain::coords::{self, Crs};
use wangge_domain::date::format_local;
use wangge_domain::region::Level;
use wangge_domain::role::Role;

use crate::entity::{department, event, event_step};
use crate::group_commit::Filing;
use crate::people::{Page, Paging};
use crate::scope::county_of;
use crate::uploads::{Uploader, join_ids, parse_photo_ref};
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
    /// Photos from `POST /uploads`, by the reference the upload answered.
    pub photos: Vec<String>,
    /// When the report was recorded on the phone (it may have waited for the network).
    pub recorded_at_ms: Option<i64>,
    /// How sure the phone was of the position, in metres.
    pub accuracy_m: Option<f64>,
}

/// A report whose fields have been checked, with the grid its point falls in.
pub(crate) struct CheckedEvent {
    pub item: wangge_domain::catalog::CatalogItem,
    pub description: String,
    pub address: String,
    pub urgency: &'static str,
    pub lng: f64,
    pub lat: f64,
    pub grid: String,
}

impl CheckedEvent {
    /// The event as filed, before its first trail step.
    pub(crate) fn into_row(
        self,
        county: i32,
        id: i64,
        at: i64,
        source: &str,
        reporter_account: Option<i64>,
        reporter_name: String,
    ) -> event::Model {
        event::Model {
            county,
            id,
            grid_code: self.grid,
            category: self.item.code.clone(),
            category_name: self.item.name.clone(),
            description: self.description,
            address: self.address,
            lng: self.lng,
            lat: self.lat,
            urgency: self.urgency.into(),
            source: source.into(),
            state: State::Reported.as_str().into(),
            reporter_account,
            reporter_name,
            tracking_code: None,
            department_id: None,
            co_departments: String::new(),
            level: Level::Grid.as_str().into(),
            claimable: self.item.claimable,
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
            rating_comment: None,
            low_rating: false,
            reporter_phone_cipher: None,
            reporter_phone_index: None,
            reporter_phone_masked: None,
            photos: String::new(),
            created_at: at,
            updated_at: at,
            closed_at: None,
            version: 0,
            trail_hash: String::new(),
            verified_at: None,
            dispatched_at: None,
            signed_at: None,
            handled_at: None,
            returned: false,
            check_failed: false,
            sign_late: false,
            handle_late: false,
            ever_late: false,
            handling_minutes: None,
        }
    }
}

/// Who files a report: a member of staff or a citizen.
pub(crate) struct Filer<'a> {
    pub account: Option<i64>,
    pub name: String,
    /// Role's machine name; empty for a citizen.
    pub role: &'a str,
    pub source: &'static str,
    pub uploader: Uploader,
    pub audit_account: &'a str,
    pub client: &'a str,
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
    /// Upload ids of the step's photos (a result, a progress note).
    pub photos: Vec<i64>,
}

/// Another open event of the same kind close by: maybe the same problem (可能重复).
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateHint {
    pub id: i64,
    pub distance_m: f64,
    pub description: String,
    pub state_label: &'static str,
    pub created_text: String,
}

/// How close and how recent another open event of the same item must be to be shown as a
/// possible duplicate.
pub const DUPLICATE_RADIUS_M: f64 = 50.0;
pub const DUPLICATE_DAYS: i64 = 7;

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
    pub rating_comment: Option<String>,
    /// Rated 1 or 2: the command center should call back.
    pub low_rating: bool,
    /// A citizen reporter's phone, masked.
    pub reporter_phone: Option<String>,
    /// Upload ids of the report's photos.
    pub photos: Vec<i64>,
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
    /// Open events of the same item within 50 m from the last 7 days (detail only, for
    /// whoever may merge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicates: Option<Vec<DuplicateHint>>,
}

/// Filters of the event list; all optional.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub state: Option<String>,
    pub category: Option<String>,
    pub department: Option<String>,
    pub region: Option<String>,
    pub overdue: Option<bool>,
    /// A work queue of the role's screen (see [`Queue`]).
    pub queue: Option<String>,
}

/// The work queues of the screens: each role's lists of what waits for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Reported, waiting for verification (command center inbox).
    Inbox,
    /// Registered, waiting to be dispatched.
    ToDispatch,
    /// Dispatched, not signed for yet.
    ToSign,
    Handling,
    /// Handled, waiting for the check.
    ToCheck,
    Overdue,
    Supervised,
    /// Escalated above the grid level.
    Escalated,
    /// Claimable and not yet dispatched (群众点单、部门领办).
    Pool,
    /// Everything not finished.
    Open,
    /// Reported by the caller.
    Mine,
    /// Rated 1 or 2.
    LowRating,
}

impl Queue {
    pub const ALL: [Queue; 12] = [
        Queue::Inbox,
        Queue::ToDispatch,
        Queue::ToSign,
        Queue::Handling,
        Queue::ToCheck,
        Queue::Overdue,
        Queue::Supervised,
        Queue::Escalated,
        Queue::Pool,
        Queue::Open,
        Queue::Mine,
        Queue::LowRating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Inbox => "inbox",
            Queue::ToDispatch => "to_dispatch",
            Queue::ToSign => "to_sign",
            Queue::Handling => "handling",
            Queue::ToCheck => "to_check",
            Queue::Overdue => "overdue",
            Queue::Supervised => "supervised",
            Queue::Escalated => "escalated",
            Queue::Pool => "pool",
            Queue::Open => "open",
            Queue::Mine => "mine",
            Queue::LowRating => "low_rating",
        }
    }

    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Queue::Inbox => "待受理",
            Queue::ToDispatch => "待派遣",
            Queue::ToSign => "待签收",
            Queue::Handling => "处置中",
            Queue::ToCheck => "待核查",
            Queue::Overdue => "超期",
            Queue::Supervised => "督办",
            Queue::Escalated => "上级事件",
            Queue::Pool => "领办池",
            Queue::Open => "未办结",
            Queue::Mine => "我上报的",
            Queue::LowRating => "差评",
        }
    }

    /// The queues a role's screen shows, in tab order.
    pub fn for_role(role: Role) -> &'static [Queue] {
        match role {
            Role::GridWorker => &[Queue::Open, Queue::Mine, Queue::ToCheck, Queue::Overdue],
            Role::DeptHandler | Role::DeptHead => &[
                Queue::ToSign,
                Queue::Handling,
                Queue::Overdue,
                Queue::Supervised,
                Queue::Pool,
            ],
            _ => &[
                Queue::Inbox,
                Queue::ToDispatch,
                Queue::ToCheck,
                Queue::Overdue,
                Queue::Supervised,
                Queue::Escalated,
                Queue::LowRating,
                Queue::Open,
            ],
        }
    }

    fn condition(self, scope: &Scope) -> Condition {
        let state = |s: State| Condition::all().add(event::Column::State.eq(s.as_str()));
        let open: Vec<&str> = State::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(State::as_str)
            .collect();
        match self {
            Queue::Inbox => state(State::Reported),
            Queue::ToDispatch => state(State::Registered),
            Queue::ToSign => state(State::Dispatched),
            Queue::Handling => state(State::Handling),
            Queue::ToCheck => state(State::Handled),
            Queue::Overdue => Condition::all()
                .add(event::Column::Overdue.eq(true))
                .add(event::Column::State.is_in(open)),
            Queue::Supervised => Condition::all()
                .add(event::Column::Supervised.eq(true))
                .add(event::Column::State.is_in(open)),
            Queue::Escalated => Condition::all()
                .add(event::Column::Level.ne(Level::Grid.as_str()))
                .add(event::Column::State.is_in(open)),
            Queue::Pool => state(State::Registered).add(event::Column::Claimable.eq(true)),
            Queue::Open => Condition::all().add(event::Column::State.is_in(open)),
            Queue::Mine => {
                Condition::all().add(event::Column::ReporterAccount.eq(scope.account_id))
            }
            Queue::LowRating => Condition::all().add(event::Column::LowRating.eq(true)),
        }
    }
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

/// Writes a step's new state and flags onto the event row (the inverse of [`flags_of`]).
pub(crate) fn set_transition(e: &mut event::Model, t: &case::Transition) {
    e.state = t.state.as_str().into();
    e.warning = t.flags.warning;
    e.overdue = t.flags.overdue;
    e.supervised = t.flags.supervised;
    e.extended = t.flags.extended;
    e.extension_pending = t.flags.extension_pending;
    e.rework_count = t.flags.rework_count as i32;
    e.return_count = t.flags.return_count as i32;
    e.level = t.flags.escalation.as_str().into();
    e.suspended_from = t.flags.suspended_from.map(|s| s.as_str().to_string());
    e.duplicate_of = t.flags.duplicate_of;
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
    crate::tally::note_step(next, &step);
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
    crate::tally::add(txn, crate::tally::step_delta(before, next)).await?;
    Ok(true)
}

/// Where an event's trail (its steps in order) stops verifying, if it does: the step
/// whose link or hash is wrong, or `None` with a reason when the last hash is not the
/// event's own (a step deleted from the end).
pub(crate) fn trail_break(
    steps: &[event_step::Model],
    trail_hash: &str,
) -> Option<(Option<i32>, &'static str)> {
    let mut prev = to_hex(&GENESIS);
    for (i, s) in steps.iter().enumerate() {
        if s.seq != i as i32 + 1 || s.prev_hash != prev {
            return Some((
                Some(s.seq),
                "与上一步的哈希不衔接（步骤被删除、插入或改动）",
            ));
        }
        if step_hash(&prev, s) != s.hash {
            return Some((Some(s.seq), "步骤内容与其哈希不符（被改动）"));
        }
        prev = s.hash.clone();
    }
    (prev != trail_hash).then_some((None, "最后一步与事件记录的哈希不符（末尾步骤被删除）"))
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
        let source = match new.source.as_deref().map(str::trim) {
            None | Some("") | Some("patrol") => "patrol",
            Some("hotline") => "hotline",
            Some("department") => "department",
            Some("video") => "video",
            Some(other) => {
                return Err(StoreError::invalid(
                    "source",
                    format!("来源“{other}”应为 patrol、hotline、department、video 之一"),
                ));
            }
        };
        let checked = self.check_new_event(&new).await?;
        if !scope.covers(&checked.grid) {
            return Err(StoreError::invalid(
                "lng",
                "该位置不在您管辖范围内的任何网格中",
            ));
        }
        let reporter = scope.display_name.clone();
        let filed = self
            .file_event(
                checked,
                Filer {
                    account: Some(scope.account_id),
                    name: reporter,
                    role: scope.role.as_str(),
                    source,
                    uploader: Uploader::Staff(scope.account_id),
                    audit_account: &scope.username,
                    client,
                },
                &new.photos,
                |_| {},
            )
            .await?;
        // Answered from the rows just written: a new event has no department yet.
        let (model, step) = filed;
        self.detail_view(scope, model, vec![step], &Departments(Vec::new()))
            .await
    }

    /// Checks what a report says, whoever files it: the catalog item, the texts, the point
    /// (converted to WGS84) and the grid it falls in.
    pub(crate) async fn check_new_event(&self, new: &NewEvent) -> Result<CheckedEvent, StoreError> {
        let item = self
            .catalog_item(self.connection(), &new.category)
            .await?
            .ok_or_else(|| {
                StoreError::invalid(
                    "category",
                    format!("事项编码“{}”不在事项清单中", new.category.trim()),
                )
            })?;
        let mut description = text("description", &new.description, 2000, true)?;
        let notes =
            wangge_domain::field_report::notes(new.recorded_at_ms, new.accuracy_m, self.now_ms())
                .map_err(|r| StoreError::invalid(r.field, r.reason))?;
        if !notes.is_empty() {
            description = format!("{description}（{}）", notes.join("；"));
        }
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
            .ok_or_else(|| StoreError::invalid("lng", "该位置不在任何网格内"))?;
        Ok(CheckedEvent {
            item,
            description,
            address,
            urgency,
            lng,
            lat,
            grid,
        })
    }

    /// Writes a checked report: the event, the first step of its trail, its photos and the
    /// audit row, in one transaction. `finish` sets what only one kind of filer has (a
    /// citizen's phone and tracking code) before the trail is hashed.
    pub(crate) async fn file_event(
        &self,
        c: CheckedEvent,
        filer: Filer<'_>,
        photos: &[String],
        finish: impl FnOnce(&mut event::Model),
    ) -> Result<(event::Model, event_step::Model), StoreError> {
        let county = county_of(&c.grid).ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut model = c.into_row(
            county,
            self.next_id(),
            now,
            filer.source,
            filer.account,
            filer.name.clone(),
        );
        finish(&mut model);
        let photo_ids = photos
            .iter()
            .map(|r| parse_photo_ref(r).map(|(id, _)| id))
            .collect::<Result<Vec<_>, _>>()?;
        model.photos = join_ids(&photo_ids);
        let mut step = event_step::Model {
            county,
            event_id: model.id,
            seq: 1,
            at: now,
            account_id: filer.account,
            actor: filer.name,
            role: filer.role.into(),
            action: "report".into(),
            from_state: String::new(),
            to_state: State::Reported.as_str().into(),
            note: model.description.clone(),
            department_id: None,
            photos: model.photos.clone(),
            prev_hash: to_hex(&GENESIS),
            hash: String::new(),
        };
        step.hash = step_hash(&step.prev_hash, &step);
        model.trail_hash = step.hash.clone();
        // The rows are written by the group committer: many reports, one fsync.
        self.group_writer()
            .write(Filing {
                event: model.clone(),
                step: step.clone(),
                photos: photos.to_vec(),
                uploader: filer.uploader,
                audit_account: filer.audit_account.to_string(),
                client: filer.client.to_string(),
            })
            .await?;
        Ok((model, step))
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
        self.detail_view(scope, e, steps, &depts).await
    }

    /// The detail of an event from its rows.
    async fn detail_view(
        &self,
        scope: &Scope,
        e: event::Model,
        steps: Vec<event_step::Model>,
        depts: &Departments,
    ) -> Result<EventView, StoreError> {
        let intact = trail_break(&steps, &e.trail_hash).is_none();
        let actor = actor_of(scope, &e, depts);
        let state = State::parse(&e.state).unwrap_or(State::Reported);
        let actions: Vec<ActionChoice> = case::available(state, &flags_of(&e), &actor)
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
                photos: crate::uploads::photo_ids(&s.photos),
            })
            .collect();
        let may_merge = actions.iter().any(|a: &ActionChoice| a.action == "merge");
        let duplicates = if may_merge {
            Some(self.possible_duplicates(scope, &e).await?)
        } else {
            None
        };
        let mut view = view_of(e, depts);
        view.duplicates = duplicates;
        view.actions = Some(actions);
        view.trail = Some(trail);
        view.trail_intact = Some(intact);
        Ok(view)
    }

    /// Open events of the same item close to `e` and reported in the last days.
    pub(crate) async fn possible_duplicates(
        &self,
        scope: &Scope,
        e: &event::Model,
    ) -> Result<Vec<DuplicateHint>, StoreError> {
        // A box a little larger than the circle, then the exact distance.
        let dlat = DUPLICATE_RADIUS_M / 111_000.0 * 1.1;
        let dlng = dlat / e.lat.to_radians().cos().max(0.1);
        let since = self.now_ms() - DUPLICATE_DAYS * 86_400_000;
        let closed: Vec<&str> = State::ALL
            .into_iter()
            .filter(|s| s.is_closed())
            .map(State::as_str)
            .collect();
        let near = event::Entity::find()
            .filter(event::Column::Category.eq(e.category.as_str()))
            .filter(event::Column::CreatedAt.gte(since))
            .filter(event::Column::Id.ne(e.id))
            .filter(event::Column::State.is_not_in(closed))
            .filter(event::Column::Lat.between(e.lat - dlat, e.lat + dlat))
            .filter(event::Column::Lng.between(e.lng - dlng, e.lng + dlng))
            .order_by_asc(event::Column::CreatedAt)
            .all(self.connection())
            .await?;
        Ok(near
            .into_iter()
            .filter(|o| scope.covers(&o.grid_code))
            .filter_map(|o| {
                let d = coords::distance_m((e.lng, e.lat), (o.lng, o.lat));
                (d <= DUPLICATE_RADIUS_M).then(|| DuplicateHint {
                    id: o.id,
                    distance_m: (d * 10.0).round() / 10.0,
                    description: o.description,
                    state_label: State::parse(&o.state).map_or("", State::label),
                    created_text: format_local(o.created_at),
                })
            })
            .collect())
    }

    /// An event by id, whoever asks (callers check scope themselves).
    pub(crate) async fn event_by_id(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        id: i64,
    ) -> Result<event::Model, StoreError> {
        event::Entity::find()
            .filter(event::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The event if the caller may see it; otherwise NotFound, like a guessed id.
    pub(crate) async fn visible_event(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        scope: &Scope,
        id: i64,
    ) -> Result<event::Model, StoreError> {
        let e = self.event_by_id(db, id).await?;
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

    /// Ids of the events the caller can see that changed after `since` (UTC ms), newest
    /// first, at most 100: what live screens refresh.
    pub async fn changed_events(&self, scope: &Scope, since: i64) -> Result<Vec<i64>, StoreError> {
        use sea_orm::QuerySelect;
        let db = self.connection();
        let depts = Departments::load(db).await?;
        let mut q = event::Entity::find()
            .select_only()
            .column(event::Column::Id)
            .filter(event::Column::UpdatedAt.gt(since));
        if !scope.region.is_empty() {
            let (lo, hi) = Scope::range_of(&scope.region);
            q = q
                .filter(event::Column::GridCode.gte(lo))
                .filter(event::Column::GridCode.lt(hi));
        }
        if let Some(own) = department_condition(scope, &depts)? {
            q = q.filter(own);
        }
        Ok(q.order_by_desc(event::Column::UpdatedAt)
            .limit(100)
            .into_tuple::<i64>()
            .all(db)
            .await?)
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
        if let Some(name) = filter.queue.as_deref().filter(|s| !s.is_empty()) {
            let queue = Queue::parse(name).ok_or_else(|| {
                StoreError::invalid(
                    "queue",
                    format!(
                        "队列“{name}”不存在，可用：{}",
                        Queue::ALL.map(Queue::as_str).join("、")
                    ),
                )
            })?;
            q = q.filter(queue.condition(scope));
        }
        if let Some(own) = department_condition(scope, &depts)? {
            q = q.filter(own).order_by_desc(event::Column::Supervised);
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

/// What a department role may see of the events: its own (lead or co-department) and the
/// claimable pool; `None` for the other roles, whom the region confines.
fn department_condition(
    scope: &Scope,
    depts: &Departments,
) -> Result<Option<Condition>, StoreError> {
    if !scope.role.is_department() {
        return Ok(None);
    }
    let own = scope.department_id.ok_or(StoreError::NotFound)?;
    let code = depts.by_id(own).map(|d| d.code.clone()).unwrap_or_default();
    Ok(Some(
        Condition::any()
            .add(event::Column::DepartmentId.eq(own))
            .add(event::Column::CoDepartments.contains(format!(",{code},")))
            .add(
                Condition::all()
                    .add(event::Column::State.eq(State::Registered.as_str()))
                    .add(event::Column::Claimable.eq(true)),
            ),
    ))
}

/// The label of a trail step: a step of the loop, or the report and the sweeper's flags.
pub(crate) fn step_label(action: &str) -> &'static str {
    match action {
        "report" => "上报",
        "warn" => "预警",
        "overdue" => "超期",
        "recategorize" => "更改类别",
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
        rating_comment: e.rating_comment,
        low_rating: e.low_rating,
        reporter_phone: e.reporter_phone_masked,
        photos: crate::uploads::photo_ids(&e.photos),
        created_at: e.created_at,
        closed_at: e.closed_at,
        actions: None,
        trail: None,
        trail_intact: None,
        duplicates: None,
    }
}
