//! Import formats: the files merchants send — the station's own CSV and JSON for orders and RMAs, and
//! Shopify's "Orders export" — parsed into the records of `domain::records`, all or nothing, with errors
//! that say file, line, column and why. The formats are documented in `docs/import-formats.md`.
//!
//! This module holds what every format shares: the error and summary types, the CSV reading that keeps
//! the file's physical line numbers, the JSON array reading with field paths, and the one spelling rule
//! for each kind of value (dates, countries, yes/no…).
//!
//! Pure: parsers take the file's text (the caller reads the file) and the warehouse's time zone as
//! arguments. Nothing here reads files, the clock or the local time zone, and nothing touches the
//! database: the store applies what a parser returns in one transaction.

pub mod shopify;
pub mod station;

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::str::FromStr;

use chrono::NaiveDate;
use csv::StringRecord;
use serde::de::{DeserializeOwned, Error as _, SeqAccess, Visitor};

use crate::domain::case::{SameSkuError, SameSkuLines};
use crate::domain::records::OrderLineRecord;

pub use shopify::{CategoryMap, parse_category_map, parse_shopify_orders};
pub use station::{parse_station_orders, parse_station_rmas};

/// Progress is reported after every this many rows (or JSON objects), and once at the end.
pub const PROGRESS_EVERY_ROWS: u64 = 1000;

/// Why a file cannot be imported. Displays as one line, e.g.
/// `orders.csv:12: column "unit_price": "abc" is not a decimal amount such as "12.30"` (CSV) or
/// `orders.json:14:27: [1].lines[0].unit_price: "abc" is not a decimal amount such as "12.30"` (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The file as the caller named it.
    pub file: String,
    /// The physical line of the file, from 1 (a quoted value with line breaks counts each of its lines).
    /// 0 when the error is about the file as a whole (an empty file).
    pub line: u64,
    /// The character position within the line, from 1: JSON only, whose errors point inside a line.
    pub text_column: Option<u64>,
    /// CSV: the column's name from the header row. JSON: the field path, such as `[1].lines[0].qty`.
    pub column: Option<String>,
    /// The reason, in words for the person who will fix the file.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(text_column) = self.text_column {
            write!(f, ":{text_column}")?;
        }
        match (&self.column, self.text_column) {
            (Some(path), Some(_)) => write!(f, ": {path}")?,
            (Some(column), None) => write!(f, ": column {column:?}")?,
            (None, _) => {}
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ImportError {}

impl ImportError {
    /// An error about the file as a whole, with no line.
    pub(crate) fn whole_file(file: &str, message: impl Into<String>) -> ImportError {
        ImportError { file: file.to_owned(), line: 0, text_column: None, column: None, message: message.into() }
    }
}

/// What a parse read besides its records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseSummary {
    /// Data rows read (CSV, the header row not counted) or objects read (JSON).
    pub rows_read: u64,
    /// Rows deliberately left out, each with its reason (a Shopify tip, for instance). An error is never
    /// a skip: a malformed row fails the whole parse.
    pub skipped: Vec<SkippedRow>,
}

/// A row left out of an import, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    /// The row's first physical line.
    pub line: u64,
    pub reason: String,
}

/// The two shapes of the station's own files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Json,
}

