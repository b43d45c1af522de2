//! Storage for Wangge: one SeaORM code path over SQLite and PostgreSQL, with scoping,
//! encryption of personal fields and the tamper-evident audit log.
//!
//! Handlers never touch entities: they call the repository functions on [`Store`], passing
//! the caller's [`Scope`], and every query is confined to that scope here.

pub mod accounts;
pub mod assessment;
pub mod audit;
pub mod bulk;
pub mod calendar;
pub mod catalog;
pub mod citizen;
pub mod clock;
pub mod command_map;
mod connect;
pub mod crypto;
pub mod entity;
mod error;
pub mod event_actions;
pub mod event_load;
pub mod events;
pub mod export;
mod field_facts;
pub mod field_history;
pub mod field_reports;
pub mod field_settings;
pub mod governance;
pub mod grids;
mod group_commit;
pub mod idempotency;
pub mod ids;
pub mod import;
mod indicator_source;
pub mod indicators;
pub mod load;
pub mod locate;
mod migrate;
pub mod notices;
pub mod patrols;
pub mod people;
pub mod person_edit;
pub mod place_import;
pub mod places;
pub mod regions;
pub mod review;
pub mod scope;
pub mod sessions;
mod settings;
pub mod split;
mod sql;
pub mod staff;
pub mod sweeper;
pub mod tally;
pub mod trail_check;
pub mod uploads;
mod visit_ledger;
pub mod visit_plan;
pub mod visits;
pub mod work_task_board;
mod work_task_scope;
pub mod work_task_steps;
pub mod work_task_views;
pub mod work_tasks;

use std::sync::Arc;

pub use clock::{Clock, ManualClock, SystemClock};
pub use connect::{Backend, DatabaseUrl};
pub use crypto::{Crypto, Sm4Crypto};
pub use error::StoreError;
pub use scope::Scope;
use sea_orm::DatabaseConnection;

/// The handle every layer above uses: a connection pool, the crypto provider, the clock
/// and the id generator.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    crypto: Arc<dyn Crypto>,
    clock: Arc<dyn Clock>,
    ids: Arc<ids::IdGen>,
    policy: accounts::SecurityPolicy,
    grid_index: locate::GridIndex,
    /// Started on first use, on the runtime that uses the store.
    group_writer: Arc<std::sync::OnceLock<group_commit::GroupWriter>>,
    /// Counties' households for district-wide visit lists (see [`visit_ledger`]).
    visit_ledgers: Arc<tokio::sync::Mutex<std::collections::HashMap<String, visit_ledger::Ledger>>>,
}

impl Store {
    /// Connects, applies pending migrations and returns the store.
    pub async fn open(
        url: &DatabaseUrl,
        crypto: Arc<dyn Crypto>,
        clock: Arc<dyn Clock>,
    ) -> Result<Store, StoreError> {
        let db = connect::connect(url).await?;
        let applied = migrate::run(&db, clock.now_ms()).await?;
        let store = Store {
            db,
            crypto,
            ids: Arc::new(ids::IdGen::new(clock.clone())),
            clock,
            policy: accounts::SecurityPolicy::default(),
            grid_index: locate::GridIndex::default(),
            group_writer: Arc::default(),
            visit_ledgers: Arc::default(),
        };
        if applied.contains(&migrate::INDICATOR_ROLLUP) {
            // Events filed before the rollup existed get their facts from their trails.
            store.rebuild_indicator_facts().await?;
        }
        Ok(store)
    }

    /// Replaces the default 等保 security policy (lockout, idle timeout).
    pub fn with_policy(mut self, policy: accounts::SecurityPolicy) -> Store {
        self.policy = policy;
        self
    }

    pub fn policy(&self) -> accounts::SecurityPolicy {
        self.policy
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn next_id(&self) -> i64 {
        self.ids.next()
    }

    /// The group committer for reports (see [`group_commit`]).
    pub(crate) fn group_writer(&self) -> &group_commit::GroupWriter {
        self.group_writer
            .get_or_init(|| group_commit::GroupWriter::start(self.clone()))
    }

    pub fn crypto(&self) -> &dyn Crypto {
        self.crypto.as_ref()
    }

    pub fn backend(&self) -> Backend {
        Backend::of(&self.db)
    }

    /// Answers when the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        use sea_orm::ConnectionTrait;
        self.db.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    /// Raw connection for tests and the bulk loader; repositories are the normal way in.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await?;
        Ok(())
    }
}
