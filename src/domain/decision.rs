//! What the engine decides: verdict, disposition, money, per-line results, the clauses that shaped it
//! and flags for other teams. Plain data; the JSON shape of `rma-station decide` is made from it at the
//! edge (`crate::formats::case_json`).

use chrono::NaiveDate;

use crate::domain::money::Money;
use crate::domain::policy::Clause;
use crate::domain::vocabulary::{Checkpoint, Disposition, Verdict};

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub verdict: Verdict,
    pub disposition: Disposition,
    pub money: MoneyBreakdown,
    pub lines: Vec<LineResult>,
    /// The rules that shaped the decision, most decisive first, each once.
    pub reasons: Vec<Clause>,
    pub flags: Vec<Flag>,
    pub decided_on: NaiveDate,
    /// When the refund must have been paid (refunds only).
    pub refund_due_on: Option<NaiveDate>,
    /// What the station's evidence rule holds the decision for: the items that would be refused on their
    /// physical state, with where to photograph them. Empty unless the rule held something.
    pub photos_needed: Vec<PhotoNeeded>,
}

/// An item held because refusing it on its physical state needs a photo of it, and it has none.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoNeeded {
    /// The item's place in the inspection's items.
    pub item: usize,
    pub sku: String,
    /// Where to photograph it: the checkpoints that show what the clauses judge.
    pub checkpoints: Vec<Checkpoint>,
    /// The clauses marked `evidence = "photo"` the item would be refused on once photographed.
    pub clauses: Vec<Clause>,
}

/// The money of a decision. `net` = items_accepted - the four deductions, never below zero;
/// `shipping_not_refunded` is shown for the customer's letter and is never part of that sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MoneyBreakdown {
    pub items_accepted: Money,
    pub restocking_fee: Money,
    pub card_fee: Money,
    pub return_label: Money,
    pub handling_fee: Money,
    pub shipping_not_refunded: Money,
    pub net: Money,
}

impl MoneyBreakdown {
    pub fn deductions(&self) -> Money {
        self.restocking_fee + self.card_fee + self.return_label + self.handling_fee
    }

    /// The deductions as actually withheld from the value accepted: taken in the order they are listed
    /// (restocking, card, label, handling), each only as far as value is left, so that what is kept never
    /// exceeds what was accepted. The rest was charged on paper and collected from nobody.
    pub fn withheld(&self) -> MoneyBreakdown {
        let mut left = self.items_accepted;
        let mut take = |fee: Money| {
            let kept = fee.min(left);
            left = left.saturating_sub(kept);
            kept
        };
        MoneyBreakdown {
            restocking_fee: take(self.restocking_fee),
            card_fee: take(self.card_fee),
            return_label: take(self.return_label),
            handling_fee: take(self.handling_fee),
            ..*self
        }
    }
}

/// One SKU of the order (or one that arrived without being ordered).
#[derive(Debug, Clone, PartialEq)]
pub struct LineResult {
    pub sku: String,
    pub ordered: u32,
    pub received: u32,
    pub accepted: u32,
    /// Received but refused: these go back to the customer.
    pub refused: u32,
    /// Ordered, expected back, and not received (returns only).
    pub missing: u32,
    /// Restocking fee charged on this line's missing units.
    pub fee: Money,
    pub outcome: LineOutcome,
    /// Ids of the clauses that decided this line.
    pub clauses: Vec<String>,
}

/// How one line ended, in a word for the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOutcome {
    Accepted,
    Refused,
    /// Some units accepted, some refused.
    Partial,
    /// Waiting for evidence, proof or the customer.
    Hold,
    /// Nothing of it arrived.
    NotReceived,
}

impl LineOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            LineOutcome::Accepted => "accepted",
            LineOutcome::Refused => "refused",
            LineOutcome::Partial => "partial",
            LineOutcome::Hold => "hold",
            LineOutcome::NotReceived => "not_received",
        }
    }
}

/// Something another team must act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// The referrer's credit must be rescinded (a customer-service queue item).
    ReferralCreditRescission,
    /// The deductions exceed what was accepted: the net was held at zero and the rest is not collected.
    FeesExceedRefund,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::ReferralCreditRescission => "referral_credit_rescission",
            Flag::FeesExceedRefund => "fees_exceed_refund",
        }
    }
}

impl Decision {
    /// The decision as a supervisor overrode it: another disposition, and for a refund or store credit
    /// the amount to pay (`net`; other dispositions pay nothing). The verdict follows the disposition:
    /// a hold holds, a return to the customer denies, anything else accepts what it grants. A refund
    /// without a due date gets the policy's (`refund_due_days` after `today`).
    pub fn overridden(&self, disposition: Disposition, net: Money, today: NaiveDate, refund_due_days: u32) -> Decision {
        let mut decision = self.clone();
        decision.disposition = disposition;
        decision.verdict = match disposition {
            Disposition::Hold => Verdict::Hold,
            Disposition::ReturnToCustomer => Verdict::Deny,
            _ if self.verdict == Verdict::Partial => Verdict::Partial,
            _ => Verdict::Accept,
        };
        // The supervisor's disposition speaks for every unit that arrived: granted, sent back or held.
        for line in decision.lines.iter_mut().filter(|line| line.received > 0) {
            match disposition {
                Disposition::ReturnToCustomer => {
                    line.refused = line.received;
                    line.accepted = 0;
                    line.outcome = LineOutcome::Refused;
                }
                Disposition::Hold => line.outcome = LineOutcome::Hold,
                _ => {
                    line.accepted = line.received;
                    line.refused = 0;
                    line.outcome = LineOutcome::Accepted;
                }
            }
        }
        let pays = matches!(disposition, Disposition::Refund | Disposition::StoreCredit);
        decision.money.net = if pays { net } else { Money::ZERO };
        decision.refund_due_on = match disposition {
            Disposition::Refund => {
                self.refund_due_on.or_else(|| today.checked_add_days(chrono::Days::new(u64::from(refund_due_days))))
            }
            _ => None,
        };
        decision
    }
}
