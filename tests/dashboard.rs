//! The daily view: its figures against a known database (packages received either side of the local day's
//! and week's first instant, decisions saved through the store's real path on chosen days, a refund paid,
//! one overdue, a hold) on SQLite and on PostgreSQL, and the screen through the window's accessibility tree.

use chrono::{DateTime, FixedOffset, Utc};
use egui_kittest::kittest::Queryable;
use rma_station::domain::decision::Decision;
use rma_station::domain::money::Money;
use rma_station::domain::vocabulary::{Disposition, Queue, Verdict};
use rma_station::gui::Screen;
use rma_station::storage::{AuditHead, Dashboard, DashboardPeriod, FeesKept, MerchantFigures, ReceivedPackage, Store};

use crate::bench_flow::open_and_decide;
use crate::gui::{demo_station, step_until};
use crate::labels::{decide_package, demo_on, stamp_at};
use crate::support::place::{Place, on_both};
use crate::support::{TODAY, date};

/// An instant, written as UTC.
fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// The warehouse's time zone in these tests: five hours behind UTC.
fn warehouse() -> FixedOffset {
    FixedOffset::west_opt(5 * 3600).unwrap()
}

#[test]
fn the_period_is_the_local_day_and_its_week_from_monday() {
    let table = [
        // Saturday: the week began on Monday the 16th; local midnight is 05:00 UTC.
        ("2026-11-21", "2026-11-16", "2026-11-21T05:00:00Z", "2026-11-16T05:00:00Z"),
        // A Monday is its own week's first day.
        ("2026-11-16", "2026-11-16", "2026-11-16T05:00:00Z", "2026-11-16T05:00:00Z"),
        // Sunday is the week's last day.
        ("2026-11-22", "2026-11-16", "2026-11-22T05:00:00Z", "2026-11-16T05:00:00Z"),
        // Across a year's end.
        ("2027-01-01", "2026-12-28", "2027-01-01T05:00:00Z", "2026-12-28T05:00:00Z"),
    ];
    for (today, monday, day_began, week_began) in table {
        let period = DashboardPeriod::of(date(today), &warehouse());
        assert_eq!(
            (period.today, period.week_start, period.day_began, period.week_began),
            (date(today), date(monday), utc(day_began), utc(week_began)),
            "{today}"
        );
    }
}

/// A merchant's expected figures before anything happened.
fn nothing(merchant: &str) -> MerchantFigures {
    let zeros: Vec<(Verdict, u64)> = Verdict::ALL.iter().map(|v| (*v, 0)).collect();
    MerchantFigures {
        merchant: merchant.into(),
        verdicts_today: zeros.clone(),
        verdicts_week: zeros,
        ..Default::default()
    }
}

fn count(counts: &mut [(Verdict, u64)], verdict: Verdict) {
    counts.iter_mut().find(|(v, _)| *v == verdict).unwrap().1 += 1;
}

/// What a week's decisions add up to, worked from the engine's own answers.
fn add_week(figures: &mut MerchantFigures, decision: &Decision, today: bool) {
    count(&mut figures.verdicts_week, decision.verdict);
    if today {
        count(&mut figures.verdicts_today, decision.verdict);
    }
    for clause in &decision.reasons {
        match figures.reasons_week.iter_mut().find(|(id, ..)| *id == clause.id) {
            Some((.., n)) => *n += 1,
            None => figures.reasons_week.push((clause.id.clone(), clause.text.clone(), 1)),
        }
    }
    if matches!(decision.disposition, Disposition::Refund | Disposition::StoreCredit) {
        let (fees, money) = (&mut figures.fees_week, &decision.money);
        fees.restocking = fees.restocking + money.restocking_fee;
        fees.card = fees.card + money.card_fee;
        fees.return_label = fees.return_label + money.return_label;
        fees.handling = fees.handling + money.handling_fee;
    }
}

