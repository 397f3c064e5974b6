//! Policy files: the built-in ones are valid and complete; broken ones are refused with file, line,
//! column and reason; `policy check` and `policy show` behave as a clerk and an integrator expect.

use rma_station::domain::policy::ItemRule;
use rma_station::domain::vocabulary::Evidence;
use rma_station::formats::policy_toml::parse_policy;
use rma_station::policies::PolicySet;

use crate::support::{POLICIES, run_station};

const CONNECTPRO: &str = include_str!("../assets/policies/connectpro.toml");

/// Replaces the first occurrence of `from` (which must exist) in the ConnectPRO file.
#[track_caller]
fn edited(from: &str, to: &str) -> String {
    assert!(CONNECTPRO.contains(from), "test edit {from:?} does not match the policy file");
    CONNECTPRO.replacen(from, to, 1)
}

/// The 1-based line of the first line containing `needle` in `text`.
#[track_caller]
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle:?} not in the text")) + 1
}

#[track_caller]
fn check_refused(name: &str, text: &str, line_marker: &str, column: usize, message: &str) {
    let error = match parse_policy("connectpro.toml", text) {
        Ok(_) => panic!("{name}: a broken policy was accepted"),
        Err(e) => e,
    };
    let expected_line = line_of(text, line_marker);
    assert_eq!(
        (error.file.as_str(), error.line, error.column),
        ("connectpro.toml", expected_line, column),
        "{name}: wrong position for {error}"
    );
    assert!(error.message.contains(message), "{name}: message {:?} lacks {message:?}", error.message);
}

