//! The bench from scan to queue, driven through the window's accessibility tree as a clerk would (scan
//! field, Enter, Escape, buttons, combo boxes), on a real SQLite file and on a PostgreSQL database (`on_both!`)
//! with the storage and photo threads running. Every test checks what the database holds afterwards, not only
//! what the screen shows.

use std::io::Write;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rma_station::domain::vocabulary::{Checkpoint, DamageCause, Disposition, Queue, Verdict};
use rma_station::gui::decision::{
    APPLY_OVERRIDE, OVERRIDE, OVERRIDE_AMOUNT, OVERRIDE_REASON, PHOTO_NEEDED, PHOTO_RULE, SUPERVISOR, SUPERVISOR_PIN,
    take_photo,
};
use rma_station::gui::inspection::PHOTO_FILE;
use rma_station::gui::intake::{MatchCard, QUARANTINE, QUARANTINE_NOTE, RECEIVE_WITHOUT_RMA};
use rma_station::gui::queues::{EXPORT, MARK_BATCH_DONE, MARK_DONE, MATCH, REFERENCE, RMA_TO_MATCH, WRITE_AGAIN};
use rma_station::gui::{Screen, StationApp};
use rma_station::storage::{PackageHistory, PackageStage, QueueStatus, photos_path};

#[cfg(unix)]
use crate::gui::station_with_scanner;
use crate::gui::{demo_station, scan, sign_in, step_until, type_into, with_demo};
use crate::support::place::{Place, on_both};
use crate::support::{POLICIES, fixture, pin_secret};

pub type Bench = Harness<'static, StationApp>;

pub fn enter(harness: &mut Bench) {
    harness.key_press(eframe::egui::Key::Enter);
    harness.run();
}

/// Scans a package label and opens its only RMA with Enter.
pub fn open_package(harness: &mut Bench, label: &str) {
    scan(harness, label);
    step_until(
        harness,
        "the match card",
        |app| matches!(app.intake_view().card, Some(MatchCard::Rmas { ref options, .. }) if options.len() == 1),
    );
    enter(harness);
    step_until(harness, "the inspection", |app| app.screen() == Screen::Inspection);
}

/// Opens the package of `label`, ticks off each item code scanned and decides it.
pub fn open_and_decide(harness: &mut Bench, label: &str, items: &[&str]) {
    open_package(harness, label);
    for item in items {
        scan(harness, item);
    }
    decide(harness);
}

/// Decides the open package (Enter on the empty scan field) and returns to the decision screen.
pub fn decide(harness: &mut Bench) {
    enter(harness);
    step_until(harness, "the decision", |app| app.screen() == Screen::Decision);
}

/// Confirms the decision on screen and waits for the bench to be free again.
pub fn confirm(harness: &mut Bench) {
    enter(harness);
    step_until(harness, "the saved decision", |app| app.screen() == Screen::Intake);
    let banner = harness.state().banner().cloned();
    assert!(matches!(&banner, Some((true, words)) if words.contains("decided")), "{banner:?}");
}

/// What the database holds about the one package received for `rma`.
pub(crate) fn history_of(place: &Place, rma: &str) -> PackageHistory {
    let store = place.open();
    let packages = store.find_packages(rma, 10).unwrap();
    assert_eq!(packages.len(), 1, "{packages:?}");
    let history = store.package_history(packages[0].id).unwrap();
    assert!(store.verify().unwrap().is_sound(), "the audit chain or the database is broken");
    history
}

fn actions(history: &PackageHistory) -> Vec<String> {
    history.audit.iter().map(|e| format!("{}:{}", e.entity, e.action)).collect()
}

/// Chooses `option` in the combo box labelled `label` as a clerk would, by clicking what the screen shows,
/// and checks that the box took it. (A click lands where the option is drawn: an option scrolled out of
/// sight in the drop-down is clicked outside it, which closes the list and chooses nothing.)
#[track_caller]
fn choose(harness: &mut Bench, label: &str, option: &str) {
    harness.get_by_label(label).click();
    harness.run();
    harness.get_by_label(option).click();
    harness.run();
    let shown = harness.get_by_label(label).value();
    assert_eq!(shown.as_deref(), Some(option), "{label}: {option} was not chosen (is it out of sight in the list?)");
}