impl FileKind {
    /// The shape named by a file's extension (`.csv` or `.json`, any case).
    pub fn from_file_name(file: &str) -> Result<FileKind, ImportError> {
        let extension = file.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
        match extension.as_deref() {
            Some("csv") => Ok(FileKind::Csv),
            Some("json") => Ok(FileKind::Json),
            _ => Err(ImportError::whole_file(file, "cannot tell the format from the file name: name it .csv or .json")),
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Values: one spelling rule per kind of value, shared by CSV and JSON (JSON reaches them through
// `formats::Parsed`, so a bad value's error carries its position).

/// A value that must not be empty; surrounding spaces are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Required(pub String);

impl FromStr for Required {
    type Err = String;
    fn from_str(text: &str) -> Result<Required, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("must not be empty".to_owned());
        }
        Ok(Required(text.to_owned()))
    }
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IsoDate(pub NaiveDate);

impl FromStr for IsoDate {
    type Err = String;
    fn from_str(text: &str) -> Result<IsoDate, String> {
        let trimmed = text.trim();
        if written_as(trimmed, "9999-99-99")
            && let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        {
            return Ok(IsoDate(date));
        }
        Err(format!("{text:?} is not a date written YYYY-MM-DD"))
    }
}

/// Whether `text` has exactly the shape `shape`, where `9` stands for an ASCII digit and `#` for a sign.
/// chrono's parser alone is lenient: it takes "2025-1-7", a year with a sign ("+2025-01-07", "-001-01-01")
/// and spaces before any number ("2026- 9- 1"), so the shape is checked first (found by the garbage drill).
pub(crate) fn written_as(text: &str, shape: &str) -> bool {
    text.len() == shape.len()
        && text.bytes().zip(shape.bytes()).all(|(b, want)| match want {
            b'9' => b.is_ascii_digit(),
            b'#' => b == b'+' || b == b'-',
            _ => b == want,
        })
}

/// An ISO 3166-1 alpha-2 country code; written in any case, kept upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Country(pub String);

impl FromStr for Country {
    type Err = String;
    fn from_str(text: &str) -> Result<Country, String> {
        let code = text.trim().to_ascii_uppercase();
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Ok(Country(code));
        }
        Err(format!("{text:?} is not a two-letter country code such as \"US\""))
    }
}

/// An ISO 4217 currency code; written in any case, kept upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Currency(pub String);

impl FromStr for Currency {
    type Err = String;
    fn from_str(text: &str) -> Result<Currency, String> {
        let code = text.trim().to_ascii_uppercase();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Ok(Currency(code));
        }
        Err(format!("{text:?} is not a three-letter currency code such as \"USD\""))
    }
}

/// An email address, or nothing: not every order has one (a phone order), but what is written must
/// look like an address, so that a shifted column is caught.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Email(pub String);

impl FromStr for Email {
    type Err = String;
    fn from_str(text: &str) -> Result<Email, String> {
        let address = text.trim();
        let looks_right = match address.split_once('@') {
            Some((user, domain)) => !user.is_empty() && !domain.is_empty() && !address.contains(char::is_whitespace),
            None => false,
        };
        if address.is_empty() || looks_right {
            return Ok(Email(address.to_owned()));
        }
        Err(format!("{text:?} is not an email address"))
    }
}

/// An order's lines as they are read, joined by SKU as the engine will take them
/// ([`crate::domain::case::merge_lines`]), with each line's physical line to name the row a refusal is about.
#[derive(Debug, Default)]
pub(crate) struct SameSku {
    lines: SameSkuLines,
    rows: Vec<u64>,
}

impl SameSku {
    /// Takes the order line read on physical line `row`; if it cannot join its SKU's line, why, with the
    /// physical line of the SKU's first line.
    pub fn add(&mut self, line: &OrderLineRecord, row: u64) -> Result<(), (SameSkuError, u64)> {
        if let Err(e) = self.lines.push(line.to_line()) {
            let first = self.rows.get(e.first()).copied().unwrap_or(row);
            return Err((e, first));
        }
        self.rows.push(row);
        Ok(())
    }
}

/// Why an order with `lines` lines is refused, if it is: at most [`crate::domain::case::MAX_LINES`].
pub(crate) fn too_many_lines(lines: usize) -> Option<String> {
    let most = crate::domain::case::MAX_LINES;
    (lines > most).then(|| format!("the order has more than {most} lines, the most the station takes"))
}

/// A number of units: a whole number, at least 1, at most [`crate::domain::case::MAX_UNITS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "u32")]
pub(crate) struct Qty(pub u32);

impl TryFrom<u32> for Qty {
    type Error = String;
    fn try_from(units: u32) -> Result<Qty, String> {
        crate::domain::case::check_units(units).map(Qty)
    }
}

impl FromStr for Qty {
    type Err = String;
    fn from_str(text: &str) -> Result<Qty, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("must not be empty".to_owned());
        }
        // Digits only: u32's parser would also take "+2".
        match trimmed.bytes().all(|b| b.is_ascii_digit()).then(|| trimmed.parse::<u32>()) {
            Some(Ok(units)) => Qty::try_from(units),
            _ => Err(format!("{text:?} is not a whole number of units such as \"2\"")),
        }
    }
}

