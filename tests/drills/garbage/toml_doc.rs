//! A policy file the fuzzers take apart key by key and write back: tables as `[a.b]` sections, arrays of
//! tables as `[[a.b]]`, strings quoted three ways (basic, literal, every odd character escaped, so that the
//! text of a value is not found as written), a key given twice, a byte-order mark. It remembers the line of
//! every value, so that a test can say on which line a refusal must point.

use std::collections::HashMap;

use proptest::prelude::*;

use super::nasty::{Kind, Put, put, refuses};

/// How a string is quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    Basic,
    Literal,
    /// Basic, with every character but letters and digits written as `\uXXXX`.
    Escaped,
}

/// A TOML value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum T {
    Str(String, Quote),
    /// Anything else written as is: a number, a boolean, `[]`, arrays nested deep, or nothing at all.
    Raw(String),
    /// An inline array.
    Arr(Vec<T>),
    Table(Vec<(String, T)>),
    /// An array of tables, each written as a `[[...]]` section.
    Tables(Vec<Vec<(String, T)>>),
}

impl T {
    pub fn from_value(value: &toml::Value) -> T {
        match value {
            toml::Value::String(s) => T::Str(s.clone(), Quote::Basic),
            toml::Value::Array(items) if !items.is_empty() && items.iter().all(toml::Value::is_table) => {
                T::Tables(items.iter().filter_map(toml::Value::as_table).map(entries).collect())
            }
            toml::Value::Array(items) => T::Arr(items.iter().map(T::from_value).collect()),
            toml::Value::Table(table) => T::Table(entries(table)),
            other => T::Raw(other.to_string()),
        }
    }

    fn from_put(put: &Put) -> T {
        match put {
            Put::Text(text) => T::Str(text.clone(), Quote::Basic),
            Put::Number(text) => T::Raw(text.clone()),
            Put::Null => T::Raw(String::new()),
            Put::Bool(b) => T::Raw(b.to_string()),
            Put::EmptyArray => T::Arr(Vec::new()),
            Put::Nested(depth) => T::Raw(format!("{}{}", "[".repeat(*depth), "]".repeat(*depth))),
        }
    }
}

fn entries(table: &toml::Table) -> Vec<(String, T)> {
    table.iter().map(|(k, v)| (k.clone(), T::from_value(v))).collect()
}

/// A step into a table's entry, an array's element or one table of an array of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Entry(usize),
    Element(usize),
}

pub type Path = Vec<Step>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A value written after `key =` (an inline array too), or an inline array's element.
    Leaf,
    Table,
    Tables,
}

fn nodes(t: &T, path: &mut Path, out: &mut Vec<(Path, Shape)>) {
    let visit = |entries: &[(String, T)], path: &mut Path, out: &mut Vec<(Path, Shape)>| {
        for (i, (_, value)) in entries.iter().enumerate() {
            path.push(Step::Entry(i));
            nodes(value, path, out);
            path.pop();
        }
    };
    match t {
        T::Table(entries) => {
            out.push((path.clone(), Shape::Table));
            visit(entries, path, out);
        }
        T::Tables(tables) => {
            out.push((path.clone(), Shape::Tables));
            for (i, entries) in tables.iter().enumerate() {
                path.push(Step::Element(i));
                out.push((path.clone(), Shape::Table));
                visit(entries, path, out);
                path.pop();
            }
        }
        T::Arr(items) => {
            out.push((path.clone(), Shape::Leaf));
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Element(i));
                nodes(item, path, out);
                path.pop();
            }
        }
        _ => out.push((path.clone(), Shape::Leaf)),
    }
}

/// The entries of the table at `path` (a `[table]` or one of a `[[table]]`'s).
fn table_mut<'t>(t: &'t mut T, path: &[Step]) -> Option<&'t mut Vec<(String, T)>> {
    match (t, path) {
        (T::Table(entries), []) => Some(entries),
        (T::Table(entries), [Step::Entry(i), rest @ ..]) => table_mut(&mut entries.get_mut(*i)?.1, rest),
        (T::Tables(tables), [Step::Element(i)]) => tables.get_mut(*i),
        (T::Tables(tables), [Step::Element(i), Step::Entry(j), rest @ ..]) => {
            table_mut(&mut tables.get_mut(*i)?.get_mut(*j)?.1, rest)
        }
        _ => None,
    }
}

