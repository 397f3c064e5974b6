//! The daily view's figures, per merchant, read in one snapshot: packages received today and this week,
//! decisions by verdict and by the clauses they cite, fees kept, refunds owed and overdue, holds waiting,
//! and the audit chain's latest entry.
//!
//! The day is the caller's: [`DashboardPeriod`] is built from a date and a time zone passed in, never from
//! the clock. Packages are stamped in UTC, so the local day and week are turned into UTC instants before
//! they are compared; decisions carry the local date they were decided on. Money is summed as integer cents
//! or exact [`Money`], never as floating point.

use crate::formats::case_json::RecordedDecision;
use crate::storage::audit::AuditHead;
use chrono::{DateTime, Datelike, Days, NaiveDate, SecondsFormat, TimeZone, Utc};
use rusqlite::{Connection, params};

use crate::domain::money::Money;
use crate::domain::vocabulary::{Disposition, Queue, UnknownWord, Verdict};
use crate::storage::StoreError;

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

/// The deductions kept from refunds and store credit, by kind, as each decision set them. A decision that
/// pays nothing (a denial, an exchange) keeps no fee: there is no payment to keep it from.
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
    fn new(merchant: String) -> MerchantFigures {
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

/// Reads the figures in one read transaction, so they all describe the same moment.
pub(crate) fn read(conn: &Connection, period: &DashboardPeriod) -> Result<Dashboard, StoreError> {
    let tx = conn.unchecked_transaction()?;
    let merchants: Vec<String> = tx
        .prepare_cached("SELECT id FROM merchants ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut figures: Vec<MerchantFigures> = merchants.into_iter().map(MerchantFigures::new).collect();
    let mut dashboard = Dashboard {
        period: *period,
        merchants: Vec::new(),
        unmatched_today: 0,
        unmatched_week: 0,
        audit_head: AuditHead::read(&tx)?,
    };
    let instant = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Millis, true);

    // Received: by the instant stamped (packages_by_day), this week's only.
    // A package's merchant is its RMA's, or its order's when it came without one.
    let mut received = tx.prepare_cached(
        "SELECT COALESCE(r.merchant, o.merchant), count(*), sum(p.received_at >= ?1)
         FROM packages p LEFT JOIN rmas r ON r.id = p.rma_id LEFT JOIN orders o ON o.id = p.order_id
         WHERE p.received_at >= ?2 GROUP BY 1",
    )?;
    let mut rows = received.query(params![instant(period.day_began), instant(period.week_began)])?;
    while let Some(row) = rows.next()? {
        let (merchant, week, today): (Option<String>, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
        match merchant.and_then(|m| figures.iter_mut().find(|f| f.merchant == m)) {
            Some(f) => (f.received_week, f.received_today) = (count(week), count(today)),
            None => (dashboard.unmatched_week, dashboard.unmatched_today) = (count(week), count(today)),
        }
    }

    // Decided: this week's decisions by their local day (decisions_by_day).
    let mut decided = tx.prepare_cached(
        "SELECT COALESCE(r.merchant, o.merchant), d.id, d.verdict, d.disposition, d.decided_on, d.decision_json
         FROM decisions d JOIN packages p ON p.id = d.package_id
         LEFT JOIN rmas r ON r.id = p.rma_id LEFT JOIN orders o ON o.id = p.order_id
         WHERE d.decided_on >= ?1 AND d.decided_on <= ?2",
    )?;
    let mut rows = decided.query(params![period.week_start.to_string(), period.today.to_string()])?;
    while let Some(row) = rows.next()? {
        let merchant: Option<String> = row.get(0)?;
        let id: i64 = row.get(1)?;
        let Some(f) = merchant.and_then(|m| figures.iter_mut().find(|f| f.merchant == m)) else { continue };
        let corrupt = |detail: String| StoreError::Corrupt { what: format!("decision {id}"), detail };
        let verdict: Verdict = row.get::<_, String>(2)?.parse().map_err(|e: UnknownWord| corrupt(e.to_string()))?;
        let disposition: Disposition =
            row.get::<_, String>(3)?.parse().map_err(|e: UnknownWord| corrupt(e.to_string()))?;
        let today = row.get::<_, String>(4)? == period.today.to_string();
        let saved = RecordedDecision::parse(&row.get::<_, String>(5)?).map_err(|e| corrupt(e.to_string()))?;
        tally(&mut f.verdicts_week, verdict);
        if today {
            tally(&mut f.verdicts_today, verdict);
        }
        for reason in saved.reasons {
            match f.reasons_week.iter_mut().find(|(id, ..)| *id == reason.id) {
                Some((.., n)) => *n += 1,
                None => f.reasons_week.push((reason.id, reason.text, 1)),
            }
        }
        if matches!(disposition, Disposition::Refund | Disposition::StoreCredit) {
            let (fees, money) = (&mut f.fees_week, &saved.money);
            fees.restocking = fees.restocking + money.restocking_fee;
            fees.card = fees.card + money.card_fee;
            fees.return_label = fees.return_label + money.return_label;
            fees.handling = fees.handling + money.handling_fee;
        }
    }
    for f in &mut figures {
        // Most cited first; a tie in the order the clauses were first met, so the list does not jump.
        f.reasons_week.sort_by_key(|(.., cited)| std::cmp::Reverse(*cited));
    }

    // Queued: open refunds and holds (queue_items_by_queue), each with its package's merchant.
    let mut open = tx.prepare_cached(
        "SELECT COALESCE(r.merchant, o.merchant), count(*), COALESCE(sum(q.amount_cents), 0),
                COALESCE(sum(q.due_on < ?2), 0), COALESCE(sum(CASE WHEN q.due_on < ?2 THEN q.amount_cents END), 0)
         FROM queue_items q
         LEFT JOIN packages p ON p.id = q.package_id
         LEFT JOIN rmas r ON r.id = p.rma_id
         LEFT JOIN orders o ON o.id = p.order_id
         WHERE q.queue = ?1 AND q.status = 'open' GROUP BY 1",
    )?;
    for queue in [Queue::Refund, Queue::Hold] {
        let mut rows = open.query(params![queue.as_str(), period.today.to_string()])?;
        while let Some(row) = rows.next()? {
            let merchant: Option<String> = row.get(0)?;
            let Some(f) = merchant.and_then(|m| figures.iter_mut().find(|f| f.merchant == m)) else { continue };
            let (items, cents, overdue, overdue_cents): (i64, i64, i64, i64) =
                (row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?);
            if queue == Queue::Refund {
                f.refunds_owed = count(items);
                f.refunds_owed_amount = Money::from_cents(cents);
                f.refunds_overdue = count(overdue);
                f.refunds_overdue_amount = Money::from_cents(overdue_cents);
            } else {
                f.holds_waiting = count(items);
            }
        }
    }

    dashboard.merchants = figures;
    Ok(dashboard)
}

fn tally(counts: &mut [(Verdict, u64)], verdict: Verdict) {
    if let Some((_, n)) = counts.iter_mut().find(|(v, _)| *v == verdict) {
        *n += 1;
    }
}

/// A SQL count, never negative.
fn count(n: i64) -> u64 {
    n.unsigned_abs()
}
