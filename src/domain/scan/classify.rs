//! Classification: what a scan is. An RMA number, an order number (each merchant's patterns, from configuration),
//! a carrier tracking number, GS1 data, a product code, or unknown text (a SKU or serial candidate).
//!
//! The classifier is pure: it gets the code (and the merchant patterns once, at construction) and returns a
//! value. It does not look anything up (which return an RMA number belongs to, which product a GTIN is) and it
//! does not refuse unsafe text: scans from a serial scanner were screened by the framer, and other input should
//! go through [`super::framing::screen_text`] first.
//!
//! A code can fit several kinds: a 12-digit number can be both a UPC-A and a FedEx Express number, and `00` + an
//! SSCC is also a valid USPS 20-digit number. The classification names one reading and lists the others as
//! `alternatives`, so a screen can show the doubt instead of hiding it. The reading chosen comes from, in order:
//! 1. the merchant patterns (RMA, then order): configuration is what the station was told, and beats inference;
//! 2. the symbology, when the scanner sent an AIM identifier: an EAN/UPC or ITF symbol is a product code, a GS1
//!    symbol is GS1 data unless it is a carrier's (USPS IMpb `420` + ZIP + tracking, or carrier-internal AIs
//!    90–99 holding a tracking number);
//! 3. without a symbology: GS1 data only when it starts with an SSCC or GTIN (AI 00/01/02) and parses completely
//!    with valid check digits; then a product code with a valid check digit, because on a returns bench items
//!    outnumber boxes and carrier labels carry long barcodes (a bare 12-digit FedEx number is a typed one);
//!    then tracking numbers; then unknown text.

use regex::Regex;

use super::framing::GS;
use super::gs1::{Gs1Data, parse_gs1};
use super::product_code::ProductCode;
use super::symbology::{Symbology, SymbologyFamily};
use super::tracking::{CourierData, CourierDataError, TrackingNumber};

/// A merchant's pattern for its RMA or order numbers. The pattern must match the whole scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantPattern {
    pub merchant: String,
    pub pattern: String,
}

/// What the classifier is told; merchant patterns come from policy files and station settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassifierConfig {
    pub rma_patterns: Vec<MerchantPattern>,
    pub order_patterns: Vec<MerchantPattern>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClassifierError {
    #[error("{merchant}: pattern {pattern:?} is not a valid regular expression: {source}")]
    MerchantPattern { merchant: String, pattern: String, source: regex::Error },
    #[error("courier data: {0}")]
    CourierData(#[from] CourierDataError),
}

/// The kinds of scan, as reported (`kind` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    RmaNumber,
    TrackingNumber,
    Gs1,
    ProductCode,
    OrderNumber,
    Unknown,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::RmaNumber => "rma_number",
            Kind::TrackingNumber => "tracking_number",
            Kind::Gs1 => "gs1",
            Kind::ProductCode => "product_code",
            Kind::OrderNumber => "order_number",
            Kind::Unknown => "unknown",
        }
    }
}

/// A code matched by a merchant's pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantMatch {
    pub merchant: String,
    pub normalized: String,
}

/// One way of reading a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    RmaNumber(MerchantMatch),
    OrderNumber(MerchantMatch),
    TrackingNumber(TrackingNumber),
    Gs1(Gs1Data),
    ProductCode(ProductCode),
    /// Text that is none of the above: a SKU or serial number candidate.
    Unknown {
        normalized: String,
    },
}

impl Reading {
    pub fn kind(&self) -> Kind {
        match self {
            Reading::RmaNumber(_) => Kind::RmaNumber,
            Reading::OrderNumber(_) => Kind::OrderNumber,
            Reading::TrackingNumber(_) => Kind::TrackingNumber,
            Reading::Gs1(_) => Kind::Gs1,
            Reading::ProductCode(_) => Kind::ProductCode,
            Reading::Unknown { .. } => Kind::Unknown,
        }
    }

    /// The code in the form to store and compare (see each kind for what that means).
    pub fn normalized(&self) -> String {
        match self {
            Reading::RmaNumber(m) | Reading::OrderNumber(m) => m.normalized.clone(),
            Reading::TrackingNumber(t) => t.normalized.clone(),
            Reading::Gs1(g) => g.human_readable(),
            Reading::ProductCode(p) => p.digits().to_owned(),
            Reading::Unknown { normalized } => normalized.clone(),
        }
    }
}

/// What a scan is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// The code as given, with surrounding whitespace trimmed (AIM identifier included, if any).
    pub input: String,
    /// From the AIM identifier, when the code had one.
    pub symbology: Option<Symbology>,
    /// The reading chosen (see the module documentation for the order).
    pub reading: Reading,
    /// Other valid readings of the same code, best first.
    pub alternatives: Vec<Reading>,
}

impl Classification {
    pub fn kind(&self) -> Kind {
        self.reading.kind()
    }

    pub fn normalized(&self) -> String {
        self.reading.normalized()
    }
}

#[derive(Debug)]
struct CompiledPattern {
    merchant: String,
    regex: Regex,
}

