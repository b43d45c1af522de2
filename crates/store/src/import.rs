//! Importing persons from a file, batch by batch: each checked row is matched with the
//! record on file by its ID number's blind index, then planned (new, changed, unchanged or
//! refused) and, when applied, written with its household, tags and history in the
//! batch's one transaction. Importing the same file twice changes nothing.
use std::collections::{BTreeSet, HashMap, HashSet};

use sea_orm::{ConnectionTrait, DatabaseTransaction, Value};
use wangge_domain::person_input::PersonInput;
use wangge_domain::population::{Relation, Residence, TagKind};
use wangge_domain::region::Level;

use crate::audit::AuditEntry;
use crate::bulk::Rows;
use crate::load::{Batch, HouseholdIn, PersonExtra, PersonIn, Sealed};
use crate::scope::county_of;
use crate::{Scope, Store, StoreError, sql};

/// One row of a file, checked and sealed.
pub struct PersonRow {
    /// The row number the user sees in the file.
    pub line: usize,
    pub input: PersonInput,
    pub sealed: Sealed,
}

/// What importing a row does (or would do, in a dry run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    New,
    /// The keys of the fields that change (`grid` when the person moves).
    Changed(Vec<&'static str>),
    Unchanged,
    Refused {
        field: &'static str,
        message: String,
    },
}

/// Counts of an import so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub refused: u64,
}

impl Totals {
    pub fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::New => self.new += 1,
            Outcome::Changed(_) => self.changed += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Refused { .. } => self.refused += 1,
        }
    }
}

/// A person's record as it is on file.
struct OnFile {
    county: i32,
    id: i64,
    grid_code: String,
    household_id: i64,
    name: String,
    phone_index: Option<Vec<u8>>,
    relation: String,
    residence: String,
    ethnicity: Option<String>,
    note: Option<String>,
    status: String,
    tags: Vec<(String, Option<i32>)>,
}

/// The decision for one row, with what applying it needs.
enum Plan {
    New { grid: String },
    Update { on_file: Box<OnFile>, grid: String },
    Nothing,
}

/// An import in progress: caches what batches share (grids, households made so far) and
/// remembers the grids whose counts must be refreshed at the end.
pub struct PersonImport<'s> {
    store: &'s Store,
    scope: Scope,
    source: String,
    grids: HashMap<String, bool>,
    /// (grid, household key) → household id, for households found or made by this import.
    households: HashMap<(String, String), i64>,
    /// (grid, household number) pairs already looked up on file, found or not.
    looked_up: HashSet<(String, String)>,
    /// (grid, building name) → building id, 0 when there is no such building.
    buildings: HashMap<(String, String), i64>,
    touched: BTreeSet<String>,
    /// Whether new persons get a `create` history row (forms do; bulk imports rely on
    /// their audit entry instead).
    record_creates: bool,
    pub totals: Totals,
}

const IMPORT_ROLES: &str = "只有可写的角色（网格员、指挥中心、管理员等）可以导入数据";

impl<'s> PersonImport<'s> {
    /// `source` says where the rows come from, for the history (`导入 人口.xlsx`).
    pub fn new(store: &'s Store, scope: &Scope, source: &str) -> Result<Self, StoreError> {
        store.base_scope_check(scope)?;
        if !scope.role.can_write() {
            return Err(StoreError::Forbidden(IMPORT_ROLES.into()));
        }
        Ok(PersonImport {
            store,
            scope: scope.clone(),
            source: source.to_string(),
            grids: HashMap::new(),
            households: HashMap::new(),
            looked_up: HashSet::new(),
            buildings: HashMap::new(),
            touched: BTreeSet::new(),
            record_creates: false,
            totals: Totals::default(),
        })
    }

    /// Gives every person this import creates a `create` history row.
    pub fn recording_creates(mut self) -> Self {
        self.record_creates = true;
        self
    }

