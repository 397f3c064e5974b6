//! The station's window, driven through egui_kittest's accessibility tree (no display, no GPU).

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rma_station::gui::{APP_NAME, StartView, start_ui};

use crate::support::POLICIES;

#[test]
fn the_start_screen_says_what_the_station_is_and_which_policies_are_loaded() {
    let view = StartView::new(&POLICIES);
    assert_eq!(view.merchants.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["connectpro", "konnected"]);
    assert!(view.merchants.iter().all(|m| m.rule_count > 20), "{view:?}");

    let mut harness = Harness::new_ui(|ui| start_ui(ui, &view));
    harness.run();
    harness.get_by_label(APP_NAME);
    for merchant in &view.merchants {
        let line =
            format!("{} ({}): {} rules from {}", merchant.name, merchant.id, merchant.rule_count, merchant.source);
        harness.get_by_label(&line);
    }
}