#[test]
fn broken_policy_files_are_refused_with_file_line_column_and_reason() {
    // (case, edited text, marker of the line the error must point at, column, words the message must have)
    let cases: Vec<(&str, String, &str, usize, &str)> = vec![
        (
            "unknown key",
            edited("days = 15\n", "days = 15\ngrace_days = 3\n"),
            "grace_days",
            1,
            "unknown field `grace_days`",
        ),
        (
            "wrong type",
            edited("days = 15\n", "days = \"fifteen\"\n"),
            "days = \"fifteen\"",
            8,
            "invalid type: string \"fifteen\", expected u32",
        ),
        (
            "percent over 100",
            edited("percent = \"15\"", "percent = \"150\""),
            "percent = \"150\"",
            11,
            "\"150\" is over 100 percent",
        ),
        (
            "negative amount",
            edited("per_unit = \"5.00\"", "per_unit = \"-5.00\""),
            "per_unit = \"-5.00\"",
            12,
            "\"-5.00\" is negative",
        ),
        (
            "negative percent",
            edited("percent = \"2.6\"", "percent = \"-2.6\""),
            "percent = \"-2.6\"",
            11,
            "\"-2.6\" is negative",
        ),
        // Issue 15: each of these was accepted (a due date of u32::MAX days gave no due date at all).
        (
            "days beyond ten years",
            edited("days = 14\n", "days = 4294967295\n"),
            "days = 4294967295",
            8,
            "4294967295 days; a policy counts at most 3650 days",
        ),
        (
            "not a currency",
            edited("currency = \"USD\"", "currency = \"DOLLARS\""),
            "currency = \"DOLLARS\"",
            12,
            "\"DOLLARS\" is not a currency code",
        ),
        (
            "nothing allowed",
            edited("allowed = [\"direct\"]", "allowed = []"),
            "allowed = []",
            11,
            "must name at least one",
        ),
        (
            "sub-cent amount",
            edited("fixed = \"0.30\"", "fixed = \"0.305\""),
            "fixed = \"0.305\"",
            9,
            "more than two decimal places",
        ),
        ("float amount", edited("fixed = \"0.30\"", "fixed = 0.30"), "fixed = 0.30", 9, "quoted decimal"),
        (
            "not a number",
            edited("fixed = \"0.30\"", "fixed = \"thirty cents\""),
            "fixed = \"thirty",
            9,
            "is not a decimal amount",
        ),
        (
            "unknown word",
            edited("from = \"delivered_on\"", "from = \"shipped_on\""),
            "from = \"shipped_on\"",
            8,
            "unknown date \"shipped_on\"; expected one of: purchased_on, delivered_on",
        ),
        (
            "unknown resolution",
            edited("allowed = [\"refund\", \"exchange\"]", "allowed = [\"refund\", \"cash\"]"),
            "allowed = [\"refund\", \"cash\"]",
            22,
            "unknown resolution \"cash\"",
        ),
        ("newer schema", edited("schema = 1", "schema = 2"), "schema = 2", 10, "schema 2 is not supported"),
        (
            "merchant id is not the file name",
            edited("id = \"connectpro\"", "id = \"connect\""),
            "id = \"connect\"",
            6,
            "must match the file name",
        ),
        (
            "clause of another merchant",
            edited("clause = \"connectpro/refund/card-fee\"", "clause = \"acme/refund/card-fee\""),
            "acme/refund/card-fee",
            10,
            "must start with \"connectpro/\"",
        ),
        (
            "rate with two amounts",
            edited("per_unit = \"5.00\"", "per_unit = \"5.00\"\npercent = \"10\""),
            "[[restocking_fee.category]]",
            1,
            "exactly one of percent or per_unit",
        ),
        (
            "duplicate category rate",
            edited(
                "[[restocking_fee.category]]",
                "[[restocking_fee.category]]\ncategory = \"accessory\"\npercent = \"1\"\nclause = \"connectpro/x\"\ntext = \"x\"\n\n[[restocking_fee.category]] # the second",
            ),
            "# the second",
            1,
            "has two restocking rates",
        ),
        (
            "one category, two warranty periods",
            edited(
                "[[warranty.period.category]]\ncategory = \"extender\"",
                "[[warranty.period.category]] # the twin\ncategory = \"video_emulator\"",
            ),
            "# the twin",
            1,
            "category \"video_emulator\" has two warranty periods",
        ),
        (
            "one clause, two texts",
            edited(
                "category = \"extender\"\nmonths = 12\nclause = \"connectpro/warranty/period\"\ntext = \"Video",
                "category = \"extender\"\nmonths = 12\nclause = \"connectpro/warranty/period\"\ntext = \"Extenders",
            ),
            "text = \"Extenders",
            8,
            "is given two different texts",
        ),
        (
            "rule that tests nothing",
            edited("stickers = [\"removed\", \"broken\", \"altered\"]\n", ""),
            "[[warranty.void]]",
            1,
            "tests nothing",
        ),
        (
            "physical-state rule without the photo mark",
            edited(
                "stickers = [\"removed\", \"broken\", \"altered\"]\nevidence = \"photo\"\n",
                "stickers = [\"removed\", \"broken\", \"altered\"]\n",
            ),
            "[[warranty.void]]",
            1,
            "connectpro/warranty/void/sticker tests the goods' physical state, so it needs evidence = \"photo\"",
        ),
        (
            "shipping damage rule without the photo mark",
            edited(
                "covered_causes = [\"outbound_shipping\"]\nevidence = \"photo\"\n",
                "covered_causes = [\"outbound_shipping\"]\n",
            ),
            "[shipping_damage.damage]",
            1,
            "needs evidence = \"photo\"",
        ),
        (
            "evidence that is not a photo",
            edited("disassembled = true\nevidence = \"photo\"", "disassembled = true\nevidence = \"video\""),
            "evidence = \"video\"",
            12,
            "photo",
        ),
        (
            "fee without schedule",
            {
                let start = CONNECTPRO.find("[restocking_fee.default]").unwrap_or_default();
                let end = start + CONNECTPRO[start..].find("# -----").unwrap_or_default();
                format!("{}{}", &CONNECTPRO[..start], &CONNECTPRO[end..])
            },
            "[returns.missing_items]",
            1,
            "no [restocking_fee] schedule",
        ),
        (
            "misspelt table",
            edited("[refund.due]\ndays = 14", "[refund.overdue]\ndays = 14"),
            "[refund.overdue]",
            9,
            "unknown field `overdue`, expected `shipping` or `due`",
        ),
        (
            "missing key",
            edited("[refund.due]\ndays = 14\n", "[refund.due]\n"),
            "[refund.due]",
            1,
            "missing field `days`",
        ),
        ("TOML syntax", edited("days = 15\n", "days = = 15\n"), "days = = 15", 8, "extra `=`, expected nothing"),
    ];
    assert!(cases.len() >= 15);
    for (name, text, marker, column, message) in &cases {
        check_refused(name, text, marker, *column, message);
    }
}

#[test]
fn every_rule_of_the_built_in_policies_carries_a_clause_and_words() {
    for loaded in POLICIES.iter() {
        let policy = &loaded.policy;
        let prefix = format!("{}/", policy.merchant.id);
        for clause in policy.clauses() {
            assert!(clause.id.starts_with(&prefix), "{}: clause {} lacks its merchant prefix", loaded.file, clause.id);
            assert!(
                clause.text.split_whitespace().count() >= 4,
                "{}: clause {} has no real text",
                loaded.file,
                clause.id
            );
        }
        // One clause id, one text: a decision must not cite the same clause with two wordings.
        for a in policy.clauses() {
            for b in policy.clauses() {
                assert!(a.id != b.id || a.text == b.text, "{}: clause {} has two texts", loaded.file, a.id);
            }
        }
    }
    assert_eq!(POLICIES.merchant_ids(), ["connectpro", "konnected"]);
}

