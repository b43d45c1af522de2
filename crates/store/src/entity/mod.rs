//! SeaORM entities: one file per table, shared by SQLite and PostgreSQL.
//!
//! Tables that belong to a place carry `county` (GB/T 2260, 6 digits) and use `(county, id)`
//! as primary key so the schema can be distributed by county on Citus; small shared tables
//! (regions, departments, accounts, sessions, audit) are reference tables.

pub mod account;
pub mod audit_head;
pub mod audit_log;
pub mod building;
pub mod calendar_day;
pub mod catalog_item;
pub mod daily_report;
pub mod department;
pub mod event;
pub mod event_step;
pub mod event_tally;
pub mod governance_index;
pub mod grid;
pub mod grid_staff;
pub mod household;
pub mod idempotency;
pub mod notification;
pub mod organization;
pub mod patrol;
pub mod patrol_day;
pub mod patrol_point;
pub mod person;
pub mod person_history;
pub mod person_tag;
pub mod region;
pub mod schema_migration;
pub mod session;
pub mod setting;
pub mod thing;
pub mod upload;
pub mod visit;
pub mod work_assignment;
pub mod work_log;
pub mod work_step;
pub mod work_task;
