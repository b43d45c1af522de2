//! The work-task board of a quarter (五问工作法, 网上考核): per unit, how many parts were
//! assigned, planned, submitted, checked off and overdue, and the unit's quarter score by
//! the rule in `wangge_domain::work_task`; the same scores for the assessment.
use std::collections::BTreeMap;

use serde::{Serialize, Serializer};
use wangge_domain::work_task::{Quarter, Scored, UnitKind, quarter_score, round2};

use crate::work_task_scope::{UnitNames, Viewer};
use crate::work_task_views::{StatusCounts, kind_of, scored, status_of};
use crate::work_tasks::{current_quarter, parse_quarter};
use crate::{Scope, Store, StoreError};

/// A unit's work-task result for a quarter, as the assessment reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitTaskScore {
    #[serde(serialize_with = "kind_name")]
    pub unit_kind: UnitKind,
    /// The department's code, or the street's or community's region code.
    pub unit_code: String,
    pub unit_name: String,
    /// Parts assigned to the unit in the quarter.
    pub assigned: u64,
    pub checked_off: u64,
    /// Past the due date and not checked off, or checked off after it.
    pub overdue: u64,
    /// Σ points of its parts.
    pub points: u64,
    /// 0–100, two decimals; `None` with nothing assigned.
    pub score: Option<f64>,
}

fn kind_name<S: Serializer>(kind: &UnitKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.as_str())
}

/// One unit's row of the board.
#[derive(Debug, Clone, Serialize)]
pub struct BoardRow {
    pub unit_kind: &'static str,
    pub unit_kind_label: &'static str,
    pub unit_code: String,
    pub unit_name: String,
    #[serde(flatten)]
    pub counts: StatusCounts,
    pub points: u64,
    /// Σ earned, two decimals.
    pub earned: f64,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub quarter: String,
    pub quarter_label: String,
    pub previous: String,
    pub next: String,
    /// Departments first, then streets and communities, by code.
    pub rows: Vec<BoardRow>,
    pub totals: StatusCounts,
}

impl Store {
    /// The board of a quarter (the current one by default) over the parts the caller sees.
    pub async fn work_task_board(
        &self,
        scope: &Scope,
        quarter: Option<&str>,
    ) -> Result<Board, StoreError> {
        let quarter = match quarter.map(str::trim).filter(|q| !q.is_empty()) {
            Some(q) => parse_quarter(q)?,
            None => current_quarter(self.now_ms()),
        };
        let rows = self.board_rows(scope, quarter).await?;
        let mut totals = StatusCounts::default();
        for r in &rows {
            totals.merge(&r.counts);
        }
        Ok(Board {
            quarter: quarter.to_string(),
            quarter_label: quarter.label(),
            previous: quarter.previous().to_string(),
            next: quarter.next().to_string(),
            rows,
            totals,
        })
    }

    /// Each unit's work-task result of `quarter` (`2026Q4`) over the parts the caller sees,
    /// departments first, then streets and communities, by code.
    pub async fn work_task_scores(
        &self,
        scope: &Scope,
        quarter: &str,
    ) -> Result<Vec<UnitTaskScore>, StoreError> {
        let rows = self.board_rows(scope, parse_quarter(quarter)?).await?;
        Ok(rows
            .into_iter()
            .map(|r| UnitTaskScore {
                unit_kind: UnitKind::parse(r.unit_kind).unwrap_or(UnitKind::Region),
                unit_code: r.unit_code,
                unit_name: r.unit_name,
                assigned: r.counts.assigned,
                checked_off: r.counts.checked_off,
                overdue: r.counts.overdue,
                points: r.points,
                score: r.score,
            })
            .collect())
    }

    async fn board_rows(
        &self,
        scope: &Scope,
        quarter: Quarter,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let db = self.connection();
        let viewer = Viewer::of(db, scope).await?;
        let parts = self.visible_parts(db, &viewer, Some(quarter)).await?;
        let all: Vec<_> = parts.iter().flat_map(|(_, p)| p.iter().cloned()).collect();
        let names = UnitNames::load(db, &all).await?;
        let now = self.now_ms();
        let mut units: BTreeMap<(UnitKind, String), (StatusCounts, Vec<Scored>)> = BTreeMap::new();
        for (task, list) in &parts {
            for a in list {
                let s = scored(task, a);
                let unit = units.entry((kind_of(a), a.unit_code.clone())).or_default();
                unit.0.add(status_of(a), s.is_late(now));
                unit.1.push(s);
            }
        }
        Ok(units
            .into_iter()
            .map(|((kind, code), (counts, items))| BoardRow {
                unit_kind: kind.as_str(),
                unit_kind_label: kind.label(),
                unit_name: names.name(kind, &code),
                unit_code: code,
                counts,
                points: items.iter().map(|i| u64::from(i.points)).sum(),
                earned: round2(items.iter().map(Scored::earned).sum()),
                score: quarter_score(&items),
            })
            .collect())
    }
}
