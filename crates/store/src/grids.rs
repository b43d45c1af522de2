//! Managing grids: editing a grid's name and boundary, checking that the grids of a region
//! cover it with no gap and no overlap, and listing grids that break the sizing rule.
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use wangge_domain::coverage::check_coverage;
use wangge_domain::geometry::{MultiPolygon, bbox, parse_geojson, to_geojson};
use wangge_domain::sizing::{Sizing, SizingRule, SplitPart, assess, propose_split_parts};

use crate::audit::AuditEntry;
use crate::entity::{building, grid, household, region};
use crate::regions::GridView;
use crate::{Scope, Store, StoreError};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridUpdate {
    pub name: Option<String>,
    /// GeoJSON Polygon or MultiPolygon (or a Feature holding one), WGS84.
    pub boundary: Option<serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct FindingView {
    pub kind: &'static str,
    pub label: &'static str,
    pub grids: Vec<String>,
    pub area_m2: f64,
    pub shape: serde_json::Value,
}

#[derive(Debug, Serialize)]
pub struct CoverageReport {
    pub code: String,
    pub name: String,
    pub boundary: serde_json::Value,
    pub grids: usize,
    pub tolerance_m2: f64,
    pub findings: Vec<FindingView>,
}

#[derive(Debug, Serialize)]
pub struct SizingItem {
    pub code: String,
    pub name: String,
    pub households: i64,
    pub persons: i64,
    pub verdict: &'static str,
    pub label: &'static str,
    /// For an oversized grid: its buildings in parts that each meet the rule.
    pub proposed_split: Option<Vec<Vec<String>>>,
}

pub(crate) fn stored_shape(code: &str, text: &str) -> Result<MultiPolygon, StoreError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| StoreError::Crypto(format!("{code} 边界数据损坏：{e}")))?;
    parse_geojson(&value).map_err(|e| StoreError::Crypto(format!("{code} 边界数据损坏：{e}")))
}

impl Store {
    pub(crate) fn require_grid_manager(&self, scope: &Scope) -> Result<(), StoreError> {
        if scope.role.can_manage_grids() {
            Ok(())
        } else {
            Err(StoreError::Forbidden(
                "只有指挥中心和管理员可以编辑网格".into(),
            ))
        }
    }

    /// Renames a grid or replaces its boundary (validated), audited, and keeps the locate
    /// index current.
    pub async fn update_grid(
        &self,
        scope: &Scope,
        code: &str,
        update: GridUpdate,
        client: &str,
    ) -> Result<GridView, StoreError> {
        self.require_grid_manager(scope)?;
        if !scope.covers(code) {
            return Err(StoreError::NotFound);
        }
        let g = self.grid_by_code(code).await?;
        let mut am: grid::ActiveModel = g.into();
        let mut changed = Vec::new();
        if let Some(name) = update.name.as_deref().map(str::trim) {
            if name.is_empty() || name.chars().count() > 50 {
                return Err(StoreError::invalid(
                    "name",
                    "网格名称不能为空，且不超过50个字",
                ));
            }
            am.name = Set(name.to_string());
            changed.push("name");
        }
        if let Some(value) = &update.boundary {
            let shape =
                parse_geojson(value).map_err(|e| StoreError::invalid("boundary", e.to_string()))?;
            let b = bbox(&shape);
            am.boundary = Set(to_geojson(&shape).to_string());
            am.min_lng = Set(b[0]);
            am.min_lat = Set(b[1]);
            am.max_lng = Set(b[2]);
            am.max_lat = Set(b[3]);
            changed.push("boundary");
        }
        if changed.is_empty() {
            return Err(StoreError::invalid(
                "name",
                "没有要修改的内容：请提供 name 或 boundary",
            ));
        }
        am.updated_at = Set(self.now_ms());
        let txn = crate::connect::begin_write(&self.db).await?;
        am.update(&txn).await?;
        let object = format!("grid:{code} {}", changed.join(","));
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action: "grid.update",
                object: &object,
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        if changed.contains(&"boundary") {
            self.invalidate_grid_index().await;
        }
        self.grid(scope, code).await
    }

