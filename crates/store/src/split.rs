//! Changing the map of grids: creating a grid, and applying a proposed split of an
//! oversized grid. In a split the first part keeps the grid's code
//! with a smaller boundary, each other part becomes a new grid of the same community, and
//! the buildings of a part move with their households and residents — every resident's
//! move recorded in their history — in one transaction.
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseTransaction, Set, Value};
use serde::Serialize;
use wangge_domain::geometry::{MultiPolygon, bbox, to_geojson};
use wangge_domain::sizing::{SizingRule, part_shapes};

use crate::audit::AuditEntry;
use crate::entity::grid;
use crate::grids::stored_shape;
use crate::{Scope, Store, StoreError, sql};

/// Where history rows say a move came from.
const SOURCE: &str = "网格拆分";

#[derive(Debug, Serialize)]
pub struct SplitResult {
    /// The grid kept first, then the new ones.
    pub codes: Vec<String>,
    pub moved_persons: u64,
}

impl Store {
    /// Splits `code` as [`Store::sizing`] proposes. Refused when the grid meets the rule.
    pub async fn apply_split(
        &self,
        scope: &Scope,
        code: &str,
        rule: &SizingRule,
        client: &str,
    ) -> Result<SplitResult, StoreError> {
        self.require_grid_manager(scope)?;
        if !scope.covers(code) {
            return Err(StoreError::NotFound);
        }
        let g = self.grid_by_code(code).await?;
        let parts = self.split_parts(&g, rule).await?;
        if parts.len() < 2 {
            return Err(StoreError::Conflict(
                "该网格没有超出规模标准，或楼栋不足两栋，无需拆分".into(),
            ));
        }
        let shape = stored_shape(code, &g.boundary)?;
        let shapes = part_shapes(&shape, &parts);
        let codes = self.free_codes(&g.community_code, parts.len() - 1).await?;
        let txn = crate::connect::begin_write(self.connection()).await?;
        let mut moved = 0;
        set_boundary(&txn, &g, &shapes[0], self.now_ms()).await?;
        let others = parts.iter().zip(&shapes).skip(1).zip(&codes);
        for (n, ((part, part_shape), new_code)) in others.enumerate() {
            let name = format!("{}-{}", g.name, n + 2);
            self.insert_grid(&txn, &g, new_code, &name, part_shape)
                .await?;
            moved += self
                .move_buildings(&txn, scope, g.county, &g.code, new_code, &part.buildings)
                .await?;
        }
        let mut all = vec![g.code.clone()];
        all.extend(codes.iter().cloned());
        recount(&txn, &all).await?;
        let object = format!("grid:{code} 拆分为 {}，迁移 {moved} 人", all.join("、"));
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action: "grid.split",
                object: &object,
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        self.invalidate_grid_index().await;
        Ok(SplitResult {
            codes: all,
            moved_persons: moved,
        })
    }

    /// What [`Store::apply_split`] would do: each part's buildings and boundary (GeoJSON).
    pub async fn split_preview(
        &self,
        scope: &Scope,
        code: &str,
        rule: &SizingRule,
    ) -> Result<Vec<(Vec<String>, serde_json::Value)>, StoreError> {
        self.base_scope_check(scope)?;
        if !scope.covers(code) {
            return Err(StoreError::NotFound);
        }
        let g = self.grid_by_code(code).await?;
        let parts = self.split_parts(&g, rule).await?;
        let shapes = part_shapes(&stored_shape(code, &g.boundary)?, &parts);
        Ok(parts
            .into_iter()
            .zip(&shapes)
            .map(|(p, s)| (p.buildings, to_geojson(s)))
            .collect())
    }

