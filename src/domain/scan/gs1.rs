//! GS1 element strings: the `(01)…(17)…(10)…` data in GS1-128, GS1 DataMatrix, GS1 QR and DataBar codes.
//!
//! Parses the string a scanner sends (FNC1 separators arrive as GS, 0x1D) into application identifiers (AIs) and
//! values, checking lengths, character sets, check digits and dates. Also accepts the human-readable form with
//! parentheses, as someone may type it. It knows the AIs a returns bench meets, not the whole GS1 table: an AI
//! it does not know ends the parse with an error, because without its length the rest cannot be split safely.
//! It does not decide whether the data is a tracking number (`classify` does).

use std::fmt::Write as _;

use super::framing::GS;
use super::product_code::verify_check_digit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Length {
    /// Exactly this many characters; no separator needed after it.
    Fixed(usize),
    /// Up to this many characters, ended by GS or the end of the data.
    Variable(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    Numeric,
    /// GS1 character set 82 (a subset of printable ASCII).
    Alphanumeric,
    /// Numeric with a GS1 check digit last (SSCC, GTIN, GLN).
    CheckDigit,
    /// YYMMDD; DD may be 00 ("end of the month").
    Date,
    /// Three-digit ISO 3166 country code, then up to `n` alphanumeric characters (AI 421).
    CountryThenText,
}

/// One row of the AI table. `ai` is matched as a prefix; `ai_len` is the full AI length (4 for the measure AIs
/// 310n–369n, whose last digit is the decimal point position).
struct AiSpec {
    ai: &'static str,
    ai_len: usize,
    title: &'static str,
    length: Length,
    content: Content,
}

const fn spec(ai: &'static str, ai_len: usize, title: &'static str, length: Length, content: Content) -> AiSpec {
    AiSpec { ai, ai_len, title, length, content }
}

use Content::{Alphanumeric as X, CheckDigit as C, CountryThenText, Date as D, Numeric as N};
use Length::{Fixed, Variable};

/// No row's `ai` is a prefix of another's, so the first prefix match is the only one.
const AI_TABLE: &[AiSpec] = &[
    spec("00", 2, "SSCC", Fixed(18), C),
    spec("01", 2, "GTIN", Fixed(14), C),
    spec("02", 2, "CONTENT", Fixed(14), C),
    spec("10", 2, "BATCH/LOT", Variable(20), X),
    spec("11", 2, "PROD DATE", Fixed(6), D),
    spec("12", 2, "DUE DATE", Fixed(6), D),
    spec("13", 2, "PACK DATE", Fixed(6), D),
    spec("15", 2, "BEST BEFORE", Fixed(6), D),
    spec("16", 2, "SELL BY", Fixed(6), D),
    spec("17", 2, "USE BY / EXPIRY", Fixed(6), D),
    spec("20", 2, "VARIANT", Fixed(2), N),
    spec("21", 2, "SERIAL", Variable(20), X),
    spec("22", 2, "CPV", Variable(20), X),
    spec("240", 3, "ADDITIONAL ID", Variable(30), X),
    spec("241", 3, "CUST. PART No.", Variable(30), X),
    spec("250", 3, "SECONDARY SERIAL", Variable(30), X),
    spec("30", 2, "VAR. COUNT", Variable(8), N),
    spec("31", 4, "MEASURE (metric)", Fixed(6), N),
    spec("32", 4, "MEASURE (imperial)", Fixed(6), N),
    spec("33", 4, "LOGISTIC MEASURE (metric)", Fixed(6), N),
    spec("34", 4, "LOGISTIC MEASURE (imperial)", Fixed(6), N),
    spec("35", 4, "AREA / VOLUME", Fixed(6), N),
    spec("36", 4, "VOLUME", Fixed(6), N),
    spec("37", 2, "COUNT", Variable(8), N),
    spec("400", 3, "ORDER NUMBER", Variable(30), X),
    spec("401", 3, "GINC", Variable(30), X),
    spec("402", 3, "GSIN", Fixed(17), C),
    spec("403", 3, "ROUTE", Variable(30), X),
    spec("410", 3, "SHIP TO LOC", Fixed(13), C),
    spec("411", 3, "BILL TO", Fixed(13), C),
    spec("412", 3, "PURCHASE FROM", Fixed(13), C),
    spec("413", 3, "SHIP FOR LOC", Fixed(13), C),
    spec("414", 3, "LOC No.", Fixed(13), C),
    spec("415", 3, "PAY TO", Fixed(13), C),
    spec("416", 3, "PROD/SERV LOC", Fixed(13), C),
    spec("417", 3, "PARTY", Fixed(13), C),
    spec("420", 3, "SHIP TO POST", Variable(20), X),
    spec("421", 3, "SHIP TO POST (with country)", Variable(12), CountryThenText),
    spec("422", 3, "ORIGIN", Fixed(3), N),
    spec("423", 3, "COUNTRY - INITIAL PROCESS", Variable(15), N),
    spec("424", 3, "COUNTRY - PROCESS", Fixed(3), N),
    spec("425", 3, "COUNTRY - DISASSEMBLY", Variable(15), N),
    spec("426", 3, "COUNTRY - FULL PROCESS", Fixed(3), N),
    spec("7003", 4, "EXPIRY TIME", Fixed(10), N),
    spec("8003", 4, "GRAI", Variable(30), X),
    spec("8004", 4, "GIAI", Variable(30), X),
    spec("8006", 4, "ITIP", Fixed(18), N),
    spec("8018", 4, "GSRN - RECIPIENT", Fixed(18), C),
    spec("8020", 4, "REF No.", Variable(25), X),
    spec("90", 2, "INTERNAL", Variable(30), X),
    spec("91", 2, "INTERNAL", Variable(90), X),
    spec("92", 2, "INTERNAL", Variable(90), X),
    spec("93", 2, "INTERNAL", Variable(90), X),
    spec("94", 2, "INTERNAL", Variable(90), X),
    spec("95", 2, "INTERNAL", Variable(90), X),
    spec("96", 2, "INTERNAL", Variable(90), X),
    spec("97", 2, "INTERNAL", Variable(90), X),
    spec("98", 2, "INTERNAL", Variable(90), X),
    spec("99", 2, "INTERNAL", Variable(90), X),
];

fn find_spec(data: &str) -> Option<&'static AiSpec> {
    AI_TABLE.iter().find(|spec| data.starts_with(spec.ai) && data.len() >= spec.ai_len)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("no GS1 data")]
    Empty,
    #[error("unknown or unsupported application identifier at \"{0}\"")]
    UnknownAi(String),
    #[error("AI ({ai}) needs {expected} characters, found {found}")]
    WrongLength { ai: String, expected: usize, found: usize },
    #[error("AI ({ai}) allows at most {max} characters, found {found}")]
    TooLong { ai: String, max: usize, found: usize },
    #[error("AI ({ai}) has no value")]
    EmptyValue { ai: String },
    #[error("AI ({ai}) must be digits")]
    NotNumeric { ai: String },
    #[error("AI ({ai}) has a wrong check digit")]
    CheckDigit { ai: String },
    #[error("AI ({ai}) is not a valid YYMMDD date")]
    BadDate { ai: String },
    #[error("AI ({ai}) contains a character GS1 does not allow: {ch:?}")]
    BadCharacter { ai: String, ch: char },
    #[error("unbalanced parentheses in human-readable GS1 data")]
    Parentheses,
}

