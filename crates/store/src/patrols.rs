//! Patrols (巡查) of grid workers: start and stop, positions arriving in batches (retried,
//! late, out of order: each is checked and merged once), the track's statistics kept on
//! the patrol row, its time per day for the daily rule. Tracks are personal whereabouts:
//! shown to the worker, and to the grid leader and command center of the worker's grid
//! (each such view audited), and deleted after the configured retention.
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use wangge_domain::date::local_date;
use wangge_domain::geometry::{MultiPolygon, Polygon};
use wangge_domain::patrol::{
    Area, PatrolWindow, PointRules, Track, TrackPoint, TrackRules, TrackStats, check_batch, stats,
};
use wangge_domain::role::Role;

use crate::audit::AuditEntry;
use crate::entity::{event, grid, patrol, patrol_day, patrol_point};
use crate::grids::stored_shape;
use crate::{Scope, Store, StoreError};

/// Most points one request may carry (about four hours at one a minute).
pub const MAX_POINTS_PER_BATCH: usize = 500;

/// A patrol as lists and the phone see it.
#[derive(Debug, Clone, Serialize)]
pub struct PatrolView {
    pub id: i64,
    pub account_id: i64,
    pub grid_code: String,
    pub started_at: i64,
    pub stopped_at: Option<i64>,
    pub running: bool,
    pub points: i32,
    pub patrol_ms: i64,
    pub distance_m: f64,
    /// Share of the patrol time spent inside the worker's grid, 0–1.
    pub inside_share: f64,
    pub notes: Vec<String>,
}

/// A patrol with its track and the events its worker reported on the way.
#[derive(Debug, Clone, Serialize)]
pub struct PatrolDetail {
    pub patrol: PatrolView,
    /// `[lng, lat, at_ms]`, in time order.
    pub track: Vec<[f64; 3]>,
    pub events: Vec<PatrolEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PatrolEvent {
    pub id: i64,
    pub description: String,
    pub state: String,
    pub lng: f64,
    pub lat: f64,
    pub created_at: i64,
}

/// A refused position: its index in the batch and why, in Chinese.
#[derive(Debug, Clone, Serialize)]
pub struct RefusedPoint {
    pub index: usize,
    pub code: &'static str,
    pub reason: String,
}

/// The answer to a batch of positions.
#[derive(Debug, Clone, Serialize)]
pub struct PointsAnswer {
    pub added: usize,
    pub duplicates: usize,
    pub refused: Vec<RefusedPoint>,
    pub stats: PatrolView,
}

pub(crate) fn view(p: &patrol::Model) -> PatrolView {
    PatrolView {
        id: p.id,
        account_id: p.account_id,
        grid_code: p.grid_code.clone(),
        started_at: p.started_at,
        stopped_at: p.stopped_at,
        running: p.stopped_at.is_none(),
        points: p.points,
        patrol_ms: p.patrol_ms,
        distance_m: (p.distance_m * 10.0).round() / 10.0,
        inside_share: if p.patrol_ms > 0 {
            p.inside_ms as f64 / p.patrol_ms as f64
        } else {
            0.0
        },
        notes: p
            .notes
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

/// The rectangle around a county's grids: positions far beyond it are refused.
fn rectangle(b: [f64; 4]) -> MultiPolygon {
    let [x0, y0, x1, y1] = b;
    MultiPolygon(vec![Polygon {
        outer: vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]],
        holes: Vec::new(),
    }])
}

impl Store {
    /// The grid a worker patrols and visits: their scope, which must be one grid.
    pub(crate) async fn own_grid(&self, scope: &Scope) -> Result<grid::Model, StoreError> {
        let not_a_grid = || {
            StoreError::Forbidden(
                "巡查和走访由网格员在自己的网格内进行：您的账号未分配到网格".into(),
            )
        };
        if !matches!(scope.role, Role::GridWorker | Role::GridLeader) {
            return Err(not_a_grid());
        }
        let county = scope.county().ok_or_else(not_a_grid)?;
        grid::Entity::find()
            .filter(grid::Column::County.eq(county))
            .filter(grid::Column::Code.eq(scope.region.as_str()))
            .one(self.connection())
            .await?
            .ok_or_else(not_a_grid)
    }

