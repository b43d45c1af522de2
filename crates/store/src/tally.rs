//! The indicator facts kept on each event row and their daily rollup (`event_tally`).
//!
//! Every place that writes an event adds what the write changed to the rollup, in the same
//! transaction: a new report adds its tally, a step adds `tally(after) − tally(before)`.
//! [`Store::rebuild_indicator_facts`] recomputes everything from the trails, for events
//! filed before the rollup existed and to check the running sums.
use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QueryOrder, Statement, Value};
use wangge_domain::case::State;
use wangge_domain::date::local_date;
use wangge_domain::event_facts::{EventFacts, Milestones, Tally, tally};
use wangge_domain::worktime::WorkCalendar;

use crate::entity::{event, event_step, event_tally};
use crate::{Store, StoreError, sql};

/// Rows per multi-row upsert: 24 values a row stays far below both engines' limits.
const UPSERT_ROWS: usize = 500;
/// Events read at a time when rebuilding.
const REBUILD_BATCH: u64 = 5_000;

/// The level of a rollup row that sums a lead department.
pub(crate) const DEPARTMENT_LEVEL: i32 = 0;
/// The level of a rollup row that sums a catalog item.
pub(crate) const CATEGORY_LEVEL: i32 = 1;
/// The level of a rollup row that sums a co-handling department (by code).
pub(crate) const CO_DEPARTMENT_LEVEL: i32 = 2;
/// The region levels rolled up: county, street, community (code lengths).
pub(crate) const REGION_LEVELS: [usize; 3] = [6, 9, 12];

/// A rollup row an event counts in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TallyKey {
    county: i32,
    level: i32,
    code: String,
    day: i32,
}

/// The rows an event counts in: its county, street, community, lead department, catalog
/// item and each co-handling department.
pub(crate) fn keys_of(e: &event::Model) -> Vec<TallyKey> {
    let day = local_date(e.created_at).days_since_epoch() as i32;
    let key = |level: i32, code: String| TallyKey {
        county: e.county,
        level,
        code,
        day,
    };
    let mut keys: Vec<TallyKey> = REGION_LEVELS
        .iter()
        .filter_map(|&n| e.grid_code.get(..n).map(|c| key(n as i32, c.to_string())))
        .collect();
    let department = e.department_id.map(|d| d.to_string()).unwrap_or_default();
    keys.push(key(DEPARTMENT_LEVEL, department));
    keys.push(key(CATEGORY_LEVEL, e.category.clone()));
    keys.extend(
        crate::events::co_codes(&e.co_departments).map(|c| key(CO_DEPARTMENT_LEVEL, c.to_string())),
    );
    keys
}

pub(crate) fn milestones_of(e: &event::Model) -> Milestones {
    Milestones {
        verified_at: e.verified_at,
        dispatched_at: e.dispatched_at,
        signed_at: e.signed_at,
        handled_at: e.handled_at,
        returned: e.returned,
        check_failed: e.check_failed,
        sign_late: e.sign_late,
        handle_late: e.handle_late,
        ever_late: e.ever_late,
    }
}

fn set_milestones(e: &mut event::Model, m: Milestones) {
    e.verified_at = m.verified_at;
    e.dispatched_at = m.dispatched_at;
    e.signed_at = m.signed_at;
    e.handled_at = m.handled_at;
    e.returned = m.returned;
    e.check_failed = m.check_failed;
    e.sign_late = m.sign_late;
    e.handle_late = m.handle_late;
    e.ever_late = m.ever_late;
}

/// Folds a step written to the event's trail into its milestones.
pub(crate) fn note_step(e: &mut event::Model, step: &event_step::Model) {
    let mut m = milestones_of(e);
    m.note(&step.action, &step.from_state, step.at);
    set_milestones(e, m);
}

