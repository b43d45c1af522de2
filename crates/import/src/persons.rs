//! The person import: a reader thread parses, checks and seals rows (CPU work) while the
//! caller's task matches them with the records on file and writes them (database work).
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tokio::sync::mpsc;
use wangge_domain::id_number::IdNumber;
use wangge_domain::person_input::PersonInput;
use wangge_sheet::{Row, SheetError};
use wangge_store::import::{Outcome, PersonImport, PersonRow};
use wangge_store::{Scope, Store};

use crate::report::{Applied, Report, RowError};
use crate::source::{Prepared, Rows, Upload};
use crate::{ImportError, Phase, Progress};

/// Rows per transaction when applying. Every commit writes each B-tree page it dirtied to
/// the WAL, and the ID-number and name indexes are dirtied all over at random, so few large
/// transactions are far faster than many small ones (2,000 rows per commit ran at a tenth
/// of the speed). A failed batch is rolled back whole and re-importing the file completes it.
const BATCH: usize = 100_000;
/// Errors kept for the report; beyond this only the count of bad rows grows.
const MAX_ERRORS: usize = 1_000_000;

/// What the reader thread hands over for one batch.
struct Chunk {
    rows: Vec<PersonRow>,
    errors: Vec<RowError>,
    permille: u64,
    read: u64,
    /// (first line, later line, ID number) of ID numbers seen twice.
    repeats: Vec<(usize, usize, String)>,
}

/// Which rows the reader leaves out, and how it learns about repeats.
enum Pass {
    /// The dry run: repeated ID numbers are found (keyed by the blind index's first 16
    /// bytes; a collision among a file's rows is astronomically unlikely).
    Check { seen: HashMap<u128, usize> },
    /// Applying: the rows the dry run excluded are skipped.
    Apply { excluded: Arc<HashSet<usize>> },
}

/// The dry run: checks every row and works out what applying would do, writing nothing.
pub async fn check_persons(
    store: &Store,
    scope: &Scope,
    upload: &Upload,
    prepared: &Prepared,
    progress: &Progress,
) -> Result<Report, ImportError> {
    progress.start(Phase::Checking);
    let mut import = PersonImport::new(store, scope, &source_label(upload))?;
    let mut report = Report::default();
    // Per line: 0 no outcome (bad row), else the outcome's kind, to undo a repeat's count.
    let mut kinds: Vec<u8> = Vec::new();
    let mut repeats: Vec<(usize, usize, String)> = Vec::new();
    let pass = Pass::Check {
        seen: HashMap::new(),
    };
    let mut rx = spawn_reader(store, upload, prepared, pass)?;
    while let Some(chunk) = rx.recv().await {
        let chunk = chunk?;
        let outcomes = import.check(&chunk.rows).await?;
        for (row, outcome) in chunk.rows.iter().zip(&outcomes) {
            if kinds.len() <= row.line {
                kinds.resize(row.line + 1, 0);
            }
            kinds[row.line] = kind_of(outcome);
        }
        absorb(&mut report.errors, &mut report.bad_rows, chunk.errors);
        let refused = refusals(prepared, &chunk.rows, &outcomes);
        absorb(&mut report.errors, &mut report.bad_rows, refused);
        repeats.extend(chunk.repeats);
        report.rows += chunk.read;
        progress.advance(chunk.read, chunk.permille);
    }
    report.totals = import.totals;
    let mut firsts = HashSet::new();
    let mut first_errors = Vec::new();
    for (first, later, id_number) in repeats {
        report.excluded.insert(later);
        if !firsts.insert(first) {
            continue;
        }
        report.excluded.insert(first);
        match kinds.get(first).copied().unwrap_or(0) {
            1 => report.totals.new -= 1,
            2 => report.totals.changed -= 1,
            3 => report.totals.unchanged -= 1,
            _ => continue,
        }
        first_errors.push(RowError {
            line: first,
            column: prepared.column_of("id_number"),
            value: id_number,
            reason: format!("身份证号与第{later}行重复，两行都不会导入，请核对后只保留一行"),
        });
    }
    absorb(&mut report.errors, &mut report.bad_rows, first_errors);
    report.errors.sort_by_key(|e| e.line);
    progress.start(Phase::Done);
    Ok(report)
}

