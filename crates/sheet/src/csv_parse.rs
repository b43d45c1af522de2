//! An RFC 4180 record splitter over raw bytes, streaming from any reader with bounded memory.
//!
//! It splits before decoding: in UTF-8, GBK and GB18030 the bytes `"` `,` CR and LF never
//! occur inside a multi-byte character, so the split is right whatever the encoding.
//! Lenient where Excel is: records may end in CRLF, LF or a lone CR (old Mac Excel), and a
//! stray quote inside an unquoted cell is kept as text.

use std::io::{self, Read};

const CHUNK: usize = 64 * 1024;

/// One record's cells as byte ranges of a single buffer, reused from record to record.
#[derive(Debug, Default)]
pub(crate) struct Record {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Record {
    pub fn cells(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(s, e)| &self.bytes[s..e])
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }
}

/// Why a record could not be read. The first three are noticed, and the rest of the
/// record is consumed, so reading can go on with the next record.
#[derive(Debug)]
pub(crate) enum RecordError {
    /// 0-based column of the cell over the byte limit.
    CellTooLarge {
        column: usize,
    },
    /// A non-empty cell past the column limit.
    TooManyColumns,
    /// The file ended inside a quoted cell (0-based column); nothing follows.
    UnclosedQuote {
        column: usize,
    },
    Io(io::Error),
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    CellStart,
    Unquoted,
    Quoted,
    /// Just read a quote inside a quoted cell: either an escaped quote or the closing one.
    QuoteInQuoted,
}

pub(crate) struct RecordReader<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    consumed: u64,
    max_cell_bytes: usize,
    max_columns: usize,
}

/// Where one record stands while it is being read.
struct Progress {
    cell_start: usize,
    column: usize,
    /// Set when the current cell outgrew the limit: its further bytes are dropped.
    overflowing: bool,
    error: Option<RecordError>,
}

impl<R: Read> RecordReader<R> {
    /// `head` holds bytes already read from the front of `src` (for encoding detection);
    /// the first `skip` of them (a BOM) are not part of the text.
    pub fn new(
        src: R,
        mut head: Vec<u8>,
        skip: usize,
        max_cell_bytes: usize,
        max_columns: usize,
    ) -> Self {
        let len = head.len();
        head.resize(len.max(CHUNK), 0);
        RecordReader {
            src,
            buf: head,
            pos: skip.min(len),
            len,
            eof: false,
            consumed: skip.min(len) as u64,
            max_cell_bytes,
            max_columns,
        }
    }

    /// Bytes of the file consumed so far, for a progress bar.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Makes sure unread bytes are buffered; false at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        while self.pos == self.len {
            if self.eof {
                return Ok(false);
            }
            match self.src.read(&mut self.buf) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    self.pos = 0;
                    self.len = n;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    fn advance(&mut self, n: usize) {
        self.pos += n;
        self.consumed += n as u64;
    }

    /// Reads the next record into `rec`; `Ok(false)` at the end of the input.
    pub fn read(&mut self, rec: &mut Record) -> Result<bool, RecordError> {
        rec.clear();
        let mut p = Progress {
            cell_start: 0,
            column: 0,
            overflowing: false,
            error: None,
        };
        let mut state = State::CellStart;
        let mut started = false;
        loop {
            if !self.fill().map_err(RecordError::Io)? {
                if !started {
                    return Ok(false);
                }
                if state == State::Quoted {
                    return Err(RecordError::UnclosedQuote { column: p.column });
                }
                self.end_cell(rec, &mut p);
                break;
            }
            started = true;
            let chunk = &self.buf[self.pos..self.len];
            match state {
                State::CellStart => {
                    if chunk[0] == b'"' {
                        self.advance(1);
                        state = State::Quoted;
                    } else {
                        state = State::Unquoted;
                    }
                }
                State::Unquoted => {
                    let stop = chunk
                        .iter()
                        .position(|&b| matches!(b, b',' | b'\n' | b'\r'));
                    let taken = stop.unwrap_or(chunk.len());
                    let end = stop.map(|i| chunk[i]);
                    self.push(rec, &mut p, self.pos, self.pos + taken);
                    self.advance(taken);
                    if let Some(b) = end {
                        self.advance(1);
                        self.end_cell(rec, &mut p);
                        if b == b',' {
                            state = State::CellStart;
                        } else {
                            self.end_line(b)?;
                            break;
                        }
                    }
                }
                State::Quoted => {
                    let stop = chunk.iter().position(|&b| b == b'"');
                    let taken = stop.unwrap_or(chunk.len());
                    self.push(rec, &mut p, self.pos, self.pos + taken);
                    self.advance(taken);
                    if stop.is_some() {
                        self.advance(1);
                        state = State::QuoteInQuoted;
                    }
                }
                State::QuoteInQuoted => match chunk[0] {
                    b'"' => {
                        self.push(rec, &mut p, self.pos, self.pos + 1);
                        self.advance(1);
                        state = State::Quoted;
                    }
                    b',' => {
                        self.advance(1);
                        self.end_cell(rec, &mut p);
                        state = State::CellStart;
                    }
                    b @ (b'\n' | b'\r') => {
                        self.advance(1);
                        self.end_cell(rec, &mut p);
                        self.end_line(b)?;
                        break;
                    }
                    // `"a"b` is not RFC 4180; like Excel, keep the rest as text.
                    _ => state = State::Unquoted,
                },
            }
        }
        match p.error {
            Some(e) => Err(e),
            None => Ok(true),
        }
    }

