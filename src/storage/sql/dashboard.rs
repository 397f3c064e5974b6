//! The daily view's figures, read in one read transaction, so they all describe the same moment
//! (the figures' meaning and the period are `crate::storage::dashboard`'s).

use chrono::{DateTime, SecondsFormat, Utc};

use crate::domain::money::Money;
use crate::domain::vocabulary::{Disposition, Queue, UnknownWord, Verdict};
use crate::formats::case_json::RecordedDecision;
use crate::storage::sql::Db;
use crate::storage::{Dashboard, DashboardPeriod, MerchantFigures, StoreError};

/// Reads the figures; the store runs it in one read transaction, so they all describe the same moment.
pub(super) fn read(db: &dyn Db, period: &DashboardPeriod) -> Result<Dashboard, StoreError> {
    let merchants: Vec<String> = db.column("SELECT id FROM merchants ORDER BY id", &[])?;
    let mut figures: Vec<MerchantFigures> = merchants.into_iter().map(MerchantFigures::new).collect();
    let mut dashboard = Dashboard {
        period: *period,
        merchants: Vec::new(),
        unmatched_today: 0,
        unmatched_week: 0,
        audit_head: super::audit_log::head(db)?,
    };
    let instant = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Millis, true);

    // Received: by the instant stamped (packages_by_day), this week's only.
    // A package's merchant is its RMA's, or its order's when it came without one.
    let received = db.rows(
        "SELECT COALESCE(r.merchant, o.merchant), count(*),
                CAST(sum(CASE WHEN p.received_at >= ?1 THEN 1 ELSE 0 END) AS BIGINT)
         FROM packages p LEFT JOIN rmas r ON r.id = p.rma_id LEFT JOIN orders o ON o.id = p.order_id
         WHERE p.received_at >= ?2 GROUP BY 1",
        &[&instant(period.day_began), &instant(period.week_began)],
    )?;
    for row in received {
        let (merchant, week, today): (Option<String>, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
        match merchant.and_then(|m| figures.iter_mut().find(|f| f.merchant == m)) {
            Some(f) => (f.received_week, f.received_today) = (count(week), count(today)),
            None => (dashboard.unmatched_week, dashboard.unmatched_today) = (count(week), count(today)),
        }
    }

    // Decided: this week's decisions by their local day (decisions_by_day).
    let decided = db.rows(
        "SELECT COALESCE(r.merchant, o.merchant), d.id, d.verdict, d.disposition, d.decided_on, d.decision_json
         FROM decisions d JOIN packages p ON p.id = d.package_id
         LEFT JOIN rmas r ON r.id = p.rma_id LEFT JOIN orders o ON o.id = p.order_id
         WHERE d.decided_on >= ?1 AND d.decided_on <= ?2",
        &[&period.week_start.to_string(), &period.today.to_string()],
    )?;
    for row in decided {
        let merchant: Option<String> = row.get(0)?;
        let id: i64 = row.get(1)?;
        let Some(f) = merchant.and_then(|m| figures.iter_mut().find(|f| f.merchant == m)) else { continue };
        let corrupt = |detail: String| StoreError::Corrupt { what: format!("decision {id}"), detail };
        let verdict: Verdict = row.get::<String>(2)?.parse().map_err(|e: UnknownWord| corrupt(e.to_string()))?;
        let disposition: Disposition =
            row.get::<String>(3)?.parse().map_err(|e: UnknownWord| corrupt(e.to_string()))?;
        let today = row.get::<String>(4)? == period.today.to_string();
        let saved = RecordedDecision::parse(&row.get::<String>(5)?).map_err(|e| corrupt(e.to_string()))?;
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
            let (fees, money) = (&mut f.fees_week, &saved.money.withheld());
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
    let open = "SELECT COALESCE(r.merchant, o.merchant), count(*), CAST(COALESCE(sum(q.amount_cents), 0) AS BIGINT),
                       CAST(COALESCE(sum(CASE WHEN q.due_on < ?2 THEN 1 ELSE 0 END), 0) AS BIGINT),
                       CAST(COALESCE(sum(CASE WHEN q.due_on < ?2 THEN q.amount_cents END), 0) AS BIGINT)
                FROM queue_items q
                LEFT JOIN packages p ON p.id = q.package_id
                LEFT JOIN rmas r ON r.id = p.rma_id
                LEFT JOIN orders o ON o.id = p.order_id
                WHERE q.queue = ?1 AND q.status = 'open' GROUP BY 1";
    for queue in [Queue::Refund, Queue::Hold] {
        for row in db.rows(open, &[&queue.as_str(), &period.today.to_string()])? {
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
