//! What the structure-aware fuzzers put into a field, and the rules that say which of it must be refused.
//!
//! The rules here are written from the documents (`docs/import-formats.md`, `docs/decide-json.md`,
//! `docs/policy-format.md`), not from the parsers: a value they call invalid must be refused by whichever
//! parser reads it in that kind of field. They only ever say "must be refused"; a value they let through may
//! still be refused for a reason of its own (a date before the purchase), so nothing here forces a parser to
//! accept anything.

use proptest::prelude::*;

/// A value to put where a field's value was.
#[derive(Debug, Clone, PartialEq)]
pub enum Put {
    /// Text: a JSON or TOML string, a CSV cell.
    Text(String),
    /// A bare number as written (JSON, TOML), which may be one no parser can hold: `1e309`.
    Number(String),
    Null,
    Bool(bool),
    EmptyArray,
    /// Arrays nested this deep.
    Nested(usize),
}

impl Put {
    /// The value as a CSV cell, where everything is text.
    pub fn as_cell(&self) -> String {
        match self {
            Put::Text(text) | Put::Number(text) => text.clone(),
            Put::Null => String::new(),
            Put::Bool(b) => b.to_string(),
            Put::EmptyArray => "[]".to_owned(),
            Put::Nested(depth) => format!("{}{}", "[".repeat(*depth), "]".repeat(*depth)),
        }
    }
}

/// Text that troubles parsers: amounts at and past the bounds, numbers written every odd way, dates and
/// timestamps almost right, byte-order marks, NULs, direction overrides, quotes, line breaks.
const TEXTS: &[&str] = &[
    // Amounts: past the bound, 29 digits and more, Decimal's own limit, below a cent.
    "99999999999999999999999.99",
    "79228162514264337593543950335",
    "9999999999999999999999999999.99",
    "0.0000000000000000000000000001",
    "999999999.99",
    "1000000000.00",
    "100.5",
    "12.345",
    "7.250",
    // Signs, points and exponents.
    "-1",
    "-0",
    "-0.00",
    "1.",
    ".5",
    "1e3",
    "1E-2",
    "+5",
    "0x10",
    "1_000",
    "1,000.00",
    "NaN",
    "inf",
    "\u{663}",
    "\u{ff15}",
    "12.30\u{0}",
    "\u{feff}12.30",
    " 12.30 ",
    // Units.
    "0",
    "1",
    "00002",
    "1.0",
    "100000",
    "100001",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    // Dates: one digit, spaces and signs that fill ten characters, the calendar's edges.
    "2026-9-1",
    "2026- 9- 1",
    "2026-\t9-01",
    "2026-\u{a0}9-1",
    "-0001-01-01",
    "-001-01-01",
    "+202-01-01",
    "+99999-1-1",
    "0000-01-01",
    "9999-12-31",
    "2026-02-29",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "20260901",
    "2026/09/01",
    "2026-09-01T00:00:00",
    "\u{ff12}\u{ff10}\u{ff12}\u{ff16}-09-01",
    "2026-09-01\u{0}",
    " 2026-09-01 ",
    // Shopify timestamps.
    "2025-12-07 19:08:25 +0000",
    "2025-12-7 19:08:25 +0000",
    "2025-12-07  19:08:25 +0000",
    "2025-12-07 19:08:25",
    "2025-12-07 19:08:25 +00:00",
    "2025-12-07 19:8:25 +0000",
    "2025-12-07 19:08:25 +2400",
    "2025-12-07T19:08:25Z",
    "-001-12-07 19:08:25 +0000",
    "+9999-12-07 19:08:25 +0000",
    "9999-12-31 23:59:59 -2359",
    "0000-01-01 00:00:00 +2359",
    // Currencies.
    "USD",
    "usd",
    "DOLLARS",
    "US",
    "\u{20ac}\u{20ac}\u{20ac}",
    "\u{dc}SD",
    // Text that is trouble elsewhere.
    "",
    " ",
    "\0",
    "\u{feff}",
    "\u{202e}RMA-2026-0101",
    "a\nb",
    "a\r\nb",
    "\r",
    "\"",
    "\"\"",
    "'",
    "'''",
    "\"\"\"",
    ",",
    "|",
    "\\",
    "\\u0000",
    "Robert'); DROP TABLE orders;--",
    "\u{1f4a9}",
    "e\u{301}",
    "true",
    "null",
    "#KN1001",
];