/// A yes/no value in a CSV cell: true/false, yes/no, 1/0 in any case; empty means no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flag(pub bool);

impl FromStr for Flag {
    type Err = String;
    fn from_str(text: &str) -> Result<Flag, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(Flag(true)),
            "false" | "no" | "0" | "" => Ok(Flag(false)),
            _ => Err(format!(
                "{text:?} is not a yes/no value: write true or false (yes/no and 1/0 work too; empty means false)"
            )),
        }
    }
}

/// A carrier tracking number: letters and digits only (every courier the station knows writes them so),
/// at least [`SHORTEST_TRACKING`] of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tracking(pub String);

/// No courier's tracking number is shorter (DHL Express has 10 digits). A shorter piece is most likely a
/// number printed in groups, `1Z 5R8 939…`, split at its spaces: refusing it beats storing fragments
/// that no scan will ever match.
const SHORTEST_TRACKING: usize = 8;

impl FromStr for Tracking {
    type Err = String;
    fn from_str(text: &str) -> Result<Tracking, String> {
        let number = text.trim();
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!(
                "{text:?} is not a tracking number (letters and digits only; separate several with spaces or \";\")"
            ));
        }
        if number.len() < SHORTEST_TRACKING {
            return Err(format!(
                "{text:?} is too short for a tracking number: write each number without spaces inside it, \
                 and separate several with spaces or \";\""
            ));
        }
        Ok(Tracking(number.to_owned()))
    }
}

/// Several tracking numbers in one cell, separated by spaces or `;`.
pub(crate) fn tracking_list(text: &str) -> Result<Vec<String>, String> {
    text.split(|c: char| c == ';' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse::<Tracking>().map(|t| t.0))
        .collect()
}

/// Text kept as written, without surrounding spaces.
pub(crate) fn trimmed(text: &str) -> String {
    text.trim().to_owned()
}

// ---------------------------------------------------------------------------------------------------
// CSV: rows with the file's physical line numbers.

/// A column of a CSV file's header: where it is, or that the file does not have it (an optional column,
/// read as empty on every row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Col {
    pub name: &'static str,
    index: Option<usize>,
}

/// A CSV file being read row by row, keeping what errors need to name physical lines.
pub(crate) struct CsvFile<'t, 'p> {
    file: &'t str,
    /// The text without its byte-order mark, which `Position` offsets are relative to.
    text: &'t str,
    /// Bytes dropped from the front (a UTF-8 byte-order mark), added back when reporting progress.
    offset: u64,
    reader: csv::Reader<&'t [u8]>,
    headers: Vec<String>,
    header_line: u64,
    record: StringRecord,
    /// Where the latest row (or, before any row, the header) starts: byte and physical line.
    last_start: (usize, u64),
    rows_read: u64,
    on_progress: &'p mut dyn FnMut(u64),
}

impl<'t, 'p> CsvFile<'t, 'p> {
    /// Opens `text` and reads its header row. An empty file is an error.
    pub fn open(file: &'t str, text: &'t str, on_progress: &'p mut dyn FnMut(u64)) -> Result<Self, ImportError> {
        let without_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
        let offset = (text.len() - without_bom.len()) as u64;
        // Fixed-width rows: a row with a value too many or too few is an error, never silently padded.
        let mut reader =
            csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(without_bom.as_bytes());
        let headers: Vec<String> = match reader.headers() {
            Ok(record) => record.iter().map(|h| h.trim().to_owned()).collect(),
            Err(e) => return Err(ImportError::whole_file(file, e.to_string())),
        };
        if headers.is_empty() {
            return Err(ImportError::whole_file(file, "the file is empty; expected a header row naming the columns"));
        }
        let start = physical_start(without_bom.as_bytes(), 0, 1);
        Ok(CsvFile {
            file,
            text: without_bom,
            offset,
            reader,
            headers,
            header_line: start.1,
            record: StringRecord::new(),
            last_start: start,
            rows_read: 0,
            on_progress,
        })
    }

    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    /// An error about the header row.
    pub fn header_error(&self, column: Option<&str>, message: impl Into<String>) -> ImportError {
        ImportError {
            file: self.file.to_owned(),
            line: self.header_line,
            text_column: None,
            column: column.map(str::to_owned),
            message: message.into(),
        }
    }

