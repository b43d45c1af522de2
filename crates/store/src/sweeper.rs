//! The deadline sweeper: raises the warning (80 % of the working time used) and the overdue
//! flag on open events when their instant has come, and writes each into the event's trail.
//!
//! Each flag also sends a notice to the department and the level watching the event.
//!
//! Safe on several servers at once and across restarts: everything it needs is in the
//! database (`warning_at`, `deadline`), and each flag is set by an update that applies only
//! to the version of the event it read, so two sweepers never record the same flag twice.
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{event, event_step};
use crate::events::write_step;
use crate::notices::NoticeKind;
use crate::{Store, StoreError};

/// Events looked at per round; the next round takes the rest.
const ROUND: u64 = 500;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub warnings: u64,
    pub overdue: u64,
}

enum Flag {
    Warning,
    Overdue,
}

impl Store {
    /// Raises every flag that is due now.
    pub async fn sweep_deadlines(&self) -> Result<Swept, StoreError> {
        let mut swept = Swept::default();
        loop {
            let now = self.now_ms();
            let db = self.connection();
            let overdue = event::Entity::find()
                .filter(event::Column::Deadline.lte(now))
                .filter(event::Column::Overdue.eq(false))
                .order_by_asc(event::Column::Deadline)
                .limit(ROUND)
                .all(db)
                .await?;
            let warnings = event::Entity::find()
                .filter(event::Column::WarningAt.lte(now))
                .filter(event::Column::Warning.eq(false))
                .order_by_asc(event::Column::WarningAt)
                .limit(ROUND)
                .all(db)
                .await?;
            if overdue.is_empty() && warnings.is_empty() {
                return Ok(swept);
            }
            for e in overdue {
                if self.raise(e, Flag::Overdue, now).await? {
                    swept.overdue += 1;
                }
            }
            for e in warnings {
                // Re-read: the overdue pass above may have moved this event on.
                let Some(e) = event::Entity::find_by_id((e.county, e.id)).one(db).await? else {
                    continue;
                };
                if !e.warning && self.raise(e, Flag::Warning, now).await? {
                    swept.warnings += 1;
                }
            }
        }
    }

    /// Sets one flag on the version of the event read; false when someone got there first.
    async fn raise(&self, e: event::Model, flag: Flag, now: i64) -> Result<bool, StoreError> {
        let mut next = e.clone();
        let note = match flag {
            Flag::Warning => {
                next.warning = true;
                "办理时限已用去80%，系统预警"
            }
            Flag::Overdue => {
                next.warning = true;
                next.overdue = true;
                "已超过办理时限，系统标记超期"
            }
        };
        next.updated_at = now;
        let txn = crate::connect::begin_write(self.connection()).await?;
        let seq = event_step::Entity::find()
            .filter(event_step::Column::County.eq(e.county))
            .filter(event_step::Column::EventId.eq(e.id))
            .count(&txn)
            .await? as i32
            + 1;
        let step = event_step::Model {
            county: e.county,
            event_id: e.id,
            seq,
            at: now,
            account_id: None,
            actor: "系统".into(),
            role: String::new(),
            action: match flag {
                Flag::Warning => "warn",
                Flag::Overdue => "overdue",
            }
            .into(),
            from_state: e.state.clone(),
            to_state: e.state.clone(),
            note: note.into(),
            department_id: e.department_id,
            photos: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        if !write_step(&txn, &e, &mut next, step).await? {
            return Ok(false);
        }
        let (kind, text) = match flag {
            Flag::Warning => (
                NoticeKind::Warning,
                format!("事件{}（{}）办理时限已用去80%", e.id, e.category_name),
            ),
            Flag::Overdue => (
                NoticeKind::Overdue,
                format!("事件{}（{}）已超期，请尽快办理", e.id, e.category_name),
            ),
        };
        self.notify(&txn, &next, kind, text).await?;
        txn.commit().await?;
        Ok(true)
    }
}
