//! Locating a coordinate to its grid: an in-memory R-tree of grid bounding boxes, loaded
//! from the database on first use and rebuilt whenever a grid's boundary changes, then an
//! exact point-in-polygon test on the few candidates.
use std::sync::Arc;

use rstar::{AABB, RTree, RTreeObject};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use tokio::sync::RwLock;
use wangge_domain::coords::{Crs, to_wgs84};
use wangge_domain::geometry::{MultiPolygon, contains, parse_geojson};

use crate::entity::{grid, grid_staff, region};
use crate::{Scope, Store, StoreError};

struct Entry {
    code: String,
    bbox: [f64; 4],
    shape: MultiPolygon,
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners([self.bbox[0], self.bbox[1]], [self.bbox[2], self.bbox[3]])
    }
}

/// The index shared by every clone of a store; `None` until first needed.
#[derive(Clone, Default)]
pub struct GridIndex(Arc<RwLock<Option<RTree<Entry>>>>);

#[derive(Debug, Serialize)]
pub struct NamedCode {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct Located {
    pub grid: NamedCode,
    pub community: NamedCode,
    pub street: NamedCode,
    /// The grid's full-time worker on duty, with the duty phone.
    pub grid_worker: Option<Worker>,
    /// The point in WGS84, as stored.
    pub wgs84: [f64; 2],
}

#[derive(Debug, Serialize)]
pub struct Worker {
    pub name: String,
    pub phone: String,
}

impl Store {
    async fn load_grid_index(&self) -> Result<RTree<Entry>, StoreError> {
        let grids = grid::Entity::find().all(&self.db).await?;
        let mut entries = Vec::with_capacity(grids.len());
        for g in grids {
            let value: serde_json::Value = serde_json::from_str(&g.boundary)
                .map_err(|e| StoreError::Crypto(format!("网格{}边界数据损坏：{e}", g.code)))?;
            let shape = parse_geojson(&value)
                .map_err(|e| StoreError::Crypto(format!("网格{}边界数据损坏：{e}", g.code)))?;
            entries.push(Entry {
                code: g.code,
                bbox: [g.min_lng, g.min_lat, g.max_lng, g.max_lat],
                shape,
            });
        }
        Ok(RTree::bulk_load(entries))
    }

    /// Forgets the index; the next lookup rebuilds it (called after any boundary change).
    pub async fn invalidate_grid_index(&self) {
        *self.grid_index.0.write().await = None;
    }

    /// The grid code containing a WGS84 point, if any.
    pub async fn grid_at(&self, lng: f64, lat: f64) -> Result<Option<String>, StoreError> {
        {
            let guard = self.grid_index.0.read().await;
            if let Some(tree) = guard.as_ref() {
                return Ok(find(tree, lng, lat));
            }
        }
        let mut guard = self.grid_index.0.write().await;
        if guard.is_none() {
            *guard = Some(self.load_grid_index().await?);
        }
        Ok(guard.as_ref().and_then(|tree| find(tree, lng, lat)))
    }

    /// Locates a coordinate sent in any of the Chinese map systems to its grid, within the
    /// caller's scope (a grid outside it answers NotFound, like no grid at all).
    pub async fn locate(
        &self,
        scope: &Scope,
        lng: f64,
        lat: f64,
        crs: Crs,
    ) -> Result<Located, StoreError> {
        if !lng.is_finite()
            || !lat.is_finite()
            || !(-180.0..=180.0).contains(&lng)
            || !(-90.0..=90.0).contains(&lat)
        {
            return Err(StoreError::invalid(
                "lng",
                "经纬度超出范围：经度应在-180到180之间，纬度应在-90到90之间",
            ));
        }
        let (wlng, wlat) = to_wgs84(crs, lng, lat);
        let code = self
            .grid_at(wlng, wlat)
            .await?
            .filter(|c| scope.covers(c))
            .ok_or(StoreError::NotFound)?;
        let g = self.grid_by_code(&code).await?;
        let community = region::Entity::find_by_id(g.community_code.clone())
            .one(&self.db)
            .await?;
        let street_code = g.community_code.get(..9).unwrap_or_default().to_string();
        let street = region::Entity::find_by_id(street_code.clone())
            .one(&self.db)
            .await?;
        let worker = grid_staff::Entity::find()
            .filter(grid_staff::Column::County.eq(g.county))
            .filter(grid_staff::Column::GridCode.eq(&code))
            .filter(grid_staff::Column::Duty.eq("full_time_worker"))
            .one(&self.db)
            .await?;
        let grid_worker = match worker {
            Some(w) => Some(Worker {
                phone: self.crypto.decrypt_string(&w.phone_cipher)?,
                name: w.name,
            }),
            None => None,
        };
        Ok(Located {
            grid: NamedCode {
                code: g.code,
                name: g.name,
            },
            community: NamedCode {
                code: g.community_code,
                name: community.map(|c| c.name).unwrap_or_default(),
            },
            street: NamedCode {
                code: street_code,
                name: street.map(|s| s.name).unwrap_or_default(),
            },
            grid_worker,
            wgs84: [wlng, wlat],
        })
    }
}

fn find(tree: &RTree<Entry>, lng: f64, lat: f64) -> Option<String> {
    let probe = AABB::from_point([lng, lat]);
    // Candidates are few: only grids whose bounding box holds the point.
    tree.locate_in_envelope_intersecting(probe)
        .filter(|e| contains(&e.shape, [lng, lat]))
        .map(|e| e.code.clone())
        .min()
}
