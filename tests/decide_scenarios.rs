//! Scenario table for the decision engine: every rule of both policy files, one row per case.
//!
//! Written from the specification (`decide-json.md`, `policy-decisions.md`), the merchants' own words and the
//! station's readings, independently of the engine: every amount below was worked out by hand, in the comment
//! beside it. A mismatch is therefore a question to settle (engine or expectation), never something to paper over
//! by copying the engine's answer.
//!
//! Each row names the clause it exercises; `check` requires that clause among the decision's `reasons[].clause`.
//! Money is given as the seven fields of the contract in the order of `MONEY_FIELDS`. Decisions are made on
//! 2026-11-21 unless the row says otherwise, so a ConnectPRO refund is due 2026-12-05 (+14) and a Konnected one
//! 2026-11-29 (+8).

use serde_json::{Value, json};

use crate::support::{decide, decide_on};

/// The harness's default decision date.
const TODAY: &str = "2026-11-21";

/// The money fields of the contract, in the order every row gives them.
const MONEY_FIELDS: [&str; 7] =
    ["items_accepted", "restocking_fee", "card_fee", "return_label", "handling_fee", "shipping_not_refunded", "net"];

/// Nothing paid, nothing charged: every hold, and every denial that charges no handling fee.
const ZERO: [&str; 7] = ["0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"];

/// A Konnected denial of goods it never authorised: only the $10.00 handling fee shows; net 0.00.
const KN_HANDLING_ONLY: [&str; 7] = ["0.00", "0.00", "0.00", "0.00", "10.00", "0.00", "0.00"];

/// The spec's own example: KVM-4P 299.00 + shipping 25.00 = order total 324.00.
/// Card fee: 2.6% of 324.00 = 8.424, + 0.30 = 8.724 -> 8.72. Net 299.00 - 8.72 = 290.28. Shipping kept: 25.00.
const CP_KVM_REFUND: [&str; 7] = ["299.00", "0.00", "8.72", "0.00", "0.00", "25.00", "290.28"];

/// A KVM-4P (299.00) replaced or exchanged: the value of what is replaced, no deductions, nothing paid.
const CP_KVM_GOODS: [&str; 7] = ["299.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"];

/// Konnected's alarm panel (199.00, shipping 9.95, label 7.25) refunded: 199.00 - 7.25 = 191.75, no card fee.
const KN_PANEL_REFUND: [&str; 7] = ["199.00", "0.00", "0.00", "7.25", "0.00", "9.95", "191.75"];

/// Konnected's alarm panel replaced or exchanged: nothing paid, no label, shipping not mentioned.
const KN_PANEL_GOODS: [&str; 7] = ["199.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"];

// ---------------------------------------------------------------------------------------------------------------
// The scenario row and its check
// ---------------------------------------------------------------------------------------------------------------

/// What one order line of the decision must say.
#[derive(Debug, Clone)]
struct LineExp {
    sku: &'static str,
    ordered: u64,
    received: u64,
    accepted: u64,
    missing: u64,
    fee: &'static str,
    refused: Option<u64>,
    outcome: Option<&'static str>,
}

impl LineExp {
    fn refused(mut self, refused: u64) -> Self {
        self.refused = Some(refused);
        self
    }

    fn outcome(mut self, outcome: &'static str) -> Self {
        self.outcome = Some(outcome);
        self
    }
}

/// `ln(sku, ordered, received, accepted, missing, fee)`.
fn ln(sku: &'static str, ordered: u64, received: u64, accepted: u64, missing: u64, fee: &'static str) -> LineExp {
    LineExp { sku, ordered, received, accepted, missing, fee, refused: None, outcome: None }
}

/// One case: the input, the clause it exercises, and the decision worked out by hand.
#[derive(Debug, Clone)]
struct Scenario {
    name: &'static str,
    clause: &'static str,
    case: Value,
    decided_on: &'static str,
    verdict: &'static str,
    disposition: &'static str,
    money: [&'static str; 7],
    lines: Vec<LineExp>,
    flags: Vec<&'static str>,
    also: Vec<&'static str>,
    /// `Some(Some(date))`: `refund_due_on` is that date; `Some(None)`: it is null; `None`: not checked.
    due: Option<Option<&'static str>>,
}

/// Starts a row; the verdict must be set with `is`, the money with `money`.
fn sc(name: &'static str, clause: &'static str, case: Value) -> Scenario {
    Scenario {
        name,
        clause,
        case,
        decided_on: TODAY,
        verdict: "?",
        disposition: "?",
        money: ZERO,
        lines: Vec::new(),
        flags: Vec::new(),
        also: Vec::new(),
        due: None,
    }
}

impl Scenario {
    fn is(mut self, verdict: &'static str, disposition: &'static str) -> Self {
        self.verdict = verdict;
        self.disposition = disposition;
        self
    }

