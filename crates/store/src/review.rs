//! The weekly review (一周一点评) and the monthly report of a region: the period's
//! indicators beside the period before, the regions one level down compared (best and
//! worst by on-time closure), the departments, and the cases to talk about — open overdue,
//! supervised, rated 1–2. The web layer renders it as a page, .xlsx and PDF.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use wangge_domain::case::State;
use wangge_domain::date::{format_local, local_midnight_ms};
use wangge_domain::event_facts::Tally;
use wangge_domain::indicators::rate;
use wangge_domain::period::{Period, PeriodKind};

use crate::entity::{event, grid, region};
use crate::events::Departments;
use crate::indicators::{Breakdown, IndicatorFilter, IndicatorView};
use crate::{Scope, Store, StoreError};

/// Cases listed at most in each list.
const MAX_CASES: u64 = 100;
/// Regions named best and worst.
const PODIUM: usize = 3;
/// A region is ranked only with at least this many cases due to close.
const MIN_DUE: u64 = 1;

/// Weekly or monthly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    Weekly,
    Monthly,
}

impl ReviewKind {
    pub fn parse(s: &str) -> Option<ReviewKind> {
        match s {
            "weekly" => Some(ReviewKind::Weekly),
            "monthly" => Some(ReviewKind::Monthly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::Weekly => "weekly",
            ReviewKind::Monthly => "monthly",
        }
    }

    /// `一周一点评` or `月度通报`.
    pub fn title(self) -> &'static str {
        match self {
            ReviewKind::Weekly => "一周一点评",
            ReviewKind::Monthly => "月度通报",
        }
    }

    fn period_kind(self) -> PeriodKind {
        match self {
            ReviewKind::Weekly => PeriodKind::Week,
            ReviewKind::Monthly => PeriodKind::Month,
        }
    }
}

/// One region or department compared.
#[derive(Debug, Clone, Serialize)]
pub struct CompareRow {
    pub code: String,
    pub name: String,
    pub reports: u64,
    pub closed: u64,
    pub open_overdue: u64,
    /// Closed on time / (closed + open overdue), percent.
    pub on_time_closure: Option<f64>,
    pub closure: Option<f64>,
    pub satisfaction: Option<f64>,
    pub returned: u64,
    pub signed_on_time: Option<f64>,
}

/// A case to talk about.
#[derive(Debug, Clone, Serialize)]
pub struct CaseLine {
    pub id: i64,
    pub category: String,
    pub address: String,
    pub grid_code: String,
    pub department: String,
    pub state: &'static str,
    pub reported_at: String,
    pub deadline: String,
    pub rating: Option<i32>,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub kind: ReviewKind,
    pub title: String,
    /// `2026-W48` or `2026-11`.
    pub period: String,
    pub period_label: String,
    pub from: String,
    pub to: String,
    pub region: String,
    pub region_name: String,
    pub generated_at: String,
    pub indicators: Vec<IndicatorView>,
    /// The same indicators over the period before, in the same order.
    pub previous: Vec<IndicatorView>,
    /// `街道`, `社区` or `网格`.
    pub children_label: &'static str,
    pub children: Vec<CompareRow>,
    pub best: Vec<CompareRow>,
    pub worst: Vec<CompareRow>,
    pub departments: Vec<CompareRow>,
    pub overdue: Vec<CaseLine>,
    pub supervised: Vec<CaseLine>,
    pub low_ratings: Vec<CaseLine>,
}

fn compare(code: String, name: String, t: &Tally) -> CompareRow {
    let c = t.counts();
    CompareRow {
        code,
        name,
        reports: c.reports,
        closed: c.closed,
        open_overdue: c.open_overdue,
        on_time_closure: rate(c.closed_on_time, c.closed + c.open_overdue),
        closure: rate(c.closed, c.closed + c.open_overdue),
        satisfaction: rate(c.satisfied, c.rated),
        returned: c.returned,
        signed_on_time: rate(c.signed_on_time, c.signed),
    }
}

