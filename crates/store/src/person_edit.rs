//! A person's record over time: registering one person, editing, moving between grids,
//! moving out and death, each written with its history row and audit entry. Registering
//! and editing run through the import's planner, so a form and a spreadsheet row follow
//! exactly the same rules.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use wangge_domain::person_input::PersonInput;

use crate::audit::AuditEntry;
use crate::entity::{person, person_history};
use crate::import::{Outcome, PersonImport, PersonRow};
use crate::{Scope, Store, StoreError, sql};

/// Where changes made on a page or through the API come from, in the history.
const SOURCE: &str = "页面";

#[derive(Debug, Serialize)]
pub struct HistoryItem {
    pub at: i64,
    /// `at` in Shanghai time, as shown.
    pub at_text: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub grid_from: Option<String>,
    pub grid_to: Option<String>,
    /// Keys of the changed fields.
    pub fields: Vec<String>,
    pub source: String,
    pub note: Option<String>,
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "create" => "登记",
        "update" => "修改",
        "move" => "迁移网格",
        "move_out" => "迁出",
        "death" => "死亡注销",
        "return" => "迁回",
        _ => "其他",
    }
}

/// The end of a person's time on the grids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    MovedOut,
    Deceased,
}

impl Leaving {
    fn status(self) -> &'static str {
        match self {
            Leaving::MovedOut => "moved_out",
            Leaving::Deceased => "deceased",
        }
    }
    fn kind(self) -> &'static str {
        match self {
            Leaving::MovedOut => "move_out",
            Leaving::Deceased => "death",
        }
    }
}

impl Store {
    /// Registers one person; an ID number already on record is a conflict that names
    /// where to go instead. Returns the new person's id.
    pub async fn create_person(
        &self,
        scope: &Scope,
        input: PersonInput,
        client: &str,
    ) -> Result<i64, StoreError> {
        let mut import = PersonImport::new(self, scope, SOURCE)?.recording_creates();
        let row = self.row_of(input);
        match import.check(std::slice::from_ref(&row)).await?.pop() {
            Some(Outcome::New) => {}
            Some(Outcome::Refused { field, message }) => {
                return Err(StoreError::invalid(field, message));
            }
            _ => {
                return Err(StoreError::Conflict(
                    "该身份证号已登记，请在其档案中修改".into(),
                ));
            }
        }
        import.apply(std::slice::from_ref(&row)).await?;
        import.finish(client).await?;
        self.person_id_by_index(&row.sealed.id_index).await
    }