    /// `n` unused grid codes in a community: the next sequence numbers after the highest.
    async fn free_codes(&self, community: &str, n: usize) -> Result<Vec<String>, StoreError> {
        let (lo, hi) = Scope::range_of(community);
        let highest = self
            .grids_in_range(&lo, &hi)
            .await?
            .iter()
            .filter_map(|g| g.code[community.len()..].parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        if highest as usize + n > 999 {
            return Err(StoreError::Conflict(format!(
                "社区 {community} 的网格编号已用到 {highest}，无法再编新的网格"
            )));
        }
        Ok((1..=n as u32)
            .map(|i| format!("{community}{:03}", highest + i))
            .collect())
    }

    async fn insert_grid(
        &self,
        txn: &DatabaseTransaction,
        from: &grid::Model,
        code: &str,
        name: &str,
        shape: &MultiPolygon,
    ) -> Result<(), StoreError> {
        let b = bbox(shape);
        grid::ActiveModel {
            county: Set(from.county),
            id: Set(self.next_id()),
            code: Set(code.to_string()),
            name: Set(name.to_string()),
            community_code: Set(from.community_code.clone()),
            boundary: Set(to_geojson(shape).to_string()),
            min_lng: Set(b[0]),
            min_lat: Set(b[1]),
            max_lng: Set(b[2]),
            max_lat: Set(b[3]),
            household_count: Set(0),
            person_count: Set(0),
            updated_at: Set(self.now_ms()),
        }
        .insert(txn)
        .await?;
        Ok(())
    }

    /// Moves buildings (by code) with their households, residents and tags; returns the
    /// number of residents moved, each with a history row.
    async fn move_buildings(
        &self,
        txn: &DatabaseTransaction,
        scope: &Scope,
        county: i32,
        from: &str,
        to: &str,
        buildings: &[String],
    ) -> Result<u64, StoreError> {
        let backend = txn.get_database_backend();
        let mut moved = 0;
        for chunk in buildings.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let mut values: Vec<Value> = vec![county.into(), from.into()];
            values.extend(chunk.iter().map(|c| Value::from(c.as_str())));
            let in_buildings = format!(
                "SELECT id FROM building WHERE county = ? AND grid_code = ? AND code IN ({marks})"
            );
            let in_households = format!(
                "SELECT id FROM household WHERE county = ? AND grid_code = ? AND building_id IN ({in_buildings})"
            );
            let mut household_values: Vec<Value> = vec![county.into(), from.into()];
            household_values.extend(values.iter().cloned());
            let residents = txn
                .query_all_raw(sql::statement(
                    backend,
                    &format!(
                        "SELECT id FROM person WHERE county = ? AND household_id IN ({in_households}) AND status = 'active'"
                    ),
                    [vec![Value::from(county)], household_values.clone()].concat(),
                ))
                .await?;
            let account = (scope.account_id != 0).then_some(scope.account_id);
            for r in &residents {
                let person: i64 = r.try_get("", "id")?;
                txn.execute_raw(sql::statement(
                    backend,
                    "INSERT INTO person_history (county, id, person_id, at, kind, grid_from, grid_to, fields, source, note, account_id) \
                     VALUES (?, ?, ?, ?, 'move', ?, ?, 'grid', ?, NULL, ?)",
                    vec![
                        county.into(),
                        self.next_id().into(),
                        person.into(),
                        self.now_ms().into(),
                        from.into(),
                        to.into(),
                        SOURCE.into(),
                        account.into(),
                    ],
                ))
                .await?;
                txn.execute_raw(sql::statement(
                    backend,
                    "UPDATE person_tag SET grid_code = ? WHERE county = ? AND person_id = ?",
                    vec![to.into(), county.into(), person.into()],
                ))
                .await?;
            }
            moved += residents.len() as u64;
            let updates = [
                (
                    format!(
                        "UPDATE person SET grid_code = ? WHERE county = ? AND household_id IN ({in_households})"
                    ),
                    [
                        vec![Value::from(to), Value::from(county)],
                        household_values.clone(),
                    ]
                    .concat(),
                ),
                (
                    format!(
                        "UPDATE household SET grid_code = ? WHERE county = ? AND grid_code = ? AND building_id IN ({in_buildings})"
                    ),
                    [
                        vec![Value::from(to), Value::from(county), Value::from(from)],
                        values.clone(),
                    ]
                    .concat(),
                ),
                (
                    format!(
                        "UPDATE building SET grid_code = ? WHERE county = ? AND grid_code = ? AND code IN ({marks})"
                    ),
                    [
                        vec![Value::from(to), Value::from(county), Value::from(from)],
                        chunk.iter().map(|c| Value::from(c.as_str())).collect(),
                    ]
                    .concat(),
                ),
            ];
            for (text, values) in updates {
                txn.execute_raw(sql::statement(backend, &text, values))
                    .await?;
            }
        }
        Ok(moved)
    }
}

