//! Notices under the scan field: levels, a queue that never hides an earlier error unseen, the same words
//! counted on one line, and dismissing them, as data and through the window.

use egui_kittest::kittest::Queryable;
use rma_station::gui::status::{DISMISS, Level, Notices};

use crate::bench_flow::{enter, open_package};
use crate::gui::{demo_station, step_until, type_into};

#[test]
fn a_later_notice_never_replaces_an_earlier_one_unseen() {
    let mut notices = Notices::default();
    notices.push(Level::Error, "the sheet was not saved: disk full");
    notices.push(Level::Warning, "hot folder: permission denied");
    notices.push(Level::Warning, "hot folder: permission denied");
    let kept: Vec<(Level, &str, u32)> = notices.iter().map(|n| (n.level, n.text.as_str(), n.times)).collect();
    assert_eq!(
        kept,
        vec![
            (Level::Error, "the sheet was not saved: disk full", 1),
            (Level::Warning, "hot folder: permission denied", 2),
        ]
    );
    assert_eq!(notices.latest().map(|n| n.text.as_str()), Some("hot folder: permission denied"));

    // A flood keeps the newest and counts what fell off, so the clerk still learns there were more.
    for n in 0..60 {
        notices.push(Level::Error, format!("photo {n} not taken"));
    }
    assert_eq!(notices.iter().count(), 50);
    assert_eq!(notices.waiting(), 62);
    notices.dismiss();
    assert!(notices.is_empty() && notices.waiting() == 0);
}

#[test]
fn two_failed_photos_both_stay_on_screen_until_dismissed() {
    let place = crate::support::place::Place::sqlite();
    let mut harness = demo_station(&place);
    open_package(&mut harness, "RMA-2026-0101");
    for missing in ["no-such-photo-1.jpg", "no-such-photo-2.jpg"] {
        let path = place.dir().join(missing);
        type_into(&mut harness, rma_station::gui::inspection::PHOTO_FILE, &path.display().to_string());
        enter(&mut harness);
    }
    step_until(&mut harness, "both failures", |app| app.notices().iter().count() == 2);
    for missing in ["no-such-photo-1.jpg", "no-such-photo-2.jpg"] {
        let shown = harness.query_all_by_label_contains(missing).count();
        assert_eq!(shown, 1, "{missing} is not on screen");
    }
    assert!(harness.state().notices().iter().all(|n| n.level == Level::Error));
    harness.get_by_label(DISMISS).click();
    harness.run();
    assert!(harness.state().notices().is_empty());
    assert!(harness.query_by_label(DISMISS).is_none());
}
