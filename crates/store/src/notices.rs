//! Notices (消息提醒) for the people responsible for an event: the department handling it
//! and the command center of the level it stands at, written in the same transaction as
//! the step that causes them (a warning, an overdue flag, a supervision order, an
//! escalation, a low rating, a dispatch), so none is lost and none is sent twice.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use wangge_domain::date::format_local;
use wangge_domain::region::Level;

use crate::entity::{event, notification};
use crate::{Scope, Store, StoreError};

/// Why a notice was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Dispatched,
    Warning,
    Overdue,
    Supervised,
    Escalated,
    LowRating,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Dispatched => "dispatched",
            NoticeKind::Warning => "warning",
            NoticeKind::Overdue => "overdue",
            NoticeKind::Supervised => "supervised",
            NoticeKind::Escalated => "escalated",
            NoticeKind::LowRating => "low_rating",
        }
    }

    pub fn label(kind: &str) -> &'static str {
        match kind {
            "dispatched" => "新交办",
            "warning" => "临期预警",
            "overdue" => "超期",
            "supervised" => "督办",
            "escalated" => "上报上级",
            "low_rating" => "差评",
            _ => "提醒",
        }
    }

    /// Whether the department handling the event is told too (a low rating or an
    /// escalation concerns the command center only).
    fn tells_department(self) -> bool {
        matches!(
            self,
            NoticeKind::Dispatched
                | NoticeKind::Warning
                | NoticeKind::Overdue
                | NoticeKind::Supervised
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    pub id: i64,
    pub at: i64,
    pub at_text: String,
    pub event_id: i64,
    pub kind: String,
    pub kind_label: &'static str,
    pub text: String,
}

/// The region whose command center watches an event now: its grid's code cut to the
/// level the event stands at (a grid's community, or the street it was escalated to).
pub fn watching_region(grid_code: &str, level: &str) -> String {
    let level = Level::parse_str(level).unwrap_or(Level::Grid);
    // A grid-level event is watched by its community's command center.
    let level = if level == Level::Grid {
        Level::Community
    } else {
        level
    };
    grid_code
        .get(..level.code_len())
        .unwrap_or(grid_code)
        .to_string()
}

/// Most notices one listing answers.
const LIST_LIMIT: u64 = 50;

impl Store {
    /// Writes one notice about `e` (as it is after the step) inside the step's transaction.
    pub(crate) async fn notify(
        &self,
        txn: &impl ConnectionTrait,
        e: &event::Model,
        kind: NoticeKind,
        text: String,
    ) -> Result<(), StoreError> {
        notification::ActiveModel::from(notification::Model {
            county: e.county,
            id: self.next_id(),
            created_at: self.now_ms(),
            event_id: e.id,
            kind: kind.as_str().into(),
            department_id: e.department_id.filter(|_| kind.tells_department()),
            region_code: watching_region(&e.grid_code, &e.level),
            text,
        })
        .insert(txn)
        .await?;
        Ok(())
    }

    /// The newest notices for the caller, newer than `after` (an id) when given: a
    /// department's own, or those of every level within the caller's region.
    pub async fn notices(
        &self,
        scope: &Scope,
        after: Option<i64>,
    ) -> Result<Vec<NoticeView>, StoreError> {
        let mut q = notification::Entity::find();
        if scope.role.is_department() {
            let own = scope.department_id.ok_or(StoreError::NotFound)?;
            q = q.filter(notification::Column::DepartmentId.eq(own));
        } else if !scope.region.is_empty() {
            let (lo, hi) = Scope::range_of(&scope.region);
            q = q
                .filter(notification::Column::RegionCode.gte(lo))
                .filter(notification::Column::RegionCode.lt(hi));
        }
        if let Some(after) = after {
            q = q.filter(notification::Column::Id.gt(after));
        }
        Ok(q.order_by_desc(notification::Column::Id)
            .limit(LIST_LIMIT)
            .all(self.connection())
            .await?
            .into_iter()
            .map(|n| NoticeView {
                id: n.id,
                at: n.created_at,
                at_text: format_local(n.created_at),
                event_id: n.event_id,
                kind_label: NoticeKind::label(&n.kind),
                kind: n.kind,
                text: n.text,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::watching_region;

    #[test]
    fn the_level_an_event_stands_at_decides_who_watches() {
        let grid = "430204001001001";
        assert_eq!(watching_region(grid, "grid"), "430204001001");
        assert_eq!(watching_region(grid, "community"), "430204001001");
        assert_eq!(watching_region(grid, "street"), "430204001");
        assert_eq!(watching_region(grid, "county"), "430204");
        assert_eq!(watching_region(grid, "city"), "4302");
    }
}
