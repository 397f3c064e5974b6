//! A CSV file the fuzzers take apart cell by cell and write back with the csv crate (line ends, quoting and
//! a byte-order mark chosen at random), remembering the physical line each value starts on so that a test
//! can say on which line a refusal must point.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;

use super::nasty::{Kind, Put, put, refuses};

/// A CSV file as rows of values, the header row first.
#[derive(Debug, Clone, PartialEq)]
pub struct Table(pub Vec<Vec<String>>);

impl Table {
    pub fn parse(text: &str) -> Table {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        Table(reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect())
    }

    /// Where the header names `name` first (as the parsers compare: without surrounding spaces).
    pub fn col(&self, name: &str) -> Option<usize> {
        self.0.first()?.iter().position(|h| h.trim() == name)
    }

    /// A data row's value in the column `name`, without surrounding spaces; empty when there is none.
    pub fn cell(&self, row: usize, name: &str) -> &str {
        self.col(name).and_then(|c| self.0[row].get(c)).map_or("", |v| v.trim())
    }
}

/// How the file is written.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub crlf: bool,
    pub quote_all: bool,
    /// Byte-order marks before the header: 0, 1 (as Windows writes it) or 2 (never valid).
    pub boms: usize,
}

pub fn style() -> impl Strategy<Value = Style> {
    (any::<bool>(), prop::bool::weighted(0.2), prop_oneof![6 => Just(0_usize), 3 => Just(1), 1 => Just(2)])
        .prop_map(|(crlf, quote_all, boms)| Style { crlf, quote_all, boms })
}

/// One change to a file. Indexes are taken modulo what the file has when the change is made; row 0 is
/// the header, which only [`CsvEdit::Header`] changes.
#[derive(Debug, Clone)]
pub enum CsvEdit {
    Set(usize, usize, Put),
    /// A value replaced in one of the format's typed columns (an amount, a date, units…), chosen by its
    /// place among them: most columns of a Shopify export are never read, and these are where the rules are.
    SetTyped(usize, usize, Put),
    Header(usize, Put),
    /// A line break in the middle of a value (written quoted).
    Newline(usize, usize),
    DuplicateColumn(usize),
    DeleteColumn(usize),
    /// A row written twice: the same SKU on two lines of one order, an RMA given twice.
    DuplicateRow(usize),
    DeleteRow(usize),
    SwapRows(usize, usize),
    /// A row copied until the file has this many data rows, the copies' identifiers made distinct: an order
    /// of 1,000 lines and more.
    Grow(usize, usize),
    /// A row with one value too many.
    ExtraValue(usize),
}

pub fn csv_edit() -> impl Strategy<Value = CsvEdit> {
    let (row, col) = (any::<usize>(), any::<usize>());
    prop_oneof![
        6 => (row, col, put()).prop_map(|(r, c, value)| CsvEdit::Set(r, c, value)),
        6 => (row, col, put()).prop_map(|(r, c, value)| CsvEdit::SetTyped(r, c, value)),
        1 => (col, put()).prop_map(|(c, value)| CsvEdit::Header(c, value)),
        2 => (row, col).prop_map(|(r, c)| CsvEdit::Newline(r, c)),
        1 => col.prop_map(CsvEdit::DuplicateColumn),
        1 => col.prop_map(CsvEdit::DeleteColumn),
        2 => row.prop_map(CsvEdit::DuplicateRow),
        1 => row.prop_map(CsvEdit::DeleteRow),
        1 => (row, any::<usize>()).prop_map(|(a, b)| CsvEdit::SwapRows(a, b)),
        1 => (row, prop_oneof![2 => 2..20_usize, 1 => 995..1_100_usize]).prop_map(|(r, n)| CsvEdit::Grow(r, n)),
        1 => row.prop_map(CsvEdit::ExtraValue),
    ]
}

/// Columns whose copies must differ when a row is copied many times.
const IDENTIFIERS: &[&str] = &["sku", "rma_number", "Lineitem sku"];