fn get_mut<'t>(t: &'t mut T, path: &[Step]) -> Option<&'t mut T> {
    match (t, path) {
        (t, []) => Some(t),
        (T::Table(entries), [Step::Entry(i), rest @ ..]) => get_mut(&mut entries.get_mut(*i)?.1, rest),
        (T::Arr(items), [Step::Element(i), rest @ ..]) => get_mut(items.get_mut(*i)?, rest),
        (T::Tables(tables), [Step::Element(i), Step::Entry(j), rest @ ..]) => {
            get_mut(&mut tables.get_mut(*i)?.get_mut(*j)?.1, rest)
        }
        _ => None,
    }
}

/// The key a path ends on (an inline array's element: its array's key).
fn key_of<'t>(t: &'t T, path: &[Step]) -> Option<&'t str> {
    let mut here = t;
    let mut key = None;
    let mut steps = path.iter().peekable();
    while let Some(step) = steps.next() {
        here = match (here, step) {
            (T::Table(entries), Step::Entry(i)) => {
                key = Some(entries.get(*i)?.0.as_str());
                &entries[*i].1
            }
            (T::Arr(items), Step::Element(i)) => items.get(*i)?,
            (T::Tables(tables), Step::Element(i)) => {
                let Some(Step::Entry(j)) = steps.next() else { return None };
                let (k, v) = tables.get(*i)?.get(*j)?;
                key = Some(k.as_str());
                v
            }
            _ => return None,
        };
    }
    key
}

/// One change to a policy file. Indexes are taken modulo what the file has when the change is made.
#[derive(Debug, Clone)]
pub enum TomlEdit {
    Set(usize, Put),
    /// A value replaced where the format has a rule for it (days, amounts, a currency, a clause id…).
    SetTyped(usize, Put),
    Delete(usize),
    /// A `key = value` line written twice.
    DuplicateKey(usize),
    UnknownKey(usize),
    /// A string quoted another way.
    Requote(usize, Quote),
    /// One rule's clause id given to another rule, whose text differs: one id, two wordings.
    CopyClause(usize, usize),
    /// One `[[...]]` table written twice.
    DuplicateTable(usize, usize),
    /// An array of tables grown to this many, copies of its first with their category or SKU made distinct:
    /// thousands of category rules.
    Grow(usize, usize),
}

pub fn toml_edit() -> impl Strategy<Value = TomlEdit> {
    let quote = prop_oneof![Just(Quote::Basic), Just(Quote::Literal), Just(Quote::Escaped)];
    prop_oneof![
        6 => (any::<usize>(), put()).prop_map(|(at, value)| TomlEdit::Set(at, value)),
        6 => (any::<usize>(), put()).prop_map(|(at, value)| TomlEdit::SetTyped(at, value)),
        2 => any::<usize>().prop_map(TomlEdit::Delete),
        1 => any::<usize>().prop_map(TomlEdit::DuplicateKey),
        1 => any::<usize>().prop_map(TomlEdit::UnknownKey),
        3 => (any::<usize>(), quote).prop_map(|(at, q)| TomlEdit::Requote(at, q)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(from, to)| TomlEdit::CopyClause(from, to)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(at, i)| TomlEdit::DuplicateTable(at, i)),
        1 => (any::<usize>(), prop_oneof![2 => 2..20_usize, 1 => 500..3_000_usize])
            .prop_map(|(at, n)| TomlEdit::Grow(at, n)),
    ]
}

