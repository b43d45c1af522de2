//! Importing households, buildings and organizations: files of thousands of rows, each row checked and
//! matched on its own and written by the store one at a time, so a stopped import keeps the
//! rows it wrote and running it again completes it without doubling any.
use std::collections::HashMap;

use wangge_sheet::Row;
use wangge_store::import::Outcome;
use wangge_store::place_import::{BuildingRow, HouseholdRow};
use wangge_store::places::PlaceIn;
use wangge_store::{Scope, Store};

use crate::report::{Applied, Report, RowError};
use crate::source::{Kind, Prepared, Rows, Upload};
use crate::{ImportError, Phase, Progress};

/// A dry run (`write` false) or an import of a building or organization file.
pub async fn run_places(
    store: &Store,
    scope: &Scope,
    upload: &Upload,
    prepared: &Prepared,
    write: bool,
    progress: &Progress,
    client: &str,
) -> Result<(Report, Applied), ImportError> {
    progress.start(if write {
        Phase::Applying
    } else {
        Phase::Checking
    });
    let columns: Vec<(&'static str, usize)> = prepared
        .mapping
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|k| (k, i)))
        .collect();
    let mut report = Report::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = Rows::open(upload, prepared)?;
    while let Some(row) = rows.next() {
        report.rows += 1;
        let row = match row {
            Ok(row) => row,
            Err(e) if e.ends_file() => return Err(e.into()),
            Err(e) => {
                push(&mut report, 0, String::new(), String::new(), e.to_string());
                continue;
            }
        };
        let cell = |key: &str| {
            columns
                .iter()
                .find(|(k, _)| *k == key)
                .map_or("", |(_, i)| row.cells[*i].as_str())
        };
        let key = match prepared.kind {
            Kind::Buildings if !cell("code").is_empty() => cell("code").to_string(),
            Kind::Organizations if !cell("uscc").is_empty() => cell("uscc").to_uppercase(),
            Kind::Households => format!("{}|{}", cell("grid"), cell("household")),
            _ => format!("{}|{}", cell("grid"), cell("name")),
        };
        if let Some(first) = seen.insert(key, row.line) {
            let field = if prepared.kind == Kind::Buildings {
                "name"
            } else {
                "uscc"
            };
            push(
                &mut report,
                row.line,
                prepared.column_of(field),
                cell(field).to_string(),
                format!("与第{first}行重复，本行不导入"),
            );
            continue;
        }
        let outcome = match read_row(prepared.kind, &row, &cell) {
            Err((field, message)) => Outcome::Refused { field, message },
            Ok(Record::Building(b)) => store.import_building(scope, b, write).await?,
            Ok(Record::Household(h)) => store.import_household(scope, h, write).await?,
            Ok(Record::Organization(o)) => {
                store.import_organization(scope, o, write, client).await?
            }
        };
        if let Outcome::Refused { field, message } = &outcome {
            push(
                &mut report,
                row.line,
                prepared.column_of(field),
                cell(field).to_string(),
                message.clone(),
            );
        }
        report.totals.count(&outcome);
        if report.rows % 100 == 0 {
            progress.advance(100, rows.permille());
        }
    }
    if write {
        let t = report.totals;
        let object = format!(
            "导入 {}：新增{}，更新{}，未变{}，拒绝{}",
            upload.file_name, t.new, t.changed, t.unchanged, t.refused
        );
        let action = format!("{}.import", prepared.kind.as_str());
        store
            .audit(wangge_store::audit::AuditEntry {
                account: &scope.username,
                action: &action,
                object: &object,
                outcome: "ok",
                client,
            })
            .await?;
    }
    progress.start(Phase::Done);
    let applied = Applied {
        rows: report.rows,
        totals: report.totals,
        bad_rows: report.bad_rows,
        errors: report.errors.clone(),
    };
    Ok((report, applied))
}

enum Record {
    Building(BuildingRow),
    Household(HouseholdRow),
    Organization(PlaceIn),
}

fn push(report: &mut Report, line: usize, column: String, value: String, reason: String) {
    if report.errors.last().is_none_or(|e| e.line != line) {
        report.bad_rows += 1;
    }
    report.errors.push(RowError {
        line,
        column,
        value,
        reason,
    });
}

/// A row's cells as the store's input; numbers that do not parse name their field.
fn read_row<'a>(
    kind: Kind,
    _row: &Row,
    cell: &dyn Fn(&str) -> &'a str,
) -> Result<Record, (&'static str, String)> {
    let text = |k: &str| Some(cell(k).trim().to_string()).filter(|v| !v.is_empty());
    let int = |k: &'static str| -> Result<Option<i32>, (&'static str, String)> {
        text(k)
            .map(|v| v.parse::<i32>().map_err(|_| (k, format!("“{v}”不是整数"))))
            .transpose()
    };
    let real = |k: &'static str| -> Result<Option<f64>, (&'static str, String)> {
        text(k)
            .map(|v| {
                v.parse::<f64>()
                    .map_err(|_| (k, format!("“{v}”不是有效的坐标")))
            })
            .transpose()
    };
    Ok(match kind {
        Kind::Buildings => Record::Building(BuildingRow {
            code: text("code"),
            name: cell("name").to_string(),
            address: cell("address").to_string(),
            floors: int("floors")?,
            units: int("units")?,
            rooms_per_floor: int("rooms_per_floor")?,
            lng: real("longitude")?,
            lat: real("latitude")?,
            grid: text("grid"),
        }),
        Kind::Households => {
            // Checked for the person who reads the report; the counts come from persons.
            int("member_count")?;
            if let Some(p) = text("phone") {
                wangge_domain::phone::Phone::parse(&p).map_err(|e| ("phone", e.to_string()))?;
            }
            Record::Household(HouseholdRow {
                number: cell("household").to_string(),
                head_name: cell("head_name").to_string(),
                head_id_number: text("head_id_number"),
                address: text("address"),
                building: text("building"),
                room: text("room"),
                grid: text("grid"),
            })
        }
        Kind::Organizations | Kind::Persons => Record::Organization(PlaceIn {
            name: cell("name").to_string(),
            kind: cell("kind").to_string(),
            grid: cell("grid").to_string(),
            address: cell("address").to_string(),
            uscc: text("uscc"),
            leader: text("leader"),
            phone: text("phone"),
            lng: None,
            lat: None,
            note: text("note"),
        }),
    })
}