    fn find(&self, name: &'static str) -> Result<Option<usize>, ImportError> {
        let mut found = self.headers.iter().enumerate().filter(|(_, h)| *h == name).map(|(i, _)| i);
        let first = found.next();
        if found.next().is_some() {
            return Err(self.header_error(Some(name), "appears twice in the header row"));
        }
        Ok(first)
    }

    /// A column the file must have.
    pub fn required(&self, name: &'static str) -> Result<Col, ImportError> {
        match self.find(name)? {
            Some(index) => Ok(Col { name, index: Some(index) }),
            None => Err(self.header_error(Some(name), "required, but missing from the header row")),
        }
    }

    /// A column the file may leave out; every row then reads it as empty.
    pub fn optional(&self, name: &'static str) -> Result<Col, ImportError> {
        Ok(Col { name, index: self.find(name)? })
    }

    /// Refuses header names outside `known`, so that a misspelt column is never silently ignored.
    pub fn refuse_unknown(&self, known: &[&str]) -> Result<(), ImportError> {
        for header in &self.headers {
            if header.is_empty() {
                return Err(self.header_error(None, "the header row has an empty column name (a trailing comma?)"));
            }
            if !known.contains(&header.as_str()) {
                return Err(
                    self.header_error(Some(header), format!("unknown column; the columns are: {}", known.join(", ")))
                );
            }
        }
        Ok(())
    }

    /// The next data row, or `None` at the end of the file. A file with a header and no rows is an error,
    /// and so is a quoted value that is never closed (it would swallow the rest of the file).
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, ImportError> {
        let more = match self.reader.read_record(&mut self.record) {
            Ok(more) => more,
            Err(e) => return Err(self.csv_error(&e)),
        };
        if !more {
            self.check_quotes_closed()?;
            if self.rows_read == 0 {
                return Err(self.header_error(None, "the file has a header row but no data rows"));
            }
            (self.on_progress)(self.offset + self.text.len() as u64);
            return Ok(None);
        }
        // The record's position is where the previous record ended (before its line break and any blank
        // lines), so the physical start is found by stepping over those.
        let (byte, line) = match self.record.position() {
            Some(pos) => (pos.byte() as usize, pos.line()),
            None => self.last_start,
        };
        self.last_start = physical_start(self.text.as_bytes(), byte, line);
        self.rows_read += 1;
        if self.rows_read.is_multiple_of(PROGRESS_EVERY_ROWS) {
            (self.on_progress)(self.offset + byte as u64);
        }
        Ok(Some(Row { file: self.file, text: self.text, record: &self.record, start: self.last_start }))
    }

    fn check_quotes_closed(&self) -> Result<(), ImportError> {
        let (byte, line) = self.last_start;
        match scan_record(self.text.as_bytes(), byte, line).unclosed_quote {
            Some(opened) => Err(ImportError {
                file: self.file.to_owned(),
                line: opened,
                text_column: None,
                column: None,
                message: "a quoted value opened on this line is never closed (a missing \")".to_owned(),
            }),
            None => Ok(()),
        }
    }

    fn csv_error(&self, error: &csv::Error) -> ImportError {
        let (line, message) = match error.kind() {
            csv::ErrorKind::UnequalLengths { pos, expected_len, len } => {
                let line = pos
                    .as_ref()
                    .map_or(self.last_start.1, |p| physical_start(self.text.as_bytes(), p.byte() as usize, p.line()).1);
                let values = if *len == 1 { "value" } else { "values" };
                let message = format!(
                    "this row has {len} {values} but the header row has {expected_len} \
                     (a comma too many or too few, or a quote not closed?)"
                );
                (line, message)
            }
            _ => (self.last_start.1, error.to_string()),
        };
        ImportError { file: self.file.to_owned(), line, text_column: None, column: None, message }
    }
}