fn compile_patterns(patterns: &[MerchantPattern]) -> Result<Vec<CompiledPattern>, ClassifierError> {
    patterns
        .iter()
        .map(|p| {
            Regex::new(&format!("^(?:{})$", p.pattern))
                .map(|regex| CompiledPattern { merchant: p.merchant.clone(), regex })
                .map_err(|source| ClassifierError::MerchantPattern {
                    merchant: p.merchant.clone(),
                    pattern: p.pattern.clone(),
                    source,
                })
        })
        .collect()
}

/// Classifies codes. Build once (it compiles the merchant patterns and takes the compiled courier data), then
/// call [`Classifier::classify`] per scan. `Classifier::new`, the constructor with the station's embedded courier
/// data, is in `crate::formats::courier_data`, where that data's JSON is read: the core never reads it.
#[derive(Debug)]
pub struct Classifier {
    rma: Vec<CompiledPattern>,
    orders: Vec<CompiledPattern>,
    couriers: CourierData,
}

impl Classifier {
    /// A classifier with the merchants' patterns of `config` and the given courier data.
    pub fn with_couriers(config: &ClassifierConfig, couriers: CourierData) -> Result<Classifier, ClassifierError> {
        Ok(Classifier {
            rma: compile_patterns(&config.rma_patterns)?,
            orders: compile_patterns(&config.order_patterns)?,
            couriers,
        })
    }

    pub fn courier_data(&self) -> &CourierData {
        &self.couriers
    }

    pub fn classify(&self, code: &str) -> Classification {
        let input = code.trim();
        let (symbology, body) = Symbology::split_prefix(input);
        let body = body.trim();
        // Carriers and merchants print numbers in groups and people type them in lower case.
        let compact: String =
            body.chars().filter(|c| !c.is_whitespace() && *c != GS).flat_map(char::to_uppercase).collect();

        let mut readings = Vec::new();
        for (patterns, make) in [
            (&self.rma, Reading::RmaNumber as fn(MerchantMatch) -> Reading),
            (&self.orders, Reading::OrderNumber as fn(MerchantMatch) -> Reading),
        ] {
            for pattern in patterns {
                // As printed first (an RMA pattern may be case-sensitive), then compacted.
                let normalized = [body, compact.as_str()].into_iter().find(|text| pattern.regex.is_match(text));
                if let Some(normalized) = normalized {
                    readings.push(make(MerchantMatch {
                        merchant: pattern.merchant.clone(),
                        normalized: normalized.to_owned(),
                    }));
                }
            }
        }

        let tracking = || self.couriers.identify(body).into_iter().map(Reading::TrackingNumber);
        let product = || ProductCode::parse(&compact).ok().map(Reading::ProductCode);
        let family = symbology.map(|s| s.family());
        let gs1_context = family == Some(SymbologyFamily::Gs1) || body.contains(GS);
        if gs1_context {
            match parse_gs1(body) {
                Ok(data) if is_carrier_gs1(&data) => {
                    readings.extend(tracking());
                    readings.push(Reading::Gs1(data));
                }
                Ok(data) => {
                    readings.push(Reading::Gs1(data));
                    readings.extend(tracking());
                }
                Err(_) => readings.extend(tracking()),
            }
            readings.extend(product());
        } else {
            match family {
                Some(SymbologyFamily::EanUpc | SymbologyFamily::Itf) => {
                    readings.extend(product());
                    readings.extend(tracking());
                }
                Some(_) => {
                    // A known non-GS1, non-retail symbology (Code 128, Code 39, QR): text, not a product code first.
                    readings.extend(tracking());
                    readings.extend(product());
                }
                None => {
                    readings.extend(strict_gs1(body).map(Reading::Gs1));
                    readings.extend(product());
                    readings.extend(tracking());
                }
            }
        }

        let mut readings = readings.into_iter();
        let reading = readings.next().unwrap_or_else(|| Reading::Unknown { normalized: body.to_owned() });
        Classification { input: input.to_owned(), symbology, reading, alternatives: readings.collect() }
    }
}

/// GS1 data that is really a carrier label: USPS IMpb starts with AI 420 (ship-to ZIP); carriers put tracking
/// numbers in the company-internal AIs 90–99 (USPS 91–95, FedEx Ground 96).
fn is_carrier_gs1(data: &Gs1Data) -> bool {
    let elements = data.elements();
    elements.first().is_some_and(|e| e.ai == "420") || elements.iter().all(|e| e.ai.len() == 2 && e.ai.starts_with('9'))
}

/// Without a symbology or GS, GS1 data is only recognised when it starts with an SSCC or a GTIN and parses to
/// the end with valid check digits; anything looser would read ordinary text (a lot number "10…") as GS1.
fn strict_gs1(body: &str) -> Option<Gs1Data> {
    if !(body.starts_with("00") || body.starts_with("01") || body.starts_with("02") || body.starts_with('(')) {
        return None;
    }
    parse_gs1(body).ok()
}
