//! The region tree with population counts, and the grid with its boundary, buildings and
//! responsible people. Counts come from the per-grid caches, summed over a code range.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Value};
use serde::Serialize;
use wangge_domain::region::Level;

use crate::entity::{building, grid, grid_staff, region};
use crate::{Scope, Store, StoreError, sql};

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub grids: i64,
    pub households: i64,
    pub persons: i64,
}

#[derive(Debug, Serialize)]
pub struct RegionChild {
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub counts: Counts,
}

#[derive(Debug, Serialize)]
pub struct RegionNode {
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub level_label: &'static str,
    pub parent: Option<String>,
    pub counts: Counts,
    pub children: Vec<RegionChild>,
}

#[derive(Debug, Serialize)]
pub struct BuildingOnGrid {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub address: String,
    pub floors: i32,
    pub units: i32,
    pub lng: f64,
    pub lat: f64,
}

#[derive(Debug, Serialize)]
pub struct ResponsiblePerson {
    pub id: i64,
    pub duty: String,
    pub duty_label: &'static str,
    pub name: String,
    /// Duty phones are posted on the grid's public board, so they are shown in full.
    pub phone: String,
}

#[derive(Debug, Serialize)]
pub struct GridView {
    pub code: String,
    pub name: String,
    pub community_code: String,
    pub community_name: String,
    /// GeoJSON geometry, WGS84.
    pub boundary: serde_json::Value,
    pub bbox: [f64; 4],
    pub households: i64,
    pub persons: i64,
    pub buildings: Vec<BuildingOnGrid>,
    pub staff: Vec<ResponsiblePerson>,
}

fn level_of(code: &str) -> Result<Level, StoreError> {
    Level::from_code_len(code.len()).ok_or(StoreError::NotFound)
}

impl Store {
    pub(crate) async fn grid_by_code(&self, code: &str) -> Result<grid::Model, StoreError> {
        let found = grid::Entity::find()
            .filter(grid::Column::Code.eq(code))
            .one(&self.db)
            .await?;
        found.ok_or(StoreError::NotFound)
    }

    /// The grids whose codes lie in [lo, hi) — a subtree — in code order.
    pub(crate) async fn grids_in_range(
        &self,
        lo: &str,
        hi: &str,
    ) -> Result<Vec<grid::Model>, StoreError> {
        Ok(grid::Entity::find()
            .filter(grid::Column::Code.gte(lo))
            .filter(grid::Column::Code.lt(hi))
            .order_by_asc(grid::Column::Code)
            .all(&self.db)
            .await?)
    }

    /// A node of the tree within the caller's scope, with its children and their counts.
    /// The empty code is the root above every city.
    pub async fn region(&self, scope: &Scope, code: &str) -> Result<RegionNode, StoreError> {
        self.base_scope_check(scope)?;
        if !scope.covers(code) {
            return Err(StoreError::NotFound);
        }
        let (name, level, parent) = if code.is_empty() {
            ("全部辖区".to_string(), None, None)
        } else {
            let level = level_of(code)?;
            if matches!(level, Level::Grid | Level::Building) {
                return Err(StoreError::NotFound);
            }
            let r = region::Entity::find_by_id(code)
                .one(&self.db)
                .await?
                .ok_or(StoreError::NotFound)?;
            // The parent is only offered when the caller may see it.
            let parent = r.parent_code.filter(|p| scope.covers(p));
            (r.name, Some(level), parent)
        };
        let counts = self
            .counts_by_prefix(code, code.len())
            .await?
            .pop()
            .map(|(_, c)| c)
            .unwrap_or_default();
        let children = match level {
            Some(Level::Community) => self.grid_children(code).await?,
            _ => self.region_children(code).await?,
        };
        Ok(RegionNode {
            code: code.to_string(),
            name,
            level: level.map_or("root", |l| l.as_str()),
            level_label: level.map_or("全部", |l| l.label()),
            parent,
            counts,
            children,
        })
    }

