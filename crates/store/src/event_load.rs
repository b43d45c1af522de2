//! Loading a planned history of events in bulk (`wangge gen`): each event is replayed as the
//! live loop and the deadline sweeper would have written it (see `replay`), with names and
//! accounts from the district's staff, departments and regions, and a batch of whole events
//! with their trails is written in one transaction, so an interrupted load never leaves
//! half an event.
mod replay;

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, Iterable, QueryFilter, QuerySelect,
    QueryTrait, Statement,
};
use wangge_domain::case::{Action, Actor};
use wangge_domain::catalog::CatalogItem;
use wangge_domain::date::Date;
use wangge_domain::ids::compose_id;
use wangge_domain::population::Duty;
use wangge_domain::region::Level;
use wangge_domain::role::Role;
use wangge_domain::worktime::WorkCalendar;

use crate::entity::{
    account, catalog_item, department, event, event_step, grid_staff, region, setting,
};
use crate::{Store, StoreError};

/// Who takes a step of a planned event; the [`Cast`] names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActorIn {
    /// The full-time worker of the event's grid.
    GridWorker,
    /// The command center of the level that owns the case.
    Center,
    Leader,
    /// A department's member: its head when reporting, a handler otherwise; `name` is used
    /// when the department has no account of that role.
    Department {
        code: String,
        name: String,
    },
    /// A citizen (no account).
    Citizen(String),
    /// The 12345 hotline desk of the command center.
    Hotline,
    /// The video patrol desk of the command center.
    Video,
}

/// A step after the report, as `ActionIn` asks for it, at its time.
#[derive(Clone, Debug)]
pub struct StepIn {
    pub at: i64,
    pub actor: ActorIn,
    pub action: Action,
    pub note: String,
    /// Dispatch: the lead department's code (the catalog's by default).
    pub department: Option<String>,
    /// Dispatch: `None` for the catalog's co-departments.
    pub co_departments: Option<Vec<String>>,
    pub review_date: Option<Date>,
    pub duplicate_of: Option<i64>,
    pub score: Option<u8>,
    pub days: Option<i32>,
}

/// A planned event: what was reported, where, by whom and when, and the steps since.
#[derive(Clone, Debug)]
pub struct EventIn {
    /// See [`history_id`].
    pub id: i64,
    pub grid_code: String,
    pub category: String,
    pub description: String,
    pub address: String,
    pub lng: f64,
    pub lat: f64,
    pub urgent: bool,
    pub source: String,
    pub reporter: ActorIn,
    pub created_at: i64,
    /// In time order, all before the cast's "now".
    pub steps: Vec<StepIn>,
}

/// The id of the `index`-th event of a history, reported at `created_at`: made at its own
/// report time, as a live event's id is, so the newest-first lists order them as reported.
/// Unique while report times do not decrease with `index`.
pub fn history_id(created_at: i64, index: u64) -> i64 {
    compose_id(created_at, (index % 4096) as u16)
}

/// An actor with what the trail records of them.
pub(crate) struct Resolved {
    actor: Actor,
    account: Option<i64>,
    name: String,
    role: &'static str,
    department: Option<i64>,
}

struct Dept {
    id: i64,
    code: String,
    /// A handler's and the head's accounts, when the department has them.
    handler: Option<(i64, String)>,
    head: Option<(i64, String)>,
}

/// An account that acts for a region.
struct Desk {
    scope: String,
    id: i64,
    name: String,
}

/// What replaying events needs, read once before a load: the calendar, the catalog, the
/// departments, each grid's worker and the command centers' and leaders' accounts.
pub struct Cast {
    now: i64,
    /// The statements of a batch are built for it.
    backend: DbBackend,
    calendar: WorkCalendar,
    catalog: HashMap<String, CatalogItem>,
    active: Vec<CatalogItem>,
    depts: Vec<Dept>,
    by_code: HashMap<String, usize>,
    /// Grid code → the full-time worker's name and account.
    workers: HashMap<String, (String, Option<i64>)>,
    regions: HashMap<String, String>,
    operators: Vec<Desk>,
    leaders: Vec<Desk>,
}

impl Cast {
    /// The generation's "now": flags are as the sweeper would have left them then.
    pub fn now(&self) -> i64 {
        self.now
    }

    pub fn calendar(&self) -> &WorkCalendar {
        &self.calendar
    }

    /// The active catalog items, to plan events from.
    pub fn catalog(&self) -> &[CatalogItem] {
        &self.active
    }

    fn dept(&self, code: &str) -> Option<&Dept> {
        self.by_code.get(code).map(|&i| &self.depts[i])
    }

    /// Co-departments as the event stores them: `,D03,D05,`.
    fn co_list(&self, ids: &[i64]) -> String {
        let mut list: String = ids
            .iter()
            .filter_map(|id| self.depts.iter().find(|d| d.id == *id))
            .map(|d| format!("{},", d.code))
            .collect();
        if !list.is_empty() {
            list.insert(0, ',');
        }
        list
    }

