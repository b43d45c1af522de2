//! The `wangge` command: serve the product, run a demo district, generate synthetic data,
//! manage accounts and check the audit log. Each command lives in its own module.

pub mod audit_cmd;
pub mod bench_cmd;
pub mod bench_events;
pub mod bench_indicators;
pub mod bench_visits;
pub mod demo;
pub mod field_demo;
pub mod generator;
pub mod history;
pub mod import_cmd;
pub mod open;
pub mod progress;
pub mod serve;
pub mod user;
pub mod work_task_demo;