#[cfg(unix)]
on_both!(a_whole_return_scanned_on_a_serial_scanner_is_accepted_and_its_refund_queued);
#[cfg(unix)]
fn a_whole_return_scanned_on_a_serial_scanner_is_accepted_and_its_refund_queued(place: &Place) {
    with_demo(place);
    let (mut master, mut harness) = station_with_scanner(place);

    // The RMA label, scanned on the serial scanner, finds the RMA; Enter opens it.
    master.write_all(b"RMA-2026-0101\r").unwrap();
    step_until(&mut harness, "the match card", |app| matches!(app.intake_view().card, Some(MatchCard::Rmas { .. })));
    enter(&mut harness);
    step_until(&mut harness, "the inspection", |app| app.screen() == Screen::Inspection);

    // Each item's SKU scanned (the cable kit twice) ticks it off.
    for sku in ["KVM-4P-DP", "CBL-KVM-USB-2M"] {
        master.write_all(format!("{sku}\r").as_bytes()).unwrap();
        step_until(&mut harness, sku, |app| {
            app.sheet().is_some_and(|s| s.items.iter().any(|i| i.sku == sku && i.received > 0))
        });
    }
    scan(&mut harness, "CBL-KVM-USB-2M");
    let sheet = harness.state().sheet().unwrap().clone();
    assert_eq!(sheet.missing(), Vec::new());
    assert_eq!(sheet.units_received(), 3);

    decide(&mut harness);
    let view = harness.state().decision_view().unwrap();
    assert_eq!((view.verdict, view.disposition), (Verdict::Accept, Disposition::Refund));
    harness.get_by_label("ACCEPT — refund");
    confirm(&mut harness);

    let history = history_of(place, "RMA-2026-0101");
    assert_eq!(history.package.stage, PackageStage::Decided(Verdict::Accept));
    assert_eq!(history.package.operator, "sam");
    let decision = &history.decisions[0];
    assert_eq!((decision.verdict, decision.disposition), (Verdict::Accept, Disposition::Refund));
    let shown_net = view.money.iter().find(|line| line.starts_with("Net ")).unwrap().clone();
    assert!(shown_net.ends_with(&decision.net.to_string()), "{shown_net} vs {}", decision.net);
    let [refund] = history.queue.as_slice() else { panic!("{:?}", history.queue) };
    assert_eq!((refund.queue, refund.amount), (Queue::Refund, Some(decision.net)));
    assert!(refund.due_on.is_some());
    let saved: Vec<(String, u32)> =
        history.inspections[0].1.items.iter().map(|i| (i.sku.clone(), i.received)).collect();
    assert_eq!(saved, [("KVM-4P-DP".to_owned(), 1), ("CBL-KVM-USB-2M".to_owned(), 2)]);
    let actions = actions(&history);
    for expected in
        ["package:received", "inspection:started", "inspection:saved", "decision:decided", "queue_item:created"]
    {
        assert!(actions.iter().any(|a| a == expected), "{expected} missing from {actions:?}");
    }
}

on_both!(a_partial_return_is_charged_restocking_fees_for_the_missing_items);
fn a_partial_return_is_charged_restocking_fees_for_the_missing_items(place: &Place) {
    let mut harness = demo_station(place);
    open_package(&mut harness, "RMA-2026-0108");
    for sku in ["KVM-4P-DP", "KVM-4P-DP", "CBL-KVM-USB-2M", "CBL-KVM-USB-2M"] {
        scan(&mut harness, sku);
    }
    assert_eq!(harness.state().sheet().unwrap().missing(), [("PSU-12V-2A".to_owned(), 2)]);
    harness.get_by_label("Missing: 2 × PSU-12V-2A");
    decide(&mut harness);
    let view = harness.state().decision_view().unwrap();
    assert!(view.money.iter().any(|line| line.starts_with("Restocking fee")), "{:?}", view.money);
    assert!(
        view.lines.iter().any(|line| line.starts_with("PSU-12V-2A") && line.contains("2 missing")),
        "{:?}",
        view.lines
    );
    confirm(&mut harness);

    let history = history_of(place, "RMA-2026-0108");
    let decision = &history.decisions[0];
    let json: serde_json::Value = serde_json::from_str(&decision.decision_json).unwrap();
    let fee: rust_decimal::Decimal = json["money"]["restocking_fee"].as_str().unwrap().parse().unwrap();
    assert!(fee > rust_decimal::Decimal::ZERO, "{json}");
    assert_eq!(json["money"]["net"].as_str().unwrap(), decision.net.to_string());
    assert_eq!(history.queue[0].amount, Some(decision.net));

    // The records screen finds the package by its RMA and shows the shortfall the decision charged for.
    harness.key_press(eframe::egui::Key::F4);
    harness.run();
    type_into(&mut harness, rma_station::gui::records::FIND_FIELD, "rma-2026-0108");
    enter(&mut harness);
    step_until(&mut harness, "the package's history", |app| app.records_view().history.is_some());
    harness.get_by_label(&format!("missing: 2 × PSU-12V-2A (fee {fee})"));
}