/// One application identifier and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gs1Element {
    pub ai: String,
    /// GS1's short title for the AI ("GTIN", "BATCH/LOT" ...).
    pub title: &'static str,
    pub value: String,
}

/// A parsed GS1 element string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gs1Data {
    elements: Vec<Gs1Element>,
}

impl Gs1Data {
    pub fn elements(&self) -> &[Gs1Element] {
        &self.elements
    }

    /// The value of the first element with this AI.
    pub fn get(&self, ai: &str) -> Option<&str> {
        self.elements.iter().find(|e| e.ai == ai).map(|e| e.value.as_str())
    }

    /// The human-readable interpretation, `(01)09501101530003(17)250101`: the normalized form.
    pub fn human_readable(&self) -> String {
        let mut out = String::new();
        for element in &self.elements {
            // Writing to a String cannot fail.
            let _ = write!(out, "({}){}", element.ai, element.value);
        }
        out
    }
}

/// Parses GS1 data as a scanner sends it: AIs and values back to back, GS after each variable-length value that
/// is not last. A GS in first position (FNC1 sent as data) and a GS after a fixed-length value are allowed.
/// Data starting with `(` is read as the human-readable form instead.
pub fn parse_gs1(data: &str) -> Result<Gs1Data, Gs1Error> {
    if data.starts_with('(') {
        return parse_human_readable(data);
    }
    let mut rest = data.strip_prefix(GS).unwrap_or(data);
    let mut elements = Vec::new();
    while !rest.is_empty() {
        let spec = find_spec(rest).ok_or_else(|| Gs1Error::UnknownAi(rest.chars().take(4).collect()))?;
        let ai = rest
            .get(..spec.ai_len)
            .filter(|ai| ai.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| Gs1Error::UnknownAi(rest.chars().take(4).collect()))?;
        let after_ai = &rest[spec.ai_len..];
        let (value, next) = match spec.length {
            Fixed(n) => {
                let value = after_ai.get(..n).ok_or_else(|| Gs1Error::WrongLength {
                    ai: ai.to_owned(),
                    expected: n,
                    found: after_ai.split(GS).next().map_or(0, |v| v.chars().count()),
                })?;
                let next = &after_ai[n..];
                (value, next.strip_prefix(GS).unwrap_or(next))
            }
            Variable(_) => match after_ai.find(GS) {
                Some(end) => (&after_ai[..end], &after_ai[end + 1..]),
                None => (after_ai, ""),
            },
        };
        elements.push(element(spec, ai, value)?);
        rest = next;
    }
    if elements.is_empty() {
        return Err(Gs1Error::Empty);
    }
    Ok(Gs1Data { elements })
}