    /// What importing `rows` would do; nothing is written.
    pub async fn check(&mut self, rows: &[PersonRow]) -> Result<Vec<Outcome>, StoreError> {
        let plans = self.plan(rows).await?;
        let outcomes: Vec<Outcome> = plans.into_iter().map(|(o, _)| o).collect();
        outcomes.iter().for_each(|o| self.totals.count(o));
        Ok(outcomes)
    }

    /// Imports `rows` in one transaction: all of the batch's valid rows land, or none.
    pub async fn apply(&mut self, rows: &[PersonRow]) -> Result<Vec<Outcome>, StoreError> {
        let plans = self.plan(rows).await?;
        let txn = crate::connect::begin_write(self.store.connection()).await?;
        self.look_up_numbers(&txn, rows, &plans).await?;
        let mut writer = Writer::new(self.store, &self.scope, &self.source);
        writer.record_creates = self.record_creates;
        for (row, (outcome, plan)) in rows.iter().zip(&plans) {
            match plan {
                Plan::New { grid } => {
                    let household = self.household_for(&txn, row, grid, &mut writer).await?;
                    writer.add_person(row, grid, household)?;
                    self.touched.insert(grid.clone());
                }
                Plan::Update { on_file, grid } => {
                    let Outcome::Changed(fields) = outcome else {
                        continue;
                    };
                    let household = if *grid != on_file.grid_code {
                        self.touched.insert(on_file.grid_code.clone());
                        self.touched.insert(grid.clone());
                        Some(self.household_for(&txn, row, grid, &mut writer).await?)
                    } else {
                        None
                    };
                    writer
                        .update_person(&txn, row, on_file, grid, household, fields)
                        .await?;
                }
                Plan::Nothing => {}
            }
        }
        writer.flush(&txn).await?;
        txn.commit().await?;
        let outcomes: Vec<Outcome> = plans.into_iter().map(|(o, _)| o).collect();
        outcomes.iter().for_each(|o| self.totals.count(o));
        Ok(outcomes)
    }

    /// Refreshes the counts of the grids the import changed and writes the audit entry.
    pub async fn finish(self, client: &str) -> Result<Totals, StoreError> {
        let txn = crate::connect::begin_write(self.store.connection()).await?;
        let codes: Vec<String> = self.touched.iter().cloned().collect();
        for chunk in codes.chunks(500) {
            crate::split::recount(&txn, chunk).await?;
        }
        let t = self.totals;
        let object = format!(
            "{}：新增{}，更新{}，未变{}，拒绝{}",
            self.source, t.new, t.changed, t.unchanged, t.refused
        );
        self.store
            .audit_in(
                &txn,
                AuditEntry {
                    account: &self.scope.username,
                    action: "person.import",
                    object: &object,
                    outcome: "ok",
                    client,
                },
            )
            .await?;
        txn.commit().await?;
        Ok(t)
    }

    async fn plan(&mut self, rows: &[PersonRow]) -> Result<Vec<(Outcome, Plan)>, StoreError> {
        let on_file = self.on_file(rows).await?;
        let wanted: Vec<String> = rows.iter().filter_map(|r| r.input.grid.clone()).collect();
        self.learn_grids(&wanted).await?;
        let mut plans = Vec::with_capacity(rows.len());
        let mut found = on_file;
        for row in rows {
            let existing = found.remove(&row.sealed.id_index);
            plans.push(self.plan_row(row, existing));
        }
        Ok(plans)
    }