    /// Gaps, overlaps and grids sticking out, for a community, street or district.
    pub async fn coverage(
        &self,
        scope: &Scope,
        code: &str,
        tolerance_m2: f64,
    ) -> Result<CoverageReport, StoreError> {
        self.base_scope_check(scope)?;
        if !scope.covers(code) {
            return Err(StoreError::NotFound);
        }
        if !(0.0..=1e9).contains(&tolerance_m2) {
            return Err(StoreError::invalid(
                "tolerance",
                "容差应为0到10亿平方米之间的数",
            ));
        }
        let r = region::Entity::find_by_id(code)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let text = r.boundary.ok_or_else(|| {
            StoreError::invalid("code", format!("{}尚未登记边界，无法检查覆盖", r.name))
        })?;
        let area = stored_shape(code, &text)?;
        let (lo, hi) = Scope::range_of(code);
        let grids = self
            .grids_in_range(&lo, &hi)
            .await?
            .into_iter()
            .map(|g| Ok((g.code.clone(), stored_shape(&g.code, &g.boundary)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let findings = check_coverage(&area, &grids, tolerance_m2)
            .into_iter()
            .map(|f| FindingView {
                kind: f.kind.as_str(),
                label: f.kind.label(),
                grids: f.grids,
                area_m2: f.area_m2,
                shape: to_geojson(&f.shape),
            })
            .collect();
        Ok(CoverageReport {
            code: r.code,
            name: r.name,
            boundary: to_geojson(&area),
            grids: grids.len(),
            tolerance_m2,
            findings,
        })
    }

    /// Grids over or under the sizing rule, with a proposed split for each oversized one.
    pub async fn sizing(
        &self,
        scope: &Scope,
        region: Option<&str>,
        rule: &SizingRule,
    ) -> Result<Vec<SizingItem>, StoreError> {
        self.base_scope_check(scope)?;
        let prefix = scope.narrow(region)?;
        let (lo, hi) = Scope::range_of(&prefix);
        let grids = self.grids_in_range(&lo, &hi).await?;
        let mut out = Vec::new();
        for g in grids {
            let verdict = assess(
                rule,
                g.household_count.max(0) as u32,
                g.person_count.max(0) as u32,
            );
            if verdict == Sizing::Fine {
                continue;
            }
            let proposed_split = if verdict == Sizing::Over {
                Some(self.split_proposal(&g, rule).await?)
            } else {
                None
            };
            out.push(SizingItem {
                code: g.code,
                name: g.name,
                households: g.household_count.into(),
                persons: g.person_count.into(),
                verdict: verdict.as_str(),
                label: verdict.label(),
                proposed_split,
            });
        }
        Ok(out)
    }

    async fn split_proposal(
        &self,
        g: &grid::Model,
        rule: &SizingRule,
    ) -> Result<Vec<Vec<String>>, StoreError> {
        Ok(self
            .split_parts(g, rule)
            .await?
            .into_iter()
            .map(|p| p.buildings)
            .collect())
    }

    /// The proposed parts of a grid, with their areas.
    pub(crate) async fn split_parts(
        &self,
        g: &grid::Model,
        rule: &SizingRule,
    ) -> Result<Vec<SplitPart>, StoreError> {
        let buildings = building::Entity::find()
            .filter(building::Column::County.eq(g.county))
            .filter(building::Column::GridCode.eq(&g.code))
            .all(&self.db)
            .await?;
        let households = household::Entity::find()
            .filter(household::Column::County.eq(g.county))
            .filter(household::Column::GridCode.eq(&g.code))
            .all(&self.db)
            .await?;
        let weighed: Vec<(String, [f64; 2], u32, u32)> = buildings
            .iter()
            .map(|b| {
                let (h, p) = households
                    .iter()
                    .filter(|x| x.building_id == b.id)
                    .fold((0u32, 0u32), |(h, p), x| {
                        (h + 1, p + x.member_count.max(0) as u32)
                    });
                (b.code.clone(), [b.lng, b.lat], h, p)
            })
            .collect();
        Ok(propose_split_parts(rule, &weighed))
    }
}