    fn money(mut self, money: [&'static str; 7]) -> Self {
        self.money = money;
        self
    }

    fn line(mut self, line: LineExp) -> Self {
        self.lines.push(line);
        self
    }

    fn flags(mut self, flags: &[&'static str]) -> Self {
        self.flags = flags.to_vec();
        self
    }

    /// Further clauses that must be among the reasons (e.g. the refusal behind an evidence hold).
    fn also(mut self, clauses: &[&'static str]) -> Self {
        self.also.extend_from_slice(clauses);
        self
    }

    fn due(mut self, due: Option<&'static str>) -> Self {
        self.due = Some(due);
        self
    }

    fn on(mut self, date: &'static str) -> Self {
        self.decided_on = date;
        self
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Every difference between the row and the engine's decision, one line each.
fn mismatches(s: &Scenario) -> Vec<String> {
    let got = if s.decided_on == TODAY { decide(&s.case) } else { decide_on(&s.case, s.decided_on) };
    let mut out = Vec::new();
    let mut expect = |field: &str, expected: &str, actual: &Value| {
        if actual.as_str() != Some(expected) {
            out.push(format!("{}: {field}: expected {expected:?}, got {}", s.name, text(actual)));
        }
    };
    expect("verdict", s.verdict, &got["verdict"]);
    expect("disposition", s.disposition, &got["disposition"]);
    for (field, expected) in MONEY_FIELDS.iter().zip(s.money) {
        expect(&format!("money.{field}"), expected, &got["money"][field]);
    }
    expect("decided_on", s.decided_on, &got["decided_on"]);
    match s.due {
        Some(Some(date)) => expect("refund_due_on", date, &got["refund_due_on"]),
        Some(None) if !got["refund_due_on"].is_null() => {
            out.push(format!("{}: refund_due_on: expected null, got {}", s.name, got["refund_due_on"]));
        }
        _ => {}
    }

    let lines: &[Value] = got["lines"].as_array().map_or(&[], Vec::as_slice);
    for want in &s.lines {
        let Some(line) = lines.iter().find(|l| l["sku"].as_str() == Some(want.sku)) else {
            out.push(format!("{}: lines[{}]: expected a line, got none in {}", s.name, want.sku, got["lines"]));
            continue;
        };
        let counts = [
            ("ordered", Some(want.ordered)),
            ("received", Some(want.received)),
            ("accepted", Some(want.accepted)),
            ("missing", Some(want.missing)),
            ("refused", want.refused),
        ];
        for (field, expected) in counts {
            if let Some(expected) = expected
                && line[field].as_u64() != Some(expected)
            {
                out.push(format!(
                    "{}: lines[{}].{field}: expected {expected}, got {}",
                    s.name,
                    want.sku,
                    text(&line[field])
                ));
            }
        }
        if line["fee"].as_str() != Some(want.fee) {
            out.push(format!(
                "{}: lines[{}].fee: expected {:?}, got {}",
                s.name,
                want.sku,
                want.fee,
                text(&line["fee"])
            ));
        }
        if let Some(outcome) = want.outcome
            && line["outcome"].as_str() != Some(outcome)
        {
            out.push(format!(
                "{}: lines[{}].outcome: expected {outcome:?}, got {}",
                s.name,
                want.sku,
                text(&line["outcome"])
            ));
        }
    }

    let clauses: Vec<&str> =
        got["reasons"].as_array().map_or(&[][..], Vec::as_slice).iter().filter_map(|r| r["clause"].as_str()).collect();
    for clause in std::iter::once(&s.clause).chain(&s.also) {
        if !clauses.contains(clause) {
            out.push(format!("{}: reasons: expected clause {clause:?} among {clauses:?}", s.name));
        }
    }

    let mut flags: Vec<&str> =
        got["flags"].as_array().map_or(&[][..], Vec::as_slice).iter().filter_map(Value::as_str).collect();
    flags.sort_unstable();
    let mut want_flags = s.flags.clone();
    want_flags.sort_unstable();
    if flags != want_flags {
        out.push(format!("{}: flags: expected {want_flags:?}, got {}", s.name, got["flags"]));
    }
    out
}

/// Checks one row and panics with every difference found.
#[track_caller]
fn check(case: &Scenario) {
    let found = mismatches(case);
    assert!(found.is_empty(), "\n{}\n", found.join("\n"));
}

/// Checks a whole table and reports every row that differs, not just the first.
#[track_caller]
fn check_all(table: &[Scenario]) {
    let found: Vec<String> = table.iter().flat_map(mismatches).collect();
    assert!(found.is_empty(), "{} mismatch(es):\n{}\n", found.len(), found.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------------
// Case builders
// ---------------------------------------------------------------------------------------------------------------

/// Deep merge: objects merge key by key, anything else (including null and arrays) replaces.
fn merge(base: Value, patch: Value) -> Value {
    match (base, patch) {
        (Value::Object(mut base), Value::Object(patch)) => {
            for (key, value) in patch {
                let old = base.remove(&key).unwrap_or(Value::Null);
                base.insert(key, merge(old, value));
            }
            Value::Object(base)
        }
        (_, patch) => patch,
    }
}

/// Small edits on a case or an item, so each row says only what differs from the defaults.
trait Edit: Sized {
    fn with(self, patch: Value) -> Value;
    fn order(self, patch: Value) -> Value;
    fn rma(self, patch: Value) -> Value;
    fn insp(self, patch: Value) -> Value;
    /// Sets the day the RMA was requested and the day the package arrived.
    fn dates(self, requested_on: &str, received_on: &str) -> Value;
    fn without_rma(self) -> Value;
}

impl Edit for Value {
    fn with(self, patch: Value) -> Value {
        merge(self, patch)
    }

    fn order(self, patch: Value) -> Value {
        merge(self, json!({ "order": patch }))
    }

    fn rma(self, patch: Value) -> Value {
        merge(self, json!({ "rma": patch }))
    }

    fn insp(self, patch: Value) -> Value {
        merge(self, json!({ "inspection": patch }))
    }

    fn dates(self, requested_on: &str, received_on: &str) -> Value {
        self.rma(json!({ "requested_on": requested_on })).insp(json!({ "received_on": received_on }))
    }

    fn without_rma(mut self) -> Value {
        if let Some(case) = self.as_object_mut() {
            case.remove("rma");
        }
        self
    }
}

/// An order line; the three non-returnable flags default to false and are set with `.with(json!(..))`.
fn line(sku: &str, category: &str, qty: u32, unit_price: &str) -> Value {
    json!({ "sku": sku, "category": category, "qty": qty, "unit_price": unit_price,
            "on_sale": false, "special_order": false, "gift_card": false })
}

/// An item as received: sealed, sticker intact, original packaging, no defect, no damage, two photos.
fn item(sku: &str, qty: u32) -> Value {
    json!({ "sku": sku, "qty": qty, "condition": "sealed", "sticker": "intact", "disassembled": false,
            "packaging": "original", "defect": "none", "damage_cause": "none", "photos": 2 })
}

/// An item sent in under warranty: used, with the given defect, no damage cause, two photos.
fn faulty(sku: &str, sticker: &str, defect: &str) -> Value {
    item(sku, 1).with(json!({ "condition": "used", "sticker": sticker, "defect": defect }))
}

/// An item that arrived damaged by the carrier on its way to the customer, two photos.
fn carrier_damaged(sku: &str, sticker: &str) -> Value {
    item(sku, 1).with(json!({ "condition": "damaged", "sticker": sticker, "defect": "breakage",
                              "damage_cause": "outbound_shipping" }))
}

fn kvm(qty: u32) -> Value {
    line("KVM-4P", "kvm_switch", qty, "299.00")
}

fn panel(qty: u32) -> Value {
    line("KN-PANEL", "alarm_panel", qty, "199.00")
}

/// A ConnectPRO return: delivered 2026-09-04, shipping 25.00, requested 2026-09-10 (day 6), refund, no label,
/// received 2026-09-15.
fn cp(lines: Vec<Value>, items: Vec<Value>) -> Value {
    json!({
        "merchant": "connectpro",
        "order": { "number": "CP-10023", "channel": "direct", "country": "US",
                   "purchased_on": "2026-09-01", "delivered_on": "2026-09-04", "shipping_charged": "25.00",
                   "gifted": false, "referral": null, "lines": lines },
        "rma": { "number": "RMA-2026-0001", "requested_on": "2026-09-10", "kind": "return",
                 "resolution": "refund", "defective_on_arrival": false, "return_label_cost": "0.00" },
        "inspection": { "received_on": "2026-09-15", "original_owner": true, "commercial_use": false,
                        "proof_of_purchase": true, "items": items }
    })
}

/// The spec's example package: one KVM-4P ordered, one received, sealed.
fn cp_kvm() -> Value {
    cp(vec![kvm(1)], vec![item("KVM-4P", 1)])
}

/// A ConnectPRO warranty claim for one item: delivered 2026-03-02, requested 2026-11-10, received 2026-11-16,
/// replacement asked, the item used with a malfunction.
fn cp_warranty(lines: Vec<Value>, items: Vec<Value>) -> Value {
    cp(lines, items)
        .order(json!({ "purchased_on": "2026-02-26", "delivered_on": "2026-03-02" }))
        .rma(json!({ "kind": "warranty", "resolution": "replacement" }))
        .dates("2026-11-10", "2026-11-16")
}

/// A ConnectPRO KVM-4P warranty claim with the item's state patched.
fn cp_kvm_claim(patch: Value) -> Value {
    cp_warranty(vec![kvm(1)], vec![faulty("KVM-4P", "intact", "malfunction").with(patch)])
}

/// A ConnectPRO warranty claim for one item of `category` delivered on `delivered_on`, requested on `requested_on`.
fn cp_claim_on(sku: &str, category: &str, price: &str, delivered_on: &str, requested_on: &str) -> Value {
    let sticker = if category == "kvm_switch" { "intact" } else { "none" };
    cp(vec![line(sku, category, 1, price)], vec![faulty(sku, sticker, "malfunction")])
        .order(json!({ "purchased_on": delivered_on, "delivered_on": delivered_on }))
        .rma(json!({ "kind": "warranty", "resolution": "replacement" }))
        .dates(requested_on, requested_on)
}

/// A ConnectPRO shipping-damage claim for the KVM-4P: requested 2026-09-10 (day 6), refund asked, a prepaid
/// label of 8.50 issued.
fn cp_damage(resolution: &str) -> Value {
    cp(vec![kvm(1)], vec![carrier_damaged("KVM-4P", "intact")])
        .rma(json!({ "kind": "shipping_damage", "resolution": resolution, "return_label_cost": "8.50" }))
}

/// A Konnected return: delivered 2026-09-01, shipping 9.95, requested 2026-09-10 (day 9), refund, prepaid label
/// 7.25, received 2026-09-16.
fn kn(lines: Vec<Value>, items: Vec<Value>) -> Value {
    json!({
        "merchant": "konnected",
        "order": { "number": "KN1042", "channel": "direct", "country": "US",
                   "purchased_on": "2026-08-28", "delivered_on": "2026-09-01", "shipping_charged": "9.95",
                   "gifted": false, "referral": null, "lines": lines },
        "rma": { "number": "KN-RMA-0042", "requested_on": "2026-09-10", "kind": "return",
                 "resolution": "refund", "defective_on_arrival": false, "return_label_cost": "7.25" },
        "inspection": { "received_on": "2026-09-16", "original_owner": true, "commercial_use": false,
                        "proof_of_purchase": true, "items": items }
    })
}

/// One alarm panel ordered and received, sealed (Konnected products carry no warranty sticker).
fn kn_panel() -> Value {
    kn(vec![panel(1)], vec![kn_item("KN-PANEL", 1)])
}

fn kn_item(sku: &str, qty: u32) -> Value {
    item(sku, qty).with(json!({ "sticker": "none" }))
}

/// The alarm panel returned in the given state.
fn kn_panel_as(patch: Value) -> Value {
    kn(vec![panel(1)], vec![kn_item("KN-PANEL", 1).with(patch)])
}

/// A Konnected warranty claim: purchased 2025-10-31, delivered 2025-11-04, requested 2026-10-20, received
/// 2026-10-27, replacement asked; the panel used with a manufacturing defect, two photos.
fn kn_warranty(lines: Vec<Value>, items: Vec<Value>) -> Value {
    kn(lines, items)
        .order(json!({ "purchased_on": "2025-10-31", "delivered_on": "2025-11-04" }))
        .rma(json!({ "kind": "warranty", "resolution": "replacement" }))
        .dates("2026-10-20", "2026-10-27")
}

fn kn_panel_claim(patch: Value) -> Value {
    kn_warranty(vec![panel(1)], vec![faulty("KN-PANEL", "none", "manufacturing").with(patch)])
}

/// A Konnected shipping-damage claim for the panel: delivered 2026-09-01, requested 2026-09-10 (day 9),
/// replacement asked.
fn kn_damage(patch: Value) -> Value {
    kn(vec![panel(1)], vec![carrier_damaged("KN-PANEL", "none").with(patch)])
        .rma(json!({ "kind": "shipping_damage", "resolution": "replacement" }))
}

// ---------------------------------------------------------------------------------------------------------------
// ConnectPRO returns
// ---------------------------------------------------------------------------------------------------------------

fn connectpro_return_cases() -> Vec<Scenario> {
    let refused = |sku| ln(sku, 1, 1, 0, 0, "0.00").refused(1).outcome("refused");
    vec![
        // The spec's example: 2.6% of 324.00 = 8.424, + 0.30 = 8.724 -> 8.72; 299.00 - 8.72 = 290.28.
        // Refund due 2026-11-21 + 14 = 2026-12-05.
        sc("cp_spec_example_kvm_4p", "connectpro/refund/card-fee", cp_kvm())
            .is("accept", "refund")
            .money(CP_KVM_REFUND)
            .line(ln("KVM-4P", 1, 1, 1, 0, "0.00").refused(0).outcome("accepted"))
            .due(Some("2026-12-05")),
        // Delivered 09-04; requested 09-19 is day 15 = W: met. Money as the spec example.
        sc("cp_window_day_15_accepted", "connectpro/return/window", cp_kvm().dates("2026-09-19", "2026-09-24"))
            .is("accept", "refund")
            .money(CP_KVM_REFUND),
        // Requested 09-20 is day 16 = W + 1: everything denied, nothing charged (ConnectPRO has no handling fee).
        sc("cp_window_day_16_denied", "connectpro/return/window", cp_kvm().dates("2026-09-20", "2026-09-25"))
            .is("deny", "return_to_customer")
            .money(ZERO)
            .line(refused("KVM-4P"))
            .due(None),
        // Delivered 08-31; 09-15 is day 15 (Aug 31 + 1 = Sep 1, + 14 = Sep 15).
        sc(
            "cp_window_day_15_across_month_end",
            "connectpro/return/window",
            cp_kvm()
                .order(json!({ "purchased_on": "2026-08-27", "delivered_on": "2026-08-31" }))
                .dates("2026-09-15", "2026-09-18"),
        )
        .is("accept", "refund")
        .money(CP_KVM_REFUND),
        // Delivered 08-31; 09-16 is day 16.
        sc(
            "cp_window_day_16_across_month_end",
            "connectpro/return/window",
            cp_kvm()
                .order(json!({ "purchased_on": "2026-08-27", "delivered_on": "2026-08-31" }))
                .dates("2026-09-16", "2026-09-18"),
        )
        .is("deny", "return_to_customer")
        .money(ZERO),
        // An exchange follows the same window: day 16 denied.
        sc(
            "cp_exchange_day_16_denied",
            "connectpro/return/window",
            cp_kvm().rma(json!({ "resolution": "exchange" })).dates("2026-09-20", "2026-09-25"),
        )
        .is("deny", "return_to_customer")
        .money(ZERO),
        // Exchange: items_accepted = 299.00 (what is exchanged), no card fee, no shipping line, net 0.00, no due date.
        sc("cp_exchange_accepted", "connectpro/return/resolutions", cp_kvm().rma(json!({ "resolution": "exchange" })))
            .is("accept", "exchange")
            .money(CP_KVM_GOODS)
            .line(ln("KVM-4P", 1, 1, 1, 0, "0.00"))
            .due(None),
        // ConnectPRO names no store credit for a return: the package waits for the customer's choice; all zero.
        sc(
            "cp_store_credit_holds",
            "connectpro/return/resolutions",
            cp_kvm().rma(json!({ "resolution": "store_credit" })),
        )
        .is("hold", "hold")
        .money(ZERO)
        .line(ln("KVM-4P", 1, 1, 0, 0, "0.00").outcome("hold"))
        .due(None),
        // A return asking for a replacement is not a return ConnectPRO offers: hold.
        sc(
            "cp_return_replacement_holds",
            "connectpro/return/resolutions",
            cp_kvm().rma(json!({ "resolution": "replacement" })),
        )
        .is("hold", "hold")
        .money(ZERO)
        .line(ln("KVM-4P", 1, 1, 0, 0, "0.00")),
        // Prepaid label 8.50 deducted: 299.00 - 8.72 - 8.50 = 281.78.
        sc(
            "cp_label_deducted",
            "connectpro/return/shipping-label",
            cp_kvm().rma(json!({ "return_label_cost": "8.50" })),
        )
        .is("accept", "refund")
        .money(["299.00", "0.00", "8.72", "8.50", "0.00", "25.00", "281.78"]),
        // Defective on arrival: the 8.50 label is ConnectPRO's cost; 299.00 - 8.72 = 290.28.
        sc(
            "cp_label_waived_defective_on_arrival",
            "connectpro/return/shipping-label",
            cp_kvm().rma(json!({ "return_label_cost": "8.50", "defective_on_arrival": true })),
        )
        .is("accept", "refund")
        .money(CP_KVM_REFUND),
        // VE-HD (video_emulator, 80.00) not sent back: default 15% of 80.00 = 12.00.
        // Order total 299.00 + 80.00 + 25.00 = 404.00; 2.6% = 10.504, + 0.30 = 10.804 -> 10.80.
        // Net 299.00 - 12.00 - 10.80 = 276.20. Missing units do not make the verdict partial.
        sc(
            "cp_missing_default_15_percent",
            "connectpro/return/restocking-fee",
            cp(vec![kvm(1), line("VE-HD", "video_emulator", 1, "80.00")], vec![item("KVM-4P", 1)]),
        )
        .is("accept", "refund")
        .money(["299.00", "12.00", "10.80", "0.00", "0.00", "25.00", "276.20"])
        .line(ln("KVM-4P", 1, 1, 1, 0, "0.00"))
        .line(ln("VE-HD", 1, 0, 0, 1, "12.00").outcome("not_received"))
        .also(&["connectpro/return/missing-items"]),
        // EXT-HD 3 x 19.95, one back, two missing: 15% of 39.90 = 5.985 -> 5.99 (half away from zero, once per
        // line; per unit it would be 2.9925 -> 2.99 x 2 = 5.98, and half-to-even 5.98).
        // Order total 59.85 + 25.00 = 84.85; 2.6% = 2.2061, + 0.30 = 2.5061 -> 2.51.
        // Net 19.95 - 5.99 - 2.51 = 11.45.
        sc(
            "cp_missing_multi_qty_rounds_once_half_up",
            "connectpro/return/restocking-fee",
            cp(vec![line("EXT-HD", "extender", 3, "19.95")], vec![item("EXT-HD", 1)]),
        )
        .is("accept", "refund")
        .money(["19.95", "5.99", "2.51", "0.00", "0.00", "25.00", "11.45"])
        .line(ln("EXT-HD", 3, 1, 1, 2, "5.99")),
        // ADP-KIT (category adapter_kit, unknown: default schedule) 3 x 12.30, none back:
        // 15% of 36.90 = 5.535 -> 5.54 (per unit 1.845 -> 1.85 x 3 = 5.55).
        // Order total 299.00 + 36.90 + 25.00 = 360.90; 2.6% = 9.3834, + 0.30 = 9.6834 -> 9.68.
        // Net 299.00 - 5.54 - 9.68 = 283.78.
        sc(
            "cp_missing_unknown_category_default_rate",
            "connectpro/return/restocking-fee",
            cp(vec![kvm(1), line("ADP-KIT", "adapter_kit", 3, "12.30")], vec![item("KVM-4P", 1)]),
        )
        .is("accept", "refund")
        .money(["299.00", "5.54", "9.68", "0.00", "0.00", "25.00", "283.78"])
        .line(ln("ADP-KIT", 3, 0, 0, 3, "5.54").outcome("not_received")),
        // CBL-USB accessory 4 x 12.00, one back: 3 missing x 5.00 = 15.00 (under the 36.00 missing value).
        // Items 299.00 + 12.00 = 311.00. Order total 299.00 + 48.00 + 25.00 = 372.00; 2.6% = 9.672, + 0.30 =
        // 9.972 -> 9.97. Net 311.00 - 15.00 - 9.97 = 286.03.
        sc(
            "cp_missing_accessory_5_per_unit",
            "connectpro/return/restocking-fee/accessory",
            cp(vec![kvm(1), line("CBL-USB", "accessory", 4, "12.00")], vec![item("KVM-4P", 1), item("CBL-USB", 1)]),
        )
        .is("accept", "refund")
        .money(["311.00", "15.00", "9.97", "0.00", "0.00", "25.00", "286.03"])
        .line(ln("CBL-USB", 4, 1, 1, 3, "15.00")),
        // CBL-MINI accessory 2 x 3.50, none back: 2 x 5.00 = 10.00, capped at the missing value 7.00.
        // Order total 299.00 + 7.00 + 25.00 = 331.00; 2.6% = 8.606, + 0.30 = 8.906 -> 8.91.
        // Net 299.00 - 7.00 - 8.91 = 283.09.
        sc(
            "cp_missing_accessory_fee_capped_at_value",
            "connectpro/return/restocking-fee/accessory",
            cp(vec![kvm(1), line("CBL-MINI", "accessory", 2, "3.50")], vec![item("KVM-4P", 1)]),
        )
        .is("accept", "refund")
        .money(["299.00", "7.00", "8.91", "0.00", "0.00", "25.00", "283.09"])
        .line(ln("CBL-MINI", 2, 0, 0, 2, "7.00")),
        // The KVM stays with the customer, only a 12.00 cable comes back: restocking 15% of 299.00 = 44.85.
        // Order total 299.00 + 12.00 + 25.00 = 336.00; 2.6% = 8.736, + 0.30 = 9.036 -> 9.04.
        // Deductions 44.85 + 9.04 = 53.89 > 12.00: net 0.00, flagged.
        sc(
            "cp_fees_exceed_refund",
            "connectpro/return/missing-items",
            cp(vec![kvm(1), line("CBL-USB", "accessory", 1, "12.00")], vec![item("CBL-USB", 1)]),
        )
        .is("accept", "refund")
        .money(["12.00", "44.85", "9.04", "0.00", "0.00", "25.00", "0.00"])
        .line(ln("KVM-4P", 1, 0, 0, 1, "44.85").outcome("not_received"))
        .line(ln("CBL-USB", 1, 1, 1, 0, "0.00"))
        .flags(&["fees_exceed_refund"]),
        // A 0.25 cable tie, free shipping: 2.6% of 0.25 = 0.0065, + 0.30 = 0.3065 -> 0.31, capped at the order
        // total 0.25. Net 0.25 - 0.25 = 0.00; deductions equal (not above) the items: no flag.
        sc(
            "cp_card_fee_capped_at_order_total",
            "connectpro/refund/card-fee",
            cp(vec![line("CBL-TIE", "accessory", 1, "0.25")], vec![item("CBL-TIE", 1)])
                .order(json!({ "shipping_charged": "0.00" })),
        )
        .is("accept", "refund")
        .money(["0.25", "0.00", "0.25", "0.00", "0.00", "0.00", "0.00"]),
        // VE-4K 77.50 + shipping 25.00 = 102.50; 2.6% = 2.665, + 0.30 = 2.965 -> 2.97 (half away from zero;
        // half-to-even would give 2.96). Net 77.50 - 2.97 = 74.53.
        sc(
            "cp_card_fee_half_cent_rounds_away_from_zero",
            "connectpro/refund/card-fee",
            cp(vec![line("VE-4K", "video_emulator", 1, "77.50")], vec![item("VE-4K", 1)]),
        )
        .is("accept", "refund")
        .money(["77.50", "0.00", "2.97", "0.00", "0.00", "25.00", "74.53"]),
        // Free shipping: 2.6% of 299.00 = 7.774, + 0.30 = 8.074 -> 8.07; net 290.93; no shipping to keep.
        sc("cp_free_shipping", "connectpro/refund/card-fee", cp_kvm().order(json!({ "shipping_charged": "0.00" })))
            .is("accept", "refund")
            .money(["299.00", "0.00", "8.07", "0.00", "0.00", "0.00", "290.93"]),
        // Two KVM-8P at 549.00, shipping 30.00: total 1128.00; 2.6% = 29.328, + 0.30 = 29.628 -> 29.63.
        // Net 1098.00 - 29.63 = 1068.37.
        sc(
            "cp_multi_qty_all_returned",
            "connectpro/refund/shipping",
            cp(vec![line("KVM-8P", "kvm_switch", 2, "549.00")], vec![item("KVM-8P", 2)])
                .order(json!({ "shipping_charged": "30.00" })),
        )
        .is("accept", "refund")
        .money(["1098.00", "0.00", "29.63", "0.00", "0.00", "30.00", "1068.37"])
        .line(ln("KVM-8P", 2, 2, 2, 0, "0.00")),
        // The direct-only rule is the warranty's; a third-party order is returned like any other.
        sc(
            "cp_third_party_return_refunded",
            "connectpro/refund/card-fee",
            cp_kvm().order(json!({ "channel": "third_party" })),
        )
        .is("accept", "refund")
        .money(CP_KVM_REFUND),
        // ConnectPRO sets no condition for returns: used, damaged, sticker broken, opened, no box, no photo:
        // still refunded as the spec example.
        sc(
            "cp_return_has_no_condition_rules",
            "connectpro/refund/card-fee",
            cp(
                vec![kvm(1)],
                vec![item("KVM-4P", 1).with(json!({ "condition": "damaged", "sticker": "broken",
                "disassembled": true, "packaging": "missing", "defect": "breakage", "photos": 0 }))],
            ),
        )
        .is("accept", "refund")
        .money(CP_KVM_REFUND),
        // An unknown mouse in the box is refused; the KVM is refunded as the spec example: partial.
        sc(
            "cp_not_ordered_extra_item",
            "station/receiving/not-ordered",
            cp(vec![kvm(1)], vec![item("KVM-4P", 1), item("MOUSE-X", 1)]),
        )
        .is("partial", "refund")
        .money(CP_KVM_REFUND)
        .line(ln("KVM-4P", 1, 1, 1, 0, "0.00"))
        .line(ln("MOUSE-X", 0, 1, 0, 0, "0.00").refused(1).outcome("refused")),
        // Two KVMs arrive for one ordered: one accepted, one refused (not ordered).
        sc("cp_beyond_ordered_qty", "station/receiving/not-ordered", cp(vec![kvm(1)], vec![item("KVM-4P", 2)]))
            .is("partial", "refund")
            .money(CP_KVM_REFUND)
            .line(ln("KVM-4P", 1, 2, 1, 0, "0.00").refused(1).outcome("partial")),
        sc("cp_no_rma_null", "connectpro/return/rma-required", cp_kvm().with(json!({ "rma": null })))
            .is("deny", "return_to_customer")
            .money(ZERO)
            .line(refused("KVM-4P"))
            .due(None),
        sc("cp_no_rma_absent", "connectpro/return/rma-required", cp_kvm().without_rma())
            .is("deny", "return_to_customer")
            .money(ZERO)
            .line(refused("KVM-4P")),
        // An exchange pays no money, so the missing VE-HD costs no restocking fee (reading 4).
        sc(
            "cp_exchange_with_missing_item_no_fee",
            "connectpro/return/resolutions",
            cp(vec![kvm(1), line("VE-HD", "video_emulator", 1, "80.00")], vec![item("KVM-4P", 1)])
                .rma(json!({ "resolution": "exchange" })),
        )
        .is("accept", "exchange")
        .money(CP_KVM_GOODS)
        .line(ln("VE-HD", 1, 0, 0, 1, "0.00")),
        // Decided on 2026-12-30: due 14 days later, 2027-01-13 (across the year end).
        sc("cp_refund_due_14_days", "connectpro/refund/card-fee", cp_kvm())
            .on("2026-12-30")
            .is("accept", "refund")
            .money(CP_KVM_REFUND)
            .due(Some("2027-01-13")),
        // Two lines missing, each fee rounded on its own: ADP-KIT 15% of 36.90 = 5.535 -> 5.54, EXT-HD 15% of
        // 39.90 = 5.985 -> 5.99; total 11.53 (rounding the sum 11.52 once would give 11.52).
        // Items 299.00 + 19.95 = 318.95. Order total 299.00 + 36.90 + 59.85 + 25.00 = 420.75; 2.6% = 10.9395,
        // + 0.30 = 11.2395 -> 11.24. Net 318.95 - 11.53 - 11.24 = 296.18.
        sc(
            "cp_missing_two_lines_rounded_per_line",
            "connectpro/return/restocking-fee",
            cp(
                vec![kvm(1), line("ADP-KIT", "adapter_kit", 3, "12.30"), line("EXT-HD", "extender", 3, "19.95")],
                vec![item("KVM-4P", 1), item("EXT-HD", 1)],
            ),
        )
        .is("accept", "refund")
        .money(["318.95", "11.53", "11.24", "0.00", "0.00", "25.00", "296.18"])
        .line(ln("ADP-KIT", 3, 0, 0, 3, "5.54"))
        .line(ln("EXT-HD", 3, 1, 1, 2, "5.99")),
        // Missing VE-HD (12.00 restocking, card 10.80 as above) and an 8.50 label:
        // 299.00 - 12.00 - 10.80 - 8.50 = 267.70.
        sc(
            "cp_missing_and_label",
            "connectpro/return/shipping-label",
            cp(vec![kvm(1), line("VE-HD", "video_emulator", 1, "80.00")], vec![item("KVM-4P", 1)])
                .rma(json!({ "return_label_cost": "8.50" })),
        )
        .is("accept", "refund")
        .money(["299.00", "12.00", "10.80", "8.50", "0.00", "25.00", "267.70"]),
        // Defective on arrival waives the label only; the missing VE-HD still costs 12.00: 276.20.
        sc(
            "cp_missing_defective_on_arrival_label_waived",
            "connectpro/return/restocking-fee",
            cp(vec![kvm(1), line("VE-HD", "video_emulator", 1, "80.00")], vec![item("KVM-4P", 1)])
                .rma(json!({ "return_label_cost": "8.50", "defective_on_arrival": true })),
        )
        .is("accept", "refund")
        .money(["299.00", "12.00", "10.80", "0.00", "0.00", "25.00", "276.20"]),
        // Two KVMs ordered, inspected as two entries of one: received 2, all accepted.
        // Order total 598.00 + 25.00 = 623.00; 2.6% = 16.198, + 0.30 = 16.498 -> 16.50. Net 598.00 - 16.50 = 581.50.
        sc(
            "cp_same_sku_in_two_entries",
            "connectpro/refund/card-fee",
            cp(vec![kvm(2)], vec![item("KVM-4P", 1), item("KVM-4P", 1)]),
        )
        .is("accept", "refund")
        .money(["598.00", "0.00", "16.50", "0.00", "0.00", "25.00", "581.50"])
        .line(ln("KVM-4P", 2, 2, 2, 0, "0.00")),
        // Outside the window nothing is accepted, so there is no choice left to wait for: deny, not hold.
        sc(
            "cp_store_credit_day_16_denied",
            "connectpro/return/window",
            cp_kvm().rma(json!({ "resolution": "store_credit" })).dates("2026-09-20", "2026-09-25"),
        )
        .is("deny", "return_to_customer")
        .money(ZERO),
    ]
}

// ---------------------------------------------------------------------------------------------------------------
// ConnectPRO warranty and shipping damage
// ---------------------------------------------------------------------------------------------------------------

fn connectpro_warranty_cases() -> Vec<Scenario> {
    let deny = |name, clause, case| sc(name, clause, case).is("deny", "return_to_customer").money(ZERO);
    let replaced = |name, clause, case| sc(name, clause, case).is("accept", "replacement").money(CP_KVM_GOODS);
    // 19.95 / 80.00 / 12.00 / 60.00 items replaced: their value, nothing else.
    let goods = |value: &'static str| [value, "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"];
    let hold = |name, clause, case| {
        sc(name, clause, case).is("hold", "hold").money(ZERO).also(&["station/evidence/photo-required"])
    };
    vec![
        // KVM: 36 months from delivery. 2023-11-20 + 36 months = 2026-11-20, the last covered day.
        replaced(
            "cp_warranty_kvm_last_day",
            "connectpro/warranty/period/kvm-switch",
            cp_claim_on("KVM-4P", "kvm_switch", "299.00", "2023-11-20", "2026-11-20"),
        )
        .line(ln("KVM-4P", 1, 1, 1, 0, "0.00"))
        .due(None),
        deny(
            "cp_warranty_kvm_day_after",
            "connectpro/warranty/period/kvm-switch",
            cp_claim_on("KVM-4P", "kvm_switch", "299.00", "2023-11-20", "2026-11-21"),
        )
        .line(ln("KVM-4P", 1, 1, 0, 0, "0.00")),
        // Delivered 2025-01-31, claimed 2026-02-01: past a year, well inside the KVM's three.
        replaced(
            "cp_warranty_kvm_past_one_year",
            "connectpro/warranty/period/kvm-switch",
            cp_claim_on("KVM-4P", "kvm_switch", "299.00", "2025-01-31", "2026-02-01"),
        ),
        // Extender: 12 months. 2025-01-31 + 12 months = 2026-01-31 covered; 2026-02-01 not.
        sc(
            "cp_warranty_extender_jan_31_last_day",
            "connectpro/warranty/period",
            cp_claim_on("EXT-HD", "extender", "19.95", "2025-01-31", "2026-01-31"),
        )
        .is("accept", "replacement")
        .money(goods("19.95")),
        deny(
            "cp_warranty_extender_day_after",
            "connectpro/warranty/period",
            cp_claim_on("EXT-HD", "extender", "19.95", "2025-01-31", "2026-02-01"),
        ),
        // Video emulator: 2025-06-30 + 12 months = 2026-06-30.
        sc(
            "cp_warranty_video_emulator_last_day",
            "connectpro/warranty/period",
            cp_claim_on("VE-HD", "video_emulator", "80.00", "2025-06-30", "2026-06-30"),
        )
        .is("accept", "replacement")
        .money(goods("80.00")),
        deny(
            "cp_warranty_video_emulator_day_after",
            "connectpro/warranty/period",
            cp_claim_on("VE-HD", "video_emulator", "80.00", "2025-06-30", "2026-07-01"),
        ),
        // Accessory delivered on a leap day: 2024-02-29 + 12 months = 2025-02-28 (month end, clamped).
        sc(
            "cp_warranty_accessory_leap_day_last_day",
            "connectpro/warranty/period",
            cp_claim_on("CBL-USB", "accessory", "12.00", "2024-02-29", "2025-02-28"),
        )
        .is("accept", "replacement")
        .money(goods("12.00")),
        deny(
            "cp_warranty_accessory_leap_day_day_after",
            "connectpro/warranty/period",
            cp_claim_on("CBL-USB", "accessory", "12.00", "2024-02-29", "2025-03-01"),
        ),
        // A category the policy does not name takes the default 12 months: 2025-03-15 -> 2026-03-15.
        sc(
            "cp_warranty_unknown_category_last_day",
            "connectpro/warranty/period",
            cp_claim_on("DOCK-1", "dock", "60.00", "2025-03-15", "2026-03-15"),
        )
        .is("accept", "replacement")
        .money(goods("60.00")),
        deny(
            "cp_warranty_unknown_category_day_after",
            "connectpro/warranty/period",
            cp_claim_on("DOCK-1", "dock", "60.00", "2025-03-15", "2026-03-16"),
        ),
        deny(
            "cp_warranty_third_party_denied",
            "connectpro/warranty/direct-only",
            cp_kvm_claim(json!({})).order(json!({ "channel": "third_party" })),
        ),
        // Third party is not a physical reason: a broken sticker without photo changes nothing, still deny.
        deny(
            "cp_warranty_third_party_no_photo_still_denied",
            "connectpro/warranty/direct-only",
            cp_kvm_claim(json!({ "sticker": "broken", "photos": 0 })).order(json!({ "channel": "third_party" })),
        ),
        deny(
            "cp_void_sticker_removed",
            "connectpro/warranty/void/sticker",
            cp_kvm_claim(json!({ "sticker": "removed" })),
        ),
        deny(
            "cp_void_sticker_broken",
            "connectpro/warranty/void/sticker",
            cp_kvm_claim(json!({ "sticker": "broken" })),
        ),
        deny(
            "cp_void_sticker_altered",
            "connectpro/warranty/void/sticker",
            cp_kvm_claim(json!({ "sticker": "altered" })),
        ),
        deny(
            "cp_void_disassembled",
            "connectpro/warranty/void/disassembled",
            cp_kvm_claim(json!({ "disassembled": true })),
        ),
        deny("cp_void_abuse", "connectpro/warranty/void/abuse", cp_kvm_claim(json!({ "damage_cause": "abuse" }))),
        deny("cp_void_misuse", "connectpro/warranty/void/abuse", cp_kvm_claim(json!({ "damage_cause": "misuse" }))),
        deny(
            "cp_void_modification",
            "connectpro/warranty/void/abuse",
            cp_kvm_claim(json!({ "damage_cause": "modification" })),
        ),
        deny(
            "cp_not_covered_return_shipping",
            "connectpro/warranty/not-covered/return-shipping",
            cp_kvm_claim(json!({ "damage_cause": "return_shipping", "defect": "breakage" })),
        ),
        deny(
            "cp_not_covered_power_surge",
            "connectpro/warranty/not-covered/power-surge",
            cp_kvm_claim(json!({ "damage_cause": "power_surge" })),
        ),
        deny(
            "cp_not_covered_fire",
            "connectpro/warranty/not-covered/disaster",
            cp_kvm_claim(json!({ "damage_cause": "fire" })),
        ),
        deny(
            "cp_not_covered_civil_unrest",
            "connectpro/warranty/not-covered/disaster",
            cp_kvm_claim(json!({ "damage_cause": "civil_unrest" })),
        ),
        deny(
            "cp_not_covered_war",
            "connectpro/warranty/not-covered/disaster",
            cp_kvm_claim(json!({ "damage_cause": "war" })),
        ),
        deny(
            "cp_not_covered_flood",
            "connectpro/warranty/not-covered/disaster",
            cp_kvm_claim(json!({ "damage_cause": "flood" })),
        ),
        deny(
            "cp_not_covered_natural_disaster",
            "connectpro/warranty/not-covered/disaster",
            cp_kvm_claim(json!({ "damage_cause": "natural_disaster" })),
        ),
        deny(
            "cp_warranty_no_fault_found",
            "connectpro/warranty/no-fault-found",
            cp_kvm_claim(json!({ "defect": "none" })),
        ),
        // "No fault found" is not a physical state: no photo, still a denial.
        deny(
            "cp_warranty_no_fault_found_no_photo",
            "connectpro/warranty/no-fault-found",
            cp_kvm_claim(json!({ "defect": "none", "photos": 0 })),
        ),
        // The same breakage or manufacturing defect is covered (defect list: manufacturing, breakage, malfunction).
        replaced(
            "cp_warranty_breakage_covered",
            "connectpro/warranty/remedy",
            cp_kvm_claim(json!({ "defect": "breakage" })),
        ),
        replaced(
            "cp_warranty_manufacturing_covered",
            "connectpro/warranty/remedy",
            cp_kvm_claim(json!({ "defect": "manufacturing" })),
        ),
        // A denial resting only on the sticker, with no photo of it: hold; no money, nothing accepted.
        hold(
            "cp_void_sticker_no_photo_holds",
            "connectpro/warranty/void/sticker",
            cp_kvm_claim(json!({ "sticker": "broken", "photos": 0 })),
        )
        .line(ln("KVM-4P", 1, 1, 0, 0, "0.00")),
        hold(
            "cp_void_disassembled_no_photo_holds",
            "connectpro/warranty/void/disassembled",
            cp_kvm_claim(json!({ "disassembled": true, "photos": 0 })),
        ),
        hold(
            "cp_power_surge_no_photo_holds",
            "connectpro/warranty/not-covered/power-surge",
            cp_kvm_claim(json!({ "damage_cause": "power_surge", "photos": 0 })),
        ),
        // Out of warranty (delivered 2023-11-20, claimed 2026-11-21) is not physical: no hold for the photo.
        deny(
            "cp_out_of_warranty_no_photo_still_denied",
            "connectpro/warranty/period/kvm-switch",
            cp(vec![kvm(1)], vec![faulty("KVM-4P", "broken", "malfunction").with(json!({ "photos": 0 }))])
                .order(json!({ "purchased_on": "2023-11-20", "delivered_on": "2023-11-20" }))
                .rma(json!({ "kind": "warranty", "resolution": "replacement" }))
                .dates("2026-11-21", "2026-11-21"),
        ),
        // A covered claim with no photo: nothing is refused, so there is nothing to prove. Replaced.
        replaced(
            "cp_warranty_covered_without_photo",
            "connectpro/warranty/remedy",
            cp_kvm_claim(json!({ "photos": 0 })),
        ),
        sc(
            "cp_warranty_exchange_asked",
            "connectpro/warranty/remedy",
            cp_kvm_claim(json!({})).rma(json!({ "resolution": "exchange" })),
        )
        .is("accept", "exchange")
        .money(CP_KVM_GOODS),
        // Refund or store credit asked under warranty: replacement given; no money, no label.
        replaced(
            "cp_warranty_refund_asked_replaced",
            "connectpro/warranty/remedy",
            cp_kvm_claim(json!({})).rma(json!({ "resolution": "refund", "return_label_cost": "8.50" })),
        )
        .due(None),
        replaced(
            "cp_warranty_store_credit_asked_replaced",
            "connectpro/warranty/remedy",
            cp_kvm_claim(json!({})).rma(json!({ "resolution": "store_credit" })),
        ),
        // Two KVMs ordered, one sent in under warranty: the other is not "missing" (missing 0, no fee).
        replaced(
            "cp_warranty_line_has_no_missing",
            "connectpro/warranty/remedy",
            cp_warranty(vec![kvm(2)], vec![faulty("KVM-4P", "intact", "malfunction")]),
        )
        .line(ln("KVM-4P", 2, 1, 1, 0, "0.00")),
        // KVM covered, extender opened (photographed): partial, the KVM (299.00) replaced.
        sc(
            "cp_warranty_partial",
            "connectpro/warranty/void/disassembled",
            cp_warranty(
                vec![kvm(1), line("EXT-HD", "extender", 1, "19.95")],
                vec![
                    faulty("KVM-4P", "intact", "malfunction"),
                    faulty("EXT-HD", "none", "malfunction").with(json!({ "disassembled": true })),
                ],
            ),
        )
        .is("partial", "replacement")
        .money(CP_KVM_GOODS)
        .line(ln("KVM-4P", 1, 1, 1, 0, "0.00"))
        .line(ln("EXT-HD", 1, 1, 0, 0, "0.00").refused(1)),
        // Same, but the extender's opening has no photo: the whole package holds.
        hold(
            "cp_warranty_mixed_package_holds",
            "connectpro/warranty/void/disassembled",
            cp_warranty(
                vec![kvm(1), line("EXT-HD", "extender", 1, "19.95")],
                vec![
                    faulty("KVM-4P", "intact", "malfunction"),
                    faulty("EXT-HD", "none", "malfunction").with(json!({ "disassembled": true, "photos": 0 })),
                ],
            ),
        )
        .line(ln("KVM-4P", 1, 1, 0, 0, "0.00"))
        .line(ln("EXT-HD", 1, 1, 0, 0, "0.00")),
        sc(
            "cp_warranty_no_rma",
            "connectpro/return/rma-required",
            cp_kvm_claim(json!({})).with(json!({ "rma": null })),
        )
        .is("deny", "return_to_customer")
        .money(ZERO),
        // A covered KVM and a mouse that was never ordered: partial, the KVM replaced.
        sc(
            "cp_warranty_not_ordered_extra",
            "station/receiving/not-ordered",
            cp_warranty(vec![kvm(1)], vec![faulty("KVM-4P", "intact", "malfunction"), item("MOUSE-X", 1)]),
        )
        .is("partial", "replacement")
        .money(CP_KVM_GOODS)
        .line(ln("MOUSE-X", 0, 1, 0, 0, "0.00").refused(1)),
        // A KVM delivered on a leap day: 2024-02-29 + 36 months = 2027-02-28 (clamped to the month end).
        replaced(
            "cp_warranty_kvm_leap_day_last_day",
            "connectpro/warranty/period/kvm-switch",
            cp_claim_on("KVM-4P", "kvm_switch", "299.00", "2024-02-29", "2027-02-28"),
        )
        .on("2027-03-05"),
        deny(
            "cp_warranty_kvm_leap_day_day_after",
            "connectpro/warranty/period/kvm-switch",
            cp_claim_on("KVM-4P", "kvm_switch", "299.00", "2024-02-29", "2027-03-01"),
        )
        .on("2027-03-05"),
        // Counted from delivery (2025-01-31 -> last day 2026-01-31), not from purchase (2025-01-20 -> 2026-01-20):
        // claimed 2026-01-31, covered. The extender (19.95) is replaced.
        sc(
            "cp_warranty_counts_from_delivery",
            "connectpro/warranty/period",
            cp_claim_on("EXT-HD", "extender", "19.95", "2025-01-31", "2026-01-31")
                .order(json!({ "purchased_on": "2025-01-20" })),
        )
        .is("accept", "replacement")
        .money(goods("19.95")),
        // A broken sticker without photo, and no fault found either: the denial would cite the sticker,
        // a physical state, so it needs a photo (issue 17): hold, citing both and the station's rule.
        hold(
            "cp_void_sticker_and_no_fault_no_photo_holds",
            "connectpro/warranty/void/sticker",
            cp_kvm_claim(json!({ "sticker": "broken", "defect": "none", "photos": 0 })),
        )
        .also(&["connectpro/warranty/no-fault-found", "station/evidence/photo-required"]),
        // The same with a photo of the sticker: deny on both.
        deny(
            "cp_void_sticker_and_no_fault_with_photo_denied",
            "connectpro/warranty/void/sticker",
            cp_kvm_claim(json!({ "sticker": "broken", "defect": "none" })),
        )
        .also(&["connectpro/warranty/no-fault-found"]),
    ]
}

fn connectpro_shipping_damage_cases() -> Vec<Scenario> {
    vec![
        // Delivered 09-04, reported 09-19 = day 15: refunded. Card fee as the spec example (8.72); the 8.50 label
        // is ConnectPRO's; no restocking. 299.00 - 8.72 = 290.28.
        sc(
            "cp_damage_day_15_refund",
            "connectpro/return/defective-on-arrival",
            cp_damage("refund").dates("2026-09-19", "2026-09-24"),
        )
        .is("accept", "refund")
        .money(CP_KVM_REFUND)
        .line(ln("KVM-4P", 1, 1, 1, 0, "0.00"))
        .due(Some("2026-12-05")),
        sc(
            "cp_damage_day_16_denied",
            "connectpro/return/defective-on-arrival",
            cp_damage("refund").dates("2026-09-20", "2026-09-25"),
        )
        .is("deny", "return_to_customer")
        .money(ZERO),
        // Two cables of the order stay with the customer: no restocking on a damage claim, missing 0.
        // Order total 299.00 + 24.00 + 25.00 = 348.00; 2.6% = 9.048, + 0.30 = 9.348 -> 9.35. 299.00 - 9.35 = 289.65.
        sc(
            "cp_damage_refund_no_restocking",
            "connectpro/return/defective-on-arrival/remedy",
            cp(vec![kvm(1), line("CBL-USB", "accessory", 2, "12.00")], vec![carrier_damaged("KVM-4P", "intact")])
                .rma(json!({ "kind": "shipping_damage", "resolution": "refund", "return_label_cost": "8.50" })),
        )
        .is("accept", "refund")
        .money(["299.00", "0.00", "9.35", "0.00", "0.00", "25.00", "289.65"])
        .line(ln("CBL-USB", 2, 0, 0, 0, "0.00")),
        sc("cp_damage_exchange", "connectpro/return/defective-on-arrival/remedy", cp_damage("exchange"))
            .is("accept", "exchange")
            .money(CP_KVM_GOODS),
        sc("cp_damage_replacement", "connectpro/return/defective-on-arrival/remedy", cp_damage("replacement"))
            .is("accept", "replacement")
            .money(CP_KVM_GOODS)
            .due(None),
        sc("cp_damage_store_credit_holds", "connectpro/return/defective-on-arrival/remedy", cp_damage("store_credit"))
            .is("hold", "hold")
            .money(ZERO)
            .line(ln("KVM-4P", 1, 1, 0, 0, "0.00")),
        // The inspection finds no carrier damage (photographed): refused.
        sc(
            "cp_damage_not_found_denied",
            "connectpro/return/defective-on-arrival/damage",
            cp(vec![kvm(1)], vec![carrier_damaged("KVM-4P", "intact").with(json!({ "damage_cause": "none" }))])
                .rma(json!({ "kind": "shipping_damage", "resolution": "refund" })),
        )
        .is("deny", "return_to_customer")
        .money(ZERO),
        // Damage from the trip back, no photo: the refusal rests on the physical state alone -> hold.
        sc(
            "cp_damage_return_shipping_no_photo_holds",
            "connectpro/return/defective-on-arrival/damage",
            cp(
                vec![kvm(1)],
                vec![
                    carrier_damaged("KVM-4P", "intact").with(json!({ "damage_cause": "return_shipping", "photos": 0 })),
                ],
            )
            .rma(json!({ "kind": "shipping_damage", "resolution": "refund" })),
        )
        .is("hold", "hold")
        .money(ZERO)
        .also(&["station/evidence/photo-required"]),
    ]
}

// ---------------------------------------------------------------------------------------------------------------
// Konnected returns and referral
// ---------------------------------------------------------------------------------------------------------------

fn konnected_return_cases() -> Vec<Scenario> {
    let deny = |name, clause, case| sc(name, clause, case).is("deny", "return_to_customer").money(ZERO);
    let refunded = |name, clause, case| sc(name, clause, case).is("accept", "refund").money(KN_PANEL_REFUND);
    let hold = |name, clause, case| {
        sc(name, clause, case).is("hold", "hold").money(ZERO).also(&["station/evidence/photo-required"])
    };
    let door = |qty| line("KN-DOOR", "sensor", qty, "15.00");
    let on_sale = json!({ "on_sale": true });
    // Panel refunded with the $10.00 handling fee for a non-returnable line in the box:
    // 199.00 - 7.25 - 10.00 = 181.75; shipping 9.95 kept.
    let with_handling = ["199.00", "0.00", "0.00", "7.25", "10.00", "9.95", "181.75"];
    vec![
        // 199.00 - 7.25 label = 191.75; no card fee, no restocking; due 2026-11-21 + 8 = 2026-11-29.
        refunded("kn_refund_label_deducted", "konnected/3.3/return-shipping", kn_panel())
            .line(ln("KN-PANEL", 1, 1, 1, 0, "0.00").outcome("accepted"))
            .due(Some("2026-11-29")),
        // Delivered 09-01: 10-31 is day 60 (Sep 1 + 30 = Oct 1, + 30 = Oct 31).
        refunded("kn_window_day_60_accepted", "konnected/3.3/window", kn_panel().dates("2026-10-31", "2026-11-05")),
        // 11-01 is day 61: denied, nothing charged (the goods were authorised: no handling fee).
        deny("kn_window_day_61_denied", "konnected/3.3/window", kn_panel().dates("2026-11-01", "2026-11-06"))
            .line(ln("KN-PANEL", 1, 1, 0, 0, "0.00").refused(1)),
        // Konnected never waives the label, even for a product defective on arrival: 191.75 as above.
        refunded(
            "kn_label_kept_even_defective_on_arrival",
            "konnected/3.3/return-shipping",
            kn_panel().rma(json!({ "defective_on_arrival": true })),
        ),
        // Store credit: same amount as a refund (199.00 - 7.25 = 191.75), no refund due date.
        sc("kn_store_credit", "konnected/3.3/resolutions", kn_panel().rma(json!({ "resolution": "store_credit" })))
            .is("accept", "store_credit")
            .money(KN_PANEL_REFUND)
            .due(None),
        sc("kn_replacement", "konnected/3.3/resolutions", kn_panel().rma(json!({ "resolution": "replacement" })))
            .is("accept", "replacement")
            .money(KN_PANEL_GOODS),
        sc("kn_exchange_us", "konnected/3.4/exchanges", kn_panel().rma(json!({ "resolution": "exchange" })))
            .is("accept", "exchange")
            .money(KN_PANEL_GOODS)
            .due(None),
        // A Canadian order asking for an exchange waits for the customer to pick refund or store credit.
        sc(
            "kn_exchange_international_holds",
            "konnected/3.4/exchanges",
            kn_panel().order(json!({ "country": "CA" })).rma(json!({ "resolution": "exchange" })),
        )
        .is("hold", "hold")
        .money(ZERO)
        .line(ln("KN-PANEL", 1, 1, 0, 0, "0.00")),
        refunded(
            "kn_refund_international",
            "konnected/3.3/return-shipping",
            kn_panel().order(json!({ "country": "CA" })),
        ),
        // Two sale sensors (2 x 15.00) come back with the panel: refused, handling 10.00; 181.75.
        sc(
            "kn_sale_items_refused_with_handling_fee",
            "konnected/3.5/sale-items",
            kn(vec![panel(1), door(2).with(on_sale.clone())], vec![kn_item("KN-PANEL", 1), kn_item("KN-DOOR", 2)]),
        )
        .is("partial", "refund")
        .money(with_handling)
        .line(ln("KN-PANEL", 1, 1, 1, 0, "0.00"))
        .line(ln("KN-DOOR", 2, 2, 0, 0, "0.00").refused(2).outcome("refused"))
        .also(&["konnected/3.5/handling-fee"]),
        // Only a special order in the box: nothing accepted; handling 10.00 shown; net 0.00. The fee exceeds the
        // (nil) refund, so it is flagged.
        sc(
            "kn_special_order_denied_with_handling_fee",
            "konnected/3.6/special-orders",
            kn(
                vec![line("KN-CUSTOM", "enclosure", 1, "89.00").with(json!({ "special_order": true }))],
                vec![kn_item("KN-CUSTOM", 1)],
            ),
        )
        .is("deny", "return_to_customer")
        .money(KN_HANDLING_ONLY)
        .line(ln("KN-CUSTOM", 1, 1, 0, 0, "0.00").refused(1))
        .also(&["konnected/3.5/handling-fee"])
        .flags(&["fees_exceed_refund"]),
        sc(
            "kn_gift_card_refused",
            "konnected/3.3/gift-cards",
            kn(
                vec![panel(1), line("KN-GC", "gift_card", 1, "50.00").with(json!({ "gift_card": true }))],
                vec![kn_item("KN-PANEL", 1), kn_item("KN-GC", 1)],
            ),
        )
        .is("partial", "refund")
        .money(with_handling)
        .line(ln("KN-GC", 1, 1, 0, 0, "0.00").refused(1)),
        sc("kn_gifted_order_denied", "konnected/3.3/gifted-orders", kn_panel().order(json!({ "gifted": true })))
            .is("deny", "return_to_customer")
            .money(KN_HANDLING_ONLY)
            .line(ln("KN-PANEL", 1, 1, 0, 0, "0.00").refused(1))
            .also(&["konnected/3.5/handling-fee"])
            .flags(&["fees_exceed_refund"]),
        // A sale line and a special order in one package: the handling fee is charged once (10.00): 181.75.
        sc(
            "kn_handling_fee_once_per_package",
            "konnected/3.5/handling-fee",
            kn(
                vec![
                    panel(1),
                    door(2).with(on_sale.clone()),
                    line("KN-CUSTOM", "enclosure", 1, "89.00").with(json!({ "special_order": true })),
                ],
                vec![kn_item("KN-PANEL", 1), kn_item("KN-DOOR", 2), kn_item("KN-CUSTOM", 1)],
            ),
        )
        .is("partial", "refund")
        .money(with_handling),
        // A 12.00 sensor accepted beside a 25.00 gift card: 7.25 + 10.00 = 17.25 > 12.00 -> net 0.00, flagged.
        sc(
            "kn_handling_fee_exceeds_refund",
            "konnected/3.5/handling-fee",
            kn(
                vec![
                    line("KN-MAG", "sensor", 1, "12.00"),
                    line("KN-GC", "gift_card", 1, "25.00").with(json!({ "gift_card": true })),
                ],
                vec![kn_item("KN-MAG", 1), kn_item("KN-GC", 1)],
            ),
        )
        .is("partial", "refund")
        .money(["12.00", "0.00", "0.00", "7.25", "10.00", "9.95", "0.00"])
        .flags(&["fees_exceed_refund"]),
        // A US exchange with a sale line refused: the handling fee still shows, nothing else is deducted, net 0.00.
        sc(
            "kn_exchange_with_sale_item_shows_handling",
            "konnected/3.5/handling-fee",
            kn(vec![panel(1), door(1).with(on_sale.clone())], vec![kn_item("KN-PANEL", 1), kn_item("KN-DOOR", 1)])
                .rma(json!({ "resolution": "exchange" })),
        )
        .is("partial", "exchange")
        .money(["199.00", "0.00", "0.00", "0.00", "10.00", "0.00", "0.00"]),
        deny("kn_used_without_defect_refused", "konnected/3.3/used", kn_panel_as(json!({ "condition": "used" })))
            .line(ln("KN-PANEL", 1, 1, 0, 0, "0.00").refused(1)),
        hold(
            "kn_used_without_defect_no_photo_holds",
            "konnected/3.3/used",
            kn_panel_as(json!({ "condition": "used", "photos": 0 })),
        )
        .line(ln("KN-PANEL", 1, 1, 0, 0, "0.00")),
        refunded(
            "kn_used_with_malfunction_accepted",
            "konnected/3.3/used",
            kn_panel_as(json!({ "condition": "used", "defect": "malfunction" })),
        ),
        refunded(
            "kn_used_with_breakage_day_60_accepted",
            "konnected/3.3/used",
            kn_panel_as(json!({ "condition": "used", "defect": "breakage" })).dates("2026-10-31", "2026-11-05"),
        ),
        deny(
            "kn_used_with_breakage_day_61_denied",
            "konnected/3.3/window",
            kn_panel_as(json!({ "condition": "used", "defect": "breakage" })).dates("2026-11-01", "2026-11-06"),
        ),
        // Unused passes the condition rules; no refusal rule fires, so none is cited: name the label clause.
        refunded("kn_unused_accepted", "konnected/3.3/return-shipping", kn_panel_as(json!({ "condition": "unused" }))),
        deny("kn_damaged_refused", "konnected/3.3/condition", kn_panel_as(json!({ "condition": "damaged" }))),
        deny("kn_packaging_damaged_refused", "konnected/3.3/packaging", kn_panel_as(json!({ "packaging": "damaged" }))),
        deny("kn_packaging_missing_refused", "konnected/3.3/packaging", kn_panel_as(json!({ "packaging": "missing" }))),
        hold(
            "kn_packaging_damaged_no_photo_holds",
            "konnected/3.3/packaging",
            kn_panel_as(json!({ "packaging": "damaged", "photos": 0 })),
        ),
        // Nothing refused, so a missing photo of the box proves nothing away: refunded (191.75).
        refunded(
            "kn_sealed_without_photo_accepted",
            "konnected/3.3/return-shipping",
            kn_panel_as(json!({ "photos": 0 })),
        ),
        // Four sensors ordered, two back: 2 x 15.00 = 30.00 - 7.25 = 22.75; the other two are simply not refunded.
        sc(
            "kn_missing_units_not_refunded_no_fee",
            "konnected/3.4/not-received",
            kn(vec![door(4)], vec![kn_item("KN-DOOR", 2)]),
        )
        .is("accept", "refund")
        .money(["30.00", "0.00", "0.00", "7.25", "0.00", "9.95", "22.75"])
        .line(ln("KN-DOOR", 4, 2, 2, 2, "0.00")),
        // The panel accepted, a used sensor without defect (photographed) refused: partial, 191.75.
        sc(
            "kn_used_line_refused_partial",
            "konnected/3.3/used",
            kn(
                vec![panel(1), door(1)],
                vec![kn_item("KN-PANEL", 1), kn_item("KN-DOOR", 1).with(json!({ "condition": "used" }))],
            ),
        )
        .is("partial", "refund")
        .money(KN_PANEL_REFUND)
        .line(ln("KN-DOOR", 1, 1, 0, 0, "0.00").refused(1)),
        sc("kn_no_rma_null", "konnected/3.3/authorization", kn_panel().with(json!({ "rma": null })))
            .is("deny", "return_to_customer")
            .money(KN_HANDLING_ONLY)
            .line(ln("KN-PANEL", 1, 1, 0, 0, "0.00").refused(1))
            .flags(&["fees_exceed_refund"])
            .due(None),
        sc("kn_no_rma_absent", "konnected/3.3/authorization", kn_panel().without_rma())
            .is("deny", "return_to_customer")
            .money(KN_HANDLING_ONLY)
            .flags(&["fees_exceed_refund"]),
        // An unknown item is refused as not ordered; it is no sale or special-order line, so no handling fee.
        sc(
            "kn_not_ordered_extra_item",
            "station/receiving/not-ordered",
            kn(vec![panel(1)], vec![kn_item("KN-PANEL", 1), kn_item("KN-X", 1)]),
        )
        .is("partial", "refund")
        .money(KN_PANEL_REFUND)
        .line(ln("KN-X", 0, 1, 0, 0, "0.00").refused(1)),
        // Decided on 2026-12-28: due 8 days later, 2027-01-05.
        refunded("kn_refund_due_8_days", "konnected/3.3/return-shipping", kn_panel())
            .on("2026-12-28")
            .due(Some("2027-01-05")),
        // The sale sensor's box is damaged and unphotographed, but the sale flag alone refuses it (not physical):
        // no hold. Partial, handling 10.00: 199.00 - 7.25 - 10.00 = 181.75.
        sc(
            "kn_sale_item_bad_box_no_photo_not_held",
            "konnected/3.5/sale-items",
            kn(
                vec![panel(1), door(1).with(on_sale.clone())],
                vec![
                    kn_item("KN-PANEL", 1),
                    kn_item("KN-DOOR", 1).with(json!({ "packaging": "damaged", "photos": 0 })),
                ],
            ),
        )
        .is("partial", "refund")
        .money(with_handling),
        // Used without defect and no photo, but requested on day 61: the window decides, deny.
        deny(
            "kn_used_no_photo_day_61_denied",
            "konnected/3.3/window",
            kn_panel_as(json!({ "condition": "used", "photos": 0 })).dates("2026-11-01", "2026-11-06"),
        ),
        // Two sensors as two entries, one sealed, one used without defect (photographed): one unit accepted.
        // 15.00 - 7.25 = 7.75.
        sc(
            "kn_same_sku_split_outcome",
            "konnected/3.3/used",
            kn(vec![door(2)], vec![kn_item("KN-DOOR", 1), kn_item("KN-DOOR", 1).with(json!({ "condition": "used" }))]),
        )
        .is("partial", "refund")
        .money(["15.00", "0.00", "0.00", "7.25", "0.00", "9.95", "7.75"])
        .line(ln("KN-DOOR", 2, 2, 1, 0, "0.00").refused(1).outcome("partial")),
        // Three sensors back: 3 x 15.00 = 45.00 - 7.25 = 37.75.
        sc("kn_multi_qty_refund", "konnected/3.3/return-shipping", kn(vec![door(3)], vec![kn_item("KN-DOOR", 3)]))
            .is("accept", "refund")
            .money(["45.00", "0.00", "0.00", "7.25", "0.00", "9.95", "37.75"])
            .line(ln("KN-DOOR", 3, 3, 3, 0, "0.00")),
        // A sale item sent back after the window: the window denies it, and it is still a non-returnable item that
        // no authorisation covered, so the handling fee applies (spec: "No authorization can cover them, so they
        // count as returned without authorization: the merchant's handling fee applies, once per package").
        // Deny: only the 10.00 handling fee shows, net 0.00, and the fee exceeds the nil refund.
        sc(
            "kn_sale_item_day_61_still_charged_handling",
            "konnected/3.3/window",
            kn(vec![door(1).with(on_sale.clone())], vec![kn_item("KN-DOOR", 1)]).dates("2026-11-01", "2026-11-06"),
        )
        .is("deny", "return_to_customer")
        .money(KN_HANDLING_ONLY)
        .also(&["konnected/3.5/handling-fee"])
        .flags(&["fees_exceed_refund"]),
        // An international exchange, but the only item is refused (used, no defect, photographed): nothing is
        // accepted, so there is nothing for the customer to choose a refund or store credit for. Deny.
        deny(
            "kn_international_exchange_nothing_accepted_denied",
            "konnected/3.3/used",
            kn_panel_as(json!({ "condition": "used" }))
                .order(json!({ "country": "CA" }))
                .rma(json!({ "resolution": "exchange" })),
        ),
        // Same on day 61: the window denies everything, no hold.
        deny(
            "kn_international_exchange_day_61_denied",
            "konnected/3.3/window",
            kn_panel()
                .order(json!({ "country": "CA" }))
                .rma(json!({ "resolution": "exchange" }))
                .dates("2026-11-01", "2026-11-06"),
        ),
        // The exchange rule is about exchanges: an international return asking for a replacement gets one.
        sc(
            "kn_replacement_international",
            "konnected/3.3/resolutions",
            kn_panel().order(json!({ "country": "CA" })).rma(json!({ "resolution": "replacement" })),
        )
        .is("accept", "replacement")
        .money(KN_PANEL_GOODS),
        // "Any defect" includes a manufacturing defect: the used panel is accepted, 191.75.
        refunded(
            "kn_used_with_manufacturing_defect_accepted",
            "konnected/3.3/used",
            kn_panel_as(json!({ "condition": "used", "defect": "manufacturing" })),
        ),
        // Owner, commercial use and proof of purchase are warranty rules; a return ignores them: 191.75.
        refunded(
            "kn_return_ignores_warranty_conditions",
            "konnected/3.3/return-shipping",
            kn_panel().insp(json!({ "original_owner": false, "commercial_use": true, "proof_of_purchase": false })),
        ),
    ]
}

fn konnected_referral_cases() -> Vec<Scenario> {
    let referral =
        |lifetime: &str| json!({ "referral": { "referred": true, "minimum": "100.00", "lifetime_value": lifetime } });
    let rescind = ["referral_credit_rescission"];
    vec![
        // Panel accepted, two sale sensors (30.00) refused: only the 199.00 accepted counts.
        // 320.00 - 199.00 = 121.00 >= 100.00: no flag (counting the refused 30.00 too would give 91.00).
        // Money: 199.00 - 7.25 - 10.00 handling = 181.75.
        sc(
            "kn_referral_counts_accepted_lines_only",
            "konnected/3.5/sale-items",
            kn(
                vec![panel(1), line("KN-DOOR", "sensor", 2, "15.00").with(json!({ "on_sale": true }))],
                vec![kn_item("KN-PANEL", 1), kn_item("KN-DOOR", 2)],
            )
            .order(referral("320.00")),
        )
        .is("partial", "refund")
        .money(["199.00", "0.00", "0.00", "7.25", "10.00", "9.95", "181.75"]),
        // 295.00 - 199.00 accepted = 96.00 < 100.00: rescinded. (Taking the net 191.75 instead would leave 103.25.)
        sc("kn_referral_below_minimum", "konnected/1.3.2/referral-rescission", kn_panel().order(referral("295.00")))
            .is("accept", "refund")
            .money(KN_PANEL_REFUND)
            .flags(&rescind),
        // 400.00 - 199.00 = 201.00 >= 100.00: no flag. The clause is the one exercised; no reason is expected.
        sc("kn_referral_above_minimum", "konnected/3.3/return-shipping", kn_panel().order(referral("400.00")))
            .is("accept", "refund")
            .money(KN_PANEL_REFUND),
        // 299.00 - 199.00 = 100.00, exactly the minimum: not below it, no flag.
        sc("kn_referral_at_minimum", "konnected/3.3/return-shipping", kn_panel().order(referral("299.00")))
            .is("accept", "refund")
            .money(KN_PANEL_REFUND),
        // Store credit pays money back: 96.00 < 100.00 -> flagged.
        sc(
            "kn_referral_store_credit",
            "konnected/1.3.2/referral-rescission",
            kn_panel().order(referral("295.00")).rma(json!({ "resolution": "store_credit" })),
        )
        .is("accept", "store_credit")
        .money(KN_PANEL_REFUND)
        .flags(&rescind),
        // An exchange pays nothing back: the lifetime value does not drop, no flag.
        sc(
            "kn_referral_exchange_no_flag",
            "konnected/3.4/exchanges",
            kn_panel().order(referral("295.00")).rma(json!({ "resolution": "exchange" })),
        )
        .is("accept", "exchange")
        .money(KN_PANEL_GOODS),
        sc(
            "kn_referral_not_referred",
            "konnected/3.3/return-shipping",
            kn_panel()
                .order(json!({ "referral": { "referred": false, "minimum": "100.00", "lifetime_value": "295.00" } })),
        )
        .is("accept", "refund")
        .money(KN_PANEL_REFUND),
        // Denied (day 61): nothing paid back, no flag.
        sc(
            "kn_referral_denied_no_flag",
            "konnected/3.3/window",
            kn_panel().order(referral("295.00")).dates("2026-11-01", "2026-11-06"),
        )
        .is("deny", "return_to_customer")
        .money(ZERO),
    ]
}

// ---------------------------------------------------------------------------------------------------------------
// Konnected warranty and shipping damage
// ---------------------------------------------------------------------------------------------------------------

fn konnected_warranty_cases() -> Vec<Scenario> {
    let deny = |name, clause, case| sc(name, clause, case).is("deny", "return_to_customer").money(ZERO);
    let replaced = |name, clause, case| sc(name, clause, case).is("accept", "replacement").money(KN_PANEL_GOODS);
    let hold = |name, clause, case| sc(name, clause, case).is("hold", "hold").money(ZERO);
    let cause = |cause: &str| kn_panel_claim(json!({ "damage_cause": cause }));
    vec![
        // Purchased 2025-10-31 + 12 months = 2026-10-31, the last covered day.
        replaced(
            "kn_warranty_last_day",
            "konnected/6.1/one-year",
            kn_panel_claim(json!({})).dates("2026-10-31", "2026-11-05"),
        )
        .line(ln("KN-PANEL", 1, 1, 1, 0, "0.00"))
        .due(None),
        deny(
            "kn_warranty_day_after",
            "konnected/6.1/one-year",
            kn_panel_claim(json!({})).dates("2026-11-01", "2026-11-06"),
        ),
        // Counted from the purchase (2025-10-20 -> last day 2026-10-20), not the delivery (2025-11-05):
        // 2026-10-21 is out although within a year of delivery.
        deny(
            "kn_warranty_counts_from_purchase",
            "konnected/6.1/one-year",
            kn_panel_claim(json!({}))
                .order(json!({ "purchased_on": "2025-10-20", "delivered_on": "2025-11-05" }))
                .dates("2026-10-21", "2026-10-26"),
        ),
        // Bought on a leap day: 2024-02-29 + 12 months = 2025-02-28.
        replaced(
            "kn_warranty_leap_day_last_day",
            "konnected/6.1/one-year",
            kn_panel_claim(json!({}))
                .order(json!({ "purchased_on": "2024-02-29", "delivered_on": "2024-03-05" }))
                .dates("2025-02-28", "2025-03-04"),
        ),
        deny(
            "kn_warranty_leap_day_day_after",
            "konnected/6.1/one-year",
            kn_panel_claim(json!({}))
                .order(json!({ "purchased_on": "2024-02-29", "delivered_on": "2024-03-05" }))
                .dates("2025-03-01", "2025-03-04"),
        ),
        deny(
            "kn_warranty_subsequent_owner",
            "konnected/6.2.2/subsequent-owner",
            kn_panel_claim(json!({})).insp(json!({ "original_owner": false })),
        ),
        deny(
            "kn_warranty_commercial_use",
            "konnected/6.2.2/commercial-use",
            kn_panel_claim(json!({})).insp(json!({ "commercial_use": true })),
        ),
        hold(
            "kn_warranty_no_proof_of_purchase_holds",
            "konnected/6.5/proof-of-purchase",
            kn_panel_claim(json!({})).insp(json!({ "proof_of_purchase": false })),
        )
        .line(ln("KN-PANEL", 1, 1, 0, 0, "0.00")),
        deny(
            "kn_warranty_breakage_not_covered",
            "konnected/6.2.1/manufacturing-defects",
            kn_panel_claim(json!({ "defect": "breakage" })),
        ),
        // "Defect not covered" is no physical state: no hold for the missing photo.
        deny(
            "kn_warranty_malfunction_no_photo_still_denied",
            "konnected/6.2.1/manufacturing-defects",
            kn_panel_claim(json!({ "defect": "malfunction", "photos": 0 })),
        ),
        deny(
            "kn_warranty_no_defect",
            "konnected/6.2.1/manufacturing-defects",
            kn_panel_claim(json!({ "defect": "none" })),
        ),
        deny("kn_warranty_wear_and_tear", "konnected/6.2.2/wear-and-tear", cause("wear_and_tear")),
        deny("kn_warranty_fire", "konnected/6.2.2/acts-of-god", cause("fire")),
        deny("kn_warranty_flood", "konnected/6.2.2/acts-of-god", cause("flood")),
        deny("kn_warranty_natural_disaster", "konnected/6.2.2/acts-of-god", cause("natural_disaster")),
        deny("kn_warranty_accident", "konnected/6.2.2/misuse", cause("accident")),
        deny("kn_warranty_misuse", "konnected/6.2.2/misuse", cause("misuse")),
        deny("kn_warranty_neglect", "konnected/6.2.2/misuse", cause("neglect")),
        deny("kn_warranty_abuse", "konnected/6.2.2/misuse", cause("abuse")),
        deny("kn_warranty_modification", "konnected/6.2.2/modification", cause("modification")),
        deny("kn_warranty_unauthorized_service", "konnected/6.2.2/unauthorized-service", cause("unauthorized_service")),
        // Abuse is a physical state: with no photo, hold.
        hold(
            "kn_warranty_abuse_no_photo_holds",
            "konnected/6.2.2/misuse",
            kn_panel_claim(json!({ "damage_cause": "abuse", "photos": 0 })),
        )
        .also(&["station/evidence/photo-required"]),
        // Out of warranty as well: the non-physical reason decides, deny.
        deny(
            "kn_warranty_out_of_period_abuse_no_photo_denied",
            "konnected/6.1/one-year",
            kn_panel_claim(json!({ "damage_cause": "abuse", "photos": 0 })).dates("2026-11-01", "2026-11-06"),
        ),
        // Covered, but no part is replaced without a photo of it: hold.
        hold(
            "kn_warranty_covered_no_photo_holds",
            "konnected/6.4/photo-of-damage",
            kn_panel_claim(json!({ "photos": 0 })),
        )
        .line(ln("KN-PANEL", 1, 1, 0, 0, "0.00")),
        // The remedy is always a replacement part: refund or exchange asked, replacement given; no label, no money.
        replaced(
            "kn_warranty_refund_asked_replaced",
            "konnected/6.3/replacement-part",
            kn_panel_claim(json!({})).rma(json!({ "resolution": "refund" })),
        )
        .due(None),
        replaced(
            "kn_warranty_exchange_asked_replaced",
            "konnected/6.3/replacement-part",
            kn_panel_claim(json!({})).rma(json!({ "resolution": "exchange" })).order(json!({ "country": "CA" })),
        ),
        // Four sensors ordered, one faulty sent in: 15.00 replaced; the other three are not "missing".
        sc(
            "kn_warranty_line_has_no_missing",
            "konnected/6.3/replacement-part",
            kn_warranty(vec![line("KN-DOOR", "sensor", 4, "15.00")], vec![faulty("KN-DOOR", "none", "manufacturing")]),
        )
        .is("accept", "replacement")
        .money(["15.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"])
        .line(ln("KN-DOOR", 4, 1, 1, 0, "0.00")),
        // Non-returnable rules are for returns only: a sale item is still under warranty.
        replaced(
            "kn_warranty_sale_item_covered",
            "konnected/6.3/replacement-part",
            kn_warranty(
                vec![panel(1).with(json!({ "on_sale": true }))],
                vec![faulty("KN-PANEL", "none", "manufacturing")],
            ),
        ),
        // Konnected names no power-surge exclusion (that is ConnectPRO's): a manufacturing defect is covered.
        replaced(
            "kn_warranty_power_surge_not_excluded",
            "konnected/6.3/replacement-part",
            kn_panel_claim(json!({ "damage_cause": "power_surge" })),
        ),
        // Konnected's warranty has no direct-only rule.
        replaced(
            "kn_warranty_third_party_covered",
            "konnected/6.1/one-year",
            kn_panel_claim(json!({})).order(json!({ "channel": "third_party" })),
        ),
        // The return condition rules (box, damage) are for returns: a damaged panel without its box is covered.
        replaced(
            "kn_warranty_return_condition_rules_do_not_apply",
            "konnected/6.3/replacement-part",
            kn_panel_claim(json!({ "condition": "damaged", "packaging": "missing" })),
        ),
    ]
}

fn konnected_shipping_damage_cases() -> Vec<Scenario> {
    vec![
        // The panel's transit damage has no photo (covered, so it needs one) beside a sensor refused with photos:
        // the whole package holds.
        sc(
            "kn_damage_mixed_package_holds",
            "konnected/6.6/photos",
            kn(
                vec![panel(1), line("KN-DOOR", "sensor", 1, "15.00")],
                vec![
                    carrier_damaged("KN-PANEL", "none").with(json!({ "photos": 0 })),
                    carrier_damaged("KN-DOOR", "none").with(json!({ "damage_cause": "none" })),
                ],
            )
            .rma(json!({ "kind": "shipping_damage", "resolution": "replacement" })),
        )
        .is("hold", "hold")
        .money(ZERO)
        .line(ln("KN-PANEL", 1, 1, 0, 0, "0.00").outcome("hold"))
        .line(ln("KN-DOOR", 1, 1, 0, 0, "0.00"))
        .due(None),
        // Delivered 09-01: 10-01 is day 30 (the last), 10-02 day 31.
        sc(
            "kn_damage_day_30_replaced",
            "konnected/6.6/shipping-damage-window",
            kn_damage(json!({})).dates("2026-10-01", "2026-10-06"),
        )
        .is("accept", "replacement")
        .money(KN_PANEL_GOODS)
        .line(ln("KN-PANEL", 1, 1, 1, 0, "0.00"))
        .due(None),
        sc(
            "kn_damage_day_31_denied",
            "konnected/6.6/shipping-damage-window",
            kn_damage(json!({})).dates("2026-10-02", "2026-10-06"),
        )
        .is("deny", "return_to_customer")
        .money(ZERO),
        // Refund asked: the damaged parts are replaced.
        sc(
            "kn_damage_refund_asked_replaced",
            "konnected/6.3/shipping-damage-remedy",
            kn_damage(json!({})).rma(json!({ "resolution": "refund" })),
        )
        .is("accept", "replacement")
        .money(KN_PANEL_GOODS),
        sc("kn_damage_no_photo_holds", "konnected/6.6/photos", kn_damage(json!({ "photos": 0 })))
            .is("hold", "hold")
            .money(ZERO)
            .line(ln("KN-PANEL", 1, 1, 0, 0, "0.00")),
        sc(
            "kn_damage_not_from_shipping_denied",
            "konnected/6.3/shipping-damage",
            kn_damage(json!({ "damage_cause": "none" })),
        )
        .is("deny", "return_to_customer")
        .money(ZERO),
        sc(
            "kn_damage_not_from_shipping_no_photo_holds",
            "konnected/6.3/shipping-damage",
            kn_damage(json!({ "damage_cause": "return_shipping", "photos": 0 })),
        )
        .is("hold", "hold")
        .money(ZERO)
        .also(&["station/evidence/photo-required"]),
        // Four sensors of the order were fine and stay home: missing 0.
        sc(
            "kn_damage_line_has_no_missing",
            "konnected/6.3/shipping-damage-remedy",
            kn(vec![panel(1), line("KN-DOOR", "sensor", 4, "15.00")], vec![carrier_damaged("KN-PANEL", "none")])
                .rma(json!({ "kind": "shipping_damage", "resolution": "replacement" })),
        )
        .is("accept", "replacement")
        .money(KN_PANEL_GOODS)
        .line(ln("KN-DOOR", 4, 0, 0, 0, "0.00")),
        // Panel damaged in transit, sensor not (photographed): partial, the panel (199.00) replaced.
        sc(
            "kn_damage_partial",
            "konnected/6.3/shipping-damage",
            kn(
                vec![panel(1), line("KN-DOOR", "sensor", 1, "15.00")],
                vec![
                    carrier_damaged("KN-PANEL", "none"),
                    carrier_damaged("KN-DOOR", "none").with(json!({ "damage_cause": "none" })),
                ],
            )
            .rma(json!({ "kind": "shipping_damage", "resolution": "replacement" })),
        )
        .is("partial", "replacement")
        .money(KN_PANEL_GOODS)
        .line(ln("KN-PANEL", 1, 1, 1, 0, "0.00"))
        .line(ln("KN-DOOR", 1, 1, 0, 0, "0.00").refused(1)),
        // A gifted order's sale item damaged in transit: non-returnable rules are for returns only; no handling fee.
        sc(
            "kn_damage_gifted_sale_item_replaced",
            "konnected/6.3/shipping-damage-remedy",
            kn(vec![panel(1).with(json!({ "on_sale": true }))], vec![carrier_damaged("KN-PANEL", "none")])
                .order(json!({ "gifted": true }))
                .rma(json!({ "kind": "shipping_damage", "resolution": "replacement" })),
        )
        .is("accept", "replacement")
        .money(KN_PANEL_GOODS),
        // An international order's damaged part is replaced (the US-only rule is about exchanges).
        sc(
            "kn_damage_international_replaced",
            "konnected/6.3/shipping-damage-remedy",
            kn_damage(json!({})).order(json!({ "country": "CA" })),
        )
        .is("accept", "replacement")
        .money(KN_PANEL_GOODS),
        // A damaged box is what transit damage looks like; the owner and proof rules are the warranty's. Replaced.
        sc(
            "kn_damage_box_damaged_not_owner_replaced",
            "konnected/6.3/shipping-damage-remedy",
            kn_damage(json!({ "packaging": "damaged" }))
                .insp(json!({ "original_owner": false, "proof_of_purchase": false })),
        )
        .is("accept", "replacement")
        .money(KN_PANEL_GOODS),
        sc("kn_damage_no_rma", "konnected/3.3/authorization", kn_damage(json!({})).with(json!({ "rma": null })))
            .is("deny", "return_to_customer")
            .money(KN_HANDLING_ONLY)
            .flags(&["fees_exceed_refund"]),
    ]
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

fn all_cases() -> Vec<Scenario> {
    [
        connectpro_return_cases(),
        connectpro_warranty_cases(),
        connectpro_shipping_damage_cases(),
        konnected_return_cases(),
        konnected_referral_cases(),
        konnected_warranty_cases(),
        konnected_shipping_damage_cases(),
    ]
    .concat()
}

#[test]
fn spec_example_connectpro_kvm_4p() {
    // decide-json.md's example, checked on its own so that it reads as the contract's first promise.
    check(
        &sc("spec_example", "connectpro/refund/card-fee", cp_kvm())
            .is("accept", "refund")
            .money(CP_KVM_REFUND)
            .line(ln("KVM-4P", 1, 1, 1, 0, "0.00"))
            .due(Some("2026-12-05")),
    );
}

#[test]
fn connectpro_returns() {
    check_all(&connectpro_return_cases());
}

#[test]
fn connectpro_warranty() {
    check_all(&connectpro_warranty_cases());
}

#[test]
fn connectpro_shipping_damage() {
    check_all(&connectpro_shipping_damage_cases());
}

#[test]
fn konnected_returns() {
    check_all(&konnected_return_cases());
}

#[test]
fn konnected_referral() {
    check_all(&konnected_referral_cases());
}

#[test]
fn konnected_warranty() {
    check_all(&konnected_warranty_cases());
}

#[test]
fn konnected_shipping_damage() {
    check_all(&konnected_shipping_damage_cases());
}

#[test]
fn the_table_is_large_and_every_row_is_complete() {
    let cases = all_cases();
    assert!(cases.len() >= 70, "only {} scenarios", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "scenario names must be unique");
    for case in &cases {
        assert_ne!(case.verdict, "?", "{}: no verdict given", case.name);
        assert!(
            case.clause.starts_with("connectpro/")
                || case.clause.starts_with("konnected/")
                || case.clause.starts_with("station/"),
            "{}: clause {:?} names no policy",
            case.name,
            case.clause
        );
    }
}
