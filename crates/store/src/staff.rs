//! The responsible people of each grid (人人都有责任田): adding and removing them, and the
//! grids that lack a worker or an AB backup.
use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use wangge_domain::phone::Phone;
use wangge_domain::population::Duty;
use wangge_domain::region::Level;
use wangge_domain::staffing::gaps;

use crate::audit::AuditEntry;
use crate::entity::{account, grid, grid_staff};
use crate::load::Batch;
use crate::regions::ResponsiblePerson;
use crate::{Scope, Store, StoreError};

/// A person to put on a grid.
pub struct StaffIn<'a> {
    pub duty: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    /// The account this person signs in with, when they have one.
    pub account: Option<&'a str>,
}

/// A grid that lacks a worker or a backup.
#[derive(Debug, Serialize)]
pub struct StaffingGap {
    pub code: String,
    pub name: String,
    /// `worker`, `ab_backup`.
    pub missing: Vec<&'static str>,
    pub labels: Vec<&'static str>,
}

impl Store {
    fn staff_grid_check(&self, scope: &Scope, code: &str) -> Result<(), StoreError> {
        if !scope.role.can_manage_grids() {
            return Err(StoreError::Forbidden(
                "只有指挥中心和管理员可以调整网格人员".into(),
            ));
        }
        if code.len() != Level::Grid.code_len() || !scope.covers(code) {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Puts a person on a grid with a duty; audited.
    pub async fn add_staff(
        &self,
        scope: &Scope,
        code: &str,
        s: StaffIn<'_>,
        client: &str,
    ) -> Result<ResponsiblePerson, StoreError> {
        self.staff_grid_check(scope, code)?;
        let g = self.grid_by_code(code).await?;
        let duty = Duty::parse(s.duty)
            .or_else(|| Duty::ALL.iter().copied().find(|d| d.label() == s.duty))
            .ok_or_else(|| StoreError::invalid("duty", format!("职责“{}”不存在", s.duty)))?;
        let name = s.name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            return Err(StoreError::invalid("name", "姓名不能为空，且不超过40个字"));
        }
        let phone =
            Phone::parse(s.phone).map_err(|e| StoreError::invalid("phone", e.to_string()))?;
        let account_id = match s.account.map(str::trim).filter(|a| !a.is_empty()) {
            Some(username) => Some(
                account::Entity::find()
                    .filter(account::Column::Username.eq(username))
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| {
                        StoreError::invalid("account", format!("账号“{username}”不存在"))
                    })?
                    .id,
            ),
            None => None,
        };
        let mut batch = Batch::new();
        let id = batch.add_staff(self, &g.code, duty.as_str(), name, &phone)?;
        batch.set_staff_account(id, account_id);
        let txn = crate::connect::begin_write(&self.db).await?;
        batch.flush(&txn).await?;
        let object = format!("grid:{code} {} {name}", duty.label());
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action: "grid.staff.add",
                object: &object,
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(ResponsiblePerson {
            id,
            duty: duty.as_str().to_string(),
            duty_label: duty.label(),
            name: name.to_string(),
            phone: phone.as_str().to_string(),
        })
    }

    /// Takes a person off a grid; audited.
    pub async fn remove_staff(
        &self,
        scope: &Scope,
        code: &str,
        id: i64,
        client: &str,
    ) -> Result<(), StoreError> {
        self.staff_grid_check(scope, code)?;
        let found = grid_staff::Entity::find()
            .filter(grid_staff::Column::Id.eq(id))
            .filter(grid_staff::Column::GridCode.eq(code))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let txn = crate::connect::begin_write(&self.db).await?;
        grid_staff::Entity::delete_many()
            .filter(grid_staff::Column::County.eq(found.county))
            .filter(grid_staff::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        let object = format!("grid:{code} {} {}", Duty::label_of(&found.duty), found.name);
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action: "grid.staff.remove",
                object: &object,
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The grids under a region (the scope's own by default) that lack a worker or a
    /// backup, in code order.
    pub async fn staffing_gaps(
        &self,
        scope: &Scope,
        region: Option<&str>,
    ) -> Result<Vec<StaffingGap>, StoreError> {
        self.base_scope_check(scope)?;
        let prefix = scope.narrow(region)?;
        let (lo, hi) = Scope::range_of(&prefix);
        let grids = grid::Entity::find()
            .filter(grid::Column::Code.gte(lo.as_str()))
            .filter(grid::Column::Code.lt(hi.as_str()))
            .order_by_asc(grid::Column::Code)
            .all(&self.db)
            .await?;
        let mut duties: BTreeMap<String, Vec<Duty>> = BTreeMap::new();
        for s in grid_staff::Entity::find()
            .filter(grid_staff::Column::GridCode.gte(lo.as_str()))
            .filter(grid_staff::Column::GridCode.lt(hi.as_str()))
            .all(&self.db)
            .await?
        {
            if let Some(d) = Duty::parse(&s.duty) {
                duties.entry(s.grid_code).or_default().push(d);
            }
        }
        Ok(grids
            .into_iter()
            .filter_map(|g| {
                let missing = gaps(duties.get(&g.code).map_or(&[][..], Vec::as_slice));
                (!missing.is_empty()).then(|| StaffingGap {
                    code: g.code,
                    name: g.name,
                    missing: missing.iter().map(|m| m.as_str()).collect(),
                    labels: missing.iter().map(|m| m.label()).collect(),
                })
            })
            .collect())
    }
}