    /// Starts a patrol for the caller, or answers the one already running (so a start
    /// sent twice starts one patrol). The flag says whether it is new.
    pub async fn start_patrol(&self, scope: &Scope) -> Result<(PatrolView, bool), StoreError> {
        let g = self.own_grid(scope).await?;
        let db = self.connection();
        if let Some(running) = running_patrol(db, scope.account_id).await? {
            return Ok((view(&running), false));
        }
        let now = self.now_ms();
        let row = patrol::Model {
            county: g.county,
            id: self.next_id(),
            account_id: scope.account_id,
            grid_code: g.code,
            started_at: now,
            stopped_at: None,
            points: 0,
            distance_m: 0.0,
            patrol_ms: 0,
            inside_ms: 0,
            notes: String::new(),
            updated_at: now,
        };
        // No transaction around the check: one running patrol per worker is a unique
        // index, so a start that loses a race fails here and answers the winner (and
        // SQLite refuses a read transaction turning into a write after another's commit).
        if let Err(e) = patrol::ActiveModel::from(row.clone()).insert(db).await {
            return match running_patrol(db, scope.account_id).await? {
                Some(running) => Ok((view(&running), false)),
                None => Err(e.into()),
            };
        }
        Ok((view(&row), true))
    }

    /// The caller's running patrol, if any.
    pub async fn current_patrol(&self, scope: &Scope) -> Result<Option<PatrolView>, StoreError> {
        Ok(running_patrol(self.connection(), scope.account_id)
            .await?
            .map(|p| view(&p)))
    }