/// The regions one level down and the departments, side by side.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// `街道`, `社区` or `网格`.
    pub children_label: &'static str,
    pub children: Vec<CompareRow>,
    pub departments: Vec<CompareRow>,
}

/// Parses the period of a review (`2026-W48` weekly, `2026-11` monthly), naming the field.
pub fn review_period(kind: ReviewKind, s: &str) -> Result<Period, StoreError> {
    Period::parse(s)
        .filter(|p| p.kind == kind.period_kind())
        .ok_or_else(|| {
            let want = match kind {
                ReviewKind::Weekly => "周（如 2026-W48）",
                ReviewKind::Monthly => "月（如 2026-11）",
            };
            StoreError::invalid("period", format!("期间“{s}”应为{want}"))
        })
}

impl Store {
    /// The last whole week or month before today: the default review.
    pub fn last_review_period(&self, kind: ReviewKind) -> String {
        let today = wangge_domain::date::local_date(self.now_ms());
        Period::containing(kind.period_kind(), today)
            .previous()
            .to_string()
    }

    /// The review of the caller's region (or `region` within it) for the period.
    pub async fn review(
        &self,
        scope: &Scope,
        kind: ReviewKind,
        period: &str,
        region: Option<&str>,
    ) -> Result<Review, StoreError> {
        if scope.role.is_department() {
            return Err(StoreError::Forbidden(
                "点评按辖区生成，部门账号请查看部门考核".into(),
            ));
        }
        let p = review_period(kind, period)?;
        let region = scope.narrow(region)?;
        let filter = |p: Period| IndicatorFilter {
            region: Some(region.clone()),
            from: Some(p.from.to_string()),
            to: Some(p.to.to_string()),
            ..IndicatorFilter::default()
        };
        let now = filter(p);
        let report = self.indicators(scope, &now).await?;
        let previous = self.indicators(scope, &filter(p.previous())).await?;

        let names = self.names_under(&region).await?;
        let Comparison {
            children_label,
            children,
            departments,
        } = self.indicator_comparison(scope, &now).await?;
        let mut ranked: Vec<&CompareRow> = children
            .iter()
            .filter(|r| r.closed + r.open_overdue >= MIN_DUE && r.on_time_closure.is_some())
            .collect();
        ranked.sort_by(|a, b| {
            b.on_time_closure
                .partial_cmp(&a.on_time_closure)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.code.cmp(&b.code))
        });
        let best: Vec<CompareRow> = ranked.iter().take(PODIUM).map(|r| (*r).clone()).collect();
        let worst: Vec<CompareRow> = ranked
            .iter()
            .rev()
            .take(PODIUM.min(ranked.len().saturating_sub(best.len())))
            .map(|r| (*r).clone())
            .collect();