async fn set_boundary(
    txn: &DatabaseTransaction,
    g: &grid::Model,
    shape: &MultiPolygon,
    now: i64,
) -> Result<(), StoreError> {
    let b = bbox(shape);
    let mut am: grid::ActiveModel = g.clone().into();
    am.boundary = Set(to_geojson(shape).to_string());
    am.min_lng = Set(b[0]);
    am.min_lat = Set(b[1]);
    am.max_lng = Set(b[2]);
    am.max_lat = Set(b[3]);
    am.updated_at = Set(now);
    am.update(txn).await?;
    Ok(())
}

/// Refreshes the cached person and household counts of the grids (moved-out persons and
/// emptied households no longer count).
pub(crate) async fn recount(
    txn: &impl ConnectionTrait,
    codes: &[String],
) -> Result<(), StoreError> {
    let marks = vec!["?"; codes.len()].join(",");
    txn.execute_raw(sql::statement(
        txn.get_database_backend(),
        &format!(
            "UPDATE grid SET \
             person_count = (SELECT COUNT(*) FROM person p WHERE p.grid_code = grid.code AND p.status = 'active'), \
             household_count = (SELECT COUNT(*) FROM household h WHERE h.grid_code = grid.code AND h.member_count > 0) \
             WHERE code IN ({marks})"
        ),
        codes.iter().map(|c| Value::from(c.as_str())).collect(),
    ))
    .await?;
    Ok(())
}

/// A new grid as drawn by the command center.
pub struct NewGrid<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub boundary: &'a serde_json::Value,
}

impl Store {
    /// Creates a grid in a community: the code is the community's 12 digits and a 3-digit
    /// number not yet used, the boundary a valid GeoJSON polygon. Audited.
    pub async fn create_grid(
        &self,
        scope: &Scope,
        g: NewGrid<'_>,
        client: &str,
    ) -> Result<String, StoreError> {
        self.require_grid_manager(scope)?;
        let code = g.code.trim();
        if code.len() != 15 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(StoreError::invalid(
                "code",
                "网格编码应为15位数字：12位社区代码加3位序号",
            ));
        }
        if !scope.covers(code) {
            return Err(StoreError::invalid("code", "该网格编码不在您的管辖范围内"));
        }
        let community = &code[..12];
        if !self.has_region(community).await? {
            return Err(StoreError::invalid(
                "code",
                format!("社区 {community} 不存在"),
            ));
        }
        if self.grid_by_code(code).await.is_ok() {
            return Err(StoreError::Conflict(format!("网格编码 {code} 已被使用")));
        }
        let name = g.name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(StoreError::invalid(
                "name",
                "网格名称不能为空，且不超过50个字",
            ));
        }
        let shape = wangge_domain::geometry::parse_geojson(g.boundary)
            .map_err(|e| StoreError::invalid("boundary", e.to_string()))?;
        let county = crate::scope::county_of(code).ok_or(StoreError::NotFound)?;
        let template = grid::Model {
            county,
            id: 0,
            code: code.to_string(),
            name: name.to_string(),
            community_code: community.to_string(),
            boundary: String::new(),
            min_lng: 0.0,
            min_lat: 0.0,
            max_lng: 0.0,
            max_lat: 0.0,
            household_count: 0,
            person_count: 0,
            updated_at: 0,
        };
        let txn = crate::connect::begin_write(self.connection()).await?;
        self.insert_grid(&txn, &template, code, name, &shape)
            .await?;
        let object = format!("grid:{code} {name}");
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action: "grid.create",
                object: &object,
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        self.invalidate_grid_index().await;
        Ok(code.to_string())
    }
}
