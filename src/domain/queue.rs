//! What a confirmed decision asks of the teams after the bench: the queue entries it creates. A refund
//! or store credit names its amount (and a refund its due date), and is not queued when nothing is owed; an exchange or replacement names what
//! to ship; refused units go back to the customer with the clause that refused them; a hold names what
//! is awaited. Pure: the store saves these entries, the queues screen and exports show them.

use chrono::NaiveDate;

use crate::domain::decision::{Decision, Flag, LineOutcome};
use crate::domain::money::Money;
use crate::domain::vocabulary::{Disposition, Queue};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    pub queue: Queue,
    /// Money owed to the customer (refund and store credit only).
    pub amount: Option<Money>,
    pub due_on: Option<NaiveDate>,
    /// What to do, in words for the person who does it.
    pub detail: String,
}

/// The entries a decision creates, the decision's own queue first.
pub fn queue_entries(decision: &Decision) -> Vec<QueueEntry> {
    let clause_text = |id: &str| {
        decision.reasons.iter().find(|clause| clause.id == id).map_or_else(|| id.to_owned(), |c| c.text.clone())
    };
    let units = |pick: fn(&crate::domain::decision::LineResult) -> u32| -> String {
        decision
            .lines
            .iter()
            .filter(|line| pick(line) > 0)
            .map(|line| format!("{} × {}", pick(line), line.sku))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let money = &decision.money;
    let mut entries = Vec::new();
    match decision.disposition {
        // Nothing owed, nothing queued: when the fees take the whole value the decision records them and
        // why, and the people who pay get no line to pay.
        Disposition::Refund | Disposition::StoreCredit if money.net.is_zero() => {}
        Disposition::Refund | Disposition::StoreCredit => {
            let (queue, what) = match decision.disposition {
                Disposition::Refund => (Queue::Refund, "refund"),
                _ => (Queue::StoreCredit, "store credit"),
            };
            let accepted = units(|line| line.accepted);
            let mut detail = if accepted.is_empty() { format!("{what} granted") } else { format!("for {accepted}") };
            if money.deductions() > Money::ZERO {
                detail.push_str(&format!("; items {} less fees {}", money.items_accepted, money.deductions()));
            }
            if decision.flags.contains(&Flag::ReferralCreditRescission) {
                detail.push_str("; rescind the referrer's credit");
            }
            entries.push(QueueEntry {
                queue,
                amount: Some(money.net),
                due_on: decision.refund_due_on.filter(|_| queue == Queue::Refund),
                detail,
            });
        }
        Disposition::Exchange | Disposition::Replacement => {
            let queue =
                if decision.disposition == Disposition::Exchange { Queue::Exchange } else { Queue::Replacement };
            entries.push(QueueEntry {
                queue,
                amount: None,
                due_on: None,
                detail: format!("ship {}", units(|line| line.accepted)),
            });
        }
        Disposition::Hold => {
            let awaited: Vec<String> = decision
                .lines
                .iter()
                .filter(|line| line.outcome == LineOutcome::Hold)
                .flat_map(|line| line.clauses.iter().map(|id| clause_text(id)))
                .fold(Vec::new(), |mut seen, text| {
                    if !seen.contains(&text) {
                        seen.push(text);
                    }
                    seen
                });
            let awaited = if awaited.is_empty() {
                decision.reasons.first().map_or_else(String::new, |clause| clause.text.clone())
            } else {
                awaited.join("; ")
            };
            entries.push(QueueEntry {
                queue: Queue::Hold,
                amount: None,
                due_on: None,
                detail: format!("awaiting: {awaited}"),
            });
        }
        Disposition::ReturnToCustomer => {}
    }
    let refused: Vec<String> = decision
        .lines
        .iter()
        .filter(|line| line.refused > 0)
        .map(|line| {
            let why: Vec<String> = line.clauses.iter().map(|id| format!("{id}: {}", clause_text(id))).collect();
            format!("{} × {} ({})", line.refused, line.sku, why.join("; "))
        })
        .collect();
    if !refused.is_empty() && decision.disposition != Disposition::Hold {
        entries.push(QueueEntry {
            queue: Queue::ReturnToCustomer,
            amount: None,
            due_on: None,
            detail: format!("send back {}", refused.join(", ")),
        });
    }
    entries
}
