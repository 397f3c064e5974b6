//! A JSON document the fuzzers take apart field by field and write back, with what serde_json's own
//! `Value` cannot hold: a key given twice, a number no parser can store (`1e309`), nesting past any limit.
//! It writes one key a line (arrays without objects on one line) and remembers the line of every value,
//! so that a test can say on which line a refusal must point.

use proptest::prelude::*;
use serde_json::Value;

use super::nasty::{Put, put};

/// A JSON value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    /// A number as written.
    Num(String),
    Str(String),
    Arr(Vec<J>),
    /// Entries in order; a key may be there twice.
    Obj(Vec<(String, J)>),
}

impl J {
    pub fn from_value(value: &Value) -> J {
        match value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Num(n.to_string()),
            Value::String(s) => J::Str(s.clone()),
            Value::Array(items) => J::Arr(items.iter().map(J::from_value).collect()),
            Value::Object(map) => J::Obj(map.iter().map(|(k, v)| (k.clone(), J::from_value(v))).collect()),
        }
    }

    fn from_put(put: &Put) -> J {
        match put {
            Put::Text(text) => J::Str(text.clone()),
            Put::Number(text) => J::Num(text.clone()),
            Put::Null => J::Null,
            Put::Bool(b) => J::Bool(*b),
            Put::EmptyArray => J::Arr(Vec::new()),
            Put::Nested(depth) => (0..*depth).fold(J::Arr(Vec::new()), |inner, _| J::Arr(vec![inner])),
        }
    }

    fn is_leaf(&self) -> bool {
        !matches!(self, J::Arr(_) | J::Obj(_))
    }

    fn has_object(&self) -> bool {
        match self {
            J::Obj(_) => true,
            J::Arr(items) => items.iter().any(J::has_object),
            _ => false,
        }
    }
}

/// A step from a value to one inside it: an object's entry (by position, so a key given twice is two
/// steps) or an array's element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Entry(usize),
    Element(usize),
}

pub type Path = Vec<Step>;

/// What kind of value a path leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Leaf,
    Array,
    Object,
}

/// Paths are listed (as targets of a change, and with their lines) this deep at most: the formats nest five
/// levels, and listing every level of arrays nested 186 deep in a thousand copies took 600 MB.
const DEEPEST: usize = 12;

fn nodes(j: &J, path: &mut Path, out: &mut Vec<(Path, Shape)>) {
    if path.len() > DEEPEST {
        return;
    }
    let shape = match j {
        J::Arr(_) => Shape::Array,
        J::Obj(_) => Shape::Object,
        _ => Shape::Leaf,
    };
    out.push((path.clone(), shape));
    match j {
        J::Arr(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Element(i));
                nodes(item, path, out);
                path.pop();
            }
        }
        J::Obj(entries) => {
            for (i, (_, value)) in entries.iter().enumerate() {
                path.push(Step::Entry(i));
                nodes(value, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'j>(j: &'j mut J, path: &[Step]) -> Option<&'j mut J> {
    let Some((first, rest)) = path.split_first() else { return Some(j) };
    match (j, first) {
        (J::Arr(items), Step::Element(i)) => get_mut(items.get_mut(*i)?, rest),
        (J::Obj(entries), Step::Entry(i)) => get_mut(&mut entries.get_mut(*i)?.1, rest),
        _ => None,
    }
}

/// The path as serde_path_to_error writes it: `order.lines[0].unit_price`, `[0].lines[1].qty`.
pub fn display(root: &J, path: &[Step]) -> String {
    let mut out = String::new();
    let mut here = root;
    for step in path {
        match (here, step) {
            (J::Arr(items), Step::Element(i)) => {
                out.push_str(&format!("[{i}]"));
                here = &items[*i];
            }
            (J::Obj(entries), Step::Entry(i)) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&entries[*i].0);
                here = &entries[*i].1;
            }
            _ => break,
        }
    }
    out
}