/// Bare numbers for JSON and TOML.
const NUMBERS: &[&str] = &[
    "-1",
    "0",
    "-0",
    "1",
    "1.5",
    "1e3",
    "1e309",
    "-1e309",
    "0.1",
    "100000",
    "100001",
    "3650",
    "3651",
    "4294967295",
    "4294967296",
    "99999999999",
    "100000000000",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
];

/// Something to put in a field: mostly [`TEXTS`] and [`NUMBERS`], some random text shaped like a number,
/// a date or a timestamp, and now and then a very long string, a null, a boolean, an empty array or arrays
/// nested past every parser's depth.
pub fn put() -> impl Strategy<Value = Put> {
    prop_oneof![
        8 => prop::sample::select(TEXTS).prop_map(|t| Put::Text(t.to_owned())),
        3 => prop::sample::select(NUMBERS).prop_map(|t| Put::Number(t.to_owned())),
        2 => "[-+0-9. eE]{0,14}".prop_map(Put::Text),
        2 => "[-+ 0-9]{0,6}-[ 0-9]{0,3}-[ 0-9]{0,3}".prop_map(Put::Text),
        1 => "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{1,2}:[0-9]{2}:[0-9]{2} [-+][0-9]{2}:?[0-9]{2}".prop_map(Put::Text),
        1 => (prop::sample::select(&["9", "a", "\"", "\u{e9}", "\n"][..]), 1_000..100_000_usize)
            .prop_map(|(unit, n)| Put::Text(unit.repeat(n))),
        1 => Just(Put::Null),
        1 => any::<bool>().prop_map(Put::Bool),
        1 => Just(Put::EmptyArray),
        1 => (100..300_usize).prop_map(Put::Nested),
    ]
}

/// The kinds of typed value the formats hold, each with the documents' rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An amount: digits, at most one point with digits on both sides, at most two decimal places (more
    /// only as trailing zeros), never negative, at most 999999999.99.
    Money,
    /// A percentage: written as an amount is, at most 100.
    Percent,
    /// Units of a line: digits only, 1 to 100,000.
    Qty,
    /// A date `YYYY-MM-DD` that is on the calendar.
    Date,
    /// Shopify's `YYYY-MM-DD HH:MM:SS +HHMM`.
    Timestamp,
    /// A currency in an import: three letters, any case.
    Currency,
    /// A policy's currency: three capital letters, as written.
    PolicyCurrency,
    /// Text that must not be empty: a merchant, an order number, a SKU.
    Required,
    /// A two-letter country, any case.
    Country,
    /// A yes/no cell: true/false, yes/no, 1/0 in any case, or empty.
    Flag,
}

/// Whether the documents' rule for `kind` refuses `text` (surrounding spaces are dropped first: every
/// format says so).
pub fn refuses(kind: Kind, text: &str) -> bool {
    let s = text.trim();
    match kind {
        Kind::Money => !decimal(s).is_some_and(|(whole, fraction)| {
            fraction.trim_end_matches('0').len() <= 2 && whole.trim_start_matches('0').len() <= 9
        }),
        Kind::Percent => !decimal(s).is_some_and(|(whole, fraction)| {
            let whole = whole.trim_start_matches('0');
            whole.len() < 3 || (whole == "100" && fraction.bytes().all(|b| b == b'0'))
        }),
        Kind::Qty => {
            let digits = s.trim_start_matches('0');
            s.is_empty()
                || !s.bytes().all(|b| b.is_ascii_digit())
                || digits.is_empty()
                || digits.len() > 6
                || digits.parse::<u32>().is_ok_and(|n| n > 100_000)
        }
        Kind::Date => !is_date(s),
        Kind::Timestamp => !is_timestamp(s),
        Kind::Currency => !(s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic())),
        Kind::PolicyCurrency => !(text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase())),
        Kind::Required => s.is_empty(),
        Kind::Country => !(s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic())),
        Kind::Flag => !["true", "false", "yes", "no", "1", "0", ""].contains(&s.to_ascii_lowercase().as_str()),
    }
}