/// Opens the warranty claim for the rack switch and records its sticker as broken.
pub fn broken_sticker_claim(harness: &mut Bench) {
    open_package(harness, "RMA-2026-0103");
    scan(harness, "KVM-8P-RACK");
    choose(harness, "Warranty sticker", "broken");
    choose(harness, "Defect", "malfunction");
    let item = &harness.state().sheet().unwrap().items[0];
    assert_eq!(
        (item.sku.as_str(), item.state.sticker.as_str(), item.state.defect.as_str()),
        ("KVM-8P-RACK", "broken", "malfunction")
    );
}

on_both!(every_damage_cause_can_be_chosen_from_its_drop_down);
/// Every word of the item's longest list can be chosen as the screen shows it: egui's one-column drop-down
/// showed 8 of the 16 damage causes, and a click on "accident", drawn below the list's edge, chose nothing.
fn every_damage_cause_can_be_chosen_from_its_drop_down(place: &Place) {
    let mut harness = demo_station(place);
    open_package(&mut harness, "KN-RMA-0204");
    scan(&mut harness, "KN-PRO-PANEL");
    for cause in DamageCause::ALL.iter().rev() {
        choose(&mut harness, "Damage cause", cause.as_str());
        assert_eq!(harness.state().sheet().unwrap().items[0].state.damage_cause, *cause);
    }
}

on_both!(a_warranty_claim_with_a_broken_sticker_but_no_photo_is_held_for_the_photo);
fn a_warranty_claim_with_a_broken_sticker_but_no_photo_is_held_for_the_photo(place: &Place) {
    let mut harness = demo_station(place);
    broken_sticker_claim(&mut harness);
    let view = harness.state().inspection_view().unwrap();
    assert!(view.checkpoints.iter().any(|c| c.checkpoint == Checkpoint::WarrantySticker && !c.taken), "{view:?}");
    harness.get_by_label("warranty sticker: MISSING");
    decide(&mut harness);
    let view = harness.state().decision_view().unwrap();
    assert_eq!(view.verdict, Verdict::Hold, "{:?}", view.reasons);
    assert!(view.reasons.iter().any(|(id, _)| id == "station/evidence/photo-required"), "{:?}", view.reasons);
    confirm(&mut harness);

    let history = history_of(place, "RMA-2026-0103");
    assert_eq!(history.decisions[0].verdict, Verdict::Hold);
    let [hold] = history.queue.as_slice() else { panic!("{:?}", history.queue) };
    assert_eq!(hold.queue, Queue::Hold);
    assert!(hold.detail.starts_with("awaiting:"), "{}", hold.detail);
    assert!(history.photos.is_empty());
}

on_both!(a_warranty_claim_with_a_photographed_broken_sticker_is_denied_with_its_evidence);
fn a_warranty_claim_with_a_photographed_broken_sticker_is_denied_with_its_evidence(place: &Place) {
    let mut harness = demo_station(place);
    broken_sticker_claim(&mut harness);
    harness.get_by_label("warranty sticker").click();
    harness.run();
    let photo = fixture("photos/camera/Canon_40D.jpg");
    type_into(&mut harness, PHOTO_FILE, &photo.display().to_string());
    enter(&mut harness);
    step_until(&mut harness, "the photo's thumbnail", |app| {
        app.inspection_view().is_some_and(|v| v.photos.len() == 1 && v.photos[0].thumbnail.is_some())
    });
    harness.get_by_label("warranty sticker: taken");
    // The thumbnail opens the full photo, decoded on the photo thread.
    harness.get_by_label("view warranty sticker").click();
    step_until(&mut harness, "the full photo", |app| app.preview().is_some_and(|p| p.texture.is_some()));
    decide(&mut harness);
    let view = harness.state().decision_view().unwrap();
    assert_eq!((view.verdict, view.disposition), (Verdict::Deny, Disposition::ReturnToCustomer), "{:?}", view.reasons);
    assert!(view.reasons.iter().any(|(id, _)| id.contains("sticker")), "{:?}", view.reasons);
    confirm(&mut harness);

    let history = history_of(place, "RMA-2026-0103");
    assert_eq!(history.decisions[0].verdict, Verdict::Deny);
    let [photo_row] = history.photos.as_slice() else { panic!("{:?}", history.photos) };
    assert_eq!(photo_row.checkpoint, Checkpoint::WarrantySticker);
    assert_eq!(photo_row.camera_model.as_deref(), Some("Canon EOS 40D"));
    let stored = photos_path(place.dir());
    let original = std::fs::read(&photo).unwrap();
    let found = walk(&stored).into_iter().find(|p| p.to_string_lossy().contains(&photo_row.sha256));
    assert_eq!(std::fs::read(found.expect("the stored original")).unwrap(), original, "the original bytes, untouched");
    assert!(history.queue.iter().any(|row| row.queue == Queue::ReturnToCustomer), "{:?}", history.queue);
}

