//! A scan's classification as JSON: the report `rma-station classify` prints per code and `listen` prints per
//! scan. The domain's [`Classification`] does not know JSON; this module writes its fields under the names the
//! report has always used (`kind`, `normalized`, `carrier`, `service`, `routing_zip`, `elements`, `gtin`...).

use serde_json::{Value, json};

use crate::domain::scan::{Classification, Reading};

/// The report for one reading (without `input`, `symbology` and `alternatives`).
fn reading_json(reading: &Reading) -> Value {
    let mut value = json!({
        "kind": reading.kind().as_str(),
        "normalized": reading.normalized(),
    });
    let Value::Object(map) = &mut value else {
        return value;
    };
    match reading {
        Reading::RmaNumber(m) | Reading::OrderNumber(m) => {
            map.insert("merchant".into(), json!(m.merchant));
        }
        Reading::TrackingNumber(t) => {
            map.insert("carrier".into(), json!(t.courier_code));
            map.insert("carrier_name".into(), json!(t.courier_name));
            map.insert("service".into(), json!(t.service));
            map.insert("entry".into(), json!(t.entry));
            map.insert("check_digit_verified".into(), json!(t.check_digit_verified));
            if let Some(barcode) = &t.barcode {
                map.insert("barcode".into(), json!(barcode));
            }
            if let Some(zip) = &t.routing_zip {
                map.insert("routing_zip".into(), json!(zip));
            }
            if !t.details.is_empty() {
                let details: Vec<Value> = t
                    .details
                    .iter()
                    .map(|d| json!({ "name": d.name, "value": d.value, "meaning": d.meaning }))
                    .collect();
                map.insert("details".into(), Value::Array(details));
            }
        }
        Reading::Gs1(data) => {
            let elements: Vec<Value> =
                data.elements().iter().map(|e| json!({ "ai": e.ai, "title": e.title, "value": e.value })).collect();
            map.insert("elements".into(), Value::Array(elements));
        }
        Reading::ProductCode(p) => {
            map.insert("format".into(), json!(p.format().as_str()));
            map.insert("gtin".into(), json!(p.gtin14()));
        }
        Reading::Unknown { .. } => {}
    }
    value
}

/// The report for the CLI (`rma-station classify CODE...`): `kind`, `normalized`, per-kind fields (`carrier` and
/// `service` for tracking numbers), `input`, `symbology` and `alternatives`.
pub fn classification_json(classification: &Classification) -> Value {
    let mut value = reading_json(&classification.reading);
    if let Value::Object(map) = &mut value {
        map.insert("input".into(), json!(classification.input));
        map.insert("symbology".into(), json!(classification.symbology.map(|s| s.aim_id())));
        map.insert("alternatives".into(), Value::Array(classification.alternatives.iter().map(reading_json).collect()));
    }
    value
}