/// One change to a document. Indexes are taken modulo what the document has when the change is made.
#[derive(Debug, Clone)]
pub enum JsonEdit {
    /// A value replaced.
    Set(usize, Put),
    /// A value replaced where the format has a rule for it (an amount, a date, units, a yes/no).
    SetTyped(usize, Put),
    /// An entry or element removed.
    Delete(usize),
    /// A value put inside an array (`true`) or an object.
    Wrap(usize, bool),
    /// An object's entry written twice, the second time with this value if given.
    DuplicateKey(usize, Option<Put>),
    /// An object gains a key nobody knows.
    UnknownKey(usize),
    /// A key renamed to this text.
    RenameKey(usize, Put),
    /// An array element written twice in a row: the same SKU on two lines, the same order twice.
    DuplicateElement(usize, usize),
    /// An array grown to this many elements, copies of its first with their identifiers made distinct.
    Grow(usize, usize),
}

pub fn json_edit() -> impl Strategy<Value = JsonEdit> {
    prop_oneof![
        6 => (any::<usize>(), put()).prop_map(|(at, value)| JsonEdit::Set(at, value)),
        6 => (any::<usize>(), put()).prop_map(|(at, value)| JsonEdit::SetTyped(at, value)),
        2 => any::<usize>().prop_map(JsonEdit::Delete),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(at, array)| JsonEdit::Wrap(at, array)),
        1 => (any::<usize>(), prop::option::of(put())).prop_map(|(at, value)| JsonEdit::DuplicateKey(at, value)),
        1 => any::<usize>().prop_map(JsonEdit::UnknownKey),
        1 => (any::<usize>(), put()).prop_map(|(at, key)| JsonEdit::RenameKey(at, key)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(at, i)| JsonEdit::DuplicateElement(at, i)),
        1 => (any::<usize>(), prop_oneof![2 => 2..20_usize, 1 => 995..1_100_usize])
            .prop_map(|(at, n)| JsonEdit::Grow(at, n)),
    ]
}

/// At most this much text is copied when an array grows: a thousand lines, but not a thousand copies of a
/// line that already holds a 100,000-character value (that alone took a run to 2 GB).
pub const GROWN_BYTES: usize = 4 << 20;

/// Keys whose copies must differ when an array grows: an order's lines need distinct SKUs to stay one
/// order's lines, a file's orders distinct numbers.
const IDENTIFIERS: &[&str] = &["sku", "order_number", "rma_number"];