/// Sets the handling time when a case has just closed: working minutes from its first
/// dispatch to `now`.
pub(crate) fn note_close(e: &mut event::Model, calendar: &WorkCalendar, now: i64) {
    if e.state == State::Closed.as_str() && e.handling_minutes.is_none() {
        e.handling_minutes = e
            .dispatched_at
            .map(|d| calendar.working_minutes_between(d, now).max(0));
    }
}

pub(crate) fn facts_of(e: &event::Model) -> EventFacts {
    EventFacts {
        state: State::parse(&e.state).unwrap_or(State::Reported),
        citizen: e.source == "citizen",
        overdue: e.overdue,
        rating: e.rating,
        milestones: milestones_of(e),
        handling_minutes: e.handling_minutes,
    }
}

/// What an event adds to each row it counts in.
pub(crate) fn tally_of(e: &event::Model) -> Vec<(TallyKey, Tally)> {
    let t = tally(&facts_of(e));
    keys_of(e).into_iter().map(|k| (k, t)).collect()
}

/// What a step changed: the old tally taken from the rows the event counted in, the new
/// one added to the rows it counts in now (the same rows unless a department took it over
/// or gave it back); `add_statements` nets them per row.
pub(crate) fn step_delta(before: &event::Model, after: &event::Model) -> Vec<(TallyKey, Tally)> {
    let old = tally_of(before)
        .into_iter()
        .map(|(k, t)| (k, Tally::default().minus(&t)));
    old.chain(tally_of(after)).collect()
}