on_both!(the_figures_of_a_known_database_per_merchant_today_and_this_week);
fn the_figures_of_a_known_database_per_merchant_today_and_this_week(place: &Place) {
    let mut store = demo_on(place);
    let store = &mut *store;
    let today = date(TODAY); // Saturday 21 November 2026; the week began on Monday the 16th.
    let decide = |store: &mut dyn Store, rma: &str, received: &str, decided: &str| {
        decide_package(store, rma, |_| {}, date(decided), &stamp_at(utc(received)))
    };

    // ConnectPRO. Today (10:00 local): everything back as new, refunded.
    let (_, p1) = decide(store, "RMA-2026-0101", "2026-11-21T15:00:00Z", TODAY);
    // Monday at 00:00 local, the week's first instant: the power adapters missing, refunded less the fee.
    let (_, p2) = decide_package(
        store,
        "RMA-2026-0108",
        |sheet| sheet.items.retain(|item| item.sku != "PSU-12V-2A"),
        date("2026-11-16"),
        &stamp_at(utc("2026-11-16T05:00:00Z")),
    );
    // Friday at 23:59:59 local (Saturday in UTC): asked too late, denied.
    let (_, p4) = decide(store, "RMA-2026-0110", "2026-11-21T04:59:59Z", "2026-11-20");
    // Two weeks ago: refunded, due 14 days later (yesterday) and still unpaid.
    let (_, p3) = decide(store, "RMA-2026-0106", "2026-11-06T15:00:00Z", "2026-11-06");
    // Konnected. Today's first instant: all sealed, refunded, and the refund already paid.
    let (p5_id, p5) = decide(store, "KN-RMA-0201", "2026-11-21T05:00:00Z", TODAY);
    // Sunday at 23:59:59 local, last week: an exchange abroad, held for the customer's choice.
    let (_, p6) = decide(store, "KN-RMA-0205", "2026-11-16T04:59:59Z", "2026-11-15");
    // A package nobody could match, today.
    let unknown = ReceivedPackage {
        scanned_code: "NO-LABEL".into(),
        scanned_kind: "unknown".into(),
        rma_id: None,
        order_id: None,
        note: "label torn off".into(),
        another_box: false,
    };
    store.receive_package(&unknown, &stamp_at(utc("2026-11-21T12:00:00Z"))).unwrap();
    let paid =
        store.queue_items(Queue::Refund, false, 100).unwrap().into_iter().find(|q| q.package_id == p5_id).unwrap();
    store.complete_queue_item(paid.id, "pay_8812", &stamp_at(utc("2026-11-21T16:00:00Z"))).unwrap();

    // The cases are what they were chosen to be.
    assert_eq!(
        [&p1, &p2, &p4, &p3, &p5, &p6].map(|d| (d.verdict, d.disposition)),
        [
            (Verdict::Accept, Disposition::Refund),
            (Verdict::Accept, Disposition::Refund),
            (Verdict::Deny, Disposition::ReturnToCustomer),
            (Verdict::Accept, Disposition::Refund),
            (Verdict::Accept, Disposition::Refund),
            (Verdict::Hold, Disposition::Hold),
        ]
    );
    assert!(p2.money.restocking_fee > Money::ZERO, "{:?}", p2.money);
    assert!(p3.refund_due_on.unwrap() < today, "{:?}", p3.refund_due_on);

    let mut connectpro = nothing("connectpro");
    (connectpro.received_today, connectpro.received_week) = (1, 3);
    add_week(&mut connectpro, &p1, true);
    add_week(&mut connectpro, &p2, false);
    add_week(&mut connectpro, &p4, false);
    (connectpro.refunds_owed, connectpro.refunds_owed_amount) = (3, p1.money.net + p2.money.net + p3.money.net);
    (connectpro.refunds_overdue, connectpro.refunds_overdue_amount) = (1, p3.money.net);
    let mut konnected = nothing("konnected");
    (konnected.received_today, konnected.received_week) = (1, 1);
    add_week(&mut konnected, &p5, true);
    konnected.holds_waiting = 1;
    for figures in [&mut connectpro, &mut konnected] {
        figures.reasons_week.sort_by_key(|(.., n)| std::cmp::Reverse(*n));
    }

    let period = DashboardPeriod::of(today, &warehouse());
    let dashboard = store.dashboard(&period).unwrap();
    let counts = store.counts().unwrap();
    let report = store.verify().unwrap();
    let expected = Dashboard {
        period,
        merchants: vec![connectpro, konnected],
        unmatched_today: 1,
        unmatched_week: 1,
        audit_head: AuditHead { seq: counts.audit_entries as i64, hash: report.head_hash },
    };
    assert_eq!(dashboard, expected);

    // A few figures worked by hand, so the sums above are not only the engine's word.
    let cp = &dashboard.merchants[0];
    assert_eq!((cp.decided_today(), cp.decided_week()), (1, 3));
    assert_eq!(cp.verdicts_week, [(Verdict::Accept, 2), (Verdict::Partial, 0), (Verdict::Deny, 1), (Verdict::Hold, 0)]);
    // RMA-2026-0108: 2 × PSU-12V-2A at 14.00 missing; every decision of the week cites its window.
    assert_eq!(cp.reasons_week[0].0, "connectpro/return/window");
    assert_eq!(cp.reasons_week[0].2, 3);
    // Konnected's one refund of the week kept its card fee and the prepaid label (7.25).
    let money = &p5.money;
    assert_eq!(money.return_label, "7.25".parse().unwrap());
    let fees = FeesKept {
        restocking: money.restocking_fee,
        card: money.card_fee,
        return_label: money.return_label,
        handling: money.handling_fee,
    };
    assert_eq!(dashboard.merchants[1].fees_week, fees);
}