    fn plan_row(&self, row: &PersonRow, on_file: Option<OnFile>) -> (Outcome, Plan) {
        let refuse = |field, message: &str| {
            (
                Outcome::Refused {
                    field,
                    message: message.to_string(),
                },
                Plan::Nothing,
            )
        };
        if let Some(code) = &row.input.grid
            && !self.grids.get(code).copied().unwrap_or(false)
        {
            return refuse("grid", &format!("网格“{code}”不存在或不在您的管辖范围内"));
        }
        let Some(on_file) = on_file else {
            let grid = row.input.grid.clone().or_else(|| self.own_grid());
            return match grid {
                Some(grid) => (Outcome::New, Plan::New { grid }),
                None => refuse(
                    "grid",
                    "未填写网格编码，无法确定此人所属网格（请在“网格”列填写15位网格编码）",
                ),
            };
        };
        if !self.scope.covers(&on_file.grid_code) {
            return refuse(
                "id_number",
                "此人已在您管辖范围以外的网格登记，请联系其所在网格或上级指挥中心办理迁入",
            );
        }
        if on_file.status == "deceased" {
            return refuse("id_number", "此人已登记为死亡，不能再导入");
        }
        let grid = row
            .input
            .grid
            .clone()
            .unwrap_or_else(|| on_file.grid_code.clone());
        if county_of(&grid) != Some(on_file.county) {
            return refuse(
                "grid",
                "不能通过导入把人员迁到其他区县的网格，请由迁入地办理登记",
            );
        }
        let fields = changed_fields(&row.input, &row.sealed, &on_file, &grid);
        if fields.is_empty() {
            (Outcome::Unchanged, Plan::Nothing)
        } else {
            (
                Outcome::Changed(fields),
                Plan::Update {
                    on_file: Box::new(on_file),
                    grid,
                },
            )
        }
    }

    /// The caller's own grid, when the scope is exactly one grid.
    fn own_grid(&self) -> Option<String> {
        (self.scope.region.len() == Level::Grid.code_len()
            && self.grids.get(&self.scope.region).copied().unwrap_or(false))
        .then(|| self.scope.region.clone())
    }

    /// Learns which of `codes` (and the caller's own grid) exist within the scope.
    async fn learn_grids(&mut self, codes: &[String]) -> Result<(), StoreError> {
        let mut unknown: Vec<&String> = codes
            .iter()
            .filter(|c| !self.grids.contains_key(*c))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let own = self.scope.region.clone();
        if own.len() == Level::Grid.code_len() && !self.grids.contains_key(&own) {
            unknown.push(&own);
        }
        if unknown.is_empty() {
            return Ok(());
        }
        let db = self.store.connection();
        let mut known = HashSet::new();
        for chunk in unknown.chunks(1000) {
            let marks = vec!["?"; chunk.len()].join(",");
            let stmt = sql::statement(
                db.get_database_backend(),
                &format!("SELECT code FROM grid WHERE code IN ({marks})"),
                chunk.iter().map(|c| Value::from(c.as_str())).collect(),
            );
            for r in db.query_all_raw(stmt).await? {
                known.insert(r.try_get::<String>("", "code")?);
            }
        }
        let learned: Vec<(String, bool)> = unknown
            .into_iter()
            .map(|c| (c.clone(), known.contains(c) && self.scope.covers(c)))
            .collect();
        self.grids.extend(learned);
        Ok(())
    }

