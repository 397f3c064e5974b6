//! The courier data's own test numbers, all of them: every published valid number classifies as its courier,
//! no published invalid number is accepted by the entry that lists it. The JSON is read here independently of the
//! classifier's loader, so a loader that skipped an entry could not hide its vectors.

use std::collections::BTreeSet;

use rma_station::domain::scan::{Classifier, ClassifierConfig, Kind, Reading, TrackingNumber};
use rma_station::formats::courier_data::EMBEDDED_FILES;
use serde_json::Value;

struct Vector {
    courier_code: String,
    entry: String,
    number: String,
    valid: bool,
    /// Entries (of any courier) that publish this number as valid.
    published_valid_by: BTreeSet<String>,
}

fn entry_key(courier_code: &str, entry: &Value) -> String {
    match entry["id"].as_str() {
        Some(id) => id.to_owned(),
        None => format!("{courier_code}:{}", entry["name"].as_str().unwrap_or_default()),
    }
}

fn pattern_source(entry: &Value) -> String {
    match &entry["regex"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect(),
        other => panic!("regex is neither a string nor a list: {other}"),
    }
}

/// Every (file, courier_code, entry JSON) in the embedded data.
fn entries() -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (file, text) in EMBEDDED_FILES {
        let courier: Value = serde_json::from_str(text).expect("embedded courier JSON parses");
        let code = courier["courier_code"].as_str().expect("courier_code").to_owned();
        for entry in courier["tracking_numbers"].as_array().expect("tracking_numbers") {
            out.push(((*file).to_owned(), code.clone(), entry.clone()));
        }
    }
    out
}

fn vectors() -> Vec<Vector> {
    let mut vectors = Vec::new();
    for (_, courier_code, entry) in entries() {
        for (list, valid) in [("valid", true), ("invalid", false)] {
            for number in entry["test_numbers"][list].as_array().into_iter().flatten() {
                vectors.push(Vector {
                    courier_code: courier_code.clone(),
                    entry: entry_key(&courier_code, &entry),
                    number: number.as_str().expect("test number is a string").to_owned(),
                    valid,
                    published_valid_by: BTreeSet::new(),
                });
            }
        }
    }
    let valid: Vec<(String, String)> =
        vectors.iter().filter(|v| v.valid).map(|v| (v.number.clone(), v.entry.clone())).collect();
    for vector in &mut vectors {
        vector.published_valid_by = valid.iter().filter(|(n, _)| *n == vector.number).map(|(_, e)| e.clone()).collect();
    }
    vectors
}

fn classifier() -> Classifier {
    Classifier::new(&ClassifierConfig::default()).expect("embedded courier data loads")
}

fn tracking_readings(classification: &rma_station::domain::scan::Classification) -> Vec<&TrackingNumber> {
    std::iter::once(&classification.reading)
        .chain(&classification.alternatives)
        .filter_map(|r| match r {
            Reading::TrackingNumber(t) => Some(t),
            _ => None,
        })
        .collect()
}