fn distinct(j: &J, n: usize) -> J {
    match j {
        J::Obj(entries) => J::Obj(
            entries
                .iter()
                .map(|(k, v)| match v {
                    J::Str(s) if IDENTIFIERS.contains(&k.as_str()) => (k.clone(), J::Str(format!("{s}-{n}"))),
                    _ => (k.clone(), v.clone()),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

impl JsonEdit {
    /// Makes the change; a change that finds nothing of its kind to work on does nothing.
    pub fn apply(&self, root: &mut J, schema: &Schema) {
        let mut all = Vec::new();
        nodes(root, &mut Vec::new(), &mut all);
        let of = |shape: Shape| all.iter().filter(|(_, s)| *s == shape).map(|(p, _)| p.clone()).collect::<Vec<_>>();
        let leaves = of(Shape::Leaf);
        let pick = |list: &[Path], at: usize| (!list.is_empty()).then(|| list[at % list.len()].clone());
        // An object's entry or an array's element: its container's path and its position there.
        let split = |path: Path| -> Option<(Path, Step)> {
            let mut path = path;
            let last = path.pop()?;
            Some((path, last))
        };
        match self {
            JsonEdit::Set(at, value) => {
                if let Some(target) = pick(&leaves, *at).and_then(|p| get_mut(root, &p)) {
                    *target = J::from_put(value);
                }
            }
            JsonEdit::SetTyped(at, value) => {
                let typed: Vec<Path> =
                    leaves.iter().filter(|p| key_of(root, p).is_some_and(|k| schema.has_rule(k))).cloned().collect();
                if let Some(target) = pick(&typed, *at).and_then(|p| get_mut(root, &p)) {
                    *target = J::from_put(value);
                }
            }
            JsonEdit::Delete(at) => {
                let Some((parent, last)) = pick(&leaves, *at).and_then(split) else { return };
                match (get_mut(root, &parent), last) {
                    (Some(J::Obj(entries)), Step::Entry(i)) => {
                        entries.remove(i);
                    }
                    (Some(J::Arr(items)), Step::Element(i)) => {
                        items.remove(i);
                    }
                    _ => {}
                }
            }
            JsonEdit::Wrap(at, array) => {
                if let Some(target) = pick(&leaves, *at).and_then(|p| get_mut(root, &p)) {
                    let inner = std::mem::replace(target, J::Null);
                    *target = if *array { J::Arr(vec![inner]) } else { J::Obj(vec![("value".into(), inner)]) };
                }
            }
            JsonEdit::DuplicateKey(at, value) => {
                let Some((parent, Step::Entry(i))) = pick(&leaves, *at).and_then(split) else { return };
                if let Some(J::Obj(entries)) = get_mut(root, &parent) {
                    let (key, old) = entries[i].clone();
                    entries.insert(i + 1, (key, value.as_ref().map_or(old, J::from_put)));
                }
            }
            JsonEdit::UnknownKey(at) => {
                if let Some(J::Obj(entries)) = pick(&of(Shape::Object), *at).and_then(|p| get_mut(root, &p)) {
                    entries.push(("unknown_field".into(), J::Str("x".into())));
                }
            }
            JsonEdit::RenameKey(at, key) => {
                let Some((parent, Step::Entry(i))) = pick(&leaves, *at).and_then(split) else { return };
                if let Some(J::Obj(entries)) = get_mut(root, &parent) {
                    entries[i].0 = key.as_cell();
                }
            }
            JsonEdit::DuplicateElement(at, i) => {
                if let Some(J::Arr(items)) = pick(&of(Shape::Array), *at).and_then(|p| get_mut(root, &p))
                    && !items.is_empty()
                {
                    let i = i % items.len();
                    items.insert(i + 1, items[i].clone());
                }
            }
            JsonEdit::Grow(at, n) => {
                if let Some(J::Arr(items)) = pick(&of(Shape::Array), *at).and_then(|p| get_mut(root, &p))
                    && let Some(first) = items.first().cloned()
                {
                    let mut copy = items.len();
                    let n = (*n).min(GROWN_BYTES / write(&first).0.len().max(1));
                    while items.len() < n {
                        items.push(distinct(&first, copy));
                        copy += 1;
                    }
                }
            }
        }
    }
}

/// The document as text, and the line each value starts on (by path, from 1).
pub fn write(root: &J) -> (String, Vec<(Path, usize)>) {
    let mut out = Out { text: String::new(), line: 1 };
    let mut lines = Vec::new();
    emit(root, &mut Vec::new(), 0, &mut out, &mut lines);
    out.push('\n');
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

    fn push(&mut self, c: char) {
        self.line += usize::from(c == '\n');
        self.text.push(c);
    }
}

fn emit(j: &J, path: &mut Path, indent: usize, out: &mut Out, lines: &mut Vec<(Path, usize)>) {
    if path.len() <= DEEPEST {
        lines.push((path.clone(), out.line));
    }
    let pad = |n: usize| " ".repeat(n);
    match j {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(&b.to_string()),
        J::Num(n) => out.push_str(n),
        J::Str(s) => out.push_str(&serde_json::to_string(s).unwrap()),
        J::Arr(items) if !j.has_object() => {
            // On one line: a list of strings, or arrays nested deep.
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                path.push(Step::Element(i));
                emit(item, path, indent, out, lines);
                path.pop();
            }
            out.push(']');
        }
        J::Arr(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 2));
                path.push(Step::Element(i));
                emit(item, path, indent + 2, out, lines);
                path.pop();
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        J::Obj(entries) => {
            out.push_str("{\n");
            for (i, (key, value)) in entries.iter().enumerate() {
                out.push_str(&pad(indent + 2));
                out.push_str(&serde_json::to_string(key).unwrap());
                out.push_str(": ");
                path.push(Step::Entry(i));
                emit(value, path, indent + 2, out, lines);
                path.pop();
                out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
    }
}

/// The key a path ends on, if its last step is an object's entry.
fn key_of<'j>(root: &'j J, path: &[Step]) -> Option<&'j str> {
    let (Step::Entry(i), parent) = path.split_last()? else { return None };
    let mut here = root;
    for step in parent {
        here = match (here, step) {
            (J::Arr(items), Step::Element(i)) => items.get(*i)?,
            (J::Obj(entries), Step::Entry(i)) => &entries.get(*i)?.1,
            _ => return None,
        };
    }
    match here {
        J::Obj(entries) => entries.get(*i).map(|(k, _)| k.as_str()),
        _ => None,
    }
}

impl Schema {
    /// Whether the documents give a rule for the values of `key`.
    fn has_rule(&self, key: &str) -> bool {
        self.typed.iter().any(|(k, _, _)| *k == key) || self.units.contains(&key) || self.bools.contains(&key)
    }
}

/// What a JSON format's fields hold, for [`refusals`].
pub struct Schema {
    /// Every key the format knows, in any object.
    pub known: &'static [&'static str],
    /// Keys whose value is an object, an array or null (when `nullable`).
    pub containers: &'static [(&'static str, bool)],
    pub bools: &'static [&'static str],
    /// Typed values: the key, its kind, and whether null (or leaving it out) is allowed.
    pub typed: &'static [(&'static str, super::nasty::Kind, bool)],
    /// Keys holding units (a JSON number, 1 to 100,000).
    pub units: &'static [&'static str],
    /// Keys holding lists of lines or items: more than [`rma_station::domain::case::MAX_LINES`] is refused.
    pub line_lists: &'static [&'static str],
}