#[test]
fn a_third_merchant_is_a_new_file() {
    let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let third = CONNECTPRO.replace("connectpro/", "acme/").replace("id = \"connectpro\"", "id = \"acme\"");
    std::fs::write(folder.path().join("acme.toml"), third).unwrap_or_else(|e| panic!("write: {e}"));
    let built_in = PolicySet::built_in().unwrap_or_else(|e| panic!("built in: {e}"));
    let set = built_in.with_folder(folder.path()).unwrap_or_else(|e| panic!("folder: {e}"));
    assert_eq!(set.merchant_ids(), ["acme", "connectpro", "konnected"]);
}

#[test]
fn policy_check_reports_each_file_and_fails_on_any_error() {
    let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let broken = folder.path().join("connectpro.toml");
    std::fs::write(&broken, edited("percent = \"15\"", "percent = \"101\"")).unwrap_or_else(|e| panic!("write: {e}"));
    let good = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/policies/konnected.toml");

    let ok = run_station(&["policy", "check", good], "");
    assert!(ok.status.success(), "a valid file failed: {}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("konnected.toml: ok"));

    let failed = run_station(&["policy", "check", good, &broken.display().to_string()], "");
    assert!(!failed.status.success());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    let line = line_of(&edited("percent = \"15\"", "percent = \"101\""), "percent = \"101\"");
    assert!(
        stderr.contains(&format!("{}:{line}:11: \"101\" is over 100 percent", broken.display())),
        "stderr was: {stderr}"
    );
}

#[test]
fn policy_show_prints_the_rules_in_plain_words_with_their_clauses() {
    let shown = run_station(&["policy", "show", "connectpro"], "");
    assert!(shown.status.success());
    let text = String::from_utf8_lossy(&shown.stdout);
    for expected in [
        "ConnectPRO (connectpro)",
        "A return must be requested within 15 days of the date it was delivered on (that date is day 0).",
        "Category accessory: $5.00 per missing unit.",
        "Any item: 15% of the missing items' value.",
        "Card processing fee: 2.6% of the whole order total (items and shipping) + $0.30.",
        "Category kvm_switch: 3 years.",
        "Void if: warranty sticker removed or broken or altered.",
        "[connectpro/refund/card-fee] \"Card processing fee 2.6% + $0.30 is non-refundable\"",
    ] {
        assert!(text.contains(expected), "policy show lacks {expected:?}:\n{text}");
    }

    let unknown = run_station(&["policy", "show", "acme"], "");
    assert!(!unknown.status.success());
    assert_eq!(
        String::from_utf8_lossy(&unknown.stderr).trim(),
        "rma-station: unknown merchant \"acme\"; known merchants: connectpro, konnected"
    );
}

/// `policy show` lists exactly the clauses a policy marks `evidence = "photo"`, each with where the bench
/// photographs it, under a heading of their own; a clause a photo cannot change (a defect not covered) is
/// not among them.
#[test]
fn policy_show_lists_the_clauses_that_need_a_photo() {
    for loaded in POLICIES.iter() {
        let policy = &loaded.policy;
        let shown = run_station(&["policy", "show", &policy.merchant.id], "");
        assert!(shown.status.success());
        let text = String::from_utf8_lossy(&shown.stdout);
        let heading = rma_station::domain::policy::words::PHOTO_CLAUSES.to_uppercase();
        let section: Vec<&str> =
            text.lines().skip_while(|line| *line != heading).skip(1).take_while(|line| !line.is_empty()).collect();
        let listed: Vec<&str> = section
            .iter()
            .filter_map(|line| line.trim().strip_prefix('[').and_then(|rest| rest.split(']').next()))
            .collect();
        let marked = |rules: &[ItemRule]| -> Vec<String> {
            rules.iter().filter(|r| r.evidence == Some(Evidence::Photo)).map(|r| r.clause.id.clone()).collect()
        };
        let mut expected = marked(&policy.returns.refuse);
        expected.extend(marked(&policy.warranty.void));
        expected.extend(marked(&policy.warranty.exclusions));
        if policy.shipping_damage.damage_evidence == Some(Evidence::Photo) {
            expected.push(policy.shipping_damage.damage_clause.id.clone());
        }
        assert!(expected.len() >= 7, "{}: only {expected:?} marked", policy.merchant.id);
        assert_eq!(listed, expected, "{}: the photo clauses listed:\n{text}", policy.merchant.id);
        assert!(!listed.contains(&policy.warranty.defects.clause.id.as_str()));
    }
    let konnected = run_station(&["policy", "show", "konnected"], "");
    let text = String::from_utf8_lossy(&konnected.stdout);
    for expected in [
        "  - Warranty not covering damage caused by accident or misuse or neglect or abuse: refused only with a photo of the damage; without one the package is held.\n      [konnected/6.2.2/misuse]",
        "  - A return with packaging damaged or missing: refused only with a photo of the packaging;",
    ] {
        assert!(text.contains(expected), "policy show lacks {expected:?}:\n{text}");
    }
    let connectpro = run_station(&["policy", "show", "connectpro"], "");
    let text = String::from_utf8_lossy(&connectpro.stdout);
    let sticker = "Warranty void if warranty sticker removed or broken or altered: refused only with a photo of the warranty sticker;";
    assert!(text.contains(sticker), "policy show lacks {sticker:?}:\n{text}");
}

/// A policy folder with one file: ConnectPRO's rules under the id `acme`, with `extra` appended.
fn acme_folder(extra: &str) -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let acme = CONNECTPRO.replace("connectpro/", "acme/").replace("id = \"connectpro\"", "id = \"acme\"");
    std::fs::write(folder.path().join("acme.toml"), format!("{acme}\n{extra}"))
        .unwrap_or_else(|e| panic!("write: {e}"));
    folder
}

