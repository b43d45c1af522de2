//! Visits (走访): each worker's list of households due a visit, the household's card, the
//! visit record (whose finding may become an event at once), and coverage by grid,
//! community and street. The rules are `wangge_domain::visits`; this module loads and
//! writes.
use std::collections::BTreeMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use wangge_domain::coords::distance_m;
use wangge_domain::date::{Date, local_date};
use wangge_domain::field_report;
use wangge_domain::population::TagKind;
use wangge_domain::region::Level;
use wangge_domain::visits::{
    Coverage, Horizon, RuleSet, Tally, Window, coverage_by_grid, never_visited, roll_up,
    worker_list,
};

use crate::audit::AuditEntry;
use crate::entity::{building, event, household, person, person_tag, visit};
use crate::events::{EventView, NewEvent};
use crate::patrols::day_of;
use crate::people::{is_key_person_tag, sees_key_persons};
use crate::uploads::{Attachment, Uploader};
use crate::visit_plan::Households;
use crate::{Scope, Store, StoreError};

/// A position farther than this from the household's building is flagged on the visit.
pub const FAR_FROM_BUILDING_M: f64 = 300.0;
/// Longest list answered at once (a community's overdue backlog can be long).
const MAX_LIST: usize = 2000;

/// One household on a worker's list.
#[derive(Debug, Clone, Serialize)]
pub struct DueVisit {
    pub household_id: i64,
    pub grid_code: String,
    pub building_code: String,
    pub building_name: String,
    pub room: String,
    pub address: String,
    /// The rules a visit now would serve (their names).
    pub rules: Vec<String>,
    /// The most urgent period: its first day and the last day a visit counts for it.
    pub period_from: String,
    pub due_by: String,
    pub days_left: i64,
    pub overdue_days: u32,
    pub missed: u32,
    pub in_grace: bool,
    pub last_visit: Option<String>,
}

/// A worker's list and how long it is in all.
#[derive(Debug, Clone, Serialize)]
pub struct VisitPlan {
    pub region: String,
    pub today: String,
    pub horizon: &'static str,
    pub total: usize,
    pub overdue: usize,
    pub items: Vec<DueVisit>,
}

/// A visit as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct VisitView {
    pub id: i64,
    pub household_id: i64,
    pub grid_code: String,
    pub visitor: String,
    pub at_ms: i64,
    pub day: String,
    pub met: String,
    pub finding: String,
    pub follow_up: String,
    pub distance_m: Option<f64>,
    pub event_id: Option<i64>,
}

/// A member of a household on its card (the ID number stays masked).
#[derive(Debug, Clone, Serialize)]
pub struct CardMember {
    pub id: i64,
    pub name: String,
    pub relation: String,
    pub id_masked: String,
    pub phone_masked: Option<String>,
    pub birth_date: String,
    pub tags: Vec<String>,
}

/// An open event near the household (within its building's block).
#[derive(Debug, Clone, Serialize)]
pub struct CardEvent {
    pub id: i64,
    pub description: String,
    pub state: String,
    pub created_at: i64,
}

/// What a worker sees before knocking: members, tags, last visits, open events nearby.
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdCard {
    pub id: i64,
    pub grid_code: String,
    pub address: String,
    pub room: String,
    /// Empty, and no position, when the household was registered without its building.
    pub building_name: String,
    pub building_lng: Option<f64>,
    pub building_lat: Option<f64>,
    pub members: Vec<CardMember>,
    pub visits: Vec<VisitView>,
    pub open_events: Vec<CardEvent>,
}

/// A visit as the worker records it.
#[derive(Debug, Clone, Default)]
pub struct NewVisit {
    pub household_id: i64,
    /// When it happened (defaults to now; not in the future, not before yesterday).
    pub at_ms: Option<i64>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub met: String,
    pub finding: String,
    pub follow_up: String,
    pub photos: Vec<String>,
    /// Turn the finding into an event under this catalog item.
    pub event_category: Option<String>,
}