/// Every place where the documents say the parser must refuse this document, by path: a key given twice
/// or unknown, a value of the wrong shape or kind, too many lines. Empty when none is known.
pub fn refusals(root: &J, schema: &Schema) -> Vec<Path> {
    let mut found = Vec::new();
    check(root, None, schema, &mut Vec::new(), &mut found);
    found
}

/// Whether serde_json reads this number as a whole number (`-0` it reads as a float).
fn whole_number(n: &str) -> bool {
    n != "-0" && (n.parse::<i64>().is_ok() || n.parse::<u64>().is_ok())
}

fn check(j: &J, key: Option<&str>, schema: &Schema, path: &mut Path, found: &mut Vec<Path>) {
    use super::nasty::{Kind, refuses};
    let refused = match (key, j) {
        (None, _) => false,
        (Some(key), _) if !schema.known.contains(&key) => false,
        (Some(key), value) => {
            let container = schema.containers.iter().find(|(k, _)| *k == key);
            let typed = schema.typed.iter().find(|(k, _, _)| *k == key);
            match (container, typed, value) {
                (Some(&(_, nullable)), _, J::Null) => !nullable,
                (Some(_), _, value) => value.is_leaf(),
                (None, Some(&(_, _, optional)), J::Null) => !optional,
                (None, Some(&(_, kind, _)), J::Str(s)) => refuses(kind, s),
                // A whole number reaches the value's rule as its digits; any other number is refused.
                (None, Some(&(_, kind, _)), J::Num(n)) => !whole_number(n) || refuses(kind, n),
                (None, Some(_), _) => true,
                (None, None, J::Num(n)) if schema.units.contains(&key) => !whole_number(n) || refuses(Kind::Qty, n),
                (None, None, _) if schema.units.contains(&key) => true,
                (None, None, value) if schema.bools.contains(&key) => !matches!(value, J::Bool(_)),
                (None, None, value) => !value.is_leaf(),
            }
        }
    };
    if refused {
        found.push(path.clone());
        return;
    }
    match j {
        J::Obj(entries) => {
            let mut seen = std::collections::HashSet::new();
            for (i, (k, value)) in entries.iter().enumerate() {
                path.push(Step::Entry(i));
                if !schema.known.contains(&k.as_str()) || !seen.insert(k.as_str()) {
                    found.push(path.clone());
                } else {
                    check(value, Some(k), schema, path, found);
                }
                path.pop();
            }
        }
        J::Arr(items) => {
            let many = key.is_some_and(|k| schema.line_lists.contains(&k));
            if many && items.len() > rma_station::domain::case::MAX_LINES {
                found.push(path.clone());
            }
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Element(i));
                let objects = key.is_none_or(|k| schema.line_lists.contains(&k));
                match item {
                    // The file's own array and lists of lines hold objects; other lists (an address, tracking
                    // numbers) hold strings.
                    J::Obj(_) if objects => check(item, None, schema, path, found),
                    _ if objects || !item.is_leaf() => found.push(path.clone()),
                    _ => {}
                }
                path.pop();
            }
        }
        _ => {}
    }
}