/// `digits` or `digits.digits`, split at the point.
fn decimal(s: &str) -> Option<(&str, &str)> {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let point_has_digits = !s.contains('.') || !fraction.is_empty();
    (!whole.is_empty() && digits(whole) && digits(fraction) && point_has_digits).then_some((whole, fraction))
}

/// Whether `s` has exactly the shape `shape`, where `9` stands for an ASCII digit and `#` for a sign.
fn shaped(s: &str, shape: &str) -> bool {
    s.len() == shape.len()
        && s.bytes().zip(shape.bytes()).all(|(b, want)| match want {
            b'9' => b.is_ascii_digit(),
            b'#' => b == b'+' || b == b'-',
            _ => b == want,
        })
}

fn number(s: &str, range: std::ops::Range<usize>) -> u32 {
    s[range].parse().unwrap_or(u32::MAX)
}

fn is_date(s: &str) -> bool {
    shaped(s, "9999-99-99")
        && chrono::NaiveDate::from_ymd_opt(number(s, 0..4) as i32, number(s, 5..7), number(s, 8..10)).is_some()
}

fn is_timestamp(s: &str) -> bool {
    // A leap second (60) is left to the parser: neither required nor refused here.
    shaped(s, "9999-99-99 99:99:99 #9999")
        && is_date(&s[..10])
        && number(s, 11..13) < 24
        && number(s, 14..16) < 60
        && number(s, 17..19) <= 60
        && number(s, 21..23) < 24
        && number(s, 23..25) < 60
}

/// The rules, tried on the values the issue names and on the bounds themselves.
#[test]
fn the_rules_refuse_what_the_documents_refuse() {
    let table: &[(Kind, &str, bool)] = &[
        (Kind::Money, "299.00", false),
        (Kind::Money, "999999999.99", false),
        (Kind::Money, "7.250", false),
        (Kind::Money, " 0 ", false),
        (Kind::Money, "1000000000.00", true),
        (Kind::Money, "1.", true),
        (Kind::Money, ".5", true),
        (Kind::Money, "-0", true),
        (Kind::Money, "1e3", true),
        (Kind::Money, "12.345", true),
        (Kind::Money, "", true),
        (Kind::Percent, "2.6", false),
        (Kind::Percent, "100", false),
        (Kind::Percent, "100.00", false),
        (Kind::Percent, "100.5", true),
        (Kind::Percent, "101", true),
        (Kind::Qty, "1", false),
        (Kind::Qty, "100000", false),
        (Kind::Qty, "0", true),
        (Kind::Qty, "100001", true),
        (Kind::Qty, "+2", true),
        (Kind::Date, "2026-09-01", false),
        (Kind::Date, " 9999-12-31", false),
        (Kind::Date, "2026-9-1", true),
        (Kind::Date, "2026- 9- 1", true),
        (Kind::Date, "-001-01-01", true),
        (Kind::Date, "2026-02-30", true),
        (Kind::Timestamp, "2025-12-07 19:08:25 +0000", false),
        (Kind::Timestamp, "2025-12-09 22:15:00 -0500", false),
        (Kind::Timestamp, "2025-12-7 19:08:25 +0000", true),
        (Kind::Timestamp, "2025-12-07 19:08:25 +00:00", true),
        (Kind::Currency, "usd", false),
        (Kind::Currency, "DOLLARS", true),
        (Kind::PolicyCurrency, "USD", false),
        (Kind::PolicyCurrency, "usd", true),
        (Kind::Required, " ", true),
        (Kind::Country, "ca", false),
        (Kind::Flag, "TRUE", false),
        (Kind::Flag, "y", true),
    ];
    for &(kind, text, refused) in table {
        assert_eq!(refuses(kind, text), refused, "{kind:?} {text:?}");
    }
}