impl TomlEdit {
    /// Makes the change; one that finds nothing to work on does nothing.
    pub fn apply(&self, root: &mut T) {
        let mut all = Vec::new();
        nodes(root, &mut Vec::new(), &mut all);
        let of = |shape: Shape| all.iter().filter(|(_, s)| *s == shape).map(|(p, _)| p.clone()).collect::<Vec<_>>();
        let pick = |list: &[Path], at: usize| (!list.is_empty()).then(|| list[at % list.len()].clone());
        let leaves = of(Shape::Leaf);
        // A key's entry: the table holding it and its position there.
        let entry = |path: Path| -> Option<(Path, usize)> {
            let mut path = path;
            match path.pop()? {
                Step::Entry(i) => Some((path, i)),
                Step::Element(_) => None,
            }
        };
        match self {
            TomlEdit::Set(at, value) => {
                if let Some(target) = pick(&leaves, *at).and_then(|p| get_mut(root, &p)) {
                    *target = T::from_put(value);
                }
            }
            TomlEdit::SetTyped(at, value) => {
                let typed: Vec<Path> =
                    leaves.iter().filter(|p| key_of(root, p).is_some_and(has_rule)).cloned().collect();
                if let Some(target) = pick(&typed, *at).and_then(|p| get_mut(root, &p)) {
                    *target = T::from_put(value);
                }
            }
            TomlEdit::Delete(at) => {
                let Some(path) = pick(&leaves, *at) else { return };
                match path.split_last() {
                    Some((Step::Entry(i), parent)) => {
                        if let Some(entries) = table_mut(root, parent) {
                            entries.remove(*i);
                        }
                    }
                    Some((Step::Element(i), parent)) => {
                        if let Some(T::Arr(items)) = get_mut(root, parent) {
                            items.remove(*i);
                        }
                    }
                    None => {}
                }
            }
            TomlEdit::DuplicateKey(at) => {
                let Some((parent, i)) = pick(&leaves, *at).and_then(entry) else { return };
                if let Some(entries) = table_mut(root, &parent) {
                    entries.insert(i + 1, entries[i].clone());
                }
            }
            TomlEdit::UnknownKey(at) => {
                if let Some(entries) = pick(&of(Shape::Table), *at).and_then(|p| table_mut(root, &p)) {
                    entries.insert(0, ("unknown_key".into(), T::Raw("1".into())));
                }
            }
            TomlEdit::Requote(at, quote) => {
                if let Some(T::Str(_, q)) = pick(&leaves, *at).and_then(|p| get_mut(root, &p)) {
                    *q = *quote;
                }
            }
            TomlEdit::CopyClause(from, to) => {
                let clauses: Vec<Path> = leaves.iter().filter(|p| key_of(root, p) == Some("clause")).cloned().collect();
                let (Some(from), Some(to)) = (pick(&clauses, *from), pick(&clauses, *to)) else { return };
                let Some(id) = get_mut(root, &from).cloned() else { return };
                if let Some(target) = get_mut(root, &to) {
                    *target = id;
                }
            }
            TomlEdit::DuplicateTable(at, i) => {
                if let Some(T::Tables(tables)) = pick(&of(Shape::Tables), *at).and_then(|p| get_mut(root, &p)) {
                    let i = i % tables.len();
                    tables.insert(i + 1, tables[i].clone());
                }
            }
            TomlEdit::Grow(at, n) => {
                if let Some(T::Tables(tables)) = pick(&of(Shape::Tables), *at).and_then(|p| get_mut(root, &p)) {
                    let first = tables[0].clone();
                    let mut copy = tables.len();
                    let size = inline(&T::Table(first.clone())).len().max(1);
                    let n = (*n).min(super::json_doc::GROWN_BYTES / size);
                    while tables.len() < n {
                        let distinct = first
                            .iter()
                            .map(|(k, v)| match v {
                                T::Str(s, q) if k == "category" || k == "sku" => {
                                    (k.clone(), T::Str(format!("{s}-{copy}"), *q))
                                }
                                _ => (k.clone(), v.clone()),
                            })
                            .collect();
                        tables.push(distinct);
                        copy += 1;
                    }
                }
            }
        }
    }
}

/// The file as text (after `boms` byte-order marks), and the line each value is on (by path, from 1).
pub fn write(root: &T, boms: usize) -> (String, Vec<(Path, usize)>) {
    let mut out = Out { text: "\u{feff}".repeat(boms), line: 1 };
    let mut lines = Vec::new();
    if let T::Table(entries) = root {
        emit_table(entries, &[], &mut Vec::new(), &mut out, &mut lines);
    }
    (out.text, lines)
}

/// Text being written, counting its lines as it grows (counting the whole text at every value would take
/// quadratic time on a file of a thousand orders).
struct Out {
    text: String,
    line: usize,
}

impl Out {
    fn push_str(&mut self, piece: &str) {
        self.line += piece.bytes().filter(|&b| b == b'\n').count();
        self.text.push_str(piece);
    }
}

fn key_text(key: &str) -> String {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        key.to_owned()
    } else {
        quoted(key, Quote::Basic)
    }
}