/// The answer to a recorded visit.
#[derive(Debug, Clone, Serialize)]
pub struct VisitAnswer {
    pub id: i64,
    pub event_id: Option<i64>,
    pub distance_m: Option<f64>,
    /// Set when the position is far from the household's building.
    pub position_note: Option<String>,
    pub event: Option<EventView>,
}

/// Coverage of one region of a breakdown.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    pub code: String,
    pub name: String,
    pub households: u32,
    pub never_visited: u32,
    pub month: TallyView,
    pub half_year: TallyView,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct TallyView {
    pub due: u32,
    pub on_time: u32,
    pub late: u32,
    pub missed: u32,
    pub pending: u32,
    /// Per cent of the due visits done on time; `None` when none were due.
    pub on_time_rate: Option<f64>,
}

impl From<&Tally> for TallyView {
    fn from(t: &Tally) -> TallyView {
        TallyView {
            due: t.due,
            on_time: t.on_time,
            late: t.late,
            missed: t.missed,
            pending: t.pending,
            on_time_rate: t.on_time_share().map(|s| (s * 1000.0).round() / 10.0),
        }
    }
}

/// A region's coverage with its parts one level down.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageReport {
    pub region: String,
    pub today: String,
    pub month_label: String,
    pub half_year_label: String,
    pub total: CoverageRow,
    pub children: Vec<CoverageRow>,
    /// Households never visited (up to 200), for the list under the table.
    pub never_visited: Vec<DueVisit>,
}

fn visit_view(v: visit::Model) -> VisitView {
    VisitView {
        id: v.id,
        household_id: v.household_id,
        grid_code: v.grid_code,
        visitor: v.visitor,
        at_ms: v.at_ms,
        day: Date::from_days_since_epoch(v.day.into()).to_string(),
        met: v.met,
        finding: v.finding,
        follow_up: v.follow_up,
        distance_m: v.distance_m.map(f64::round),
        event_id: v.event_id,
    }
}

fn text(field: &'static str, label: &str, v: &str, max: usize) -> Result<String, StoreError> {
    let v = v.trim();
    if v.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            format!("{label}不能超过{max}个字"),
        ));
    }
    Ok(v.to_string())
}

/// A household never visited, as lists show it.
fn never_row(homes: &Households, i: usize) -> DueVisit {
    DueVisit {
        household_id: homes.ids[i],
        grid_code: homes.grids[i].clone(),
        building_code: homes.buildings[i].clone(),
        building_name: homes.building_names[i].clone(),
        room: homes.rooms[i].clone(),
        address: homes.addresses[i].clone(),
        rules: Vec::new(),
        period_from: String::new(),
        due_by: String::new(),
        days_left: 0,
        overdue_days: 0,
        missed: 0,
        in_grace: false,
        last_visit: None,
    }
}

/// The due list of the households under `region`, most urgent first.
fn due_items(
    homes: &Households,
    rules: &RuleSet,
    since: Date,
    region: &str,
    today: Date,
    horizon: Horizon,
) -> Vec<DueVisit> {
    homes.with_subjects(since, |subjects| {
        worker_list(rules, subjects, region, today, horizon)
            .into_iter()
            .map(|w| {
                let i = w.subject;
                DueVisit {
                    household_id: homes.ids[i],
                    grid_code: w.grid.to_string(),
                    building_code: homes.buildings[i].clone(),
                    building_name: homes.building_names[i].clone(),
                    room: homes.rooms[i].clone(),
                    address: homes.addresses[i].clone(),
                    rules: w
                        .rules
                        .iter()
                        .map(|r| rules.rules()[r].name().to_string())
                        .collect(),
                    period_from: w.due.from.to_string(),
                    due_by: w.due.due_by.to_string(),
                    days_left: w.due.days_left(today),
                    overdue_days: w.due.overdue_days,
                    missed: w.due.missed,
                    in_grace: w.due.in_grace,
                    last_visit: w.due.last_visit.map(|d| d.to_string()),
                }
            })
            .collect()
    })
}

