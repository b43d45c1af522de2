//! The handling-standards catalog (事项清单) in the database: seeded with the default
//! catalog on first start, listed for everyone who files or routes events, exported as the
//! rows of a spreadsheet, replaced as a whole by admins (from catalog text or a sheet, all
//! or nothing) and edited one item at a time.
use std::collections::{HashMap, HashSet};

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};
use sea_orm::{ColumnTrait, QueryFilter};
use wangge_domain::catalog::sheet::{
    DepartmentNames, ItemEdit, SheetProblem, apply_edit, parse_sheet, sheet_rows,
};
use wangge_domain::catalog::{COLUMNS, CatalogError, CatalogItem, default_catalog, parse_catalog};

use crate::audit::AuditEntry;
use crate::entity::{catalog_item, department};
use crate::{Scope, Store, StoreError};

/// A catalog item as the API shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CatalogEntry {
    pub code: String,
    pub name: String,
    pub category: String,
    pub lead_department: String,
    pub lead_department_name: String,
    pub co_departments: Vec<String>,
    pub sign_hours: i32,
    pub handle_days: i32,
    pub urgency: f64,
    pub claimable: bool,
    pub standard: String,
}

pub(crate) fn to_domain(m: &catalog_item::Model) -> CatalogItem {
    CatalogItem {
        code: m.code.clone(),
        category: m.category.clone(),
        name: m.name.clone(),
        lead: m.lead.clone(),
        co: m
            .co
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        sign_hours: m.sign_hours.max(0) as u32,
        handle_days: m.handle_days.max(0) as u32,
        urgency_permille: m.urgency_permille.max(0) as u32,
        claimable: m.claimable,
        standard: m.standard.clone(),
    }
}

fn to_model(item: &CatalogItem) -> catalog_item::ActiveModel {
    catalog_item::ActiveModel {
        code: Set(item.code.clone()),
        category: Set(item.category.clone()),
        name: Set(item.name.clone()),
        lead: Set(item.lead.clone()),
        co: Set(item.co.join(",")),
        sign_hours: Set(item.sign_hours as i32),
        handle_days: Set(item.handle_days as i32),
        urgency_permille: Set(item.urgency_permille as i32),
        claimable: Set(item.claimable),
        standard: Set(item.standard.clone()),
        active: Set(true),
    }
}