fn quoted(s: &str, quote: Quote) -> String {
    let literal_ok = !s.contains('\'') && !s.chars().any(|c| c.is_control() && c != '\t');
    match quote {
        Quote::Literal if literal_ok => format!("'{s}'"),
        Quote::Escaped => {
            let mut out = String::from("\"");
            for c in s.chars() {
                if c.is_ascii_alphanumeric() {
                    out.push(c);
                } else if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04X}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08X}", c as u32));
                }
            }
            out.push('"');
            out
        }
        _ => {
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push('\t'),
                    c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
    }
}

fn inline(t: &T) -> String {
    match t {
        T::Str(s, quote) => quoted(s, *quote),
        T::Raw(raw) => raw.clone(),
        T::Arr(items) => format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", ")),
        T::Table(entries) => format!(
            "{{ {} }}",
            entries.iter().map(|(k, v)| format!("{} = {}", key_text(k), inline(v))).collect::<Vec<_>>().join(", ")
        ),
        T::Tables(tables) => inline(&T::Arr(tables.iter().map(|e| T::Table(e.clone())).collect())),
    }
}

fn emit_table(
    entries: &[(String, T)],
    name: &[String],
    path: &mut Path,
    out: &mut Out,
    lines: &mut Vec<(Path, usize)>,
) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if !matches!(value, T::Table(_) | T::Tables(_)) {
            path.push(Step::Entry(i));
            lines.push((path.clone(), out.line));
            out.push_str(&format!("{} = {}\n", key_text(key), inline(value)));
            path.pop();
        }
    }
    for (i, (key, value)) in entries.iter().enumerate() {
        let mut name = name.to_vec();
        name.push(key_text(key));
        path.push(Step::Entry(i));
        match value {
            T::Table(inner) => {
                out.push_str(&format!("\n[{}]\n", name.join(".")));
                emit_table(inner, &name, path, out, lines);
            }
            T::Tables(tables) => {
                for (j, inner) in tables.iter().enumerate() {
                    out.push_str(&format!("\n[[{}]]\n", name.join(".")));
                    path.push(Step::Element(j));
                    emit_table(inner, &name, path, out, lines);
                    path.pop();
                }
            }
            _ => {}
        }
        path.pop();
    }
}

/// Whether the format gives a rule for the values of `key` beyond "a string".
fn has_rule(key: &str) -> bool {
    ["schema", "percent", "currency", "id", "clause"].contains(&key)
        || [DAYS, MONTHS, AMOUNTS, BOOLS, LISTS].iter().any(|keys| keys.contains(&key))
}

/// Keys holding a number of days: at most 3,650.
const DAYS: &[&str] = &["days"];
const MONTHS: &[&str] = &["default_months", "months"];
const AMOUNTS: &[&str] = &["per_unit", "fixed", "amount"];
const BOOLS: &[&str] = &["handling_fee", "refunded", "waived_if_defective_on_arrival", "disassembled"];
/// Keys holding an inline list of words.
const LISTS: &[&str] = &[
    "allowed",
    "conditions",
    "stickers",
    "packaging",
    "defects",
    "damage_causes",
    "countries",
    "categories",
    "covered",
    "covered_causes",
    "kinds",
];
/// Lists that must name at least one thing.
const NON_EMPTY: &[&str] = &["allowed"];
/// Every key of the policy format.
const KNOWN: &[&str] = &[
    "schema",
    "merchant",
    "id",
    "name",
    "currency",
    "source",
    "rma_number_pattern",
    "order_number_pattern",
    "authorization",
    "clause",
    "text",
    "handling_fee",
    "returns",
    "window",
    "days",
    "from",
    "resolutions",
    "allowed",
    "otherwise",
    "refuse",
    "conditions",
    "stickers",
    "disassembled",
    "packaging",
    "defects",
    "damage_causes",
    "evidence",
    "non_returnable",
    "kind",
    "missing_items",
    "charge",
    "exchange_countries",
    "countries",
    "restocking_fee",
    "default",
    "category",
    "sku",
    "percent",
    "per_unit",
    "fees",
    "card",
    "fixed",
    "return_label",
    "waived_if_defective_on_arrival",
    "handling",
    "amount",
    "refund",
    "shipping",
    "refunded",
    "due",
    "warranty",
    "period",
    "default_months",
    "months",
    "channels",
    "original_owner",
    "proof_of_purchase",
    "commercial_use",
    "void",
    "exclusions",
    "photo",
    "shipping_damage",
    "damage",
    "covered",
    "covered_causes",
    "referral",
    "checkpoint",
    "kinds",
    "categories",
];