on_both!(a_konnected_accident_without_a_photo_is_held_showing_the_photo_needed_and_denied_with_it);
/// Issue 17 at the bench: a Konnected warranty claim within the year, sent by the original owner with proof
/// of purchase, the panel malfunctioning after an accident, and no photo. The screen holds it and says what
/// to photograph, where, and the clause it would be refused on; its button goes back to take that photo, and
/// with the photo the claim is denied.
fn a_konnected_accident_without_a_photo_is_held_showing_the_photo_needed_and_denied_with_it(place: &Place) {
    let mut harness = demo_station(place);
    open_package(&mut harness, "KN-RMA-0204");
    scan(&mut harness, "KN-PRO-PANEL");
    choose(&mut harness, "Defect", "malfunction");
    choose(&mut harness, "Damage cause", "accident");
    let sheet = harness.state().sheet().unwrap();
    assert!(sheet.original_owner && sheet.proof_of_purchase && !sheet.commercial_use, "{sheet:?}");
    // The next photo is set elsewhere, so that the screen's button must choose the damage itself.
    harness.get_by_label("packaging").click();
    harness.run();
    assert_eq!(harness.state().inspection_view().unwrap().checkpoint, Checkpoint::Packaging);
    decide(&mut harness);

    let view = harness.state().decision_view().unwrap();
    assert_eq!((view.verdict, view.disposition), (Verdict::Hold, Disposition::Hold), "{:?}", view.reasons);
    let [needed] = view.photos.as_slice() else { panic!("{:?}", view.photos) };
    assert_eq!((needed.item, needed.checkpoints.as_slice()), (Some(0), [Checkpoint::Damage].as_slice()));
    harness.get_by_label("HOLD — hold");
    harness.get_by_label(PHOTO_NEEDED);
    harness.get_by_label("Photograph the damage: KN-PRO-PANEL (Alarm panel Pro)");
    harness.get_by_label(
        "It would be refused on konnected/6.2.2/misuse: \u{201c}We do not cover accident, misuse, neglect or abuse\u{201d}",
    );
    harness.get_by_label(PHOTO_RULE);
    harness.get_by_label(&take_photo(Checkpoint::Damage)).click();
    harness.run();
    assert_eq!(harness.state().screen(), Screen::Inspection);
    let inspection = harness.state().inspection_view().unwrap();
    assert_eq!((inspection.checkpoint, inspection.selected), (Checkpoint::Damage, 0));

    type_into(&mut harness, PHOTO_FILE, &fixture("photos/camera/Nikon_DSCN0010_gps.jpg").display().to_string());
    enter(&mut harness);
    step_until(&mut harness, "the damage photo", |app| {
        app.inspection_view().is_some_and(|v| v.photos.len() == 1 && v.photos[0].thumbnail.is_some())
    });
    harness.get_by_label("damage: taken");
    decide(&mut harness);
    let view = harness.state().decision_view().unwrap();
    assert_eq!((view.verdict, view.disposition), (Verdict::Deny, Disposition::ReturnToCustomer), "{:?}", view.reasons);
    let cited: Vec<&str> = view.reasons.iter().map(|(id, _)| id.as_str()).collect();
    assert!(cited.contains(&"konnected/6.2.2/misuse"), "{cited:?}");
    assert!(!cited.contains(&"station/evidence/photo-required"), "{cited:?}");
    assert!(view.photos.is_empty(), "{:?}", view.photos);
    assert!(harness.query_by_label(PHOTO_NEEDED).is_none(), "a denial asks for no photo");
    confirm(&mut harness);

    let history = history_of(place, "KN-RMA-0204");
    assert_eq!(history.decisions[0].verdict, Verdict::Deny);
    let [photo_row] = history.photos.as_slice() else { panic!("{:?}", history.photos) };
    assert_eq!((photo_row.checkpoint, photo_row.item_position), (Checkpoint::Damage, Some(0)));
    assert_eq!(photo_row.camera_model.as_deref(), Some("COOLPIX P6000"));
}