#[test]
fn a_sku_rate_wins_over_its_category_and_the_default() {
    let folder = acme_folder(
        "[[restocking_fee.sku]]\nsku = \"CBL-HDMI\"\npercent = \"50\"\nclause = \"acme/return/restocking-fee/cbl-hdmi\"\ntext = \"HDMI cables not returned: half their value\"\n",
    );
    let case = serde_json::json!({
        "merchant": "acme",
        "order": { "number": "A-1", "country": "US", "purchased_on": "2026-09-01", "delivered_on": "2026-09-04",
                   "shipping_charged": "0.00",
                   "lines": [
                       { "sku": "KVM-4P", "category": "kvm_switch", "qty": 1, "unit_price": "100.00" },
                       { "sku": "CBL-HDMI", "category": "accessory", "qty": 2, "unit_price": "9.99" },
                       { "sku": "CBL-USB", "category": "accessory", "qty": 1, "unit_price": "7.00" }
                   ] },
        "rma": { "number": "RMA-1", "requested_on": "2026-09-10", "kind": "return", "resolution": "refund" },
        "inspection": { "received_on": "2026-09-15", "items": [
            { "sku": "KVM-4P", "qty": 1, "condition": "sealed", "sticker": "intact", "packaging": "original",
              "defect": "none", "damage_cause": "none", "photos": 0 } ] }
    });
    let case_path = folder.path().join("case.json");
    std::fs::write(&case_path, case.to_string()).unwrap_or_else(|e| panic!("write: {e}"));
    let dir = folder.path().display().to_string();
    let out =
        run_station(&["--policy-dir", &dir, "decide", &case_path.display().to_string(), "--today", "2026-09-15"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    // CBL-HDMI: its own 50% of 2 x 9.99 = 9.99. CBL-USB: the accessory rate, $5.00 per unit.
    assert_eq!(decision["lines"][1]["fee"], "9.99");
    assert_eq!(decision["lines"][2]["fee"], "5.00");
    assert_eq!(decision["money"]["restocking_fee"], "14.99");
    let cited: Vec<&str> =
        decision["reasons"].as_array().into_iter().flatten().filter_map(|r| r["clause"].as_str()).collect();
    assert!(
        cited.contains(&"acme/return/restocking-fee/cbl-hdmi")
            && cited.contains(&"acme/return/restocking-fee/accessory"),
        "{cited:?}"
    );
    // Order total 100.00 + 19.98 + 7.00 = 126.98; 2.6% = 3.30148 -> 3.30, + 0.30 = 3.60. Net 100.00 - 14.99 - 3.60.
    assert_eq!(decision["money"]["card_fee"], "3.60");
    assert_eq!(decision["money"]["net"], "81.41");
    assert_eq!(decision["policy"]["file"], folder.path().join("acme.toml").display().to_string());
}

#[test]
fn a_broken_policy_folder_stops_the_station_with_the_file_named() {
    let folder = acme_folder("[surprise]\n");
    let dir = folder.path().display().to_string();
    let out = run_station(&["--policy-dir", &dir, "policy", "show", "acme"], "");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("acme.toml:") && stderr.contains("unknown field `surprise`"), "{stderr}");
}
