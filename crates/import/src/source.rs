//! The uploaded file, its format and header mapping, and its rows read in order.
use std::io::Cursor;
use std::sync::Arc;

use wangge_sheet::{
    CsvRows, FieldSpec, Format, Limits, Mapping, Row, SheetError, building_fields, csv_rows,
    detect_format, household_fields, map_headers, organization_fields, person_fields, read_table,
};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Persons,
    Households,
    Buildings,
    Organizations,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Persons,
        Kind::Households,
        Kind::Buildings,
        Kind::Organizations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Persons => "persons",
            Kind::Households => "households",
            Kind::Buildings => "buildings",
            Kind::Organizations => "organizations",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "persons" => Some(Kind::Persons),
            "households" => Some(Kind::Households),
            "buildings" => Some(Kind::Buildings),
            "organizations" => Some(Kind::Organizations),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Persons => "人口",
            Kind::Households => "户",
            Kind::Buildings => "楼栋",
            Kind::Organizations => "组织",
        }
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Kind::Persons => person_fields(),
            Kind::Households => household_fields(),
            Kind::Buildings => building_fields(),
            Kind::Organizations => organization_fields(),
        }
    }
}

/// A file as uploaded: its name (for the format and the history) and its bytes.
#[derive(Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Arc<[u8]>,
}

/// A file whose format is known and whose headers are mapped to fields.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub kind: Kind,
    pub format: Format,
    pub headers: Vec<String>,
    pub mapping: Mapping,
    pub limits: Limits,
}

impl Prepared {
    /// Whether the user must confirm the mapping first: a required field has no column,
    /// or a column matches no field.
    pub fn needs_mapping(&self) -> bool {
        !self.mapping.missing_required.is_empty() || !self.mapping.unknown.is_empty()
    }

    /// The header of the column that feeds `field`, or its label when none does.
    pub fn column_of(&self, field: &str) -> String {
        self.mapping
            .columns
            .iter()
            .position(|c| *c == Some(field))
            .map(|i| self.headers[i].clone())
            .or_else(|| {
                self.kind
                    .fields()
                    .iter()
                    .find(|f| f.key == field)
                    .map(|f| f.label.to_string())
            })
            .unwrap_or_else(|| field.to_string())
    }
}

/// Reads the format and headers and maps them; `overrides` are the user's
/// (header, field key) choices from the mapping step.
pub fn prepare(
    upload: &Upload,
    kind: Kind,
    overrides: &[(String, String)],
    limits: &Limits,
) -> Result<Prepared, SheetError> {
    let format = detect_format(&upload.file_name, &upload.bytes)?;
    let headers = match format {
        Format::Csv => csv_rows(Cursor::new(upload.bytes.clone()), limits)?.0,
        Format::Xlsx => read_table(format, &upload.bytes, limits)?.headers,
    };
    let mapping = map_headers(&headers, kind.fields(), overrides)?;
    Ok(Prepared {
        kind,
        format,
        headers,
        mapping,
        limits: *limits,
    })
}

/// The data rows of a prepared file, with how much of the file has been read.
pub(crate) enum Rows {
    Csv {
        rows: Box<CsvRows<Cursor<Arc<[u8]>>>>,
        size: u64,
    },
    Xlsx {
        rows: std::vec::IntoIter<Row>,
        total: usize,
    },
}

impl Rows {
    pub(crate) fn open(upload: &Upload, prepared: &Prepared) -> Result<Rows, SheetError> {
        Ok(match prepared.format {
            Format::Csv => Rows::Csv {
                rows: Box::new(csv_rows(Cursor::new(upload.bytes.clone()), &prepared.limits)?.1),
                size: upload.bytes.len() as u64,
            },
            Format::Xlsx => {
                let table = read_table(prepared.format, &upload.bytes, &prepared.limits)?;
                Rows::Xlsx {
                    total: table.rows.len(),
                    rows: table.rows.into_iter(),
                }
            }
        })
    }

    /// Thousandths of the file read so far.
    pub(crate) fn permille(&self) -> u64 {
        match self {
            Rows::Csv { rows, size } => rows.bytes_read() * 1000 / (*size).max(1),
            Rows::Xlsx { rows, total } => ((total - rows.len()) * 1000 / (*total).max(1)) as u64,
        }
    }
}

impl Iterator for Rows {
    type Item = Result<Row, SheetError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Rows::Csv { rows, .. } => rows.next(),
            Rows::Xlsx { rows, .. } => rows.next().map(Ok),
        }
    }
}