/// The export files of a batch in the exports folder: every file but the audit heads kept beside them, which
/// must be there (each batch adds its head).
fn batch_files(exports: &std::path::Path) -> Vec<std::path::PathBuf> {
    let anchor = rma_station::anchor::path(exports);
    assert!(anchor.exists(), "no audit head was kept beside the batch");
    walk(exports).into_iter().filter(|path| *path != anchor).collect()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

on_both!(an_unmatched_package_is_quarantined_and_matched_to_its_rma_later);
fn an_unmatched_package_is_quarantined_and_matched_to_its_rma_later(place: &Place) {
    let mut harness = demo_station(place);
    scan(&mut harness, "PKG-NO-LABEL-77");
    step_until(&mut harness, "no match", |app| matches!(app.intake_view().card, Some(MatchCard::NoMatch { .. })));
    type_into(&mut harness, QUARANTINE_NOTE, "brown box, no paperwork");
    harness.get_by_label(QUARANTINE).click();
    step_until(&mut harness, "the label photo step", |app| app.inspection_view().is_some_and(|v| v.photos_only));

    // The label is photographed as evidence of what arrived; the CONFIRM barcode puts the package away.
    assert_eq!(harness.state().inspection_view().unwrap().checkpoint, Checkpoint::ShippingLabel);
    type_into(&mut harness, PHOTO_FILE, &fixture("photos/camera/jolla-phone.jpg").display().to_string());
    enter(&mut harness);
    step_until(&mut harness, "the label photo", |app| app.inspection_view().is_some_and(|v| v.photos.len() == 1));
    scan(&mut harness, "RMA-STATION:CONFIRM");
    step_until(&mut harness, "the intake", |app| app.screen() == Screen::Intake && app.inspection_view().is_none());
    let store = place.open();
    let quarantined = store.quarantined().unwrap();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(
        (quarantined[0].scanned_code.as_str(), quarantined[0].note.as_str()),
        ("PKG-NO-LABEL-77", "brown box, no paperwork")
    );
    let label = &store.package_history(quarantined[0].id).unwrap().photos;
    assert_eq!(label.iter().map(|p| p.checkpoint).collect::<Vec<_>>(), [Checkpoint::ShippingLabel]);

    // Later, on the queues screen, the package is matched to the RMA the customer named on the phone.
    harness.key_press(eframe::egui::Key::F3);
    step_until(&mut harness, "the queues", |app| app.queues_view().quarantined == 1);
    harness.get_by_label("Quarantine (1)").click();
    step_until(&mut harness, "the quarantine list", |app| app.queues_view().quarantine.len() == 1);
    harness.get_by_label(MATCH).click();
    harness.run();
    type_into(&mut harness, RMA_TO_MATCH, "rma-2026-0102");
    harness.get_by_label(MATCH).click();
    step_until(&mut harness, "the match", |app| app.queues_view().quarantined == 0);

    assert!(store.quarantined().unwrap().is_empty());
    let history = history_of(place, "RMA-2026-0102");
    assert_eq!(history.package.rma_number.as_deref(), Some("RMA-2026-0102"));
    assert_eq!(history.package.stage, PackageStage::Received);
    assert!(actions(&history).contains(&"package:matched".to_owned()), "{:?}", actions(&history));
}

on_both!(a_supervisor_overrides_a_denial_and_a_wrong_pin_is_refused_and_audited);
fn a_supervisor_overrides_a_denial_and_a_wrong_pin_is_refused_and_audited(place: &Place) {
    let mut harness = demo_station(place);
    // A refund asked for two months after delivery: outside the window.
    open_package(&mut harness, "RMA-2026-0110");
    scan(&mut harness, "KVM-8P-RACK");
    decide(&mut harness);
    assert_eq!(harness.state().decision_view().unwrap().verdict, Verdict::Deny);

    harness.get_by_label(OVERRIDE).click();
    harness.run();
    choose(&mut harness, rma_station::gui::decision::OVERRIDE_DISPOSITION, "store credit");
    type_into(&mut harness, OVERRIDE_AMOUNT, "400.00");
    type_into(&mut harness, OVERRIDE_REASON, "long-standing customer; goodwill credit");
    type_into(&mut harness, SUPERVISOR, "dana");
    type_into(&mut harness, SUPERVISOR_PIN, "0000");
    harness.get_by_label(APPLY_OVERRIDE).click();
    step_until(&mut harness, "the refusal", |app| {
        app.decision_view().and_then(|v| v.message).is_some_and(|m| m.contains("override refused"))
    });
    let store = place.open();
    let package = store.find_packages("RMA-2026-0110", 1).unwrap()[0].id;
    let refusals = store.audit_entries("package", &package.to_string()).unwrap();
    assert!(refusals.iter().any(|e| e.action == "override_refused" && e.detail.contains("dana")), "{refusals:?}");
    assert!(store.package_history(package).unwrap().decisions.is_empty(), "a refused override saved a decision");

    type_into(&mut harness, SUPERVISOR_PIN, "246810");
    harness.get_by_label(APPLY_OVERRIDE).click();
    step_until(&mut harness, "the saved override", |app| app.screen() == Screen::Intake);

    let history = history_of(place, "RMA-2026-0110");
    let decision = &history.decisions[0];
    assert_eq!((decision.disposition, decision.net.to_string().as_str()), (Disposition::StoreCredit, "400.00"));
    assert_eq!(decision.approved_by.as_deref(), Some("dana"));
    assert_eq!(decision.override_reason.as_deref(), Some("long-standing customer; goodwill credit"));
    let [credit] = history.queue.as_slice() else { panic!("{:?}", history.queue) };
    assert_eq!(credit.queue, Queue::StoreCredit);
    assert!(credit.code.as_deref().is_some_and(|c| c.starts_with("SC-")), "{credit:?}");
    assert!(actions(&history).contains(&"decision:overridden".to_owned()));
}

on_both!(the_refund_queue_exports_a_batch_and_an_item_is_marked_done_with_its_reference);
fn the_refund_queue_exports_a_batch_and_an_item_is_marked_done_with_its_reference(place: &Place) {
    let mut harness = demo_station(place);
    open_package(&mut harness, "RMA-2026-0101");
    for sku in ["KVM-4P-DP", "CBL-KVM-USB-2M", "CBL-KVM-USB-2M"] {
        scan(&mut harness, sku);
    }
    decide(&mut harness);
    confirm(&mut harness);

    harness.key_press(eframe::egui::Key::F3);
    step_until(&mut harness, "the refund queue", |app| app.queues_view().rows.len() == 1);
    harness.get_by_label(EXPORT).click();
    step_until(&mut harness, "the export", |app| {
        app.queues_view().message.as_ref().is_some_and(|(good, m)| *good && m.contains("1 items written to"))
    });
    let mut exports: Vec<_> = batch_files(&place.dir().join("exports"));
    exports.sort();
    let [file, json] = exports.as_slice() else { panic!("{exports:?}") };
    assert!(json.to_string_lossy().ends_with("refund-batch-000001.json"), "{json:?}");
    step_until(&mut harness, "the batch listed", |app| app.queues_view().batches.len() == 1);
    assert!(harness.query_by_label_contains("Batch 1 · ").is_some(), "the screen lists the batch");
    assert!(harness.query_by_label(MARK_BATCH_DONE).is_none(), "a clerk is offered to mark a batch paid");
    let mut reader = csv::Reader::from_path(file).unwrap();
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let store = place.open();
    let queued = store.queue_items(Queue::Refund, true, 10).unwrap();
    assert_eq!(rows.len(), queued.len());
    let field = |name: &str| rows[0].get(headers.iter().position(|h| h == name).unwrap()).unwrap().to_owned();
    assert_eq!(field("rma"), "RMA-2026-0101");
    assert_eq!(field("net"), queued[0].amount.unwrap().to_string());
    assert_eq!(field("payment_reference"), "pay_cp20101");
    let audited = store.audit_entries("export_batch", "1").unwrap();
    assert_eq!(audited.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["claimed", "exported"]);
    assert!(audited[1].detail.contains(&rma_station::policies::sha256_hex(&std::fs::read(file).unwrap())));

    // The clerk exported the batch; a supervisor marks what was paid (a clerk may not: tests/gui_roles.rs).
    assert!(harness.query_by_label(MARK_DONE).is_none(), "a clerk is offered to mark an item paid");
    harness.get_by_label("Sign out").click();
    harness.run();
    sign_in(&mut harness, "dana", "246810");
    harness.key_press(eframe::egui::Key::F3);
    step_until(&mut harness, "the refund queue", |app| app.queues_view().batches.len() == 1);
    assert!(harness.query_by_label(MARK_BATCH_DONE).is_some(), "an open batch can be marked done at once");
    harness.get_by_label(MARK_DONE).click();
    harness.run();
    type_into(&mut harness, REFERENCE, "re_3MtwBwLkdIwHu7ix");
    harness.get_by_label(MARK_DONE).click();
    step_until(&mut harness, "the item done", |app| {
        app.queues_view().rows.first().is_some_and(|r| r.status != QueueStatus::Open)
    });
    let done = store.queue_items(Queue::Refund, true, 10).unwrap();
    assert!(matches!(&done[0].status, QueueStatus::Done { reference, .. } if reference == "re_3MtwBwLkdIwHu7ix"));
    assert_eq!(store.open_queue_counts().unwrap().iter().find(|(q, _)| *q == Queue::Refund).unwrap().1, 0);
    step_until(&mut harness, "the batch with nothing open", |app| app.queues_view().batches[0].open == 0);
    assert!(harness.query_by_label(MARK_BATCH_DONE).is_none(), "nothing left to mark in the batch");
}

on_both!(a_photo_saved_into_the_hot_folder_is_attached_to_the_open_inspection_at_the_chosen_checkpoint);
fn a_photo_saved_into_the_hot_folder_is_attached_to_the_open_inspection_at_the_chosen_checkpoint(place: &Place) {
    let hot = tempfile::tempdir().unwrap();
    with_demo(place);
    let mut setup = rma_station::gui::StationSetup::open(
        POLICIES.clone(),
        place.dir(),
        &place.location(),
        "bench-1".into(),
        Vec::new(),
        Some(hot.path().to_path_buf()),
        pin_secret(),
    );
    setup.clock = crate::support::clock();
    let mut harness = crate::gui::harness(StationApp::new(setup, std::sync::Arc::new(|| {})));
    sign_in(&mut harness, "sam", "1357");
    open_package(&mut harness, "RMA-2026-0109");
    harness.get_by_label("damage").click();
    harness.run();

    // A tethered camera writes the file in pieces; the station waits for the whole file.
    let bytes = std::fs::read(fixture("photos/camera/Canon_40D.jpg")).unwrap();
    let mut file = std::fs::File::create(hot.path().join("IMG_0001.JPG")).unwrap();
    for piece in bytes.chunks(bytes.len() / 4 + 1) {
        file.write_all(piece).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(120));
    }
    drop(file);
    step_until(&mut harness, "the hot-folder photo", |app| {
        app.inspection_view().is_some_and(|v| v.photos.len() == 1 && v.photos[0].thumbnail.is_some())
    });
    harness.get_by_label("damage: taken");
    let store = place.open();
    let package = store.find_packages("RMA-2026-0109", 1).unwrap()[0].id;
    let photos = store.package_history(package).unwrap().photos;
    assert_eq!(photos.len(), 1);
    assert_eq!((photos[0].checkpoint, photos[0].bytes), (Checkpoint::Damage, bytes.len() as u64));
}