impl Store {
    /// The visits due within `horizon` for the households under `region` (the caller's
    /// own scope by default), most overdue first, then by due date, building and room.
    pub async fn visit_plan(
        &self,
        scope: &Scope,
        region: Option<&str>,
        horizon: Horizon,
    ) -> Result<VisitPlan, StoreError> {
        let region = scope.narrow(region)?;
        let settings = self.field_settings().await?;
        let today = local_date(self.now_ms());
        let rules = &settings.rules;
        let since = settings.visits_since;
        let items = self
            .with_households(&region, since, rules, |homes| {
                due_items(homes, rules, since, &region, today, horizon)
            })
            .await?;
        let overdue = items.iter().filter(|i| i.overdue_days > 0).count();
        let total = items.len();
        Ok(VisitPlan {
            region,
            today: today.to_string(),
            horizon: match horizon {
                Horizon::Today => "today",
                Horizon::ThisWeek => "week",
            },
            total,
            overdue,
            items: items.into_iter().take(MAX_LIST).collect(),
        })
    }

    /// A household of the caller's scope with its members, tags, last visits and the open
    /// events reported within 100 m of its building.
    pub async fn household_card(
        &self,
        scope: &Scope,
        id: i64,
    ) -> Result<HouseholdCard, StoreError> {
        let db = self.connection();
        let h = self.visible_household(scope, id).await?;
        let b = self.building_of(&h).await?;
        let persons = person::Entity::find()
            .filter(person::Column::County.eq(h.county))
            .filter(person::Column::HouseholdId.eq(h.id))
            .filter(person::Column::Status.eq("active"))
            .order_by_asc(person::Column::Id)
            .all(db)
            .await?;
        let ids: Vec<i64> = persons.iter().map(|p| p.id).collect();
        let tags = person_tag::Entity::find()
            .filter(person_tag::Column::County.eq(h.county))
            .filter(person_tag::Column::PersonId.is_in(ids))
            .all(db)
            .await?;
        let key_ok = sees_key_persons(scope.role);
        let members = persons
            .into_iter()
            .map(|p| CardMember {
                tags: tags
                    .iter()
                    .filter(|t| t.person_id == p.id && (key_ok || !is_key_person_tag(&t.tag)))
                    .map(|t| TagKind::label_of(&t.tag).to_string())
                    .collect(),
                relation: wangge_domain::population::Relation::label_of(&p.relation).to_string(),
                id: p.id,
                name: p.name,
                id_masked: p.id_masked,
                phone_masked: p.phone_masked,
                birth_date: p.birth_date,
            })
            .collect();
        let visits = visit::Entity::find()
            .filter(visit::Column::County.eq(h.county))
            .filter(visit::Column::HouseholdId.eq(h.id))
            .order_by_desc(visit::Column::AtMs)
            .limit(10)
            .all(db)
            .await?
            .into_iter()
            .map(visit_view)
            .collect();
        // About 100 m around the building; the whole grid when the building is unknown.
        let (dlng, dlat) = (0.0012, 0.0009);
        let mut open_events = event::Entity::find()
            .filter(event::Column::County.eq(h.county))
            .filter(event::Column::GridCode.eq(h.grid_code.as_str()));
        if let Some(b) = &b {
            open_events = open_events
                .filter(event::Column::Lng.between(b.lng - dlng, b.lng + dlng))
                .filter(event::Column::Lat.between(b.lat - dlat, b.lat + dlat));
        }
        let open_events = open_events
            .filter(event::Column::State.is_not_in(["closed", "rejected", "settled"]))
            .order_by_desc(event::Column::CreatedAt)
            .limit(20)
            .all(db)
            .await?
            .into_iter()
            .map(|e| CardEvent {
                id: e.id,
                description: e.description,
                state: e.state,
                created_at: e.created_at,
            })
            .collect();
        Ok(HouseholdCard {
            id: h.id,
            grid_code: h.grid_code,
            address: h.address,
            room: h.room,
            building_name: b.as_ref().map(|b| b.name.clone()).unwrap_or_default(),
            building_lng: b.as_ref().map(|b| b.lng),
            building_lat: b.as_ref().map(|b| b.lat),
            members,
            visits,
            open_events,
        })
    }