/// The upserts adding `deltas` to the rollup (summed per row; zero changes skipped).
pub(crate) fn add_statements(
    backend: DbBackend,
    deltas: impl IntoIterator<Item = (TallyKey, Tally)>,
) -> Vec<Statement> {
    let mut sums: BTreeMap<TallyKey, Tally> = BTreeMap::new();
    for (k, t) in deltas {
        let sum = sums.entry(k).or_default();
        *sum = sum.plus(&t);
    }
    let rows: Vec<(TallyKey, Tally)> = sums.into_iter().filter(|(_, t)| !t.is_zero()).collect();
    let columns = Tally::COLUMNS.join(", ");
    let updates = Tally::COLUMNS
        .iter()
        .map(|c| format!("{c} = event_tally.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let row_marks = format!("(?, ?, ?, ?{})", ", ?".repeat(Tally::LEN));
    rows.chunks(UPSERT_ROWS)
        .map(|chunk| {
            let marks = vec![row_marks.as_str(); chunk.len()].join(", ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * (Tally::LEN + 4));
            for (k, t) in chunk {
                values.extend([
                    k.county.into(),
                    k.level.into(),
                    k.code.clone().into(),
                    k.day.into(),
                ]);
                values.extend(t.0.iter().map(|&v| Value::from(v)));
            }
            sql::statement(
                backend,
                &format!(
                    "INSERT INTO event_tally (county, level, code, day, {columns}) VALUES {marks} \
                     ON CONFLICT (county, level, code, day) DO UPDATE SET {updates}"
                ),
                values,
            )
        })
        .collect()
}

/// Adds `deltas` to the rollup inside the caller's transaction.
pub(crate) async fn add(
    conn: &impl ConnectionTrait,
    deltas: impl IntoIterator<Item = (TallyKey, Tally)>,
) -> Result<(), StoreError> {
    for s in add_statements(conn.get_database_backend(), deltas) {
        conn.execute_raw(s).await?;
    }
    Ok(())
}

/// What a rebuild found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RebuildReport {
    pub events: u64,
    /// Events whose stored facts differed from their trail's.
    pub events_corrected: u64,
    pub rollup_rows: u64,
}

impl Store {
    /// Recomputes every event's indicator facts from its trail and the rollup from the
    /// events, in one transaction. Run once for events filed before the rollup existed; in
    /// tests, it checks the running sums (a correct store reports no corrections and the
    /// same rollup).
    pub async fn rebuild_indicator_facts(&self) -> Result<RebuildReport, StoreError> {
        use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
        let calendar = self.work_calendar().await?;
        let txn = crate::connect::begin_write(self.connection()).await?;
        let mut report = RebuildReport::default();
        let mut sums: BTreeMap<TallyKey, Tally> = BTreeMap::new();
        let mut after: Option<(i32, i64)> = None;
        loop {
            let mut q = event::Entity::find()
                .order_by_asc(event::Column::County)
                .order_by_asc(event::Column::Id)
                .limit(REBUILD_BATCH);
            if let Some((county, id)) = after {
                q = q.filter(crate::sql::events_after(county, id));
            }
            let events = q.all(&txn).await?;
            let Some(last) = events.last() else { break };
            after = Some((last.county, last.id));
            let (lo, hi) = (events[0].id, last.id);
            let steps = event_step::Entity::find()
                .filter(event_step::Column::EventId.between(lo, hi))
                .order_by_asc(event_step::Column::EventId)
                .order_by_asc(event_step::Column::Seq)
                .all(&txn)
                .await?;
            let mut by_event: BTreeMap<(i32, i64), Vec<&event_step::Model>> = BTreeMap::new();
            for s in &steps {
                by_event.entry((s.county, s.event_id)).or_default().push(s);
            }
            for e in events {
                let mut fixed = e.clone();
                set_milestones(&mut fixed, Milestones::default());
                fixed.handling_minutes = None;
                let trail = by_event.get(&(e.county, e.id)).map_or(&[][..], |v| &v[..]);
                for s in trail {
                    note_step(&mut fixed, s);
                }
                if let Some(closed_at) = fixed.closed_at {
                    note_close(&mut fixed, &calendar, closed_at);
                }
                if fixed != e {
                    report.events_corrected += 1;
                    write_facts(&txn, &fixed).await?;
                }
                for (k, t) in tally_of(&fixed) {
                    let sum = sums.entry(k).or_default();
                    *sum = sum.plus(&t);
                }
                report.events += 1;
            }
        }
        txn.execute_raw(Statement::from_string(
            txn.get_database_backend(),
            "DELETE FROM event_tally",
        ))
        .await?;
        report.rollup_rows = sums.len() as u64;
        add(&txn, sums).await?;
        txn.commit().await?;
        Ok(report)
    }

    /// The rollup as stored, for checks: every row with its sums, less the rows whose sums
    /// are all 0 (a row empties when its events move to another, e.g. at dispatch).
    pub async fn indicator_rollup(&self) -> Result<Vec<event_tally::Model>, StoreError> {
        let rows = event_tally::Entity::find()
            .order_by_asc(event_tally::Column::County)
            .order_by_asc(event_tally::Column::Level)
            .order_by_asc(event_tally::Column::Code)
            .order_by_asc(event_tally::Column::Day)
            .all(self.connection())
            .await?;
        Ok(rows
            .into_iter()
            .filter(|r| {
                let zeroed = event_tally::Model {
                    county: r.county,
                    level: r.level,
                    code: r.code.clone(),
                    day: r.day,
                    ..Default::default()
                };
                *r != zeroed
            })
            .collect())
    }
}

async fn write_facts(conn: &impl ConnectionTrait, e: &event::Model) -> Result<(), StoreError> {
    use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
    let active = event::ActiveModel {
        verified_at: Set(e.verified_at),
        dispatched_at: Set(e.dispatched_at),
        signed_at: Set(e.signed_at),
        handled_at: Set(e.handled_at),
        returned: Set(e.returned),
        check_failed: Set(e.check_failed),
        sign_late: Set(e.sign_late),
        handle_late: Set(e.handle_late),
        ever_late: Set(e.ever_late),
        handling_minutes: Set(e.handling_minutes),
        ..Default::default()
    };
    event::Entity::update_many()
        .set(active)
        .filter(event::Column::County.eq(e.county))
        .filter(event::Column::Id.eq(e.id))
        .exec(conn)
        .await?;
    Ok(())
}