#[test]
fn every_published_test_number() {
    let classifier = classifier();
    let vectors = vectors();
    let mut failures = Vec::new();
    for v in &vectors {
        let c = classifier.classify(&v.number);
        let readings = tracking_readings(&c);
        let primary = match &c.reading {
            Reading::TrackingNumber(t) => Some(t),
            _ => None,
        };
        if v.valid {
            if primary.map(|t| t.courier_code.as_str()) != Some(v.courier_code.as_str()) {
                failures.push(format!("valid {} ({}) classified as {:?}", v.number, v.entry, c.reading));
            }
            if !readings.iter().any(|t| t.entry == v.entry) {
                failures.push(format!("valid {} not matched by its own entry {}", v.number, v.entry));
            }
        } else {
            if readings.iter().any(|t| t.entry == v.entry) {
                failures.push(format!("invalid {} accepted by its own entry {}", v.number, v.entry));
            }
            // It may still be its courier's number through another entry, but only one that publishes it valid.
            if let Some(t) = primary
                && t.courier_code == v.courier_code
                && !v.published_valid_by.contains(&t.entry)
            {
                failures.push(format!("invalid {} ({}) classified as {}", v.number, v.entry, t.entry));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), vectors.len(), failures.join("\n"));
    // All of them were seen: a change in the data's size shows up here, not as a silently smaller test.
    assert_eq!((vectors.iter().filter(|v| v.valid).count(), vectors.len()), (192, 280), "vector count changed");
}

#[test]
fn invalid_numbers_kept_by_their_courier_through_another_entry() {
    // The one published invalid number that is still its courier's: listed invalid for Purolator's alphanumeric
    // format, and published valid for its numeric one.
    let kept: Vec<(String, String)> = vectors()
        .into_iter()
        .filter(|v| !v.valid && v.published_valid_by.iter().any(|e| e != &v.entry))
        .map(|v| (v.number, v.entry))
        .collect();
    assert_eq!(kept, [("331426749957".to_owned(), "purolator_alpha".to_owned())]);
}

#[test]
fn patterns_the_regex_crate_cannot_compile_are_listed_and_handled() {
    let mut unsupported = Vec::new();
    let mut reasons = Vec::new();
    for (file, courier_code, entry) in entries() {
        let key = entry_key(&courier_code, &entry);
        let mut check = |what: &str, source: &str| {
            if let Err(error) = regex::Regex::new(source) {
                // Say exactly why, so whoever updates the data sees what they are taking on.
                let reason = error.to_string().lines().last().unwrap_or_default().to_owned();
                reasons.push(format!("{file} {key} {what}: {reason}"));
                unsupported.push(format!("{key}: {what}"));
            }
        };
        check("regex", &pattern_source(&entry));
        if let Some(pattern) = entry["validation"]["serial_number_format"]["prepend_if"]["matches_regex"].as_str() {
            check("serial_number_format", pattern);
        }
    }
    // These use look-around; the loader compiles them (and only them) with fancy-regex, and the vectors above
    // prove they work. A new entry here must be looked at, not waved through.
    let expected = [
        "dhl_ecommerce: regex",
        "ontrac_c: serial_number_format",
        "ontrac_d: serial_number_format",
        "usps_impb_n: regex",
        "usps_legacy: serial_number_format",
        "usps_impb_c: regex",
    ];
    assert_eq!(unsupported, expected, "the regex crate refuses:\n{}", reasons.join("\n"));
    assert_eq!(classifier().courier_data().backtracking_patterns(), expected);
}

#[test]
fn every_entry_is_loaded() {
    let keys: Vec<String> = entries().iter().map(|(_, code, entry)| entry_key(code, entry)).collect();
    let loaded: Vec<String> = classifier().courier_data().entry_keys().map(str::to_owned).collect();
    assert_eq!(loaded, keys);
}

/// (code, carrier, normalized, routing ZIP)
#[track_caller]
fn check(code: &str, expected: (&str, &str, Option<&str>)) {
    let c = classifier().classify(code);
    let Reading::TrackingNumber(t) = &c.reading else {
        panic!("{code:?}: expected a tracking number, got {:?}", c.reading);
    };
    assert_eq!((t.courier_code.as_str(), t.normalized.as_str(), t.routing_zip.as_deref()), expected, "{code:?}");
}

#[test]
fn impb_routing_prefix_is_stripped() {
    // From the data: the USPS patterns carry the 420 + ZIP prefix themselves.
    check("420221539101026837331000039521", ("usps", "9101026837331000039521", Some("22153")));
    check("420 11213 92 6129098349792366623 8", ("usps", "9261290983497923666238", Some("11213")));
    check("4201028200009261290113185417468510", ("usps", "9261290113185417468510", Some("102820000")));
    check("420787459400111206206406260787", ("usps", "9400111206206406260787", Some("78745")));
    // As a GS1-128 scan: AIM identifier, FNC1 (GS) after the ZIP.
    check("]C142010282\u{1d}9261290113185417468510", ("usps", "9261290113185417468510", Some("10282")));
    check("]C1420102820000\u{1d}9261290113185417468510", ("usps", "9261290113185417468510", Some("102820000")));
    // A routing prefix in front of another carrier's number is stripped too.
    check("420123451Z5R89390357567127", ("ups", "1Z5R89390357567127", Some("12345")));
    check("]C1420123456789\u{1d}1Z5R89390357567127", ("ups", "1Z5R89390357567127", Some("123456789")));
    // Without a prefix the number is itself.
    check("9261290113185417468510", ("usps", "9261290113185417468510", None));
}

#[test]
fn fedex_34_digit_barcode_gives_the_12_digit_number() {
    check("1001921334250001000300779017972697", ("fedex", "779017972697", None));
    check(" 1 1 9 52 6 64739 3000 75211 00 8710 799 199 40", ("fedex", "871079919940", None));
    check("9622001900000000000000776632517510", ("fedex", "776632517510", None));
    check("32971514560102447849175802862014", ("fedex", "784917580286", None));
    // The 12 digits taken from every published 34-digit, GSN and ASTRA number are themselves valid FedEx
    // Express numbers: the extraction is right, not just consistent.
    let classifier = classifier();
    for v in vectors().iter().filter(|v| v.valid) {
        if !["fedex_34", "fedex_ground_gsn", "fedex_astra_32"].contains(&v.entry.as_str()) {
            continue;
        }
        let Reading::TrackingNumber(long) = classifier.classify(&v.number).reading else {
            panic!("{} is not a tracking number", v.number);
        };
        assert_eq!(long.normalized.len(), 12, "{}", v.number);
        assert!(long.barcode.is_some());
        let short = classifier.classify(&long.normalized);
        let entries: Vec<String> = tracking_readings(&short).iter().map(|t| t.entry.clone()).collect();
        assert!(entries.contains(&"fedex_12".to_owned()), "{} -> {} -> {entries:?}", v.number, long.normalized);
    }
}

#[test]
fn normalization_and_details() {
    check(" 1z5r 8939 0357 5671 27 ", ("ups", "1Z5R89390357567127", None));
    let c = classifier().classify("1Z879E930346834440");
    assert_eq!(c.kind(), Kind::TrackingNumber);
    let Reading::TrackingNumber(t) = &c.reading else { panic!("tracking number expected") };
    assert_eq!(t.service, "UPS");
    assert!(t.check_digit_verified);
    assert_eq!(t.details[0].name, "Service Type");
    assert_eq!(t.details[0].value, "03");
    assert_eq!(t.details[0].meaning.as_deref(), Some("UPS United States Ground"));
    // S10: the country code must be in the data's table (additional.exists), and names the postal operator.
    let c = classifier().classify("RB123456785GB");
    let Reading::TrackingNumber(t) = &c.reading else { panic!("tracking number expected") };
    assert_eq!(t.courier_code, "s10");
    assert!(t.details.iter().any(|d| d.name == "Courier" && d.value == "GB" && d.meaning.is_some()));
    assert_ne!(classifier().classify("RB123456785XX").kind(), Kind::TrackingNumber);
}

#[test]
fn data_licence_travels_with_it() {
    let licence = rma_station::formats::courier_data::DATA_LICENSE;
    assert!(licence.starts_with("MIT License"));
    assert!(licence.contains("Copyright (c) 2017 Jeff Keen"));
}
