//! Whole lists for download: every row of a scoped, filtered list, read in (grid, id)
//! order a page at a time by keyset, so a large export costs no deep OFFSET scans. Exports
//! are masked for every role and each one is audited.
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use crate::audit::AuditEntry;
use crate::entity::{building, household, organization, person, thing};
use crate::people::{BuildingItem, HouseholdItem, PersonFilter, PersonItem};
use crate::places::{OrgItem, ThingItem};
use crate::{Scope, Store, StoreError};

/// Rows read per query.
const CHUNK: u64 = 5000;

/// Excel holds 1,048,576 rows per sheet, one of which is the header.
pub const MAX_EXPORT_ROWS: usize = 1_048_575;

impl Store {
    pub async fn export_persons(
        &self,
        scope: &Scope,
        region: Option<&str>,
        filter: &PersonFilter,
        client: &str,
    ) -> Result<Vec<PersonItem>, StoreError> {
        let q = self.persons_select(scope, region, filter)?;
        let rows = self
            .keyset(q, person::Column::GridCode, person::Column::Id, |p| {
                (p.grid_code.clone(), p.id)
            })
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(CHUNK as usize) {
            items.extend(self.person_items(scope, chunk.to_vec()).await?);
        }
        self.audit_export(scope, "persons", region, items.len(), client)
            .await?;
        Ok(items)
    }

    pub async fn export_households(
        &self,
        scope: &Scope,
        region: Option<&str>,
        client: &str,
    ) -> Result<Vec<HouseholdItem>, StoreError> {
        let q = self.households_select(scope, region)?;
        let rows = self
            .keyset(q, household::Column::GridCode, household::Column::Id, |h| {
                (h.grid_code.clone(), h.id)
            })
            .await?;
        self.audit_export(scope, "households", region, rows.len(), client)
            .await?;
        Ok(rows.into_iter().map(HouseholdItem::from).collect())
    }

    pub async fn export_buildings(
        &self,
        scope: &Scope,
        region: Option<&str>,
        client: &str,
    ) -> Result<Vec<BuildingItem>, StoreError> {
        let q = self.buildings_select(scope, region)?;
        let rows = self
            .keyset(q, building::Column::GridCode, building::Column::Id, |b| {
                (b.grid_code.clone(), b.id)
            })
            .await?;
        self.audit_export(scope, "buildings", region, rows.len(), client)
            .await?;
        Ok(rows.into_iter().map(BuildingItem::from).collect())
    }

    pub async fn export_organizations(
        &self,
        scope: &Scope,
        region: Option<&str>,
        client: &str,
    ) -> Result<Vec<OrgItem>, StoreError> {
        let q = self.organizations_select(scope, region)?;
        let rows = self
            .keyset(
                q,
                organization::Column::GridCode,
                organization::Column::Id,
                |o| (o.grid_code.clone(), o.id),
            )
            .await?;
        self.audit_export(scope, "organizations", region, rows.len(), client)
            .await?;
        Ok(rows.into_iter().map(OrgItem::from).collect())
    }

    pub async fn export_things(
        &self,
        scope: &Scope,
        region: Option<&str>,
        client: &str,
    ) -> Result<Vec<ThingItem>, StoreError> {
        let q = self.things_select(scope, region)?;
        let rows = self
            .keyset(q, thing::Column::GridCode, thing::Column::Id, |t| {
                (t.grid_code.clone(), t.id)
            })
            .await?;
        self.audit_export(scope, "things", region, rows.len(), client)
            .await?;
        Ok(rows.into_iter().map(ThingItem::from).collect())
    }

    /// All rows of `q` in (grid, id) order; refused beyond what one sheet can hold.
    async fn keyset<E, G, I>(
        &self,
        q: Select<E>,
        grid: G,
        id: I,
        key: impl Fn(&E::Model) -> (String, i64),
    ) -> Result<Vec<E::Model>, StoreError>
    where
        E: EntityTrait,
        G: ColumnTrait,
        I: ColumnTrait,
    {
        let mut out: Vec<E::Model> = Vec::new();
        let mut after: Option<(String, i64)> = None;
        loop {
            let mut page = q.clone();
            if let Some((g, i)) = &after {
                // (grid, id) > (g, i), with grid >= g first so the index range starts there.
                page = page
                    .filter(grid.gte(g.as_str()))
                    .filter(Condition::any().add(grid.gt(g.as_str())).add(id.gt(*i)));
            }
            let rows = page
                .order_by_asc(grid)
                .order_by_asc(id)
                .limit(CHUNK)
                .all(self.connection())
                .await?;
            let full = rows.len() as u64 == CHUNK;
            after = rows.last().map(&key);
            out.extend(rows);
            if out.len() > MAX_EXPORT_ROWS {
                return Err(StoreError::invalid(
                    "region",
                    format!(
                        "超过 {MAX_EXPORT_ROWS} 行，Excel 单表放不下，请缩小范围（选择街道或社区）后分别导出"
                    ),
                ));
            }
            if !full {
                return Ok(out);
            }
        }
    }

    async fn audit_export(
        &self,
        scope: &Scope,
        list: &str,
        region: Option<&str>,
        rows: usize,
        client: &str,
    ) -> Result<(), StoreError> {
        let object = format!(
            "{list} 区域{} 共{rows}行（脱敏）",
            region.unwrap_or(&scope.region)
        );
        self.audit(AuditEntry {
            account: &scope.username,
            action: "export",
            object: &object,
            outcome: "ok",
            client,
        })
        .await
    }
}
