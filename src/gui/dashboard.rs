//! The daily view: per merchant, packages received today and this week, decisions by verdict (a chart) and
//! by the clauses they rest on, fees kept, refunds owed and overdue, and holds waiting; and the audit
//! chain's latest entry, to compare with yesterday's printout. The figures come from one storage query
//! (`Store::dashboard`), asked for when the screen opens and after each confirmed decision.

use eframe::egui;
use egui_plot::{Bar, BarChart, Legend, Plot};

use crate::domain::policy::words::format_amount;
use crate::domain::vocabulary::Verdict;
use crate::gui::decision::verdict_colour;
use crate::gui::theme;
use crate::storage::Dashboard;

/// Clauses listed per merchant, most cited first.
const REASONS_SHOWN: usize = 5;

/// The daily view as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardView {
    /// "Saturday 21 November 2026; this week from Monday 16 November".
    pub heading: String,
    pub merchants: Vec<MerchantCard>,
    /// Received packages matched to no merchant yet.
    pub unmatched: String,
    /// "Audit chain head: 212:3f9a…", as `rma-station verify --head` takes it.
    pub audit: String,
}

/// One merchant's figures in words, and the numbers its charts draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantCard {
    pub name: String,
    pub received_today: u64,
    pub received_week: u64,
    /// "Received: 2 today, 5 this week".
    pub received: String,
    /// "Decided: 1 today, 4 this week".
    pub decided: String,
    /// This week's decisions per verdict, for the chart.
    pub verdicts: Vec<(Verdict, u64)>,
    /// "This week: 2 accept, 1 partial, 1 deny, 0 hold".
    pub verdict_words: String,
    /// "Fees kept this week: $30.62 (restocking $17.94, card $12.68, return label $0.00, handling $0.00)".
    pub fees: String,
    /// "Refunds owed: 3, $612.45; overdue: 1, $45.00", and whether any is overdue.
    pub refunds: String,
    pub overdue: bool,
    /// "Holds waiting: 2".
    pub holds: String,
    /// "3 × MERCHANT/return/window: Returns must be requested within 15 days…", most cited first.
    pub reasons: Vec<String>,
}

impl DashboardView {
    /// The view of `dashboard`; `merchant` gives a merchant id's name and currency.
    pub fn of(dashboard: &Dashboard, merchant: impl Fn(&str) -> (String, String)) -> DashboardView {
        let period = &dashboard.period;
        let merchants = dashboard
            .merchants
            .iter()
            .map(|f| {
                let (name, currency) = merchant(&f.merchant);
                let amount = |money| format_amount(money, &currency);
                let counts: Vec<String> = f.verdicts_week.iter().map(|(v, n)| format!("{n} {v}")).collect();
                let fees = &f.fees_week;
                MerchantCard {
                    name,
                    received_today: f.received_today,
                    received_week: f.received_week,
                    received: format!("Received: {} today, {} this week", f.received_today, f.received_week),
                    decided: format!("Decided: {} today, {} this week", f.decided_today(), f.decided_week()),
                    verdicts: f.verdicts_week.clone(),
                    verdict_words: format!("This week: {}", counts.join(", ")),
                    fees: format!(
                        "Fees kept this week: {} (restocking {}, card {}, return label {}, handling {})",
                        amount(fees.total()),
                        amount(fees.restocking),
                        amount(fees.card),
                        amount(fees.return_label),
                        amount(fees.handling)
                    ),
                    refunds: format!(
                        "Refunds owed: {}, {}; overdue: {}, {}",
                        f.refunds_owed,
                        amount(f.refunds_owed_amount),
                        f.refunds_overdue,
                        amount(f.refunds_overdue_amount)
                    ),
                    overdue: f.refunds_overdue > 0,
                    holds: format!("Holds waiting: {}", f.holds_waiting),
                    reasons: f
                        .reasons_week
                        .iter()
                        .take(REASONS_SHOWN)
                        .map(|(id, text, n)| format!("{n} × {id}: {}", text.trim()))
                        .collect(),
                }
            })
            .collect();
        DashboardView {
            heading: format!(
                "{}; this week from {}",
                period.today.format("%A %-d %B %Y"),
                period.week_start.format("%A %-d %B")
            ),
            merchants,
            unmatched: format!(
                "Not matched to a merchant yet (quarantine): {} today, {} this week",
                dashboard.unmatched_today, dashboard.unmatched_week
            ),
            // In the form `rma-station verify --head` takes, to be noted away from the station.
            audit: format!("Audit chain head: {}", dashboard.audit_head),
        }
    }
}

/// The screen: the view once loaded, and whether a refresh is under way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardState {
    pub view: Option<DashboardView>,
    pub loading: bool,
    pub message: Option<String>,
}