/// One data row of a CSV file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'r> {
    file: &'r str,
    text: &'r str,
    record: &'r StringRecord,
    /// Byte and physical line where the row starts.
    start: (usize, u64),
}

impl<'r> Row<'r> {
    /// The physical line the row starts on.
    pub fn line(&self) -> u64 {
        self.start.1
    }

    /// The value in `col`, without surrounding spaces; empty when the file has no such column.
    pub fn text(&self, col: Col) -> &'r str {
        col.index.and_then(|i| self.record.get(i)).map_or("", str::trim)
    }

    /// The value in `col`, read by the type's own rule; a failure names the column and the value's line.
    pub fn parse<T>(&self, col: Col) -> Result<T, ImportError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        let text = col.index.and_then(|i| self.record.get(i)).unwrap_or("");
        text.parse().map_err(|e: T::Err| self.error(col, e.to_string()))
    }

    /// The value in `col` when it is not empty.
    pub fn parse_optional<T>(&self, col: Col) -> Result<Option<T>, ImportError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        if self.text(col).is_empty() { Ok(None) } else { self.parse(col).map(Some) }
    }

    /// An error about the value in `col`, on the physical line where that value begins (which differs
    /// from the row's first line when an earlier value of the row spans several lines).
    pub fn error(&self, col: Col, message: impl Into<String>) -> ImportError {
        let line = match col.index {
            Some(index) => {
                let scan = scan_record(self.text.as_bytes(), self.start.0, self.start.1);
                scan.field_lines.get(index).copied().unwrap_or(self.start.1)
            }
            None => self.start.1,
        };
        ImportError {
            file: self.file.to_owned(),
            line,
            text_column: None,
            column: Some(col.name.to_owned()),
            message: message.into(),
        }
    }

    /// An error about the row as a whole.
    pub fn row_error(&self, message: impl Into<String>) -> ImportError {
        ImportError {
            file: self.file.to_owned(),
            line: self.start.1,
            text_column: None,
            column: None,
            message: message.into(),
        }
    }
}

/// Steps from `byte` (on physical line `line`) over line breaks and blank lines to where a record's
/// text begins, counting the lines passed.
fn physical_start(text: &[u8], mut byte: usize, mut line: u64) -> (usize, u64) {
    while let Some(&b) = text.get(byte) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
        byte += 1;
    }
    (byte, line)
}

/// Where one record's values begin, as physical lines.
struct RecordScan {
    field_lines: Vec<u64>,
    /// The line of a quote that opened a value and was never closed before the end of the file.
    unclosed_quote: Option<u64>,
}

/// Reads one record from `start` with csv-core's quoting rules (a value that begins with `"` runs to
/// the next lone `"`, `""` inside it is a quote; a `"` later in a value is a plain character), only
/// to learn the line on which each value starts: the csv crate reports a record's position, not a value's.
fn scan_record(text: &[u8], start: usize, mut line: u64) -> RecordScan {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut field_lines = vec![line];
    let mut quote_line = line;
    for &b in text.get(start..).unwrap_or_default() {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, b'\n') => {
                line += 1;
                State::Quoted
            }
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b'\r' | b'\n') => break,
            (_, b',') => {
                field_lines.push(line);
                State::FieldStart
            }
            (State::FieldStart, b'"') => {
                quote_line = line;
                State::Quoted
            }
            _ => State::Unquoted,
        };
    }
    RecordScan { field_lines, unclosed_quote: (state == State::Quoted).then_some(quote_line) }
}

// ---------------------------------------------------------------------------------------------------
// JSON: an array of objects, each error with its field path, line and column.

