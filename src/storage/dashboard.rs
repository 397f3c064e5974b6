//! The daily view's figures, per merchant, read in one snapshot: packages received today and this week,
//! decisions by verdict and by the clauses they cite, fees kept, refunds owed and overdue, holds waiting,
//! and the audit chain's latest entry.
//!
//! The day is the caller's: [`DashboardPeriod`] is built from a date and a time zone passed in, never from
//! the clock. Packages are stamped in UTC, so the local day and week are turned into UTC instants before
//! they are compared; decisions carry the local date they were decided on. Money is summed as integer cents
//! or exact [`Money`], never as floating point. The figures are plain values here; each backend reads them
//! (SQLite's query is `storage::sqlite::dashboard`).

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};

use crate::domain::money::Money;
use crate::domain::vocabulary::Verdict;
use crate::storage::audit::AuditHead;

/// The day the figures are for, and its week (Monday to that day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DashboardPeriod {
    pub today: NaiveDate,
    /// The Monday of today's week.
    pub week_start: NaiveDate,
    /// When the local day and the local week began.
    pub day_began: DateTime<Utc>,
    pub week_began: DateTime<Utc>,
}

impl DashboardPeriod {
    /// Today and its week at the bench, as `clock` tells it at `now`: the system's local zone (midnights
    /// follow its daylight-saving changes), or a pinned clock's fixed offset.
    pub fn at(now: &crate::clock::Now, clock: &crate::clock::Clock) -> DashboardPeriod {
        if clock.is_system() {
            DashboardPeriod::of(now.today, &chrono::Local)
        } else {
            DashboardPeriod::of(now.today, &now.offset)
        }
    }

    /// `today` and its week in the time zone `zone` (the bench's local time).
    pub fn of<Tz: TimeZone>(today: NaiveDate, zone: &Tz) -> DashboardPeriod {
        let week_start = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
        DashboardPeriod { today, week_start, day_began: midnight(today, zone), week_began: midnight(week_start, zone) }
    }
}

/// The first instant of `day` in `zone`. Where a clock change skips midnight, the day begins when the
/// clock resumes.
fn midnight<Tz: TimeZone>(day: NaiveDate, zone: &Tz) -> DateTime<Utc> {
    let start = day.and_time(chrono::NaiveTime::MIN);
    (0..=3)
        .find_map(|hour| zone.from_local_datetime(&(start + chrono::TimeDelta::hours(hour))).earliest())
        .map_or_else(|| start.and_utc(), |at| at.with_timezone(&Utc))
}

/// The daily view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub period: DashboardPeriod,
    /// Every merchant the station knows, by id, with zeros where nothing happened.
    pub merchants: Vec<MerchantFigures>,
    /// Packages matched to no merchant yet (quarantine) received today and this week.
    pub unmatched_today: u64,
    pub unmatched_week: u64,
    /// The audit chain's latest entry: its sequence number and hash. Printed on the daily view so that a
    /// rewrite of the whole chain shows against yesterday's printout.
    pub audit_head: AuditHead,
}

/// One merchant's figures.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MerchantFigures {
    pub merchant: String,
    pub received_today: u64,
    pub received_week: u64,
    /// Decisions per verdict, every verdict listed in [`Verdict::ALL`] order.
    pub verdicts_today: Vec<(Verdict, u64)>,
    pub verdicts_week: Vec<(Verdict, u64)>,
    /// The clauses this week's decisions rest on: id, the merchant's words, and how many decisions cite it,
    /// most cited first.
    pub reasons_week: Vec<(String, String, u64)>,
    /// What this week's refunds and store credit kept back.
    pub fees_week: FeesKept,
    /// Refunds queued and not yet paid, and those of them past their due date.
    pub refunds_owed: u64,
    pub refunds_owed_amount: Money,
    pub refunds_overdue: u64,
    pub refunds_overdue_amount: Money,
    /// Packages on hold, waiting for evidence, proof or the customer.
    pub holds_waiting: u64,
}

/// The deductions kept from refunds and store credit, by kind: what each decision actually withheld
/// ([`crate::domain::decision::MoneyBreakdown::withheld`]), never more than the value it accepted. A
/// decision that pays nothing (a denial, an exchange) keeps no fee: there is no payment to keep it from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeesKept {
    pub restocking: Money,
    pub card: Money,
    pub return_label: Money,
    pub handling: Money,
}

impl FeesKept {
    pub fn total(&self) -> Money {
        self.restocking + self.card + self.return_label + self.handling
    }
}

impl MerchantFigures {
    pub(crate) fn new(merchant: String) -> MerchantFigures {
        let zeros = || Verdict::ALL.iter().map(|v| (*v, 0)).collect();
        MerchantFigures { merchant, verdicts_today: zeros(), verdicts_week: zeros(), ..MerchantFigures::default() }
    }

    pub fn decided_today(&self) -> u64 {
        self.verdicts_today.iter().map(|(_, n)| n).sum()
    }

    pub fn decided_week(&self) -> u64 {
        self.verdicts_week.iter().map(|(_, n)| n).sum()
    }
}