    /// Records a visit by a grid worker to a household of their grid: the position is
    /// compared with the building (far away is flagged, not refused: GPS indoors is poor);
    /// photos are attached; with a catalog item the finding is filed as an event at the
    /// household's building in the same step.
    pub async fn record_visit(
        &self,
        scope: &Scope,
        new: NewVisit,
        client: &str,
    ) -> Result<VisitAnswer, StoreError> {
        if !matches!(
            scope.role,
            wangge_domain::role::Role::GridWorker | wangge_domain::role::Role::GridLeader
        ) {
            return Err(StoreError::Forbidden(
                "只有网格员和网格长可以记录走访".into(),
            ));
        }
        let h = self
            .visible_household(scope, new.household_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => StoreError::invalid(
                    "household_id",
                    format!(
                        "户 {} 不存在或不在您的网格内，不能记录走访",
                        new.household_id
                    ),
                ),
                other => other,
            })?;
        let b = self.building_of(&h).await?;
        let now = self.now_ms();
        let at_ms = new.at_ms.unwrap_or(now);
        if at_ms > now + field_report::CLOCK_SLACK_MS {
            return Err(StoreError::invalid("at_ms", "走访时间不能晚于现在"));
        }
        if at_ms < now - field_report::MAX_AGE_MS {
            return Err(StoreError::invalid("at_ms", "只能补记7天内的走访"));
        }
        let met = text("met", "见到的人", &new.met, 200)?;
        let finding = text("finding", "发现的情况", &new.finding, 2000)?;
        let follow_up = text("follow_up", "后续跟进", &new.follow_up, 1000)?;
        let position = match (new.lng, new.lat) {
            (Some(lng), Some(lat)) if lng.is_finite() && lat.is_finite() => {
                if wangge_domain::coords::out_of_china(lng, lat) {
                    return Err(StoreError::invalid(
                        "lng",
                        "走访位置不在中国境内，请重新定位",
                    ));
                }
                Some((lng, lat))
            }
            (None, None) => None,
            _ => return Err(StoreError::invalid("lng", "位置须同时给出经度和纬度")),
        };
        let home = b.as_ref().map(|b| (b.lng, b.lat));
        let distance = position.zip(home).map(|(p, home)| distance_m(p, home));
        let position_note = match (home, distance) {
            (None, _) => Some("该户未登记楼栋，走访位置未能核对".to_string()),
            (_, Some(d)) if d > FAR_FROM_BUILDING_M => Some(format!(
                "走访位置距该户所在楼栋约{}米，已标注待核实",
                d.round()
            )),
            _ => None,
        };
        // The event is checked before anything is written, so a bad catalog item leaves
        // no visit behind.
        let event_new = match new.event_category.as_deref().map(str::trim) {
            Some(category) if !category.is_empty() => {
                if finding.is_empty() {
                    return Err(StoreError::invalid("finding", "转为事件时须填写发现的情况"));
                }
                // At the building; where it is unknown, where the worker stands.
                let Some((lng, lat)) = home.or(position) else {
                    return Err(StoreError::invalid(
                        "lng",
                        "该户未登记楼栋，转为事件须带上走访位置（请开启定位）",
                    ));
                };
                let n = NewEvent {
                    category: category.to_string(),
                    description: format!("【走访发现】{}（{}{}）", finding, h.address, h.room),
                    lng,
                    lat,
                    crs: Some("wgs84".into()),
                    address: format!("{}{}", h.address, h.room),
                    urgency: None,
                    source: Some("patrol".into()),
                    photos: new.photos.clone(),
                    recorded_at_ms: Some(at_ms),
                    // The worker's fix stands for the place only without a building.
                    accuracy_m: new
                        .accuracy_m
                        .filter(|a| home.is_none() && a.is_finite() && *a >= 0.0),
                };
                self.check_new_event(&n).await?;
                Some(n)
            }
            _ => None,
        };
        let id = self.next_id();
        let event = match event_new {
            Some(n) => Some(self.report_event(scope, n, client).await?),
            None => None,
        };
        let row = visit::Model {
            county: h.county,
            id,
            household_id: h.id,
            grid_code: h.grid_code.clone(),
            account_id: scope.account_id,
            visitor: scope.display_name.clone(),
            day: day_of(at_ms),
            at_ms,
            lng: position.map(|p| p.0),
            lat: position.map(|p| p.1),
            accuracy_m: new.accuracy_m.filter(|a| a.is_finite() && *a >= 0.0),
            distance_m: distance,
            met,
            finding,
            follow_up,
            event_id: event.as_ref().map(|e| e.id),
            created_at: now,
        };
        let txn = crate::connect::begin_write(self.connection()).await?;
        visit::ActiveModel::from(row.clone()).insert(&txn).await?;
        if event.is_none() && !new.photos.is_empty() {
            self.attach_uploads_to(
                &txn,
                Uploader::Staff(scope.account_id),
                &new.photos,
                Attachment::Visit(id),
            )
            .await?;
        }
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action: "visit.record",
                object: &format!("走访 {id}（户 {}）", h.id),
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(VisitAnswer {
            id,
            event_id: row.event_id,
            distance_m: distance.map(f64::round),
            position_note,
            event,
        })
    }

    /// The household's building; `None` when it was registered without one.
    async fn building_of(
        &self,
        h: &household::Model,
    ) -> Result<Option<building::Model>, StoreError> {
        if h.building_id == 0 {
            return Ok(None);
        }
        Ok(building::Entity::find_by_id((h.county, h.building_id))
            .one(self.connection())
            .await?)
    }

    /// A visit the caller may see: their own, or one in their scope.
    pub(crate) async fn visible_visit(
        &self,
        scope: &Scope,
        id: i64,
    ) -> Result<VisitView, StoreError> {
        let v = visit::Entity::find()
            .filter(visit::Column::Id.eq(id))
            .one(self.connection())
            .await?
            .ok_or(StoreError::NotFound)?;
        if v.account_id != scope.account_id && !scope.covers(&v.grid_code) {
            return Err(StoreError::NotFound);
        }
        Ok(visit_view(v))
    }

    /// The caller's visits on a day range `[from, to)`, newest first.
    pub async fn visits_by(
        &self,
        scope: &Scope,
        from: Date,
        to: Date,
    ) -> Result<Vec<VisitView>, StoreError> {
        Ok(visit::Entity::find()
            .filter(visit::Column::AccountId.eq(scope.account_id))
            .filter(visit::Column::Day.gte(from.days_since_epoch() as i32))
            .filter(visit::Column::Day.lt(to.days_since_epoch() as i32))
            .order_by_desc(visit::Column::AtMs)
            .all(self.connection())
            .await?
            .into_iter()
            .map(visit_view)
            .collect())
    }

    async fn visible_household(
        &self,
        scope: &Scope,
        id: i64,
    ) -> Result<household::Model, StoreError> {
        let h = household::Entity::find()
            .filter(household::Column::Id.eq(id))
            .one(self.connection())
            .await?
            .ok_or(StoreError::NotFound)?;
        if !scope.covers(&h.grid_code) {
            return Err(StoreError::NotFound);
        }
        Ok(h)
    }

    /// Visit coverage of `region` this month and this half year, with its parts one level
    /// down and the households never visited.
    pub async fn visit_coverage(
        &self,
        scope: &Scope,
        region: Option<&str>,
    ) -> Result<CoverageReport, StoreError> {
        let region = scope.narrow(region)?;
        let settings = self.field_settings().await?;
        let today = local_date(self.now_ms());
        let names = self.names_under(&region).await?;
        let rules = &settings.rules;
        let (month, half) = (Window::month(today), Window::half_year(today));
        let child = Level::from_code_len(region.len())
            .and_then(Level::child)
            .unwrap_or(Level::Grid);
        let since = settings.visits_since;
        let (by_month, by_half, households, never_visited) = self
            .with_households(&region, since, rules, |homes| {
                homes.with_subjects(since, |subjects| {
                    let m = coverage_by_grid(rules, subjects, month, today);
                    let h = coverage_by_grid(rules, subjects, half, today);
                    let count_by = |pick: &dyn Fn(&str) -> bool| {
                        let mut households = BTreeMap::<String, (u32, u32)>::new();
                        for s in subjects {
                            let Some(g) = s.grid_at(today) else { continue };
                            if !pick(g) {
                                continue;
                            }
                            let key = g.get(..child.code_len()).unwrap_or(g).to_string();
                            let e = households.entry(key).or_default();
                            e.0 += 1;
                            if s.visits.first().is_none_or(|v| *v > today) {
                                e.1 += 1;
                            }
                        }
                        households
                    };
                    let households = count_by(&|_| true);
                    // The subjects' indexes are the households' (same order).
                    let never: Vec<usize> = subjects
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| {
                            never_visited(std::slice::from_ref(*s), &region, today)
                                .next()
                                .is_some()
                        })
                        .map(|(i, _)| i)
                        .take(200)
                        .collect();
                    let own = |c: BTreeMap<&str, Coverage>| -> BTreeMap<String, Coverage> {
                        c.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                    };
                    (
                        own(roll_up(&m, child)),
                        own(roll_up(&h, child)),
                        households,
                        never
                            .into_iter()
                            .map(|i| never_row(homes, i))
                            .collect::<Vec<_>>(),
                    )
                })
            })
            .await?;
        let row = |code: &str,
                   name: String,
                   m: Option<&Coverage>,
                   h: Option<&Coverage>,
                   n: (u32, u32)| CoverageRow {
            code: code.to_string(),
            name,
            households: n.0,
            never_visited: n.1,
            month: m
                .map(|c| TallyView::from(&c.total))
                .unwrap_or(TallyView::from(&Tally::default())),
            half_year: h
                .map(|c| TallyView::from(&c.total))
                .unwrap_or(TallyView::from(&Tally::default())),
        };
        let mut total_m = Coverage::default();
        let mut total_h = Coverage::default();
        let mut total_n = (0, 0);
        let mut children = Vec::new();
        for (code, n) in &households {
            let (m, h) = (by_month.get(code), by_half.get(code));
            if let Some(m) = m {
                total_m.add(m);
            }
            if let Some(h) = h {
                total_h.add(h);
            }
            total_n.0 += n.0;
            total_n.1 += n.1;
            let name = names.get(code).cloned().unwrap_or_else(|| code.clone());
            children.push(row(code, name, m, h, *n));
        }
        let region_name = names
            .get(&region)
            .cloned()
            .unwrap_or_else(|| region.clone());
        let total = row(
            &region,
            region_name,
            Some(&total_m),
            Some(&total_h),
            total_n,
        );
        Ok(CoverageReport {
            region,
            today: today.to_string(),
            month_label: format!("{}年{}月", today.year, today.month),
            half_year_label: format!(
                "{}年{}半年",
                today.year,
                if today.month <= 6 { "上" } else { "下" }
            ),
            total,
            children,
            never_visited,
        })
    }
}