    /// The name of the command center of `level` over a grid: the community's grid work
    /// station, then the community's, street's, district's and city's centers.
    fn center_name(&self, level: Level, grid: &str) -> String {
        let len = match level {
            Level::Grid | Level::Community | Level::Building => 12,
            l => l.code_len(),
        };
        let region = grid.get(..len).and_then(|c| self.regions.get(c));
        match (level, region) {
            (Level::Grid, Some(name)) => format!("{name}网格工作站"),
            (_, Some(name)) => format!("{name}指挥中心"),
            (_, None) => "指挥中心".into(),
        }
    }

    /// The account of the narrowest desk whose scope covers the grid.
    fn desk<'a>(desks: &'a [Desk], grid: &str, at_most: usize) -> Option<&'a Desk> {
        desks
            .iter()
            .filter(|d| grid.starts_with(&d.scope) && d.scope.len() <= at_most)
            .max_by_key(|d| d.scope.len())
    }

    fn resolve(&self, who: &ActorIn, grid: &str, level: &str, reporter: bool) -> Resolved {
        let staff = |role: Role, account: Option<i64>, name: String| Resolved {
            actor: Actor::staff(role),
            account,
            name,
            role: role.as_str(),
            department: None,
        };
        match who {
            ActorIn::GridWorker => {
                let (name, account) = self
                    .workers
                    .get(grid)
                    .cloned()
                    .unwrap_or_else(|| ("网格员".into(), None));
                staff(Role::GridWorker, account, name)
            }
            ActorIn::Center => {
                let level = Level::parse_str(level).unwrap_or(Level::Grid);
                let widest = match level {
                    Level::Grid | Level::Community | Level::Building => 12,
                    l => l.code_len(),
                };
                match Self::desk(&self.operators, grid, widest).filter(|d| d.scope.len() == widest)
                {
                    Some(d) => staff(Role::Operator, Some(d.id), d.name.clone()),
                    None => staff(Role::Operator, None, self.center_name(level, grid)),
                }
            }
            ActorIn::Hotline => staff(Role::Operator, None, "12345热线".into()),
            ActorIn::Video => staff(Role::Operator, None, "视频巡查".into()),
            ActorIn::Leader => match Self::desk(&self.leaders, grid, usize::MAX) {
                Some(d) => staff(Role::Leader, Some(d.id), d.name.clone()),
                None => {
                    let county = grid.get(..6).and_then(|c| self.regions.get(c));
                    let name = county.map_or_else(|| "领导".into(), |c| format!("{c}领导"));
                    staff(Role::Leader, None, name)
                }
            },
            ActorIn::Department { code, name } => {
                let role = if reporter {
                    Role::DeptHead
                } else {
                    Role::DeptHandler
                };
                let dept = self.dept(code);
                let account = dept.and_then(|d| {
                    if reporter {
                        d.head.clone()
                    } else {
                        d.handler.clone()
                    }
                });
                let (account, name) = match account {
                    Some((id, n)) => (Some(id), n),
                    None => (None, name.clone()),
                };
                Resolved {
                    department: dept.map(|d| d.id),
                    ..staff(role, account, name)
                }
            }
            ActorIn::Citizen(name) => Resolved {
                actor: Actor::citizen(),
                account: None,
                name: name.clone(),
                role: "",
                department: None,
            },
        }
    }
}

/// Events with their trails, written together in one transaction.
#[derive(Default)]
pub struct EventBatch {
    events: Vec<event::Model>,
    steps: Vec<event_step::Model>,
}

/// Bound parameters per statement, under SQLite's 32,766 (PostgreSQL allows 65,535).
const MAX_PARAMS: usize = 30_000;

impl EventBatch {
    pub fn new() -> EventBatch {
        EventBatch::default()
    }

    /// Replays the event (pure CPU: call it on worker threads); an illegal step is an
    /// error naming the event and the step.
    pub fn add(&mut self, cast: &Cast, input: &EventIn) -> Result<(), StoreError> {
        let (e, steps) = replay::replay(cast, input)?;
        self.events.push(e);
        self.steps.extend(steps);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Builds the batch's INSERT statements (pure CPU: on worker threads, so the writer
    /// only runs them).
    pub fn prepare(self, cast: &Cast) -> PreparedBatch {
        let (events, steps) = (self.events.len(), self.steps.len());
        let mut statements = crate::tally::add_statements(
            cast.backend,
            self.events.iter().flat_map(crate::tally::tally_of),
        );
        let per = (MAX_PARAMS / event::Column::iter().count()).max(1);
        let mut rows = self.events.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk = rows.by_ref().take(per).map(event::ActiveModel::from);
            statements.push(event::Entity::insert_many(chunk).build(cast.backend));
        }
        let per = (MAX_PARAMS / event_step::Column::iter().count()).max(1);
        let mut rows = self.steps.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk = rows.by_ref().take(per).map(event_step::ActiveModel::from);
            statements.push(event_step::Entity::insert_many(chunk).build(cast.backend));
        }
        PreparedBatch {
            statements,
            events,
            steps,
        }
    }
}

/// A batch ready to be written.
pub struct PreparedBatch {
    statements: Vec<Statement>,
    events: usize,
    steps: usize,
}

