//! The households of a region as the visit-rule engine sees them: loaded in three flat
//! queries (households with their building, the tags of their members, their visits) and
//! lent to `wangge_domain::visits` as borrowed subjects.
use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use wangge_domain::date::Date;
use wangge_domain::population::TagKind;
use wangge_domain::region::Level;
use wangge_domain::visits::{Membership, RuleSet, Subject, Tag, TagSet};

use crate::{Scope, Store, StoreError, sql};

/// Visits older than this before the counting day are not needed by any rule.
const LOOK_BACK_DAYS: i64 = 200;

/// Households under a region with what the engine needs: street by street, each in
/// household-id order.
#[derive(Debug, Default)]
pub struct Households {
    pub ids: Vec<i64>,
    pub grids: Vec<String>,
    pub buildings: Vec<String>,
    pub building_names: Vec<String>,
    pub rooms: Vec<String>,
    pub addresses: Vec<String>,
    pub tags: Vec<Vec<Tag>>,
    pub visits: Vec<Vec<Date>>,
}

impl Households {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Runs `f` over the households as subjects, each a member of its grid since `since`
    /// (the store keeps no history of moves: a household counts for its grid of today).
    pub fn with_subjects<R>(&self, since: Date, f: impl FnOnce(&[Subject<'_>]) -> R) -> R {
        let memberships: Vec<[Membership<'_>; 1]> = self
            .grids
            .iter()
            .map(|g| {
                [Membership {
                    grid: g,
                    from: since,
                    until: None,
                }]
            })
            .collect();
        let subjects: Vec<Subject<'_>> = (0..self.len())
            .map(|i| Subject {
                id: self.ids[i],
                building: &self.buildings[i],
                room: &self.rooms[i],
                tags: &self.tags[i],
                memberships: &memberships[i],
                visits: &self.visits[i],
            })
            .collect();
        f(&subjects)
    }
}

/// The tags the rules name, quoted for an `IN (…)` list (the vocabulary's own ids, not
/// input); `''` when none does. Other tags (60岁以上老人 is a fifth of the people) are
/// not read.
fn rule_tags(rules: &RuleSet) -> String {
    let mut set = TagSet::EMPTY;
    for r in rules.rules() {
        if let Some(tags) = r.target().tags() {
            set = set.iter().chain(tags.iter()).collect();
        }
    }
    let list: Vec<String> = set.iter().map(|t| format!("'{}'", t.as_str())).collect();
    if list.is_empty() {
        "''".into()
    } else {
        list.join(", ")
    }
}

/// The three queries behind [`Households`]: the households with their building, their
/// members' tags, their visits since `from` (a day number).
fn queries(backend: DbBackend, region: &str, from: i32, rules: &RuleSet) -> [Statement; 3] {
    let (lo, hi) = Scope::range_of(region);
    let range = || vec![lo.clone().into(), hi.clone().into()];
    let mut visits = range();
    visits.push(from.into());
    [
        sql::statement(
            backend,
            // A household registered without its building (an import with an address
            // only) is owed visits all the same.
            "SELECT h.id, h.grid_code, h.room, h.address, COALESCE(b.code, ''), COALESCE(b.name, '') \
             FROM household h LEFT JOIN building b ON b.county = h.county AND b.id = h.building_id \
             WHERE h.grid_code >= ? AND h.grid_code < ? ORDER BY h.id",
            range(),
        ),
        sql::statement(
            backend,
            &format!(
                "SELECT p.household_id, t.tag FROM person_tag t \
                 JOIN person p ON p.county = t.county AND p.id = t.person_id \
                 WHERE t.grid_code >= ? AND t.grid_code < ? AND p.status = 'active' \
                 AND t.tag IN ({})",
                rule_tags(rules)
            ),
            range(),
        ),
        sql::statement(
            backend,
            "SELECT household_id, day FROM visit \
             WHERE grid_code >= ? AND grid_code < ? AND day >= ? ORDER BY day",
            visits,
        ),
    ]
}

impl Store {
    /// The rows the visit rules read for a region, fetched and dropped: what the database
    /// alone takes (the raw engine beside `visit_plan` in `wangge bench visits`).
    pub async fn raw_visit_rows(&self, region: &str) -> Result<usize, StoreError> {
        let settings = self.field_settings().await?;
        let db = self.connection();
        let from = settings
            .visits_since
            .add_days(-LOOK_BACK_DAYS)
            .days_since_epoch() as i32;
        let mut n = 0;
        for q in queries(db.get_database_backend(), region, from, &settings.rules) {
            n += db.query_all_raw(q).await?.len();
        }
        Ok(n)
    }

    /// The households under `region` (a grid, community, street or county code). A county
    /// is read street by street, so only one street's rows are held at once.
    pub(crate) async fn visit_households(
        &self,
        region: &str,
        since: Date,
        rules: &RuleSet,
    ) -> Result<Households, StoreError> {
        let mut out = Households::default();
        for part in self.streets_of(region).await? {
            self.read_households(&part, since, rules, &mut out).await?;
        }
        Ok(out)
    }

    /// The streets with grids under `region`, or the region itself below a street.
    async fn streets_of(&self, region: &str) -> Result<Vec<String>, StoreError> {
        if region.len() >= Level::Street.code_len() {
            return Ok(vec![region.to_string()]);
        }
        let db = self.connection();
        let (lo, hi) = Scope::range_of(region);
        let rows = db
            .query_all_raw(sql::statement(
                db.get_database_backend(),
                "SELECT DISTINCT substr(code, 1, 9) AS street FROM grid \
                 WHERE code >= ? AND code < ? ORDER BY street",
                vec![lo.into(), hi.into()],
            ))
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get_by_index::<String>(0)?))
            .collect()
    }

    /// Adds the households under `region` to `out`.
    async fn read_households(
        &self,
        region: &str,
        since: Date,
        rules: &RuleSet,
        out: &mut Households,
    ) -> Result<(), StoreError> {
        let db = self.connection();
        let from = since.add_days(-LOOK_BACK_DAYS).days_since_epoch() as i32;
        let [homes_q, tags_q, visits_q] = queries(db.get_database_backend(), region, from, rules);
        let rows = db.query_all_raw(homes_q).await?;
        let mut index = HashMap::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get_by_index(0)?;
            index.insert(id, out.ids.len());
            out.ids.push(id);
            out.grids.push(r.try_get_by_index(1)?);
            out.rooms.push(r.try_get_by_index(2)?);
            out.addresses.push(r.try_get_by_index(3)?);
            out.buildings.push(r.try_get_by_index(4)?);
            out.building_names.push(r.try_get_by_index(5)?);
        }
        drop(rows);
        out.tags.resize(out.len(), Vec::new());
        out.visits.resize(out.len(), Vec::new());
        let tags = db.query_all_raw(tags_q).await?;
        for r in &tags {
            let household: i64 = r.try_get_by_index(0)?;
            let tag: String = r.try_get_by_index(1)?;
            if let (Some(&i), Some(kind)) = (index.get(&household), TagKind::parse(&tag)) {
                let list = &mut out.tags[i];
                if !list.iter().any(|t| t.kind == kind) {
                    list.push(Tag { kind, since });
                }
            }
        }
        let visits = db.query_all_raw(visits_q).await?;
        for r in &visits {
            let household: i64 = r.try_get_by_index(0)?;
            let day: i32 = r.try_get_by_index(1)?;
            if let Some(&i) = index.get(&household) {
                out.visits[i].push(Date::from_days_since_epoch(day.into()));
            }
        }
        Ok(())
    }
}
