//! The daily social-governance index (社会治理指数) of every county, street and community:
//! computed from the indicator rollup over the 30 days ending each day, kept one row a day
//! (`governance_index`) so its trend can be drawn. `serve` keeps it every minute (each
//! closed day once, from the events as they stood when the day ended); `gen` fills the
//! generated history's days from the events as they stand after generation.
use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Value,
};
use serde::Serialize;
use wangge_domain::date::{Date, local_date};
use wangge_domain::event_facts::Tally;
use wangge_domain::governance::{self, WINDOW_DAYS};

use crate::entity::governance_index;
use crate::indicator_source::rollup_sums;
use crate::indicators::tally_of_row;
use crate::scope::county_of;
use crate::tally::REGION_LEVELS;
use crate::{Scope, Store, StoreError, sql};

/// The days back `keep_governance_index` fills when nothing is kept yet.
const BACKFILL_DAYS: i64 = 90;
/// The longest series answered.
const MAX_SERIES_DAYS: i64 = 366;

#[derive(Debug, Clone, Serialize)]
pub struct ComponentView {
    pub key: &'static str,
    pub name: &'static str,
    pub weight: u32,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndexPoint {
    pub day: String,
    pub value: Option<f64>,
}

/// A region's index: today's so far with its components, and the kept days before.
#[derive(Debug, Clone, Serialize)]
pub struct GovernanceIndex {
    pub region: String,
    pub today: String,
    pub value: Option<f64>,
    pub components: Vec<ComponentView>,
    pub formula: &'static str,
    pub points: Vec<IndexPoint>,
}

pub const FORMULA: &str = "社会治理指数 = (30×按期结案率 + 15×结案率 + 20×满意率 + 10×按时签收率 + \
     10×准确派遣率 + 15×就地化解达标率) / 参与计算的权重之和；按截至当日的近30天上报事件计算";

fn views(counts: &wangge_domain::indicators::Counts) -> Vec<ComponentView> {
    governance::components(counts)
        .into_iter()
        .map(|c| ComponentView {
            key: c.key,
            name: c.name,
            weight: c.weight,
            value: c.value,
        })
        .collect()
}

impl Store {
    /// The sums of the window ending on `day` for every county, street and community of
    /// `county` (`only`: for that region alone).
    async fn window(
        &self,
        county: i32,
        day: Date,
        only: Option<&str>,
    ) -> Result<Vec<(String, Tally)>, StoreError> {
        let db = self.connection();
        let last = day.days_since_epoch();
        let sums = rollup_sums();
        let mut values: Vec<Value> = vec![
            county.into(),
            Value::from(last - WINDOW_DAYS),
            Value::from(last),
        ];
        let which = match only {
            Some(code) => {
                values.extend([Value::from(code.len() as i32), code.into()]);
                "level = ? AND code = ?".to_string()
            }
            None => format!(
                "level IN ({})",
                REGION_LEVELS.map(|l| l.to_string()).join(", ")
            ),
        };
        let rows = db
            .query_all_raw(sql::statement(
                db.get_database_backend(),
                &format!(
                    "SELECT code, {sums} FROM event_tally WHERE county = ? AND day > ? \
                     AND day <= ? AND {which} GROUP BY code"
                ),
                values,
            ))
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("", "code")?, tally_of_row(r)?)))
            .collect()
    }

    /// Computes and keeps the index of every county, street and community for `day`
    /// (replacing what was kept for it); answers the rows kept.
    pub async fn compute_governance_index(&self, day: Date) -> Result<usize, StoreError> {
        let db = self.connection();
        let counties: Vec<i32> = crate::entity::event_tally::Entity::find()
            .select_only()
            .column(crate::entity::event_tally::Column::County)
            .distinct()
            .into_tuple()
            .all(db)
            .await?;
        let mut rows = Vec::new();
        for county in counties {
            for (code, t) in self.window(county, day, None).await? {
                let parts = governance::components(&t.counts());
                rows.push(governance_index::ActiveModel {
                    county: sea_orm::Set(county),
                    day: sea_orm::Set(day.days_since_epoch() as i32),
                    region_code: sea_orm::Set(code),
                    value: sea_orm::Set(governance::index(&parts)),
                    components: sea_orm::Set(
                        parts
                            .iter()
                            .map(|p| match p.value {
                                Some(v) => format!("{}={v:.1}", p.key),
                                None => format!("{}=-", p.key),
                            })
                            .collect::<Vec<_>>()
                            .join(";"),
                    ),
                    computed_at: sea_orm::Set(self.now_ms()),
                });
            }
        }
        let n = rows.len();
        let txn = crate::connect::begin_write(db).await?;
        governance_index::Entity::delete_many()
            .filter(governance_index::Column::Day.eq(day.days_since_epoch() as i32))
            .exec(&txn)
            .await?;
        for chunk in rows.chunks(1_000) {
            governance_index::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(n)
    }

    /// Keeps the index of every closed day not kept yet, up to yesterday (the last 90 days
    /// when nothing is kept); answers the days computed.
    pub async fn keep_governance_index(&self) -> Result<u32, StoreError> {
        let yesterday = local_date(self.now_ms()).add_days(-1);
        let last: Option<i32> = governance_index::Entity::find()
            .select_only()
            .column_as(governance_index::Column::Day.max(), "d")
            .into_tuple::<Option<i32>>()
            .one(self.connection())
            .await?
            .flatten();
        let first = match last {
            Some(d) => Date::from_days_since_epoch(i64::from(d) + 1),
            None => yesterday.add_days(1 - BACKFILL_DAYS),
        };
        let mut day = first.max(yesterday.add_days(1 - BACKFILL_DAYS));
        let mut computed = 0;
        while day <= yesterday {
            self.compute_governance_index(day).await?;
            computed += 1;
            day = day.add_days(1);
        }
        Ok(computed)
    }

    /// The region's index (the caller's own when none is asked): today's so far with its
    /// components, and the kept days of the last `days` (default 90).
    pub async fn governance_index(
        &self,
        scope: &Scope,
        region: Option<&str>,
        days: Option<i64>,
    ) -> Result<GovernanceIndex, StoreError> {
        let region = scope.narrow(region)?;
        if scope.role.is_department() {
            return Err(StoreError::Forbidden("部门账号不能查看区域治理指数".into()));
        }
        let days = days.unwrap_or(90);
        if !(1..=MAX_SERIES_DAYS).contains(&days) {
            return Err(StoreError::invalid(
                "days",
                format!("天数应为1至{MAX_SERIES_DAYS}"),
            ));
        }
        let code = self.index_region(&region).await?;
        let county = county_of(&code).ok_or(StoreError::NotFound)?;
        let today = local_date(self.now_ms());
        let sum = self
            .window(county, today, Some(&code))
            .await?
            .into_iter()
            .fold(Tally::default(), |a, (_, t)| a.plus(&t));
        let counts = sum.counts();
        let components = views(&counts);
        let value = governance::index(&governance::components(&counts));
        let from = today.add_days(-days).days_since_epoch() as i32;
        let kept: HashMap<i32, Option<f64>> = governance_index::Entity::find()
            .filter(governance_index::Column::County.eq(county))
            .filter(governance_index::Column::RegionCode.eq(code.clone()))
            .filter(governance_index::Column::Day.gte(from))
            .order_by_asc(governance_index::Column::Day)
            .all(self.connection())
            .await?
            .into_iter()
            .map(|r| (r.day, r.value))
            .collect();
        let points = (0..days)
            .map(|i| today.add_days(i - days))
            .map(|d| IndexPoint {
                day: d.to_string(),
                value: kept.get(&(d.days_since_epoch() as i32)).copied().flatten(),
            })
            .collect();
        Ok(GovernanceIndex {
            region: code,
            today: today.to_string(),
            value,
            components,
            formula: FORMULA,
            points,
        })
    }

    /// The index is kept for counties, streets and communities: a wider scope reads its
    /// first county, a grid its community.
    async fn index_region(&self, region: &str) -> Result<String, StoreError> {
        match region.len() {
            6 | 9 | 12 => Ok(region.to_string()),
            n if n > 12 => Ok(region[..12].to_string()),
            _ => {
                let (lo, hi) = Scope::range_of(region);
                let first: Option<i32> = crate::entity::event_tally::Entity::find()
                    .select_only()
                    .column_as(crate::entity::event_tally::Column::County.min(), "c")
                    .filter(crate::entity::event_tally::Column::Level.eq(6))
                    .filter(crate::entity::event_tally::Column::Code.gte(lo))
                    .filter(crate::entity::event_tally::Column::Code.lt(hi))
                    .into_tuple::<Option<i32>>()
                    .one(self.connection())
                    .await?
                    .flatten();
                first
                    .map(|c| format!("{c:06}"))
                    .ok_or_else(|| StoreError::invalid("region", "辖区内还没有事件，无法计算指数"))
            }
        }
    }
}
