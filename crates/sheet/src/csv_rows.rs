//! Streaming rows out of a CSV of any size: encoding detected from the head, one record
//! in memory at a time.

use std::io::Read;

use crate::csv_parse::{Record, RecordError, RecordReader};
use crate::error::column_words;
use crate::shape::{RawRow, fit_row, take_header};
use crate::{Encoding, Limits, Row, SheetError, detect_encoding};

/// How much of the file is looked at to decide its encoding.
const HEAD: usize = 64 * 1024;

/// The data rows of a CSV, read as they are asked for.
///
/// A row-level error (a bad byte, a cell too large, a cell without a header) is returned in
/// that row's place and reading goes on with the next row, so an import can report every
/// bad row at once. After an error that ends the file ([`SheetError::ends_file`]) the
/// iterator stops.
pub struct CsvRows<R> {
    reader: RecordReader<R>,
    record: Record,
    encoding: Encoding,
    headers: Vec<String>,
    limits: Limits,
    /// Record number of the last record read: the row number Excel would show.
    line: usize,
    rows: usize,
    pending: Option<RawRow>,
    done: bool,
}

/// Opens a CSV: detects its encoding, finds the header row and returns the headers and an
/// iterator over the data rows.
pub fn csv_rows<R: Read>(
    mut reader: R,
    limits: &Limits,
) -> Result<(Vec<String>, CsvRows<R>), SheetError> {
    let head = read_head(&mut reader)?;
    if head.is_empty() {
        return Err(SheetError::EmptyFile);
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(SheetError::Utf16);
    }
    let encoding = detect_encoding(&head);
    let skip = encoding.bom_len();
    let mut rows = CsvRows {
        reader: RecordReader::new(
            reader,
            head,
            skip,
            limits.max_cell_bytes,
            limits.max_columns,
        ),
        record: Record::default(),
        encoding,
        headers: Vec::new(),
        limits: *limits,
        line: 0,
        rows: 0,
        pending: None,
        done: false,
    };
    let (headers, pending) = take_header(&mut std::iter::from_fn(|| rows.next_raw()), limits)?;
    rows.headers = headers.clone();
    rows.pending = pending;
    Ok((headers, rows))
}

/// Reads up to [`HEAD`] bytes, fewer only at the end of the input.
fn read_head<R: Read>(reader: &mut R) -> Result<Vec<u8>, SheetError> {
    let mut head = Vec::with_capacity(HEAD);
    reader.take(HEAD as u64).read_to_end(&mut head)?;
    Ok(head)
}

impl<R: Read> CsvRows<R> {
    /// The encoding the file was found to be in.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Bytes of the file read so far, for a progress bar.
    pub fn bytes_read(&self) -> u64 {
        self.reader.consumed()
    }

    /// The next record, decoded and trimmed, blank or not.
    fn next_raw(&mut self) -> Option<Result<RawRow, SheetError>> {
        if self.done {
            return None;
        }
        let read = self.reader.read(&mut self.record);
        if !matches!(read, Ok(false)) {
            self.line += 1;
        }
        let line = self.line;
        let error = match read {
            Ok(false) => {
                self.done = true;
                return None;
            }
            Ok(true) => return Some(self.decode(line)),
            Err(RecordError::CellTooLarge { column }) => SheetError::CellTooLarge {
                line,
                column: column_words(&self.headers, column),
                limit: self.limits.max_cell_bytes,
            },
            Err(RecordError::TooManyColumns) => SheetError::TooManyColumns {
                line,
                limit: self.limits.max_columns,
            },
            Err(RecordError::UnclosedQuote { column }) => SheetError::UnclosedQuote {
                line,
                column: column + 1,
            },
            Err(RecordError::Io(e)) => SheetError::Io(e),
        };
        self.done = error.ends_file();
        Some(Err(error))
    }

    fn decode(&self, line: usize) -> Result<RawRow, SheetError> {
        let cells = self
            .record
            .cells()
            .map(|bytes| self.encoding.decode_cell(bytes, line))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RawRow { line, cells })
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<Row, SheetError>;

    fn next(&mut self) -> Option<Self::Item> {
        let raw = match self.pending.take() {
            Some(raw) => raw,
            None => loop {
                match self.next_raw()? {
                    Ok(raw) if raw.is_blank() => continue,
                    Ok(raw) => break raw,
                    Err(e) => return Some(Err(e)),
                }
            },
        };
        self.rows += 1;
        if self.rows > self.limits.max_rows {
            self.done = true;
            return Some(Err(SheetError::TooManyRows {
                limit: self.limits.max_rows,
            }));
        }
        Some(fit_row(raw, &self.headers, &self.limits))
    }
}