    /// The records on file for the rows' ID numbers, by blind index.
    async fn on_file(&self, rows: &[PersonRow]) -> Result<HashMap<Vec<u8>, OnFile>, StoreError> {
        let db = self.store.connection();
        let mut found: HashMap<Vec<u8>, OnFile> = HashMap::new();
        for chunk in rows.chunks(2000) {
            let marks = vec!["?"; chunk.len()].join(",");
            let stmt = sql::statement(
                db.get_database_backend(),
                &format!(
                    "SELECT county, id, grid_code, household_id, name, phone_index, relation, \
                     residence, ethnicity, note, status, id_index FROM person WHERE id_index IN ({marks})"
                ),
                chunk
                    .iter()
                    .map(|r| Value::from(r.sealed.id_index.clone()))
                    .collect(),
            );
            for r in db.query_all_raw(stmt).await? {
                found.insert(
                    r.try_get("", "id_index")?,
                    OnFile {
                        county: r.try_get("", "county")?,
                        id: r.try_get("", "id")?,
                        grid_code: r.try_get("", "grid_code")?,
                        household_id: r.try_get("", "household_id")?,
                        name: r.try_get("", "name")?,
                        phone_index: r.try_get("", "phone_index")?,
                        relation: r.try_get("", "relation")?,
                        residence: r.try_get("", "residence")?,
                        ethnicity: r.try_get("", "ethnicity")?,
                        note: r.try_get("", "note")?,
                        status: r.try_get("", "status")?,
                        tags: Vec::new(),
                    },
                );
            }
        }
        if found.is_empty() {
            return Ok(found);
        }
        let by_id: HashMap<i64, Vec<u8>> = found.iter().map(|(k, p)| (p.id, k.clone())).collect();
        let ids: Vec<(i32, i64)> = found.values().map(|p| (p.county, p.id)).collect();
        for chunk in ids.chunks(2000) {
            let marks = vec!["(?, ?)"; chunk.len()].join(",");
            let values = chunk
                .iter()
                .flat_map(|(c, id)| [Value::from(*c), Value::from(*id)])
                .collect();
            let stmt = sql::statement(
                db.get_database_backend(),
                &format!(
                    "SELECT person_id, tag, grade FROM person_tag WHERE (county, person_id) IN (VALUES {marks})"
                ),
                values,
            );
            for r in db.query_all_raw(stmt).await? {
                let person: i64 = r.try_get("", "person_id")?;
                if let Some(p) = by_id.get(&person).and_then(|k| found.get_mut(k)) {
                    p.tags
                        .push((r.try_get("", "tag")?, r.try_get("", "grade")?));
                }
            }
        }
        Ok(found)
    }

    /// Looks up in one query the household numbers of a batch's new and moving persons, so
    /// that joining households costs no query per row.
    async fn look_up_numbers(
        &mut self,
        txn: &DatabaseTransaction,
        rows: &[PersonRow],
        plans: &[(Outcome, Plan)],
    ) -> Result<(), StoreError> {
        let mut wanted: HashSet<(String, String)> = HashSet::new();
        for (row, (_, plan)) in rows.iter().zip(plans) {
            let grid = match plan {
                Plan::New { grid } => grid,
                Plan::Update { on_file, grid } if *grid != on_file.grid_code => grid,
                _ => continue,
            };
            if let Some(number) = &row.input.household {
                let pair = (grid.clone(), number.clone());
                if !self.looked_up.contains(&pair) {
                    wanted.insert(pair);
                }
            }
        }
        let numbers: Vec<&String> = wanted
            .iter()
            .map(|(_, n)| n)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for chunk in numbers.chunks(1000) {
            let marks = vec!["?"; chunk.len()].join(",");
            let stmt = sql::statement(
                txn.get_database_backend(),
                &format!("SELECT id, grid_code, number FROM household WHERE number IN ({marks})"),
                chunk.iter().map(|n| Value::from(n.as_str())).collect(),
            );
            for r in txn.query_all_raw(stmt).await? {
                let pair = (
                    r.try_get::<String>("", "grid_code")?,
                    r.try_get::<String>("", "number")?,
                );
                if wanted.contains(&pair) {
                    self.households
                        .entry((pair.0, format!("户号:{}", pair.1)))
                        .or_insert(r.try_get("", "id")?);
                }
            }
        }
        self.looked_up.extend(wanted);
        Ok(())
    }