    async fn region_children(&self, code: &str) -> Result<Vec<RegionChild>, StoreError> {
        let rows = if code.is_empty() {
            region::Entity::find().filter(region::Column::ParentCode.is_null())
        } else {
            region::Entity::find().filter(region::Column::ParentCode.eq(code))
        }
        .order_by_asc(region::Column::Code)
        .all(&self.db)
        .await?;
        let Some(first) = rows.first() else {
            return Ok(Vec::new());
        };
        let counts = self.counts_by_prefix(code, first.code.len()).await?;
        Ok(rows
            .into_iter()
            .map(|r| RegionChild {
                counts: counts
                    .iter()
                    .find(|(c, _)| *c == r.code)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
                level: Level::from_code_len(r.code.len()).map_or("", |l| l.as_str()),
                code: r.code,
                name: r.name,
            })
            .collect())
    }

    async fn grid_children(&self, community: &str) -> Result<Vec<RegionChild>, StoreError> {
        let (lo, hi) = Scope::range_of(community);
        let grids = self.grids_in_range(&lo, &hi).await?;
        Ok(grids
            .into_iter()
            .map(|g| RegionChild {
                code: g.code,
                name: g.name,
                level: Level::Grid.as_str(),
                counts: Counts {
                    grids: 1,
                    households: g.household_count.into(),
                    persons: g.person_count.into(),
                },
            })
            .collect())
    }