    /// Changes a person's fields (blank ones are kept) or moves them to another grid.
    /// `edit` gets the person's ID number and name (the two fields a record always has) and
    /// gives the new record. Returns the changed field keys (empty when nothing changed).
    pub async fn edit_person(
        &self,
        scope: &Scope,
        id: i64,
        edit: impl FnOnce(&str, &str) -> Result<PersonInput, StoreError>,
        client: &str,
    ) -> Result<Vec<&'static str>, StoreError> {
        let p = self.person_in_scope(scope, id).await?;
        if p.status == "deceased" {
            return Err(StoreError::Conflict(
                "此人已死亡注销，档案不能再修改".into(),
            ));
        }
        let id_number = self.crypto().decrypt_string(&p.id_cipher)?;
        let input = edit(&id_number, &p.name)?;
        let mut import = PersonImport::new(self, scope, SOURCE)?;
        let row = self.row_of(input);
        let outcome = import.apply(std::slice::from_ref(&row)).await?.pop();
        import.finish(client).await?;
        match outcome {
            Some(Outcome::Changed(fields)) => Ok(fields),
            Some(Outcome::Unchanged) => Ok(Vec::new()),
            Some(Outcome::Refused { field, message }) => Err(StoreError::invalid(field, message)),
            _ => Err(StoreError::NotFound),
        }
    }

    /// Moves a person out of the grids or records their death; the record stays, with
    /// its history, out of the lists.
    pub async fn end_person(
        &self,
        scope: &Scope,
        id: i64,
        leaving: Leaving,
        note: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        if !scope.role.can_write() {
            return Err(StoreError::Forbidden("您的角色不能修改人员档案".into()));
        }
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 200 {
            return Err(StoreError::invalid(
                "note",
                "请填写说明（迁往何处或死亡日期等），不超过200字",
            ));
        }
        let p = self.person_in_scope(scope, id).await?;
        if p.status != "active" {
            return Err(StoreError::Conflict("此人已不在册".into()));
        }
        let txn = crate::connect::begin_write(self.connection()).await?;
        let backend = self.backend_of();
        for (sql_text, values) in [
            (
                "UPDATE person SET status = ?, updated_at = ? WHERE county = ? AND id = ?",
                vec![
                    leaving.status().into(),
                    self.now_ms().into(),
                    p.county.into(),
                    p.id.into(),
                ],
            ),
            (
                "UPDATE household SET member_count = member_count - 1 WHERE county = ? AND id = ? AND member_count > 0",
                vec![p.county.into(), p.household_id.into()],
            ),
            (
                "INSERT INTO person_history (county, id, person_id, at, kind, grid_from, grid_to, fields, source, note, account_id) VALUES (?, ?, ?, ?, ?, ?, NULL, 'status', ?, ?, ?)",
                vec![
                    p.county.into(),
                    self.next_id().into(),
                    p.id.into(),
                    self.now_ms().into(),
                    leaving.kind().into(),
                    p.grid_code.clone().into(),
                    SOURCE.into(),
                    note.into(),
                    (scope.account_id != 0).then_some(scope.account_id).into(),
                ],
            ),
            (
                "UPDATE grid SET person_count = person_count - 1 WHERE code = ? AND person_count > 0",
                vec![p.grid_code.clone().into()],
            ),
        ] {
            use sea_orm::ConnectionTrait;
            txn.execute_raw(sql::statement(backend, sql_text, values))
                .await?;
        }
        let object = format!("person:{id} {}", kind_label(leaving.kind()));
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action: "person.end",
                object: &object,
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// A person's history, newest first.
    pub async fn person_history(
        &self,
        scope: &Scope,
        id: i64,
    ) -> Result<Vec<HistoryItem>, StoreError> {
        let p = self.person_in_scope(scope, id).await?;
        let rows = person_history::Entity::find()
            .filter(person_history::Column::County.eq(p.county))
            .filter(person_history::Column::PersonId.eq(id))
            .order_by_desc(person_history::Column::Id)
            .all(self.connection())
            .await?;
        Ok(rows
            .into_iter()
            .map(|h| HistoryItem {
                at: h.at,
                at_text: wangge_domain::date::format_local(h.at),
                kind_label: kind_label(&h.kind),
                kind: h.kind,
                grid_from: h.grid_from,
                grid_to: h.grid_to,
                fields: h
                    .fields
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect(),
                source: h.source,
                note: h.note,
            })
            .collect())
    }

    fn row_of(&self, input: PersonInput) -> PersonRow {
        let sealed = self.seal(&input.id_number, input.phone.as_ref());
        PersonRow {
            line: 1,
            input,
            sealed,
        }
    }

    fn backend_of(&self) -> sea_orm::DbBackend {
        self.connection().get_database_backend()
    }

    async fn person_id_by_index(&self, index: &[u8]) -> Result<i64, StoreError> {
        Ok(person::Entity::find()
            .filter(person::Column::IdIndex.eq(index.to_vec()))
            .one(self.connection())
            .await?
            .ok_or(StoreError::NotFound)?
            .id)
    }

    /// The person's row when it lies in the caller's scope (404 otherwise).
    async fn person_in_scope(&self, scope: &Scope, id: i64) -> Result<person::Model, StoreError> {
        self.base_scope_check(scope)?;
        let mut q = person::Entity::find().filter(person::Column::Id.eq(id));
        if let Some(c) = scope.county() {
            q = q.filter(person::Column::County.eq(c));
        }
        q.one(self.connection())
            .await?
            .filter(|p| scope.covers(&p.grid_code))
            .ok_or(StoreError::NotFound)
    }
}
