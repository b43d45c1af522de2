//! `wangge audit verify` for the events' trails: walks every event in key order and
//! checks its steps' SM3 chain against the hash the event carries, reporting the events
//! whose trail was edited, cut or added to.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{event, event_step};
use crate::events::trail_break;
use crate::{Store, StoreError};

/// Events checked per round trip.
const BATCH: u64 = 2_000;
/// Broken trails listed at most (the count goes on).
const MAX_LISTED: usize = 20;

/// One event whose trail does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenTrail {
    pub event_id: i64,
    /// The first step that fails, if the break is at a step.
    pub seq: Option<i32>,
    pub reason: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailCheck {
    pub events: u64,
    pub steps: u64,
    pub broken_count: u64,
    pub broken: Vec<BrokenTrail>,
}

impl Store {
    /// Checks the trail of every event.
    pub async fn verify_trails(&self) -> Result<TrailCheck, StoreError> {
        let db = self.connection();
        let mut check = TrailCheck::default();
        let mut after: Option<(i32, i64)> = None;
        loop {
            let mut q = event::Entity::find()
                .select_only()
                .columns([
                    event::Column::County,
                    event::Column::Id,
                    event::Column::TrailHash,
                ])
                .order_by_asc(event::Column::County)
                .order_by_asc(event::Column::Id)
                .limit(BATCH);
            if let Some((county, id)) = after {
                q = q.filter(crate::sql::events_after(county, id));
            }
            let events: Vec<(i32, i64, String)> = q.into_tuple().all(db).await?;
            let Some(last) = events.last() else {
                return Ok(check);
            };
            after = Some((last.0, last.1));
            let county = events[0].0;
            // One county per round keeps the step query on its primary key.
            let same: Vec<&(i32, i64, String)> = events.iter().filter(|e| e.0 == county).collect();
            if same.len() < events.len() {
                after = same.last().map(|e| (e.0, e.1));
            }
            let steps = event_step::Entity::find()
                .filter(event_step::Column::County.eq(county))
                .filter(event_step::Column::EventId.is_in(same.iter().map(|e| e.1)))
                .order_by_asc(event_step::Column::EventId)
                .order_by_asc(event_step::Column::Seq)
                .all(db)
                .await?;
            check.steps += steps.len() as u64;
            let mut rest = steps.as_slice();
            for (_, id, hash) in same {
                let n = rest.iter().take_while(|s| s.event_id == *id).count();
                let (mine, after_mine) = rest.split_at(n);
                rest = after_mine;
                check.events += 1;
                if let Some((seq, reason)) = trail_break(mine, hash) {
                    check.broken_count += 1;
                    if check.broken.len() < MAX_LISTED {
                        check.broken.push(BrokenTrail {
                            event_id: *id,
                            seq,
                            reason,
                        });
                    }
                }
            }
        }
    }
}