    /// After a CR, swallows the LF of a CRLF.
    fn end_line(&mut self, terminator: u8) -> Result<(), RecordError> {
        if terminator == b'\r'
            && self.fill().map_err(RecordError::Io)?
            && self.buf[self.pos] == b'\n'
        {
            self.advance(1);
        }
        Ok(())
    }

    /// Appends `buf[from..to]` to the current cell unless that takes it over the limit.
    fn push(&self, rec: &mut Record, p: &mut Progress, from: usize, to: usize) {
        if p.overflowing || from == to {
            return;
        }
        if rec.bytes.len() - p.cell_start + (to - from) > self.max_cell_bytes {
            p.overflowing = true;
            rec.bytes.truncate(p.cell_start);
            p.error
                .get_or_insert(RecordError::CellTooLarge { column: p.column });
            return;
        }
        rec.bytes.extend_from_slice(&self.buf[from..to]);
    }

    /// Closes the current cell. Cells past the column limit are not kept: blank ones are
    /// dropped silently (Excel writes long runs of trailing commas), others are an error.
    fn end_cell(&self, rec: &mut Record, p: &mut Progress) {
        if p.column >= self.max_columns {
            if !rec.bytes[p.cell_start..]
                .iter()
                .all(u8::is_ascii_whitespace)
            {
                p.error.get_or_insert(RecordError::TooManyColumns);
            }
            rec.bytes.truncate(p.cell_start);
        } else {
            rec.ends.push(rec.bytes.len());
        }
        p.column += 1;
        p.cell_start = rec.bytes.len();
        p.overflowing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads every record from `text`, fed in pieces of `piece` bytes to exercise refills.
    fn records(text: &[u8], piece: usize) -> Vec<Result<Vec<String>, String>> {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut reader = RecordReader::new(Trickle(text, piece), Vec::new(), 0, 16, 4);
        let mut rec = Record::default();
        let mut out = Vec::new();
        loop {
            match reader.read(&mut rec) {
                Ok(false) => return out,
                Ok(true) => out.push(Ok(rec
                    .cells()
                    .map(|c| String::from_utf8(c.to_vec()).unwrap())
                    .collect())),
                Err(e) => {
                    let end = matches!(e, RecordError::UnclosedQuote { .. } | RecordError::Io(_));
                    out.push(Err(format!("{e:?}")));
                    if end {
                        return out;
                    }
                }
            }
        }
    }

    fn ok(cells: &[&str]) -> Result<Vec<String>, String> {
        Ok(cells.iter().map(|c| c.to_string()).collect())
    }

    #[test]
    fn splits_quoted_cells_with_commas_quotes_and_newlines() {
        let text = b"a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"line1\nline2\",x\n\n";
        for piece in [1, 2, 3, 1000] {
            assert_eq!(
                records(text, piece),
                [
                    ok(&["a", "b,c", "say \"hi\""]),
                    ok(&["line1\nline2", "x"]),
                    ok(&[""])
                ],
                "piece {piece}"
            );
        }
    }

    #[test]
    fn accepts_lone_cr_a_missing_final_newline_and_trailing_commas() {
        assert_eq!(records(b"a,b\rc,d", 1), [ok(&["a", "b"]), ok(&["c", "d"])]);
        assert_eq!(records(b"a,\n", 1), [ok(&["a", ""])]);
        assert_eq!(records(b"a,b,,,,,,,,,\n", 3), [ok(&["a", "b", "", ""])]);
        assert_eq!(
            records(b"a \"b\" c,\"d\"e\n", 2),
            [ok(&["a \"b\" c", "de"])]
        );
    }

    #[test]
    fn limits_are_reported_and_reading_goes_on() {
        let text = b"0123456789abcdefXYZ,ok\na,b,c,d,e\nnext\n\"open";
        let got = records(text, 5);
        assert_eq!(got[0], Err("CellTooLarge { column: 0 }".into()));
        assert_eq!(got[1], Err("TooManyColumns".into()));
        assert_eq!(got[2], ok(&["next"]));
        assert_eq!(got[3], Err("UnclosedQuote { column: 0 }".into()));
        assert_eq!(got.len(), 4);
    }
}
