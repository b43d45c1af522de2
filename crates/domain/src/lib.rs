//! Wangge's pure domain rules: identity numbers, credit codes, phones, dates in Shanghai
//! time, region and grid codes, map coordinates, grid polygons and their coverage, the grid
//! sizing rule, roles and rights, password and TOTP rules, the audit hash chain, ids, and
//! uploaded photos checked and stripped of their metadata.
//!
//! Nothing here does I/O or reads the clock; callers pass the time in.

pub mod assessment;
pub mod audit;
pub mod case;
pub mod catalog;
pub mod coords;
pub mod coverage;
pub mod date;
pub mod event_facts;
pub mod field_report;
pub mod geometry;
pub mod governance;
pub mod id_number;
pub mod ids;
pub mod indicators;
pub mod password;
pub mod patrol;
pub mod period;
pub mod person_input;
pub mod phone;
pub mod photo;
pub mod population;
pub mod rate;
pub mod region;
pub mod role;
pub mod sizing;
pub mod staffing;
pub mod totp;
pub mod uscc;
pub mod visits;
pub mod work_log;
pub mod work_task;
pub mod worktime;
