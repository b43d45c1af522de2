//! Deterministic synthetic districts for demos, tests and load: regions, grid polygons that
//! tile the district, departments, and per grid its buildings, households, persons and staff.
//!
//! Pure code: no I/O, no clock, no threads. [`district`] is cheap; [`grid_people`] depends
//! only on the config and one grid, so callers can generate grids in parallel, in any order.
//!
//! ```
//! use wangge_domain::date::Date;
//! use wangge_synth::{Config, district, grid_people};
//!
//! let cfg = Config::shifeng(42, Date::new(2025, 6, 30).unwrap());
//! let d = district(&cfg);
//! assert_eq!(d.grids.len(), 232);
//! let people = grid_people(&cfg, &d.grids[0]);
//! assert!(people.persons.len() > 500);
//! ```

mod buildings;
mod config;
mod departments;
mod district;
pub mod events;
mod geometry;
mod grid_people;
mod household;
mod ids;
mod lattice;
mod names;
mod origins;
mod outline;
mod person;
mod phone;
mod places;
mod rng;
mod rooms;
mod scatter;
mod staff;
mod tags;
mod text;

#[cfg(test)]
mod tests;

pub use buildings::Building;
pub use config::{Config, communities_for, streets_for, target_persons_per_grid};
pub use departments::Department;
pub use district::{District, GridPlan, Region, district};
pub use grid_people::{GridPeople, grid_people};
pub use person::{Household, Person, Tag};
pub use staff::StaffMember;
pub use wangge_domain::population::{Duty, Relation, Residence, TagKind};