pub fn dashboard_ui(ui: &mut egui::Ui, state: &DashboardState) {
    ui.horizontal(|ui| {
        ui.label(theme::heading("Daily view"));
        if state.loading {
            ui.colored_label(theme::WAIT, "counting…");
        }
    });
    if let Some(message) = &state.message {
        ui.colored_label(theme::WRONG, message);
    }
    let Some(view) = &state.view else { return };
    egui::ScrollArea::vertical().id_salt("dashboard").show(ui, |ui| {
        ui.label(&view.heading);
        ui.label(egui::RichText::new(&view.audit).monospace());
        ui.label(&view.unmatched);
        ui.add_space(6.0);
        ui.strong("Packages received, per merchant");
        received_chart(ui, &view.merchants);
        for card in &view.merchants {
            ui.add_space(8.0);
            egui::Frame::group(ui.style()).show(ui, |ui| merchant_ui(ui, card));
        }
    });
}

fn merchant_ui(ui: &mut egui::Ui, card: &MerchantCard) {
    ui.label(theme::heading(&card.name));
    theme::two_columns(
        ui,
        |ui| {
            ui.label(&card.received);
            ui.label(&card.decided);
            ui.label(&card.verdict_words);
            ui.label(&card.fees);
            if card.overdue {
                ui.colored_label(theme::WRONG, &card.refunds);
            } else {
                ui.label(&card.refunds);
            }
            ui.label(&card.holds);
            ui.add_space(4.0);
            ui.strong("Clauses cited most this week");
            if card.reasons.is_empty() {
                ui.label("none yet");
            }
            for reason in &card.reasons {
                ui.label(reason);
            }
        },
        |ui| verdict_chart(ui, card),
    );
}

/// Today's and this week's packages side by side, one pair of bars per merchant.
#[expect(clippy::float_arithmetic, reason = "bar positions on the chart's axis")]
fn received_chart(ui: &mut egui::Ui, merchants: &[MerchantCard]) {
    let bars = |offset: f64, colour, pick: fn(&MerchantCard) -> u64| {
        merchants
            .iter()
            .enumerate()
            .map(|(i, card)| Bar::new(i as f64 + offset, pick(card) as f64).name(&card.name).width(0.3).fill(colour))
            .collect::<Vec<_>>()
    };
    let today = BarChart::new("today", bars(-0.17, theme::WAIT, |c| c.received_today)).color(theme::WAIT);
    let week = BarChart::new("this week", bars(0.17, theme::GOOD, |c| c.received_week)).color(theme::GOOD);
    let names: Vec<String> = merchants.iter().map(|c| c.name.clone()).collect();
    chart("received", 170.0)
        // Room around the outer bars, so a merchant's pair never touches the frame.
        .include_x(-0.7)
        .include_x(merchants.len() as f64 - 0.3)
        .legend(Legend::default())
        .x_axis_formatter(move |mark, _| axis_name(&names, mark.value))
        .show(ui, |plot| {
            plot.bar_chart(today);
            plot.bar_chart(week);
        });
}

/// This week's decisions by verdict, in the verdicts' colours.
fn verdict_chart(ui: &mut egui::Ui, card: &MerchantCard) {
    let bars: Vec<Bar> = card
        .verdicts
        .iter()
        .enumerate()
        .map(|(i, (verdict, n))| Bar::new(i as f64, *n as f64).name(verdict.as_str()).fill(verdict_colour(*verdict)))
        .collect();
    let names: Vec<String> = card.verdicts.iter().map(|(v, _)| v.as_str().to_owned()).collect();
    ui.strong("Decisions this week");
    chart(&format!("verdicts-{}", card.name), 150.0)
        .x_axis_formatter(move |mark, _| axis_name(&names, mark.value))
        .show(ui, |plot| plot.bar_chart(BarChart::new("decisions", bars)));
}

/// A still chart: no dragging, zooming or scrolling, so it reads like a printed one and takes no keys.
fn chart(id: &str, height: f32) -> Plot<'static> {
    Plot::new(id.to_owned())
        .height(height)
        .sense(egui::Sense::hover())
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_x(false)
        .include_y(0.0)
        .y_axis_min_width(24.0)
}

#[expect(clippy::float_arithmetic, reason = "how far an axis mark is from a whole number")]
/// The name under a whole-number position of the x axis, nothing between.
fn axis_name(names: &[String], value: f64) -> String {
    let index = value.round();
    if (value - index).abs() > 0.01 || index < 0.0 {
        String::new()
    } else {
        names.get(index as usize).cloned().unwrap_or_default()
    }
}