on_both!(the_bench_sheet_command_barcodes_drive_a_package_from_scan_to_queue);
fn the_bench_sheet_command_barcodes_drive_a_package_from_scan_to_queue(place: &Place) {
    let mut harness = demo_station(place);
    scan(&mut harness, "KN-RMA-0201");
    step_until(&mut harness, "the match card", |app| app.intake_view().card.is_some());
    scan(&mut harness, "RMA-STATION:CONFIRM");
    step_until(&mut harness, "the inspection", |app| app.screen() == Screen::Inspection);
    scan(&mut harness, "KN-PRO-PANEL");
    for _ in 0..4 {
        scan(&mut harness, "KN-DOOR-SENSOR");
    }
    scan(&mut harness, "rma-station:next-item");
    assert_eq!(harness.state().inspection_view().unwrap().selected, 0, "next item wraps from the last to the first");
    scan(&mut harness, "RMA-STATION:CONFIRM");
    step_until(&mut harness, "the decision", |app| app.screen() == Screen::Decision);
    scan(&mut harness, "RMA-STATION:BACK");
    assert_eq!(harness.state().screen(), Screen::Inspection);
    scan(&mut harness, "RMA-STATION:CONFIRM");
    scan(&mut harness, "RMA-STATION:CONFIRM");
    step_until(&mut harness, "the saved decision", |app| app.screen() == Screen::Intake);

    let history = history_of(place, "KN-RMA-0201");
    assert_eq!(history.decisions.len(), 1);
    assert_eq!(history.inspections[0].1.units_received(), 5);
    assert!(!history.queue.is_empty());
}