    /// Sums of the grid caches under `prefix`, grouped by the first `group_len` digits.
    pub(crate) async fn counts_by_prefix(
        &self,
        prefix: &str,
        group_len: usize,
    ) -> Result<Vec<(String, Counts)>, StoreError> {
        let (lo, hi) = Scope::range_of(prefix);
        let stmt = sql::statement(
            self.db.get_database_backend(),
            "SELECT substr(code, 1, ?) AS k, COUNT(*) AS g, COALESCE(SUM(household_count), 0) AS h, \
             COALESCE(SUM(person_count), 0) AS p FROM grid WHERE code >= ? AND code < ? GROUP BY 1",
            vec![
                Value::from(group_len as i32),
                lo.into(),
                hi.into(),
                Value::from(group_len as i32),
            ],
        );
        let rows = self.db.query_all_raw(stmt).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String>("", "k")?,
                    Counts {
                        grids: r.try_get("", "g")?,
                        households: r.try_get("", "h")?,
                        persons: r.try_get("", "p")?,
                    },
                ))
            })
            .collect()
    }

    pub async fn grid(&self, scope: &Scope, code: &str) -> Result<GridView, StoreError> {
        self.base_scope_check(scope)?;
        if code.len() != Level::Grid.code_len() || !scope.covers(code) {
            return Err(StoreError::NotFound);
        }
        let g = self.grid_by_code(code).await?;
        let community = region::Entity::find_by_id(g.community_code.clone())
            .one(&self.db)
            .await?;
        let buildings = building::Entity::find()
            .filter(building::Column::County.eq(g.county))
            .filter(building::Column::GridCode.eq(code))
            .order_by_asc(building::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|b| BuildingOnGrid {
                id: b.id,
                code: b.code,
                name: b.name,
                address: b.address,
                floors: b.floors,
                units: b.units,
                lng: b.lng,
                lat: b.lat,
            })
            .collect();
        let staff = grid_staff::Entity::find()
            .filter(grid_staff::Column::County.eq(g.county))
            .filter(grid_staff::Column::GridCode.eq(code))
            .order_by_asc(grid_staff::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| {
                Ok(ResponsiblePerson {
                    id: s.id,
                    duty_label: wangge_domain::population::Duty::parse(&s.duty)
                        .map_or("", |d| d.label()),
                    duty: s.duty,
                    name: s.name,
                    phone: self.crypto.decrypt_string(&s.phone_cipher)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(GridView {
            boundary: serde_json::from_str(&g.boundary)
                .map_err(|e| StoreError::Crypto(format!("边界数据损坏：{e}")))?,
            bbox: [g.min_lng, g.min_lat, g.max_lng, g.max_lat],
            code: g.code,
            name: g.name,
            community_name: community.map(|c| c.name).unwrap_or_default(),
            community_code: g.community_code,
            households: g.household_count.into(),
            persons: g.person_count.into(),
            buildings,
            staff,
        })
    }

    /// The grids under a region, with their boundaries, for drawing a map of the region.
    pub async fn grid_shapes(
        &self,
        scope: &Scope,
        prefix: &str,
    ) -> Result<Vec<(String, String, serde_json::Value, i64)>, StoreError> {
        let prefix = scope.narrow(Some(prefix).filter(|p| !p.is_empty()))?;
        let (lo, hi) = Scope::range_of(&prefix);
        let grids = self.grids_in_range(&lo, &hi).await?;
        grids
            .into_iter()
            .map(|g| {
                let shape = serde_json::from_str(&g.boundary)
                    .map_err(|e| StoreError::Crypto(format!("边界数据损坏：{e}")))?;
                Ok((g.code, g.name, shape, g.person_count.into()))
            })
            .collect()
    }
}

/// One line of the region tree as drawn on a page, in depth-first order.
#[derive(Debug, Serialize)]
pub struct TreeRow {
    pub depth: usize,
    pub code: String,
    pub name: String,
    pub is_grid: bool,
    pub grids: i64,
    pub households: i64,
    pub persons: i64,
}

impl Store {
    /// The subtree under `code` down to grids, or down to communities when it holds more
    /// than `max_grids` grids (the bool says it was cut). Codes extend their parent's, so
    /// sorting by code yields depth-first order.
    pub async fn region_tree(
        &self,
        scope: &Scope,
        code: &str,
        max_grids: i64,
    ) -> Result<(Vec<TreeRow>, bool), StoreError> {
        let node = self.region(scope, code).await?;
        let (lo, hi) = Scope::range_of(code);
        let regions = region::Entity::find()
            .filter(region::Column::Code.gte(lo.clone()))
            .filter(region::Column::Code.lt(hi.clone()))
            .filter(region::Column::Code.ne(code))
            .order_by_asc(region::Column::Code)
            .all(&self.db)
            .await?;
        let mut counts = std::collections::HashMap::new();
        let mut lens: Vec<usize> = regions.iter().map(|r| r.code.len()).collect();
        lens.sort_unstable();
        lens.dedup();
        for len in lens {
            counts.extend(self.counts_by_prefix(code, len).await?);
        }
        let base = code.len();
        let depth_of = |c: &str| {
            Level::from_code_len(c.len())
                .map_or(0, |l| Level::ALL.iter().position(|x| *x == l).unwrap_or(0))
                .saturating_sub(Level::from_code_len(base).map_or(0, |l| {
                    Level::ALL.iter().position(|x| *x == l).unwrap_or(0) + 1
                }))
        };
        let mut rows: Vec<TreeRow> = regions
            .into_iter()
            .map(|r| {
                let c = counts.remove(&r.code).unwrap_or_default();
                TreeRow {
                    depth: depth_of(&r.code),
                    is_grid: false,
                    grids: c.grids,
                    households: c.households,
                    persons: c.persons,
                    code: r.code,
                    name: r.name,
                }
            })
            .collect();
        let truncated = node.counts.grids > max_grids;
        if !truncated {
            let grids = self.grids_in_range(&lo, &hi).await?;
            rows.extend(grids.into_iter().map(|g| TreeRow {
                depth: depth_of(&g.code),
                is_grid: true,
                grids: 1,
                households: g.household_count.into(),
                persons: g.person_count.into(),
                code: g.code,
                name: g.name,
            }));
            rows.sort_by(|a, b| a.code.cmp(&b.code));
        }
        Ok((rows, truncated))
    }
}