on_both!(the_daily_view_opens_on_f6_and_counts_a_decision_confirmed_at_the_bench);
fn the_daily_view_opens_on_f6_and_counts_a_decision_confirmed_at_the_bench(place: &Place) {
    let mut harness = demo_station(place);
    harness.key_press(eframe::egui::Key::F9);
    step_until(&mut harness, "the daily view", |app| {
        app.screen() == Screen::Dashboard && app.dashboard_state().view.is_some()
    });
    harness.get_by_label("Daily view");
    // Two merchants, nothing received yet today.
    assert_eq!(harness.query_all_by_label("Received: 0 today, 0 this week").count(), 2);

    // A package through the bench: scan, open, tick off every item, decide, confirm.
    harness.key_press(eframe::egui::Key::Escape);
    harness.run();
    open_and_decide(&mut harness, "RMA-2026-0101", &["KVM-4P-DP", "CBL-KVM-USB-2M", "CBL-KVM-USB-2M"]);
    harness.key_press(eframe::egui::Key::Enter);
    step_until(&mut harness, "the saved decision", |app| app.screen() == Screen::Intake);

    // The view was refreshed by the decision: opening it shows the package.
    harness.key_press(eframe::egui::Key::F9);
    step_until(&mut harness, "the new figures", |app| {
        app.dashboard_state().view.as_ref().is_some_and(|v| v.merchants[0].received_today == 1)
    });
    harness.get_by_label("Received: 1 today, 1 this week");
    harness.get_by_label("Decided: 1 today, 1 this week");
    harness.get_by_label("This week: 1 accept, 0 partial, 0 deny, 0 hold");
    // The refund owed is the one the decision queued; the audit line is the chain's head as the store verifies it.
    let store = place.open();
    let [refund] = store.queue_items(Queue::Refund, false, 10).unwrap().try_into().unwrap();
    harness.get_by_label(&format!("Refunds owed: 1, ${}; overdue: 0, $0.00", refund.amount.unwrap()));
    let (entries, head) = (store.counts().unwrap().audit_entries, store.verify().unwrap().head_hash);
    harness.get_by_label(&format!("Audit chain head: {entries}:{head}"));
}
