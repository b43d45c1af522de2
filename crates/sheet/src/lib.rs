//! Spreadsheet files in and out: reading .xlsx and CSV (UTF-8 or GBK) uploads into rows,
//! matching their headers to base-data fields, and writing lists to .xlsx.
//!
//! Works on bytes, readers and writers only: no database, no clock.

mod cell_text;
mod csv_parse;
mod csv_rows;
mod encoding;
mod error;
mod fields;
mod format;
mod limits;
mod mapping;
mod neutralise;
mod shape;
mod table;
mod xlsx_read;
mod xlsx_write;

pub use csv_rows::{CsvRows, csv_rows};
pub use encoding::{Encoding, detect_encoding};
pub use error::SheetError;
pub use fields::{
    FieldSpec, building_fields, household_fields, organization_fields, person_fields,
};
pub use format::{Format, detect_format};
pub use limits::Limits;
pub use mapping::{Mapping, map_headers};
pub use neutralise::neutralise;
pub use table::{Row, Table, read_table};
pub use xlsx_write::{Sheet, write_xlsx};