on_both!(a_package_for_an_order_without_an_rma_is_decided_by_the_merchants_authorization_rule);
fn a_package_for_an_order_without_an_rma_is_decided_by_the_merchants_authorization_rule(place: &Place) {
    let mut harness = demo_station(place);
    scan(&mut harness, "#KN3008");
    step_until(&mut harness, "the no-RMA card", |app| matches!(app.intake_view().card, Some(MatchCard::NoRma { .. })));
    harness.get_by_label(RECEIVE_WITHOUT_RMA).click();
    step_until(&mut harness, "the inspection", |app| app.screen() == Screen::Inspection);
    scan(&mut harness, "KN-PRO-PANEL");
    decide(&mut harness);
    let view = harness.state().decision_view().unwrap();
    assert_eq!((view.verdict, view.disposition), (Verdict::Deny, Disposition::ReturnToCustomer), "{view:?}");
    assert!(view.reasons.iter().any(|(id, _)| id == "konnected/3.3/authorization"), "{:?}", view.reasons);
    assert!(view.money.iter().any(|line| line.starts_with("Handling fee")), "{:?}", view.money);
    confirm(&mut harness);
    // A denial's packet is written after the decision, on the `files` thread.
    step_until(&mut harness, "the packet written", |app| {
        app.banner().is_some_and(|(_, words)| words.contains("evidence packet for"))
    });

    let store = place.open();
    assert!(store.quarantined().unwrap().is_empty(), "a package matched to an order is not in quarantine");
    let history = history_of(place, "#KN3008");
    assert_eq!(history.package.stage, PackageStage::Decided(Verdict::Deny));
    let back = history.queue.iter().find(|row| row.queue == Queue::ReturnToCustomer).expect("a return to the customer");
    assert_eq!(back.order_number, "#KN3008");
    assert!(!back.ship_to.is_empty(), "the customer's address reaches the return queue");
    // A denial: its evidence packet was written by itself, named after the order.
    let packet = rma_station::evidence::packets_folder(place.dir())
        .join(format!("order-KN3008-decision-{}.pdf", history.decisions[0].id));
    assert!(packet.is_file(), "{}", packet.display());
}