    /// Adds a batch of the caller's positions to their patrol: each is checked (refused
    /// with a reason), merged with what arrived before (a position already held is a
    /// duplicate), and the statistics and time per day are worked out again, all in one
    /// transaction.
    pub async fn add_patrol_points(
        &self,
        scope: &Scope,
        patrol_id: i64,
        points: &[TrackPoint],
    ) -> Result<PointsAnswer, StoreError> {
        if points.len() > MAX_POINTS_PER_BATCH {
            return Err(StoreError::invalid(
                "points",
                format!("一次最多上传{MAX_POINTS_PER_BATCH}个位置，请分批发送"),
            ));
        }
        let p = self.own_patrol(scope, patrol_id).await?;
        let district = self.district_box(p.county).await?;
        let area = district.as_ref().map(Area::new);
        let window = PatrolWindow {
            started_ms: p.started_at,
            stopped_ms: p.stopped_at,
        };
        let checked = check_batch(
            points,
            area.as_ref(),
            window,
            &PointRules::default(),
            self.now_ms(),
        );
        let refused = checked
            .refused
            .iter()
            .map(|(index, why)| RefusedPoint {
                index: *index,
                code: why.code(),
                reason: why.to_string(),
            })
            .collect();
        let grid_shape = self.grid_shape(p.county, &p.grid_code).await?;
        let txn = crate::connect::begin_write(self.connection()).await?;
        let mut added = 0;
        for chunk in checked.accepted.chunks(200) {
            let rows = chunk.iter().map(|q| patrol_point::ActiveModel {
                county: Set(p.county),
                patrol_id: Set(p.id),
                at_ms: Set(q.at_ms),
                lng: Set(q.lng),
                lat: Set(q.lat),
                accuracy_m: Set(q.accuracy_m),
            });
            added += patrol_point::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([
                        patrol_point::Column::County,
                        patrol_point::Column::PatrolId,
                        patrol_point::Column::AtMs,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await? as usize;
        }
        let track = Track::from_points(&load_track(&txn, &p).await?);
        let figures = stats(&track, &Area::new(&grid_shape), &TrackRules::default());
        let updated = self.keep_stats(&txn, p, &figures).await?;
        txn.commit().await?;
        Ok(PointsAnswer {
            added,
            duplicates: checked.accepted.len() - added,
            refused,
            stats: view(&updated),
        })
    }

    /// Stops the caller's patrol (stopping it again answers it as it is).
    pub async fn stop_patrol(
        &self,
        scope: &Scope,
        patrol_id: i64,
    ) -> Result<PatrolView, StoreError> {
        let p = self.own_patrol(scope, patrol_id).await?;
        if p.stopped_at.is_some() {
            return Ok(view(&p));
        }
        let mut m: patrol::ActiveModel = p.into();
        let now = self.now_ms();
        m.stopped_at = Set(Some(now));
        m.updated_at = Set(now);
        Ok(view(&m.update(self.connection()).await?))
    }

    /// A patrol with its track, for its worker, or for the grid leader or command center
    /// whose scope holds its grid (audited: a track is someone's whereabouts).
    pub async fn patrol(
        &self,
        scope: &Scope,
        patrol_id: i64,
        client: &str,
    ) -> Result<PatrolDetail, StoreError> {
        let p = patrol::Entity::find()
            .filter(patrol::Column::Id.eq(patrol_id))
            .one(self.connection())
            .await?
            .ok_or(StoreError::NotFound)?;
        let own = p.account_id == scope.account_id;
        let overseer = matches!(scope.role, Role::GridLeader | Role::Operator | Role::Leader)
            && scope.covers(&p.grid_code);
        if !own && !overseer {
            return Err(StoreError::NotFound);
        }
        if !own {
            self.audit(AuditEntry {
                account: &scope.username,
                action: "patrol.track.view",
                object: &format!("巡查 {} 的轨迹（网格 {}）", p.id, p.grid_code),
                outcome: "ok",
                client,
            })
            .await?;
        }
        let track = load_track(self.connection(), &p)
            .await?
            .into_iter()
            .map(|q| [q.lng, q.lat, q.at_ms as f64])
            .collect();
        let until = p.stopped_at.unwrap_or_else(|| self.now_ms());
        let events = event::Entity::find()
            .filter(event::Column::County.eq(p.county))
            .filter(event::Column::ReporterAccount.eq(p.account_id))
            .filter(event::Column::CreatedAt.gte(p.started_at))
            .filter(event::Column::CreatedAt.lte(until))
            .order_by_asc(event::Column::CreatedAt)
            .limit(200)
            .all(self.connection())
            .await?
            .into_iter()
            .map(|e| PatrolEvent {
                id: e.id,
                description: e.description,
                state: e.state,
                lng: e.lng,
                lat: e.lat,
                created_at: e.created_at,
            })
            .collect();
        Ok(PatrolDetail {
            patrol: view(&p),
            track,
            events,
        })
    }

    /// The caller's latest patrols, newest first.
    pub async fn my_patrols(
        &self,
        scope: &Scope,
        limit: u64,
    ) -> Result<Vec<PatrolView>, StoreError> {
        Ok(patrol::Entity::find()
            .filter(patrol::Column::AccountId.eq(scope.account_id))
            .order_by_desc(patrol::Column::StartedAt)
            .limit(limit)
            .all(self.connection())
            .await?
            .iter()
            .map(view)
            .collect())
    }

    /// Deletes the positions of patrols that started before the retention period, and
    /// answers how many went. The patrol rows (times and distances) stay for assessment.
    pub async fn sweep_tracks(&self) -> Result<u64, StoreError> {
        let keep = i64::from(self.field_settings().await?.keep_days);
        let before = self.now_ms() - keep * 86_400_000;
        let db = self.connection();
        let old: Vec<(i32, i64)> = patrol::Entity::find()
            .select_only()
            .column(patrol::Column::County)
            .column(patrol::Column::Id)
            .filter(patrol::Column::StartedAt.lt(before))
            .filter(patrol::Column::Points.gt(0))
            .into_tuple()
            .all(db)
            .await?;
        let mut deleted = 0;
        for (county, id) in old {
            let txn = crate::connect::begin_write(db).await?;
            deleted += patrol_point::Entity::delete_many()
                .filter(patrol_point::Column::County.eq(county))
                .filter(patrol_point::Column::PatrolId.eq(id))
                .exec(&txn)
                .await?
                .rows_affected;
            patrol::Entity::update_many()
                .col_expr(patrol::Column::Points, 0.into())
                .filter(patrol::Column::County.eq(county))
                .filter(patrol::Column::Id.eq(id))
                .exec(&txn)
                .await?;
            txn.commit().await?;
        }
        Ok(deleted)
    }

    async fn own_patrol(&self, scope: &Scope, id: i64) -> Result<patrol::Model, StoreError> {
        patrol::Entity::find()
            .filter(patrol::Column::Id.eq(id))
            .filter(patrol::Column::AccountId.eq(scope.account_id))
            .one(self.connection())
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn grid_shape(&self, county: i32, code: &str) -> Result<MultiPolygon, StoreError> {
        let g = grid::Entity::find()
            .filter(grid::Column::County.eq(county))
            .filter(grid::Column::Code.eq(code))
            .one(self.connection())
            .await?
            .ok_or(StoreError::NotFound)?;
        stored_shape(&g.code, &g.boundary)
    }

    /// The rectangle holding every grid of the county.
    async fn district_box(&self, county: i32) -> Result<Option<MultiPolygon>, StoreError> {
        type Corners = (Option<f64>, Option<f64>, Option<f64>, Option<f64>);
        let row: Option<Corners> = grid::Entity::find()
            .select_only()
            .column_as(grid::Column::MinLng.min(), "a")
            .column_as(grid::Column::MinLat.min(), "b")
            .column_as(grid::Column::MaxLng.max(), "c")
            .column_as(grid::Column::MaxLat.max(), "d")
            .filter(grid::Column::County.eq(county))
            .into_tuple()
            .one(self.connection())
            .await?;
        Ok(match row {
            Some((Some(a), Some(b), Some(c), Some(d))) => Some(rectangle([a, b, c, d])),
            _ => None,
        })
    }

    /// Writes a patrol's statistics and its time per day.
    async fn keep_stats(
        &self,
        txn: &impl ConnectionTrait,
        p: patrol::Model,
        figures: &TrackStats,
    ) -> Result<patrol::Model, StoreError> {
        patrol_day::Entity::delete_many()
            .filter(patrol_day::Column::County.eq(p.county))
            .filter(patrol_day::Column::PatrolId.eq(p.id))
            .exec(txn)
            .await?;
        let days: Vec<patrol_day::ActiveModel> = figures
            .ms_by_day()
            .into_iter()
            .map(|(date, ms)| patrol_day::ActiveModel {
                county: Set(p.county),
                patrol_id: Set(p.id),
                day: Set(date.days_since_epoch() as i32),
                account_id: Set(p.account_id),
                grid_code: Set(p.grid_code.clone()),
                ms: Set(ms),
            })
            .collect();
        if !days.is_empty() {
            patrol_day::Entity::insert_many(days).exec(txn).await?;
        }
        let mut m: patrol::ActiveModel = p.into();
        m.points = Set(figures.points as i32);
        m.distance_m = Set(figures.distance_m);
        m.patrol_ms = Set(figures.patrol_ms);
        m.inside_ms = Set(figures.inside_ms);
        m.notes = Set(figures.notes().join("\n"));
        m.updated_at = Set(self.now_ms());
        Ok(m.update(txn).await?)
    }
}

async fn running_patrol(
    db: &impl ConnectionTrait,
    account: i64,
) -> Result<Option<patrol::Model>, StoreError> {
    Ok(patrol::Entity::find()
        .filter(patrol::Column::AccountId.eq(account))
        .filter(patrol::Column::StoppedAt.is_null())
        .order_by_desc(patrol::Column::StartedAt)
        .one(db)
        .await?)
}

async fn load_track(
    db: &impl ConnectionTrait,
    p: &patrol::Model,
) -> Result<Vec<TrackPoint>, StoreError> {
    Ok(patrol_point::Entity::find()
        .filter(patrol_point::Column::County.eq(p.county))
        .filter(patrol_point::Column::PatrolId.eq(p.id))
        .order_by_asc(patrol_point::Column::AtMs)
        .all(db)
        .await?
        .into_iter()
        .map(|q| TrackPoint::new(q.at_ms, q.lng, q.lat, q.accuracy_m))
        .collect())
}

/// The Shanghai day number of a moment.
pub(crate) fn day_of(ms: i64) -> i32 {
    local_date(ms).days_since_epoch() as i32
}