    /// The household a new or moving person joins: the one with the row's household
    /// number (or address) in that grid, else a new one.
    async fn household_for(
        &mut self,
        txn: &DatabaseTransaction,
        row: &PersonRow,
        grid: &str,
        writer: &mut Writer<'_>,
    ) -> Result<Joined, StoreError> {
        let input = &row.input;
        let key = match (
            &input.household,
            &input.address,
            &input.building,
            &input.room,
        ) {
            (Some(number), ..) => Some(format!("户号:{number}")),
            (None, None, None, None) => None,
            (None, a, b, r) => Some(format!(
                "址:{}|{}|{}",
                a.as_deref().unwrap_or(""),
                b.as_deref().unwrap_or(""),
                r.as_deref().unwrap_or("")
            )),
        };
        if let Some(key) = &key {
            if let Some(&id) = self.households.get(&(grid.to_string(), key.clone())) {
                // Made earlier in this batch: still unwritten, so its count is set at flush
                // instead of updated row by row.
                return Ok(if writer.new_households.contains(&id) {
                    Joined::New(id)
                } else {
                    Joined::Existing(id)
                });
            }
            if let Some(number) = &input.household
                && !self.looked_up.contains(&(grid.to_string(), number.clone()))
                && let Some(id) = household_by_number(txn, grid, number).await?
            {
                self.households.insert((grid.to_string(), key.clone()), id);
                return Ok(Joined::Existing(id));
            }
        }
        let building_id = match &input.building {
            Some(name) => {
                let key = (grid.to_string(), name.clone());
                match self.buildings.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = building_by_name(txn, grid, name).await?.unwrap_or(0);
                        self.buildings.insert(key, id);
                        id
                    }
                }
            }
            None => 0,
        };
        let address = input.address.clone().unwrap_or_else(|| {
            [input.building.as_deref(), input.room.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        });
        let id = writer.batch.add_household(
            self.store,
            &HouseholdIn {
                building_id,
                grid_code: grid,
                room: input.room.as_deref().unwrap_or(""),
                address: &address,
                members: 0,
                number: input.household.as_deref(),
            },
        )?;
        if let Some(key) = key {
            self.households.insert((grid.to_string(), key), id);
        }
        writer.new_households.insert(id);
        Ok(Joined::New(id))
    }
}

/// The household a person ends up in, and whether it was made by this batch.
#[derive(Clone, Copy)]
enum Joined {
    New(i64),
    Existing(i64),
}

impl Joined {
    fn id(self) -> i64 {
        match self {
            Joined::New(id) | Joined::Existing(id) => id,
        }
    }
}

async fn household_by_number(
    txn: &DatabaseTransaction,
    grid: &str,
    number: &str,
) -> Result<Option<i64>, StoreError> {
    let stmt = sql::statement(
        txn.get_database_backend(),
        "SELECT id FROM household WHERE grid_code = ? AND number = ? ORDER BY id LIMIT 1",
        vec![grid.into(), number.into()],
    );
    Ok(match txn.query_one_raw(stmt).await? {
        Some(r) => Some(r.try_get("", "id")?),
        None => None,
    })
}

async fn building_by_name(
    txn: &DatabaseTransaction,
    grid: &str,
    name: &str,
) -> Result<Option<i64>, StoreError> {
    let stmt = sql::statement(
        txn.get_database_backend(),
        "SELECT id FROM building WHERE grid_code = ? AND (name = ? OR code = ?) ORDER BY id LIMIT 1",
        vec![grid.into(), name.into(), name.into()],
    );
    Ok(match txn.query_one_raw(stmt).await? {
        Some(r) => Some(r.try_get("", "id")?),
        None => None,
    })
}

/// The fields a row changes on a record; blank fields change nothing.
fn changed_fields(
    input: &PersonInput,
    sealed: &Sealed,
    on_file: &OnFile,
    grid: &str,
) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if input.name != on_file.name {
        fields.push("name");
    }
    if sealed.phone_index.is_some() && sealed.phone_index != on_file.phone_index {
        fields.push("phone");
    }
    if input
        .residence
        .is_some_and(|r| r.as_str() != on_file.residence)
    {
        fields.push("residence");
    }
    if input
        .relation
        .is_some_and(|r| r.as_str() != on_file.relation)
    {
        fields.push("relation");
    }
    if input.ethnicity.is_some() && input.ethnicity != on_file.ethnicity {
        fields.push("ethnicity");
    }
    if input.note.is_some() && input.note != on_file.note {
        fields.push("note");
    }
    if let Some(tags) = &input.tags {
        let mut wanted: Vec<(&str, Option<i32>)> =
            tags.iter().map(|(t, g)| (t.as_str(), *g)).collect();
        let mut have: Vec<(&str, Option<i32>)> = on_file
            .tags
            .iter()
            .filter(|(t, _)| t != TagKind::Elderly.as_str())
            .map(|(t, g)| (t.as_str(), *g))
            .collect();
        wanted.sort();
        have.sort();
        if wanted != have {
            fields.push("tags");
        }
    }
    if grid != on_file.grid_code {
        fields.push("grid");
    }
    if on_file.status != "active" {
        fields.push("status");
    }
    fields
}

