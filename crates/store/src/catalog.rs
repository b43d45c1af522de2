//! The handling-standards catalog (事项清单) in the database: seeded with the default
//! catalog on first start, listed for everyone who files or routes events, replaced as a
//! whole by admins (from the same columns the default file has).
use std::collections::HashSet;

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};
use sea_orm::{ColumnTrait, QueryFilter, TransactionTrait};
use wangge_domain::catalog::{CatalogError, CatalogItem, default_catalog, parse_catalog};

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

impl Store {
    /// The active catalog items, by code, with their lead department's name.
    pub async fn catalog(&self) -> Result<Vec<CatalogEntry>, StoreError> {
        let db = self.connection();
        let names: std::collections::HashMap<String, String> = department::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|d| (d.code, d.name))
            .collect();
        Ok(catalog_item::Entity::find()
            .filter(catalog_item::Column::Active.eq(true))
            .order_by_asc(catalog_item::Column::Code)
            .all(db)
            .await?
            .into_iter()
            .map(|m| CatalogEntry {
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
            })
            .collect())
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
        let txn = db.begin().await?;
        catalog_item::Entity::update_many()
            .col_expr(
                catalog_item::Column::Active,
                sea_orm::sea_query::Expr::value(false),
            )
            .exec(&txn)
            .await?;
        for item in &items {
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
                action: "catalog.replace",
                object: &format!("{}项", items.len()),
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(Ok(items.len()))
    }
}