/// What a JSON import file holds: an array of these.
pub(crate) trait JsonItem: DeserializeOwned {
    /// "orders", "RMAs": for messages.
    const WHAT: &'static str;
    /// The expected shape, for serde's "expected …" messages.
    const EXPECTING: &'static str;
    /// Two items with the same key are one thing given twice.
    fn key(&self) -> (String, String);
    /// The key in words, e.g. `order "CP-1001" of merchant "acme"`.
    fn describe(&self) -> String;
}

/// Counts the bytes serde_json has taken, so that progress can be reported part-way through an array.
struct CountingReader<'a> {
    rest: &'a [u8],
    taken: &'a Cell<u64>,
}

impl io::Read for CountingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.rest.read(buf)?;
        self.taken.set(self.taken.get() + n as u64);
        Ok(n)
    }
}

struct ArrayVisitor<'a, T> {
    taken: &'a Cell<u64>,
    on_progress: &'a mut dyn FnMut(u64),
    item: std::marker::PhantomData<T>,
}

impl<'de, T: JsonItem> Visitor<'de> for ArrayVisitor<'_, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {}", T::EXPECTING)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items: Vec<T> = Vec::new();
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        while let Some(item) = seq.next_element::<T>()? {
            let index = items.len();
            if let Some(first) = seen.insert(item.key(), index) {
                return Err(A::Error::custom(format!(
                    "[{index}]: {} is also [{first}]; give each once",
                    item.describe()
                )));
            }
            items.push(item);
            if (items.len() as u64).is_multiple_of(PROGRESS_EVERY_ROWS) {
                (self.on_progress)(self.taken.get());
            }
        }
        if items.is_empty() {
            return Err(A::Error::custom(format!("the array is empty: the file holds no {}", T::WHAT)));
        }
        Ok(items)
    }
}

/// Parses a JSON file that is one array of `T`. Duplicates (by [`JsonItem::key`]) and an empty array
/// are errors.
pub(crate) fn parse_json_array<T: JsonItem>(
    file: &str,
    text: &str,
    on_progress: &mut dyn FnMut(u64),
) -> Result<(Vec<T>, ParseSummary), ImportError> {
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(ImportError::whole_file(file, format!("the file is empty; expected a JSON array of {}", T::WHAT)));
    }
    let without_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let taken = Cell::new((text.len() - without_bom.len()) as u64);
    let mut deserializer =
        serde_json::Deserializer::from_reader(CountingReader { rest: without_bom.as_bytes(), taken: &taken });
    let mut track = serde_path_to_error::Track::new();
    let visitor = ArrayVisitor::<T> { taken: &taken, on_progress: &mut *on_progress, item: std::marker::PhantomData };
    let result = serde::Deserializer::deserialize_seq(
        serde_path_to_error::Deserializer::new(&mut deserializer, &mut track),
        visitor,
    );
    let items = result.map_err(|e| json_error(file, without_bom, &track.path().to_string(), &e))?;
    deserializer.end().map_err(|e| json_error(file, without_bom, ".", &e))?;
    on_progress(text.len() as u64);
    let summary = ParseSummary { rows_read: items.len() as u64, skipped: Vec::new() };
    Ok((items, summary))
}

fn json_error(file: &str, text: &str, path: &str, error: &serde_json::Error) -> ImportError {
    // Read from a reader, serde_json counts the line break it peeked at after a value (a number at the end of
    // a line): such an error says "column 0" of the next line. It belongs to the end of the line before
    // (found by the garbage drill).
    let (line, column) = match (error.line(), error.column()) {
        (line, 0) if line > 1 => {
            let before = text.lines().nth(line - 2).unwrap_or_default();
            (line - 1, before.chars().count().max(1))
        }
        position => position,
    };
    ImportError {
        file: file.to_owned(),
        line: line as u64,
        text_column: Some(column as u64),
        // The root's path is "."; errors there (not an array, a duplicate) say where in their message.
        column: (path != "." && !path.is_empty()).then(|| path.to_owned()),
        message: bare_message(error),
    }
}

/// serde_json's message without its trailing " at line L column C", which the error shows itself.
fn bare_message(error: &serde_json::Error) -> String {
    let full = error.to_string();
    match full.rfind(" at line ") {
        Some(cut) => full[..cut].to_owned(),
        None => full,
    }
}