/// The writes of one batch: bulk inserts gathered in a [`Batch`], updates run at once.
struct Writer<'a> {
    store: &'a Store,
    account_id: Option<i64>,
    source: String,
    batch: Batch,
    history: Rows,
    /// Members added to households that were on file before this batch.
    joined: HashMap<i64, i32>,
    /// Members leaving households (a move).
    left: HashMap<(i32, i64), i32>,
    new_households: HashSet<i64>,
    record_creates: bool,
    /// Households made by this batch, whose first member becomes the head.
    members_of_new: HashMap<i64, i32>,
}

impl<'a> Writer<'a> {
    fn new(store: &'a Store, scope: &Scope, source: &str) -> Self {
        Writer {
            store,
            account_id: (scope.account_id != 0).then_some(scope.account_id),
            source: source.to_string(),
            batch: Batch::new(),
            history: Rows::new(
                "person_history",
                &[
                    "county",
                    "id",
                    "person_id",
                    "at",
                    "kind",
                    "grid_from",
                    "grid_to",
                    "fields",
                    "source",
                    "note",
                    "account_id",
                ],
            ),
            joined: HashMap::new(),
            left: HashMap::new(),
            new_households: HashSet::new(),
            record_creates: false,
            members_of_new: HashMap::new(),
        }
    }

    fn record(
        &mut self,
        county: i32,
        person: i64,
        kind: &str,
        from: Option<&str>,
        to: Option<&str>,
        fields: &str,
    ) {
        self.history.push(vec![
            county.into(),
            self.store.next_id().into(),
            person.into(),
            self.store.now_ms().into(),
            kind.into(),
            from.map(str::to_string).into(),
            to.map(str::to_string).into(),
            fields.into(),
            self.source.clone().into(),
            Option::<String>::None.into(),
            self.account_id.into(),
        ]);
    }

    fn join(&mut self, household: Joined) -> bool {
        match household {
            Joined::New(id) => {
                let n = self.members_of_new.entry(id).or_insert(0);
                *n += 1;
                *n == 1
            }
            Joined::Existing(id) => {
                *self.joined.entry(id).or_insert(0) += 1;
                false
            }
        }
    }

    fn add_person(
        &mut self,
        row: &PersonRow,
        grid: &str,
        household: Joined,
    ) -> Result<(), StoreError> {
        let first = self.join(household);
        let input = &row.input;
        let relation = input.relation.unwrap_or(if first {
            Relation::Head
        } else {
            Relation::Other
        });
        let tags: Vec<(&str, Option<i32>)> = input
            .tags
            .iter()
            .flatten()
            .map(|(t, g)| (t.as_str(), *g))
            .collect();
        let id = self.batch.add_sealed_person(
            self.store,
            &PersonIn {
                household_id: household.id(),
                grid_code: grid,
                name: &input.name,
                id_number: &input.id_number,
                phone: input.phone.as_ref(),
                relation: relation.as_str(),
                residence: input.residence.unwrap_or(Residence::Registered).as_str(),
                tags: &tags,
            },
            &row.sealed,
            &PersonExtra {
                ethnicity: input.ethnicity.as_deref(),
                note: input.note.as_deref(),
            },
        )?;
        // A person created by a bulk import is recorded by the import's audit entry (file,
        // counts, account); a history row each would double the rows written.
        if self.record_creates {
            let county = county_of(grid).unwrap_or_default();
            self.record(county, id, "create", None, Some(grid), "");
        }
        Ok(())
    }