on_both!(a_batch_claimed_without_its_files_is_written_again_from_the_queues_screen);
fn a_batch_claimed_without_its_files_is_written_again_from_the_queues_screen(place: &Place) {
    let mut harness = demo_station(place);
    // A refund decided and claimed into a batch whose files never came (a crash between claim and files).
    let mut store = place.open();
    let stamp = crate::labels::stamp();
    crate::labels::decide_package(&mut *store, "RMA-2026-0108", |_| {}, crate::support::clock().now().today, &stamp);
    let batch_id = store.claim_export_batch(Queue::Refund, &stamp).unwrap().unwrap();
    drop(store);

    harness.key_press(eframe::egui::Key::F3);
    step_until(&mut harness, "the unwritten batch", |app| {
        app.queues_view().batches.iter().any(|b| b.id == batch_id && b.written.is_none())
    });
    harness.get_by_label(WRITE_AGAIN).click();
    step_until(&mut harness, "the batch written", |app| {
        app.queues_view().message.as_ref().is_some_and(|(good, m)| *good && m.contains("1 items written to"))
    });
    let exports = batch_files(&place.dir().join("exports"));
    assert_eq!(exports.len(), 2, "its CSV and JSON: {exports:?}");
    let store = place.open();
    let batch = store.export_batches(Queue::Refund, 5).unwrap().into_iter().find(|b| b.id == batch_id).unwrap();
    let (_, files) = batch.written.expect("the files are recorded on the batch");
    assert_eq!(files.len(), 2);
    assert!(store.verify().unwrap().is_sound());
}