impl PreparedBatch {
    pub fn len(&self) -> usize {
        self.events
    }

    pub fn is_empty(&self) -> bool {
        self.events == 0
    }

    /// Trail rows in the batch.
    pub fn step_count(&self) -> usize {
        self.steps
    }

    /// Writes all the events and their trails, or none of them.
    pub async fn write(self, store: &Store) -> Result<(), StoreError> {
        let txn = crate::connect::begin_write(store.connection()).await?;
        for statement in self.statements {
            txn.execute_raw(statement).await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

/// What a generated history was planned from, kept so an interrupted load carries on with
/// the same plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryAnchor {
    pub seed: u64,
    pub events: u64,
    /// The generation's "now".
    pub now_ms: i64,
}

const ANCHOR_KEY: &str = "generated_event_history";

impl Store {
    /// Reads the cast of a history load whose "now" is `now`.
    pub async fn event_cast(&self, now: i64) -> Result<Cast, StoreError> {
        let db = self.connection();
        let calendar = self.work_calendar().await?;
        let items: Vec<catalog_item::Model> = catalog_item::Entity::find().all(db).await?;
        let active = items
            .iter()
            .filter(|m| m.active)
            .map(crate::catalog::to_domain)
            .collect();
        let catalog = items
            .iter()
            .map(|m| (m.code.clone(), crate::catalog::to_domain(m)))
            .collect();
        let accounts: Vec<account::Model> = account::Entity::find()
            .filter(account::Column::Disabled.eq(false))
            .all(db)
            .await?;
        let of_role = |role: Role| accounts.iter().filter(move |a| a.role == role.as_str());
        let first_of = |role: Role, dept: i64| {
            of_role(role)
                .filter(|a| a.department_id == Some(dept))
                .min_by_key(|a| a.id)
                .map(|a| (a.id, a.display_name.clone()))
        };
        let depts: Vec<Dept> = department::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|d| Dept {
                handler: first_of(Role::DeptHandler, d.id),
                head: first_of(Role::DeptHead, d.id),
                id: d.id,
                code: d.code,
            })
            .collect();
        let by_code = depts
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code.clone(), i))
            .collect();
        let desks = |role: Role| {
            of_role(role)
                .map(|a| Desk {
                    scope: a.scope.clone(),
                    id: a.id,
                    name: a.display_name.clone(),
                })
                .collect::<Vec<_>>()
        };
        let mut workers = HashMap::new();
        let staff: Vec<(String, String, Option<i64>)> = grid_staff::Entity::find()
            .select_only()
            .column(grid_staff::Column::GridCode)
            .column(grid_staff::Column::Name)
            .column(grid_staff::Column::AccountId)
            .filter(grid_staff::Column::Duty.eq(Duty::FullTimeWorker.as_str()))
            .into_tuple()
            .all(db)
            .await?;
        for (grid, name, account) in staff {
            workers.entry(grid).or_insert((name, account));
        }
        let regions = region::Entity::find()
            .select_only()
            .column(region::Column::Code)
            .column(region::Column::Name)
            .into_tuple::<(String, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        Ok(Cast {
            now,
            backend: db.get_database_backend(),
            calendar,
            catalog,
            active,
            depts,
            by_code,
            workers,
            regions,
            operators: desks(Role::Operator),
            leaders: desks(Role::Leader),
        })
    }

    /// Whether an event is on record (a batch whose first event is was written whole).
    pub async fn event_exists(&self, county: i32, id: i64) -> Result<bool, StoreError> {
        Ok(event::Entity::find_by_id((county, id))
            .select_only()
            .column(event::Column::Id)
            .into_tuple::<i64>()
            .one(self.connection())
            .await?
            .is_some())
    }

    /// The plan of the generated history, if one was started.
    pub async fn history_anchor(&self) -> Result<Option<HistoryAnchor>, StoreError> {
        let Some(row) = setting::Entity::find_by_id(ANCHOR_KEY)
            .one(self.connection())
            .await?
        else {
            return Ok(None);
        };
        let field = |name: &str| {
            row.value
                .split(' ')
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .and_then(|v| v.parse::<i64>().ok())
        };
        match (field("seed"), field("events"), field("now")) {
            (Some(seed), Some(events), Some(now_ms)) => Ok(Some(HistoryAnchor {
                seed: seed as u64,
                events: events as u64,
                now_ms,
            })),
            _ => Err(StoreError::invalid(
                "settings",
                format!("事件历史的生成参数“{}”无法读取", row.value),
            )),
        }
    }

    /// Records the plan before any of its events is written.
    pub async fn set_history_anchor(&self, a: HistoryAnchor) -> Result<(), StoreError> {
        use sea_orm::ActiveValue::Set;
        let value = format!(
            "seed={} events={} now={}",
            a.seed as i64, a.events, a.now_ms
        );
        setting::Entity::insert(setting::ActiveModel {
            key: Set(ANCHOR_KEY.into()),
            value: Set(value.clone()),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(setting::Column::Key)
                .update_column(setting::Column::Value)
                .to_owned(),
        )
        .exec_without_returning(self.connection())
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