/// Imports the rows the dry run found valid, batch by batch.
///
/// `excluded` are the rows to leave out although valid alone: the repeated ID numbers that
/// the dry run or [`find_repeats`] found. Bad rows are skipped and reported again.
pub async fn apply_persons(
    store: &Store,
    scope: &Scope,
    upload: &Upload,
    prepared: &Prepared,
    excluded: &HashSet<usize>,
    progress: &Progress,
    client: &str,
) -> Result<Applied, ImportError> {
    progress.start(Phase::Applying);
    let mut import = PersonImport::new(store, scope, &source_label(upload))?;
    let mut applied = Applied::default();
    let pass = Pass::Apply {
        excluded: Arc::new(excluded.clone()),
    };
    let mut rx = spawn_reader(store, upload, prepared, pass)?;
    while let Some(chunk) = rx.recv().await {
        let chunk = chunk?;
        let outcomes = import.apply(&chunk.rows).await?;
        absorb(&mut applied.errors, &mut applied.bad_rows, chunk.errors);
        let refused = refusals(prepared, &chunk.rows, &outcomes);
        absorb(&mut applied.errors, &mut applied.bad_rows, refused);
        applied.rows += chunk.read;
        progress.advance(chunk.read, chunk.permille);
    }
    applied.errors.sort_by_key(|e| e.line);
    applied.totals = import.finish(client).await?;
    progress.start(Phase::Done);
    Ok(applied)
}

fn source_label(upload: &Upload) -> String {
    format!("导入 {}", upload.file_name)
}

fn kind_of(outcome: &Outcome) -> u8 {
    match outcome {
        Outcome::New => 1,
        Outcome::Changed(_) => 2,
        Outcome::Unchanged => 3,
        Outcome::Refused { .. } => 4,
    }
}

fn absorb(into: &mut Vec<RowError>, bad_rows: &mut u64, errors: Vec<RowError>) {
    let mut lines = errors.iter().map(|e| e.line).collect::<Vec<_>>();
    lines.dedup();
    *bad_rows += lines.len() as u64;
    let room = MAX_ERRORS.saturating_sub(into.len());
    into.extend(errors.into_iter().take(room));
}