/// Every value the policy format's documentation says must be refused, by path: a key given twice or
/// unknown, days past 3,650, a percentage over 100, an amount past the bound or below a cent, a currency
/// that is not three capital letters, an empty `allowed`, a clause id outside the merchant's or given two
/// wordings, a schema other than 1. Empty when none is known.
pub fn refusals(root: &T, merchant: &str) -> Vec<Path> {
    let mut found = Vec::new();
    let mut wordings: HashMap<String, String> = HashMap::new();
    if let T::Table(entries) = root {
        check_table(entries, merchant, &mut Vec::new(), &mut wordings, &mut found);
    }
    found
}

fn whole(raw: &str) -> Option<i64> {
    raw.parse().ok()
}

fn check_table(
    entries: &[(String, T)],
    merchant: &str,
    path: &mut Path,
    wordings: &mut HashMap<String, String>,
    found: &mut Vec<Path>,
) {
    let mut seen = std::collections::HashSet::new();
    let text_of = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    if let (Some(T::Str(id, _)), Some(T::Str(text, _))) = (text_of("clause"), text_of("text")) {
        let first = wordings.entry(id.clone()).or_insert_with(|| text.clone());
        if first != text {
            found.push(path.clone());
        }
    }
    for (i, (key, value)) in entries.iter().enumerate() {
        path.push(Step::Entry(i));
        let k = key.as_str();
        let refused = !KNOWN.contains(&k)
            || !seen.insert(k)
            || match value {
                T::Table(inner) => {
                    check_table(inner, merchant, path, wordings, found);
                    false
                }
                T::Tables(tables) => {
                    for (j, inner) in tables.iter().enumerate() {
                        path.push(Step::Element(j));
                        check_table(inner, merchant, path, wordings, found);
                        path.pop();
                    }
                    false
                }
                value => leaf_refused(k, value, merchant),
            };
        if refused {
            found.push(path.clone());
        }
        path.pop();
    }
}

fn leaf_refused(key: &str, value: &T, merchant: &str) -> bool {
    let number = |value: &T| match value {
        T::Raw(raw) => whole(raw),
        _ => None,
    };
    // Written as a string or a whole number, read by the amount's or percentage's rule.
    let decimal = |kind: Kind| match value {
        T::Str(s, _) => refuses(kind, s),
        // A whole number as TOML reads it ("-0" is 0); a float or a negative number is refused.
        T::Raw(raw) => whole(raw).is_none_or(|n| n < 0 || refuses(kind, &n.to_string())),
        _ => true,
    };
    match key {
        "schema" => number(value) != Some(1),
        _ if DAYS.contains(&key) => !number(value).is_some_and(|d| (0..=3_650).contains(&d)),
        _ if MONTHS.contains(&key) => number(value).is_none_or(|m| u32::try_from(m).is_err()),
        "percent" => decimal(Kind::Percent),
        _ if AMOUNTS.contains(&key) => decimal(Kind::Money),
        "currency" => !matches!(value, T::Str(s, _) if !refuses(Kind::PolicyCurrency, s)),
        "id" => !matches!(value, T::Str(s, _) if s == merchant),
        "clause" => !matches!(value, T::Str(s, _) if s.starts_with(&format!("{merchant}/"))),
        _ if BOOLS.contains(&key) => !matches!(value, T::Raw(raw) if raw == "true" || raw == "false"),
        _ if LISTS.contains(&key) => match value {
            T::Arr(items) => {
                // Nothing written as the last element is TOML's trailing comma: no element at all.
                let items: Vec<&T> = items.iter().filter(|i| **i != T::Raw(String::new())).collect();
                (NON_EMPTY.contains(&key) && items.is_empty()) || items.iter().any(|i| !matches!(i, T::Str(..)))
            }
            _ => true,
        },
        // Everything else is text (a name, a clause's words, a word of the vocabulary).
        _ => !matches!(value, T::Str(..)),
    }
}
