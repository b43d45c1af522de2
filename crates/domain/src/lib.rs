//! Wangge's pure domain rules: identity numbers, phones, dates in Shanghai time, region and
//! grid codes, roles and rights, password and TOTP rules, the audit hash chain and ids.
//!
//! Nothing here does I/O or reads the clock; callers pass the time in.

pub mod audit;
pub mod date;
pub mod id_number;
pub mod ids;
pub mod password;
pub mod phone;
pub mod population;
pub mod region;
pub mod role;
pub mod totp;