/// The store's refusals (a grid out of scope, a person registered elsewhere) as row errors.
fn refusals(prepared: &Prepared, rows: &[PersonRow], outcomes: &[Outcome]) -> Vec<RowError> {
    rows.iter()
        .zip(outcomes)
        .filter_map(|(row, outcome)| match outcome {
            Outcome::Refused { field, message } => Some(RowError {
                line: row.line,
                column: prepared.column_of(field),
                value: match *field {
                    "grid" => row.input.grid.clone().unwrap_or_default(),
                    "id_number" => row.input.id_number.as_str().to_string(),
                    _ => String::new(),
                },
                reason: message.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// A quick pass that finds ID numbers repeated within the file (all their rows are left
/// out of an import), without checking anything else: what an import needs to know before
/// it starts when no dry run came first.
pub fn find_repeats(
    upload: &Upload,
    prepared: &Prepared,
) -> Result<(HashSet<usize>, Vec<RowError>), ImportError> {
    let Some(column) = prepared
        .mapping
        .columns
        .iter()
        .position(|c| *c == Some("id_number"))
    else {
        return Ok(Default::default());
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut excluded = HashSet::new();
    let mut errors = Vec::new();
    for row in Rows::open(upload, prepared)? {
        let row = match row {
            Ok(row) => row,
            Err(e) if e.ends_file() => return Err(e.into()),
            Err(_) => continue,
        };
        let Ok(id) = IdNumber::parse(&row.cells[column]) else {
            continue;
        };
        match seen.get(id.as_str()) {
            Some(&first) => {
                let reason = |other| {
                    format!("身份证号与第{other}行重复，两行都不会导入，请核对后只保留一行")
                };
                if excluded.insert(first) {
                    errors.push(RowError {
                        line: first,
                        column: prepared.column_of("id_number"),
                        value: id.as_str().to_string(),
                        reason: reason(row.line),
                    });
                }
                excluded.insert(row.line);
                errors.push(RowError {
                    line: row.line,
                    column: prepared.column_of("id_number"),
                    value: id.as_str().to_string(),
                    reason: reason(first),
                });
            }
            None => {
                seen.insert(id.as_str().to_string(), row.line);
            }
        }
    }
    Ok((excluded, errors))
}

/// Starts the reader thread; it stops early when the receiver goes away.
fn spawn_reader(
    store: &Store,
    upload: &Upload,
    prepared: &Prepared,
    pass: Pass,
) -> Result<mpsc::Receiver<Result<Chunk, ImportError>>, ImportError> {
    let rows = Rows::open(upload, prepared)?;
    let (tx, rx) = mpsc::channel(4);
    let store = store.clone();
    let prepared = prepared.clone();
    tokio::task::spawn_blocking(move || read_all(&store, &prepared, rows, pass, &tx));
    Ok(rx)
}

fn read_all(
    store: &Store,
    prepared: &Prepared,
    mut rows: Rows,
    mut pass: Pass,
    tx: &mpsc::Sender<Result<Chunk, ImportError>>,
) {
    let columns = field_columns(prepared);
    loop {
        let mut chunk = Chunk {
            rows: Vec::with_capacity(BATCH),
            errors: Vec::new(),
            permille: 0,
            read: 0,
            repeats: Vec::new(),
        };
        let mut end = false;
        while chunk.rows.len() < BATCH {
            match rows.next() {
                None => {
                    end = true;
                    break;
                }
                Some(Err(e)) if e.ends_file() => {
                    let _ = tx.blocking_send(Err(ImportError::File(e)));
                    return;
                }
                Some(Err(e)) => {
                    chunk.read += 1;
                    chunk.errors.push(RowError {
                        line: line_of(&e),
                        column: String::new(),
                        value: String::new(),
                        reason: e.to_string(),
                    });
                }
                Some(Ok(row)) => {
                    chunk.read += 1;
                    read_row(store, prepared, &columns, &mut pass, row, &mut chunk);
                }
            }
        }
        chunk.permille = rows.permille();
        if tx.blocking_send(Ok(chunk)).is_err() || end {
            return;
        }
    }
}

/// Checks and seals one row, or records why it is bad.
fn read_row(
    store: &Store,
    prepared: &Prepared,
    columns: &[(&'static str, usize)],
    pass: &mut Pass,
    row: Row,
    chunk: &mut Chunk,
) {
    if let Pass::Apply { excluded } = pass
        && excluded.contains(&row.line)
    {
        return;
    }
    let cell = |key: &str| {
        columns
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, i)| row.cells[*i].as_str())
    };
    let input = match PersonInput::parse(cell) {
        Ok(input) => input,
        Err(errors) => {
            chunk.errors.extend(errors.into_iter().map(|e| RowError {
                line: row.line,
                column: prepared.column_of(e.field),
                value: cell(e.field).unwrap_or("").to_string(),
                reason: e.message,
            }));
            return;
        }
    };
    // The dry run only matches rows with records: encrypting is left to the import.
    let sealed = match pass {
        Pass::Check { .. } => store.seal_index(&input.id_number, input.phone.as_ref()),
        Pass::Apply { .. } => store.seal(&input.id_number, input.phone.as_ref()),
    };
    if let Pass::Check { seen } = pass {
        let key = u128::from_le_bytes(sealed.id_index[..16].try_into().unwrap_or([0; 16]));
        if let Some(&first) = seen.get(&key) {
            chunk
                .repeats
                .push((first, row.line, input.id_number.as_str().to_string()));
            chunk.errors.push(RowError {
                line: row.line,
                column: prepared.column_of("id_number"),
                value: input.id_number.as_str().to_string(),
                reason: format!("身份证号与第{first}行重复，两行都不会导入，请核对后只保留一行"),
            });
            return;
        }
        seen.insert(key, row.line);
    }
    chunk.rows.push(PersonRow {
        line: row.line,
        input,
        sealed,
    });
}

/// (field key, column index) for every mapped column.
fn field_columns(prepared: &Prepared) -> Vec<(&'static str, usize)> {
    prepared
        .mapping
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|k| (k, i)))
        .collect()
}

/// The row a row-level sheet error is about.
fn line_of(e: &SheetError) -> usize {
    match e {
        SheetError::CellTooLarge { line, .. }
        | SheetError::CellWithoutHeader { line, .. }
        | SheetError::TooManyColumns { line, .. }
        | SheetError::Undecodable { line, .. } => *line,
        _ => 0,
    }
}