        let depts = Departments::load(self.connection()).await?;
        let (start, end) = (local_midnight_ms(p.from), local_midnight_ms(p.to));
        let lines = |rows: Vec<event::Model>| -> Vec<CaseLine> {
            rows.into_iter()
                .map(|e| CaseLine {
                    id: e.id,
                    department: e
                        .department_id
                        .and_then(|d| depts.by_id(d))
                        .map(|d| d.name.clone())
                        .unwrap_or_default(),
                    state: State::parse(&e.state).map_or("", |s| s.label()),
                    reported_at: format_local(e.created_at),
                    deadline: e.deadline.map(format_local).unwrap_or_default(),
                    rating: e.rating,
                    comment: e.rating_comment.unwrap_or_default(),
                    category: e.category_name,
                    address: e.address,
                    grid_code: e.grid_code,
                })
                .collect()
        };
        let (lo, hi) = Scope::range_of(&region);
        let in_region = || {
            event::Entity::find()
                .filter(event::Column::GridCode.gte(lo.clone()))
                .filter(event::Column::GridCode.lt(hi.clone()))
        };
        let open: Vec<&str> = State::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str())
            .collect();
        let db = self.connection();
        let overdue = in_region()
            .filter(event::Column::Overdue.eq(true))
            .filter(event::Column::State.is_in(open.clone()))
            .order_by_asc(event::Column::Deadline)
            .limit(MAX_CASES)
            .all(db)
            .await?;
        let supervised = in_region()
            .filter(event::Column::Supervised.eq(true))
            .filter(event::Column::State.is_in(open))
            .order_by_asc(event::Column::Id)
            .limit(MAX_CASES)
            .all(db)
            .await?;
        let low = in_region()
            .filter(event::Column::LowRating.eq(true))
            .filter(event::Column::UpdatedAt.gte(start))
            .filter(event::Column::UpdatedAt.lt(end))
            .order_by_asc(event::Column::Id)
            .limit(MAX_CASES)
            .all(db)
            .await?;
        let region_name = names
            .get(&region)
            .cloned()
            .unwrap_or_else(|| "全部辖区".into());
        Ok(Review {
            kind,
            title: format!("{region_name}{}（{}）", kind.title(), p.label()),
            period: p.to_string(),
            period_label: p.label(),
            from: p.from.to_string(),
            to: p.to.to_string(),
            region_name,
            region,
            generated_at: format_local(self.now_ms()),
            indicators: report.indicators,
            previous: previous.indicators,
            children_label,
            children,
            best,
            worst,
            departments,
            overdue: lines(overdue),
            supervised: lines(supervised),
            low_ratings: lines(low),
        })
    }

    /// The filter's figures split by the regions one level down and by lead department.
    pub async fn indicator_comparison(
        &self,
        scope: &Scope,
        filter: &IndicatorFilter,
    ) -> Result<Comparison, StoreError> {
        let region = scope.narrow(filter.region.as_deref())?;
        let names = self.names_under(&region).await?;
        let children: Vec<CompareRow> = self
            .indicator_breakdown(scope, filter, Breakdown::Children)
            .await?
            .into_iter()
            .map(|(code, t)| {
                let name = names.get(&code).cloned().unwrap_or_else(|| code.clone());
                compare(code, name, &t)
            })
            .collect();
        let depts = Departments::load(self.connection()).await?;
        let departments = self
            .indicator_breakdown(scope, filter, Breakdown::Departments)
            .await?
            .into_iter()
            .map(|(code, t)| {
                let name = depts
                    .by_code(&code)
                    .map_or_else(|| code.clone(), |d| d.name.clone());
                compare(code, name, &t)
            })
            .collect();
        Ok(Comparison {
            children_label: match children.first().map_or(region.len() + 3, |c| c.code.len()) {
                6 => "区县",
                9 => "街道",
                12 => "社区",
                _ => "网格",
            },
            children,
            departments,
        })
    }

    /// Names of the region and everything under it (regions; grids too under a community),
    /// by code.
    pub(crate) async fn names_under(
        &self,
        region: &str,
    ) -> Result<HashMap<String, String>, StoreError> {
        let (lo, hi) = Scope::range_of(region);
        let db = self.connection();
        let mut names: HashMap<String, String> = region::Entity::find()
            .select_only()
            .column(region::Column::Code)
            .column(region::Column::Name)
            .filter(region::Column::Code.gte(lo.clone()))
            .filter(region::Column::Code.lt(hi.clone()))
            .into_tuple::<(String, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        if region.len() >= 12 {
            let grids: Vec<(String, String)> = grid::Entity::find()
                .select_only()
                .column(grid::Column::Code)
                .column(grid::Column::Name)
                .filter(grid::Column::Code.gte(lo))
                .filter(grid::Column::Code.lt(hi))
                .into_tuple()
                .all(db)
                .await?;
            names.extend(grids);
        }
        Ok(names)
    }
}