fn parse_human_readable(data: &str) -> Result<Gs1Data, Gs1Error> {
    let mut elements = Vec::new();
    let mut rest = data;
    while let Some(after_open) = rest.strip_prefix('(') {
        let close = after_open.find(')').ok_or(Gs1Error::Parentheses)?;
        let ai = &after_open[..close];
        let after_close = &after_open[close + 1..];
        let end = after_close.find('(').unwrap_or(after_close.len());
        let value = &after_close[..end];
        let spec = find_spec(ai).filter(|s| s.ai_len == ai.len()).ok_or_else(|| Gs1Error::UnknownAi(ai.to_owned()))?;
        if let Fixed(n) = spec.length
            && value.chars().count() != n
        {
            return Err(Gs1Error::WrongLength { ai: ai.to_owned(), expected: n, found: value.chars().count() });
        }
        elements.push(element(spec, ai, value)?);
        rest = &after_close[end..];
    }
    if !rest.is_empty() {
        return Err(Gs1Error::Parentheses);
    }
    if elements.is_empty() {
        return Err(Gs1Error::Empty);
    }
    Ok(Gs1Data { elements })
}

fn element(spec: &AiSpec, ai: &str, value: &str) -> Result<Gs1Element, Gs1Error> {
    let ai_owned = || ai.to_owned();
    if value.is_empty() {
        return Err(Gs1Error::EmptyValue { ai: ai_owned() });
    }
    if let Variable(max) = spec.length {
        let found = value.chars().count();
        if found > max {
            return Err(Gs1Error::TooLong { ai: ai_owned(), max, found });
        }
    }
    let numeric = |v: &str| v.bytes().all(|b| b.is_ascii_digit());
    match spec.content {
        Content::Numeric => {
            if !numeric(value) {
                return Err(Gs1Error::NotNumeric { ai: ai_owned() });
            }
        }
        Content::CheckDigit => {
            if !numeric(value) {
                return Err(Gs1Error::NotNumeric { ai: ai_owned() });
            }
            verify_check_digit(value).map_err(|_| Gs1Error::CheckDigit { ai: ai_owned() })?;
        }
        Content::Date => {
            if !numeric(value) || !valid_yymmdd(value) {
                return Err(Gs1Error::BadDate { ai: ai_owned() });
            }
        }
        Content::Alphanumeric => check_charset_82(ai, value)?,
        Content::CountryThenText => {
            let country = value.get(..3).filter(|c| numeric(c)).ok_or(Gs1Error::NotNumeric { ai: ai_owned() })?;
            check_charset_82(ai, &value[country.len()..])?;
        }
    }
    Ok(Gs1Element { ai: ai.to_owned(), title: spec.title, value: value.to_owned() })
}

/// YYMMDD with a real month, and a day of 00 (meaning the end of the month) to 31. The day is not checked against
/// the month's length: GS1 does not ask scanners to, and a 31 February is still plainly the data that was printed.
fn valid_yymmdd(value: &str) -> bool {
    let bytes = value.as_bytes();
    let two = |i: usize| u32::from(bytes[i] - b'0') * 10 + u32::from(bytes[i + 1] - b'0');
    value.len() == 6 && (1..=12).contains(&two(2)) && two(4) <= 31
}

/// GS1 character set 82: the printable ASCII characters GS1 allows in alphanumeric AIs.
fn check_charset_82(ai: &str, value: &str) -> Result<(), Gs1Error> {
    const ALLOWED_PUNCTUATION: &str = "!\"%&'()*+,-./:;<=>?_";
    match value.chars().find(|&ch| !(ch.is_ascii_alphanumeric() || ALLOWED_PUNCTUATION.contains(ch))) {
        Some(ch) => Err(Gs1Error::BadCharacter { ai: ai.to_owned(), ch }),
        None => Ok(()),
    }
}
