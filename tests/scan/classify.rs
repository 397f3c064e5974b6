//! Classification: each kind, the order when a code fits several, merchant patterns, and the JSON report.

use rma_station::domain::scan::{Classifier, ClassifierConfig, ClassifierError, Kind, MerchantPattern};
use rma_station::formats::scan_json::classification_json;
use serde_json::json;

/// Merchant names here are test data; the station's come from policy files.
fn config() -> ClassifierConfig {
    let pattern =
        |merchant: &str, pattern: &str| MerchantPattern { merchant: merchant.into(), pattern: pattern.into() };
    ClassifierConfig {
        rma_patterns: vec![pattern("Merchant A", r"RMA-\d{6}"), pattern("Merchant B", r"R[0-9]{8}")],
        order_patterns: vec![pattern("Merchant A", r"#\d{4,6}"), pattern("Merchant B", r"\d{3}-\d{7}-\d{7}")],
    }
}

fn classifier() -> Classifier {
    Classifier::new(&config()).expect("test patterns compile")
}

/// (kind, normalized, and the alternatives' kinds)
#[track_caller]
fn check(code: &str, expected: (Kind, &str, &[Kind])) {
    let c = classifier().classify(code);
    let alternatives: Vec<Kind> = c.alternatives.iter().map(|r| r.kind()).collect();
    assert_eq!((c.kind(), c.normalized().as_str(), alternatives.as_slice()), expected, "{code:?}: {c:#?}");
}

#[test]
fn kinds() {
    use Kind::*;
    check("RMA-123456", (RmaNumber, "RMA-123456", &[]));
    check(" rma-123456 ", (RmaNumber, "RMA-123456", &[]));
    check("R12345678", (RmaNumber, "R12345678", &[]));
    check("#10042", (OrderNumber, "#10042", &[]));
    check("112-1234567-1234567", (OrderNumber, "112-1234567-1234567", &[]));
    check("1Z5R89390357567127", (TrackingNumber, "1Z5R89390357567127", &[]));
    check("036000291452", (ProductCode, "036000291452", &[]));
    check("4006381333931", (ProductCode, "4006381333931", &[]));
    check("]E04006381333931", (ProductCode, "4006381333931", &[]));
    check("]E496385074", (ProductCode, "96385074", &[]));
    check("]C10109501101530003172501011 0", (Unknown, "0109501101530003172501011 0", &[]));
    check("]C1010950110153000317250101", (Gs1, "(01)09501101530003(17)250101", &[]));
    check("]d2010950110153000310ABC\u{1d}21XYZ", (Gs1, "(01)09501101530003(10)ABC(21)XYZ", &[]));
    // Without an AIM identifier, GS1 data that starts with a GTIN or SSCC is still recognised...
    check("010950110153000317250101", (Gs1, "(01)09501101530003(17)250101", &[]));
    check("0109501101530003\u{1d}10ABC", (Gs1, "(01)09501101530003(10)ABC", &[]));
    check("(01)09501101530003(21)XYZ", (Gs1, "(01)09501101530003(21)XYZ", &[]));
    // ... but ordinary text that happens to start like a lot number is not.
    check("10ABC", (Unknown, "10ABC", &[]));
    check("SKU-ABC-123", (Unknown, "SKU-ABC-123", &[]));
    check("sn 0042", (Unknown, "sn 0042", &[]));
    check("", (Unknown, "", &[]));
}

#[test]
fn a_code_that_fits_several_kinds_names_one_and_lists_the_others() {
    use Kind::*;
    // 00 + SSCC is also a valid USPS 20-digit number: GS1 first, the tracking reading kept.
    check("00006141411234567890", (Gs1, "(00)006141411234567890", &[TrackingNumber]));
    // A 12-digit UPC-A whose digits also pass FedEx Express's check: a product code, unless the symbology says.
    check("360002914409", (ProductCode, "360002914409", &[TrackingNumber]));
    // The scanner's AIM identifier settles it: Code 128 is not how a UPC-A is printed.
    check("]C0360002914409", (TrackingNumber, "360002914409", &[ProductCode]));
    // Carrier GS1: FedEx Ground's 96 barcode in GS1-128 is a tracking number first.
    check("]C19622001900000000000000776632517510", (TrackingNumber, "776632517510", &[Gs1]));
    // An RMA pattern beats what the data would infer: configuration is what the station was told.
    check("R12345678", (RmaNumber, "R12345678", &[]));
}

#[test]
fn bad_merchant_pattern_is_an_error_naming_the_merchant() {
    let config = ClassifierConfig {
        rma_patterns: vec![MerchantPattern { merchant: "Merchant C".into(), pattern: "RMA-(\\d+".into() }],
        order_patterns: vec![],
    };
    let error = Classifier::new(&config).expect_err("unbalanced parenthesis");
    assert!(matches!(&error, ClassifierError::MerchantPattern { merchant, .. } if merchant == "Merchant C"));
    assert!(error.to_string().starts_with("Merchant C: pattern \"RMA-(\\\\d+\" is not a valid regular expression"));
}

#[test]
fn json_report() {
    let classifier = classifier();
    let report = classification_json(&classifier.classify("420221539101026837331000039521"));
    assert_eq!(report["kind"], "tracking_number");
    assert_eq!(report["normalized"], "9101026837331000039521");
    assert_eq!(report["carrier"], "usps");
    assert_eq!(report["service"], "USPS Legacy");
    assert_eq!(report["routing_zip"], "22153");
    assert_eq!(report["barcode"], "420221539101026837331000039521");
    assert_eq!(report["symbology"], json!(null));

    let report = classification_json(&classifier.classify("]C1010950110153000310ABC"));
    assert_eq!(
        report,
        json!({
            "kind": "gs1",
            "normalized": "(01)09501101530003(10)ABC",
            "elements": [
                { "ai": "01", "title": "GTIN", "value": "09501101530003" },
                { "ai": "10", "title": "BATCH/LOT", "value": "ABC" },
            ],
            "input": "]C1010950110153000310ABC",
            "symbology": "]C1",
            "alternatives": [],
        })
    );

    let report = classification_json(&classifier.classify("036000291452"));
    assert_eq!(report["kind"], "product_code");
    assert_eq!(report["format"], "upc_a");
    assert_eq!(report["gtin"], "00036000291452");

    for (code, kind, normalized) in [
        ("rma-123456", "rma_number", "RMA-123456"),
        ("#1001", "order_number", "#1001"),
        (" hello ", "unknown", "hello"),
    ] {
        let report = classification_json(&classifier.classify(code));
        assert_eq!((report["kind"].as_str(), report["normalized"].as_str()), (Some(kind), Some(normalized)), "{code}");
    }
}
