//! A county's households as the visit rules see them, kept in memory so that every grid's
//! list of due visits is the rule engine's work alone (well under a second for 2 million
//! households) instead of reading millions of rows each time. Visits written since the
//! last look are read by id (ids follow time) and added before each use. Households and
//! tags, which change slowly, are read again in the background once the copy is an hour
//! old, while lists keep being answered from the old copy; only the first use, or a change
//! of the rules or of the counting day, waits for a reading. Smaller regions read their
//! rows directly: they are quick.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use wangge_domain::date::Date;
use wangge_domain::ids::compose_id;
use wangge_domain::region::Level;
use wangge_domain::visits::RuleSet;

use crate::entity::region;
use crate::visit_plan::Households;
use crate::{Store, StoreError, sql};

/// How long households and tags are taken as read.
const FRESH_MS: i64 = 3_600_000;
/// Ids are ordered by time across servers only as far as their clocks agree: visits
/// committed a little late under an older id are caught by looking back this far.
const LOOK_BACK_MS: i64 = 5 * 60_000;

pub(crate) struct Ledger {
    since: Date,
    rules: String,
    loaded_ms: i64,
    /// A fresh copy is being read in the background.
    refreshing: bool,
    pub homes: Households,
    index: HashMap<i64, usize>,
    /// The largest visit id read, and when visits were last read.
    last_visit: i64,
    read_ms: i64,
}

impl Store {
    /// Reads every county's households for the visit lists, so that the first overseer
    /// to ask does not wait for it (about 40 s at Liaocheng scale); `serve` starts it.
    pub async fn warm_visit_ledgers(&self) -> Result<(), StoreError> {
        let settings = self.field_settings().await?;
        let counties = region::Entity::find()
            .filter(region::Column::Level.eq(Level::County.as_str()))
            .all(self.connection())
            .await?;
        for county in counties {
            self.with_county_ledger(&county.code, settings.visits_since, &settings.rules, |_| ())
                .await?;
        }
        Ok(())
    }

    /// Runs `f` over the households under `region` as the visit rules see them: a
    /// county's from the copy in memory, a smaller region's read from the database.
    pub(crate) async fn with_households<R>(
        &self,
        region: &str,
        since: Date,
        rules: &RuleSet,
        f: impl FnOnce(&Households) -> R,
    ) -> Result<R, StoreError> {
        if Level::from_code_len(region.len()) == Some(Level::County) {
            self.with_county_ledger(region, since, rules, f).await
        } else {
            Ok(f(&self.visit_households(region, since, rules).await?))
        }
    }

    /// Runs `f` over the county's households with every visit written so far.
    async fn with_county_ledger<R>(
        &self,
        county: &str,
        since: Date,
        rules: &RuleSet,
        f: impl FnOnce(&Households) -> R,
    ) -> Result<R, StoreError> {
        let mut ledgers = self.visit_ledgers.lock().await;
        let rules_text = rules.to_string();
        match ledgers.get_mut(county) {
            Some(l) if l.since == since && l.rules == rules_text => {
                if self.now_ms() - l.loaded_ms > FRESH_MS && !l.refreshing {
                    l.refreshing = true;
                    let (store, county, rules) = (self.clone(), county.to_string(), rules.clone());
                    tokio::spawn(async move { store.refresh_ledger(county, since, rules).await });
                }
            }
            _ => {
                let ledger = self.read_ledger(county, since, rules).await?;
                ledgers.insert(county.to_string(), ledger);
            }
        }
        let ledger = ledgers.get_mut(county).ok_or(StoreError::NotFound)?;
        self.add_new_visits(ledger).await?;
        Ok(f(&ledger.homes))
    }

    /// Reads a county's households, tags and visits.
    async fn read_ledger(
        &self,
        county: &str,
        since: Date,
        rules: &RuleSet,
    ) -> Result<Ledger, StoreError> {
        // Visits committed while the households are read are added on first use.
        let now = self.now_ms();
        let last_visit = self.max_visit_id().await?;
        let homes = self.visit_households(county, since, rules).await?;
        let index = homes
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect();
        Ok(Ledger {
            since,
            rules: rules.to_string(),
            loaded_ms: now,
            refreshing: false,
            homes,
            index,
            last_visit,
            read_ms: now,
        })
    }

    /// Reads a fresh copy without holding the lock, then puts it in place of the old one
    /// unless the rules or the counting day changed meanwhile (a new copy was read then).
    async fn refresh_ledger(&self, county: String, since: Date, rules: RuleSet) {
        let fresh = self.read_ledger(&county, since, &rules).await;
        let mut ledgers = self.visit_ledgers.lock().await;
        let Some(old) = ledgers.get_mut(&county) else {
            return;
        };
        match fresh {
            Ok(fresh) if old.since == fresh.since && old.rules == fresh.rules => {
                *old = fresh;
            }
            Ok(_) => {}
            Err(e) => {
                old.refreshing = false;
                tracing::warn!(county, error = %e, "re-reading the households for visit lists failed");
            }
        }
    }

    async fn max_visit_id(&self) -> Result<i64, StoreError> {
        let db = self.connection();
        let row = db
            .query_one_raw(sql::statement(
                db.get_database_backend(),
                "SELECT MAX(id) AS id FROM visit",
                vec![],
            ))
            .await?;
        Ok(row
            .and_then(|r| r.try_get::<Option<i64>>("", "id").ok().flatten())
            .unwrap_or(0))
    }

    /// Adds the visits written since the ledger last looked (and a little before, for
    /// late commits; a day already held is not added twice).
    async fn add_new_visits(&self, l: &mut Ledger) -> Result<(), StoreError> {
        let db = self.connection();
        // A visit committed since the last read has an id above the largest one read, or
        // one made shortly before that read (its transaction was still open).
        let from = l.last_visit.min(compose_id(l.read_ms - LOOK_BACK_MS, 0));
        l.read_ms = self.now_ms();
        // By id alone, so the id index answers: a grid-range condition would make the
        // database read the county's every visit. Other counties' are skipped below.
        let rows = db
            .query_all_raw(sql::statement(
                db.get_database_backend(),
                "SELECT id, household_id, day FROM visit WHERE id > ? ORDER BY id",
                vec![from.into()],
            ))
            .await?;
        for r in &rows {
            let id: i64 = r.try_get_by_index(0)?;
            let household: i64 = r.try_get_by_index(1)?;
            let day: i32 = r.try_get_by_index(2)?;
            l.last_visit = l.last_visit.max(id);
            let Some(&i) = l.index.get(&household) else {
                continue;
            };
            let date = Date::from_days_since_epoch(day.into());
            let visits = &mut l.homes.visits[i];
            if !visits.contains(&date) {
                let at = visits.partition_point(|d| *d <= date);
                visits.insert(at, date);
            }
        }
        Ok(())
    }
}