/// Writes the default catalog when the table is empty.
pub(crate) async fn seed(db: &impl ConnectionTrait) -> Result<(), StoreError> {
    if catalog_item::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let items = default_catalog();
    for chunk in items.chunks(200) {
        catalog_item::Entity::insert_many(chunk.iter().map(to_model))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

fn entry(m: catalog_item::Model, names: &HashMap<String, String>) -> CatalogEntry {
    CatalogEntry {
        lead_department_name: names.get(&m.lead).cloned().unwrap_or_default(),
        co_departments: to_domain(&m).co,
        urgency: f64::from(m.urgency_permille) / 1000.0,
        code: m.code,
        name: m.name,
        category: m.category,
        lead_department: m.lead,
        sign_hours: m.sign_hours,
        handle_days: m.handle_days,
        claimable: m.claimable,
        standard: m.standard,
    }
}

async fn department_names(
    db: &impl ConnectionTrait,
) -> Result<HashMap<String, String>, StoreError> {
    Ok(department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect())
}

/// Every department as a sheet or a form may name it: code, full name, short name.
async fn directory(db: &impl ConnectionTrait) -> Result<DepartmentNames, StoreError> {
    Ok(DepartmentNames::new(
        department::Entity::find()
            .order_by_asc(department::Column::Code)
            .all(db)
            .await?
            .into_iter()
            .map(|d| (d.code, d.name, d.short_name)),
    ))
}

async fn active_models(db: &impl ConnectionTrait) -> Result<Vec<catalog_item::Model>, StoreError> {
    Ok(catalog_item::Entity::find()
        .filter(catalog_item::Column::Active.eq(true))
        .order_by_asc(catalog_item::Column::Code)
        .all(db)
        .await?)
}

impl Store {
    /// The active catalog items, by code, with their lead department's name.
    pub async fn catalog(&self) -> Result<Vec<CatalogEntry>, StoreError> {
        let db = self.connection();
        let names = department_names(db).await?;
        Ok(active_models(db)
            .await?
            .into_iter()
            .map(|m| entry(m, &names))
            .collect())
    }

    /// One active item as [`Store::catalog`] lists it.
    pub async fn catalog_entry(&self, code: &str) -> Result<CatalogEntry, StoreError> {
        let db = self.connection();
        let model = catalog_item::Entity::find_by_id(code.trim())
            .filter(catalog_item::Column::Active.eq(true))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(entry(model, &department_names(db).await?))
    }

    /// The active catalog as the rows of its spreadsheet, in the order of
    /// [`wangge_domain::catalog::sheet::SHEET_HEADERS`]; departments by name where the name
    /// is unambiguous.
    pub async fn catalog_sheet(&self) -> Result<Vec<Vec<String>>, StoreError> {
        let db = self.connection();
        let items: Vec<CatalogItem> = active_models(db).await?.iter().map(to_domain).collect();
        Ok(sheet_rows(&items, &directory(db).await?))
    }

    /// Replaces the catalog from a spreadsheet (`headers` and rows with the row number the
    /// user sees): every bad cell is reported with its row and column and nothing changes
    /// unless all rows are good. Departments must exist (by code, full or short name).
    /// Items left out are retired. Admins only; audited.
    pub async fn import_catalog_sheet(
        &self,
        scope: &Scope,
        headers: &[String],
        rows: &[(usize, Vec<String>)],
        client: &str,
    ) -> Result<Result<usize, Vec<SheetProblem>>, StoreError> {
        self.admin_only(scope)?;
        let departments = directory(self.connection()).await?;
        match parse_sheet(headers, rows, &departments) {
            Ok(items) => {
                self.write_catalog(scope, &items, "catalog.import", client)
                    .await?;
                Ok(Ok(items.len()))
            }
            Err(problems) => Ok(Err(problems)),
        }
    }

    /// Edits one active item (name, departments, limits, urgency factor, closure standard,
    /// claimable) by the catalog's rules; the name stays unique. Events dispatched later
    /// follow the new values. Admins only; audited with the columns that changed.
    pub async fn edit_catalog_item(
        &self,
        scope: &Scope,
        code: &str,
        edit: &ItemEdit,
        client: &str,
    ) -> Result<Result<CatalogEntry, Vec<CatalogError>>, StoreError> {
        self.admin_only(scope)?;
        let db = self.connection();
        let items: Vec<CatalogItem> = active_models(db).await?.iter().map(to_domain).collect();
        let departments = directory(db).await?;
        let item = match apply_edit(&items, code.trim(), edit, &departments) {
            None => return Err(StoreError::NotFound),
            Some(Err(errors)) => return Ok(Err(errors)),
            Some(Ok(item)) => item,
        };
        let before = items
            .iter()
            .find(|i| i.code == item.code)
            .map(CatalogItem::to_row)
            .unwrap_or_default();
        let changed: Vec<&str> = COLUMNS
            .iter()
            .zip(before.iter().zip(item.to_row()))
            .filter(|(_, (old, new))| *old != new)
            .map(|(c, _)| c.label)
            .collect();
        let txn = crate::connect::begin_write(db).await?;
        to_model(&item).update(&txn).await?;
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action: "catalog.edit",
                object: &format!("{} {}", item.code, changed.join("、")),
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(Ok(self.catalog_entry(&item.code).await?))
    }

    /// All departments, by code, for dispatch choices.
    pub async fn departments(&self) -> Result<Vec<department::Model>, StoreError> {
        Ok(department::Entity::find()
            .order_by_asc(department::Column::Code)
            .all(self.connection())
            .await?)
    }

    /// One item, active or retired (events keep referring to retired ones).
    pub(crate) async fn catalog_item(
        &self,
        db: &impl ConnectionTrait,
        code: &str,
    ) -> Result<Option<CatalogItem>, StoreError> {
        Ok(catalog_item::Entity::find_by_id(code.trim())
            .one(db)
            .await?
            .map(|m| to_domain(&m)))
    }

    /// Replaces the catalog with `text` (the catalog's tab-separated columns): every item
    /// is checked first, all problems reported at once, and nothing changes unless all are
    /// good. Items left out are retired, not deleted. Admins only; audited.
    pub async fn replace_catalog(
        &self,
        scope: &Scope,
        text: &str,
        client: &str,
    ) -> Result<Result<usize, Vec<CatalogError>>, StoreError> {
        self.admin_only(scope)?;
        let db = self.connection();
        let known: HashSet<String> = department::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|d| d.code)
            .collect();
        let items = match parse_catalog(text, &|code| known.contains(code)) {
            Ok(items) => items,
            Err(errors) => return Ok(Err(errors)),
        };
        self.write_catalog(scope, &items, "catalog.replace", client)
            .await?;
        Ok(Ok(items.len()))
    }

    /// Writes checked items as the whole catalog in one transaction (items left out are
    /// retired), with its audit row.
    async fn write_catalog(
        &self,
        scope: &Scope,
        items: &[CatalogItem],
        action: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        let txn = crate::connect::begin_write(self.connection()).await?;
        catalog_item::Entity::update_many()
            .col_expr(
                catalog_item::Column::Active,
                sea_orm::sea_query::Expr::value(false),
            )
            .exec(&txn)
            .await?;
        for item in items {
            let model = to_model(item);
            match catalog_item::Entity::find_by_id(item.code.clone())
                .one(&txn)
                .await?
            {
                Some(_) => model.update(&txn).await.map(|_| ())?,
                None => model.insert(&txn).await.map(|_| ())?,
            }
        }
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action,
                object: &format!("{}项", items.len()),
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