    async fn update_person(
        &mut self,
        txn: &DatabaseTransaction,
        row: &PersonRow,
        on_file: &OnFile,
        grid: &str,
        household: Option<Joined>,
        fields: &[&'static str],
    ) -> Result<(), StoreError> {
        let input = &row.input;
        let s = &row.sealed;
        let backend = txn.get_database_backend();
        let household_id = match household {
            Some(h) => {
                self.join(h);
                *self
                    .left
                    .entry((on_file.county, on_file.household_id))
                    .or_insert(0) += 1;
                h.id()
            }
            None => on_file.household_id,
        };
        let phone = |v: &Option<Vec<u8>>| v.clone();
        let stmt = sql::statement(
            backend,
            "UPDATE person SET name = ?, \
             phone_cipher = COALESCE(?, phone_cipher), phone_index = COALESCE(?, phone_index), \
             phone_masked = COALESCE(?, phone_masked), residence = ?, relation = ?, \
             ethnicity = ?, note = ?, grid_code = ?, household_id = ?, status = 'active', \
             updated_at = ? WHERE county = ? AND id = ?",
            vec![
                input.name.clone().into(),
                phone(&s.phone_cipher).into(),
                phone(&s.phone_index).into(),
                s.phone_masked.clone().into(),
                input
                    .residence
                    .map_or(on_file.residence.clone(), |r| r.as_str().to_string())
                    .into(),
                input
                    .relation
                    .map_or(on_file.relation.clone(), |r| r.as_str().to_string())
                    .into(),
                input.ethnicity.clone().or(on_file.ethnicity.clone()).into(),
                input.note.clone().or(on_file.note.clone()).into(),
                grid.into(),
                household_id.into(),
                self.store.now_ms().into(),
                on_file.county.into(),
                on_file.id.into(),
            ],
        );
        txn.execute_raw(stmt).await?;
        if let Some(tags) = &input.tags
            && fields.contains(&"tags")
        {
            let stmt = sql::statement(
                backend,
                "DELETE FROM person_tag WHERE county = ? AND person_id = ? AND tag <> ?",
                vec![
                    on_file.county.into(),
                    on_file.id.into(),
                    TagKind::Elderly.as_str().into(),
                ],
            );
            txn.execute_raw(stmt).await?;
            for (tag, grade) in tags {
                let stmt = sql::statement(
                    backend,
                    "INSERT INTO person_tag (county, person_id, tag, grade, grid_code) VALUES (?, ?, ?, ?, ?)",
                    vec![
                        on_file.county.into(),
                        on_file.id.into(),
                        tag.as_str().into(),
                        Value::from(*grade),
                        grid.into(),
                    ],
                );
                txn.execute_raw(stmt).await?;
            }
        }
        if grid != on_file.grid_code {
            let stmt = sql::statement(
                backend,
                "UPDATE person_tag SET grid_code = ? WHERE county = ? AND person_id = ?",
                vec![grid.into(), on_file.county.into(), on_file.id.into()],
            );
            txn.execute_raw(stmt).await?;
        }
        let kind = if grid != on_file.grid_code {
            "move"
        } else if on_file.status != "active" {
            "return"
        } else {
            "update"
        };
        self.record(
            on_file.county,
            on_file.id,
            kind,
            Some(&on_file.grid_code),
            Some(grid),
            &fields.join(","),
        );
        Ok(())
    }

    /// Writes the gathered rows and the member counts of the households touched.
    async fn flush(mut self, txn: &DatabaseTransaction) -> Result<(), StoreError> {
        let backend = txn.get_database_backend();
        self.batch.set_household_members(&self.members_of_new);
        self.batch.flush(txn).await?;
        self.history.flush(txn).await?;
        for (id, n) in &self.joined {
            let stmt = sql::statement(
                backend,
                "UPDATE household SET member_count = member_count + ? WHERE id = ?",
                vec![(*n).into(), (*id).into()],
            );
            txn.execute_raw(stmt).await?;
        }
        for ((county, id), n) in &self.left {
            let stmt = sql::statement(
                backend,
                "UPDATE household SET member_count = member_count - ? WHERE county = ? AND id = ?",
                vec![(*n).into(), (*county).into(), (*id).into()],
            );
            txn.execute_raw(stmt).await?;
        }
        Ok(())
    }
}