impl CsvEdit {
    /// Makes the change; one that finds nothing to work on does nothing. Returns whether the change left
    /// every value's meaning as it was: a line break put into the schema's free text.
    pub fn apply(&self, table: &mut Table, schema: &CsvSchema) -> bool {
        let rows = table.0.len();
        let width = table.0.first().map_or(0, Vec::len);
        if rows < 2 || width == 0 {
            return false;
        }
        let data = |r: usize| 1 + r % (rows - 1);
        let t = &mut table.0;
        match self {
            CsvEdit::Set(r, c, value) => {
                let row = &mut t[data(*r)];
                if !row.is_empty() {
                    let c = c % row.len();
                    row[c] = value.as_cell();
                }
            }
            CsvEdit::SetTyped(r, k, value) => {
                let (name, _, _) = schema.typed[k % schema.typed.len()];
                let c = t[0].iter().position(|h| h.trim() == name);
                if let Some(target) = c.and_then(|c| t[data(*r)].get_mut(c)) {
                    *target = value.as_cell();
                }
            }
            CsvEdit::Header(c, value) => t[0][c % width] = value.as_cell(),
            CsvEdit::Newline(r, c) => {
                let header = t[0].clone();
                let row = &mut t[data(*r)];
                if !row.is_empty() {
                    let c = c % row.len();
                    let value = &row[c];
                    let middle = (0..=value.len() / 2).rev().find(|&i| value.is_char_boundary(i)).unwrap_or(0);
                    row[c] = format!("{}\n{}", &value[..middle], &value[middle..]);
                    return header.get(c).is_some_and(|name| schema.free.contains(&name.trim()));
                }
            }
            CsvEdit::DuplicateColumn(c) => {
                for row in t.iter_mut() {
                    let value = row.get(c % width).cloned().unwrap_or_default();
                    row.push(value);
                }
            }
            CsvEdit::DeleteColumn(c) => {
                if width > 1 {
                    for row in t.iter_mut() {
                        if c % width < row.len() {
                            row.remove(c % width);
                        }
                    }
                }
            }
            CsvEdit::DuplicateRow(r) => {
                let r = data(*r);
                t.insert(r + 1, t[r].clone());
            }
            CsvEdit::DeleteRow(r) => {
                t.remove(data(*r));
            }
            CsvEdit::SwapRows(a, b) => t.swap(data(*a), data(*b)),
            CsvEdit::Grow(r, n) => {
                // The copies go right after the row, so that an order's rows stay together as Shopify
                // writes them.
                let at = data(*r);
                let header = t[0].clone();
                let size: usize = t[at].iter().map(|v| v.len() + 1).sum();
                let n = (*n).min(super::json_doc::GROWN_BYTES / size.max(1));
                let copies: Vec<Vec<String>> = (rows..=n)
                    .map(|copy| {
                        let mut row = t[at].clone();
                        for (value, name) in row.iter_mut().zip(&header) {
                            if IDENTIFIERS.contains(&name.trim()) && !value.trim().is_empty() {
                                *value = format!("{}-{copy}", value.trim());
                            }
                        }
                        row
                    })
                    .collect();
                t.splice(at + 1..at + 1, copies);
            }
            CsvEdit::ExtraValue(r) => t[data(*r)].push("extra".to_owned()),
        }
        false
    }
}

/// The file as text, and the physical line (from 1) on which each row's values begin.
pub fn write(table: &Table, style: Style) -> (String, Vec<Vec<usize>>) {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(if style.crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
        .quote_style(if style.quote_all { csv::QuoteStyle::Always } else { csv::QuoteStyle::Necessary })
        .from_writer(Vec::new());
    let mut lines = Vec::new();
    let mut line = 1;
    for row in &table.0 {
        writer.write_record(row).unwrap();
        let mut at = line;
        let mut starts = Vec::new();
        for value in row {
            starts.push(at);
            at += value.bytes().filter(|&b| b == b'\n').count();
        }
        lines.push(starts);
        line = at + 1;
    }
    let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    (format!("{}{text}", "\u{feff}".repeat(style.boms)), lines)
}

/// What a CSV format's columns hold, for [`refusals`].
pub struct CsvSchema {
    /// The only columns the format takes (`None`: it ignores the ones it does not read).
    pub only: Option<&'static [&'static str]>,
    pub required: &'static [&'static str],
    /// Typed columns: the name, the kind, and whether an empty value is allowed.
    pub typed: &'static [(&'static str, Kind, bool)],
    /// Free text, where a line break changes nothing.
    pub free: &'static [&'static str],
    /// Whether the parser reads this row's value in this column.
    pub reads: fn(&Table, usize, &str) -> bool,
    /// The order a data row is a line of, if it is one: more than MAX_LINES lines to an order are refused,
    /// at the SKU of the line past the bound.
    pub line_of: fn(&Table, usize) -> Option<String>,
    pub sku: &'static str,
}

/// Every place where the documents say the parser must refuse this file, as (data row, column name): an
/// unknown, missing or doubled column, a row of the wrong length (no column named), a value its column's
/// rule refuses, an order with too many lines. Empty when none is known. Row 0 stands for the header.
pub fn refusals(table: &Table, schema: &CsvSchema) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let Some(header) = table.0.first() else { return found };
    let names: Vec<&str> = header.iter().map(|h| h.trim()).collect();
    let mut seen = HashSet::new();
    for name in &names {
        let known = schema.only.is_none_or(|only| only.contains(name));
        let read = schema.only.is_some() || schema.required.contains(name) || schema.typed.iter().any(|t| t.0 == *name);
        if !known || (read && !seen.insert(*name)) {
            found.push((0, (*name).to_owned()));
        }
    }
    for required in schema.required {
        if !names.contains(required) {
            found.push((0, (*required).to_owned()));
        }
    }
    let mut lines: HashMap<String, usize> = HashMap::new();
    for r in 1..table.0.len() {
        if table.0[r].len() != header.len() {
            found.push((r, String::new()));
            continue;
        }
        for &(name, kind, empty_allowed) in schema.typed {
            let value = table.cell(r, name);
            let empty_ok = empty_allowed && value.is_empty();
            if table.col(name).is_some() && (schema.reads)(table, r, name) && !empty_ok && refuses(kind, value) {
                found.push((r, name.to_owned()));
            }
        }
        if let Some(order) = (schema.line_of)(table, r) {
            let count = lines.entry(order).or_default();
            *count += 1;
            if *count == rma_station::domain::case::MAX_LINES + 1 {
                found.push((r, schema.sku.to_owned()));
            }
        }
    }
    found
}
