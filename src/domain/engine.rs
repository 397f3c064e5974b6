//! The decision engine: one pure function from (policy, order, RMA or none, inspection, today) to a
//! [`Decision`] that cites every clause it used.
//!
//! The engine knows no merchant: everything merchant-specific comes from the [`Policy`]. The only rules
//! written here are the station's own (see [`station`]), which hold for every merchant. It does no I/O
//! and never reads the clock: `today` is the decision date, passed in.
//!
//! How a package is decided:
//! 1. No RMA: the merchant's authorization rule denies it (and may charge the handling fee).
//! 2. Received units are matched to order lines; units not ordered, or beyond the quantity ordered, are
//!    refused.
//! 3. Checks on the whole case (window, channel, owner, proof, resolution) may deny or hold it all.
//! 4. Each group of units is tested against the rules of its kind of claim. A refusal citing a clause
//!    the policy marks `evidence = "photo"` needs a photo of the item: without one it becomes a hold
//!    ("photo evidence required"), unless a ground independent of the item's state refuses it anyway;
//!    the decision then says which item to photograph, where, and on which clauses ([`PhotoNeeded`]).
//! 5. Verdict: any hold holds the package; otherwise accept, partial or deny by what was accepted.
//! 6. Money: only a refund or store credit carries deductions, each fee rounded once. Units are valued at
//!    what was paid for them, cheapest first: the units of a line may have several prices
//!    ([`crate::domain::case::UnitPrices`]).

use chrono::{Days, NaiveDate};

use crate::domain::case::{InspectedItem, Inspection, ItemState, Order, OrderLine, Rma};
use crate::domain::decision::{Decision, Flag, LineOutcome, LineResult, MoneyBreakdown, PhotoNeeded};
use crate::domain::ledger::Ledger;
use crate::domain::money::Money;
use crate::domain::policy::{Clause, FeeRate, ItemRule, Policy, Resolutions, Window};
use crate::domain::vocabulary::{
    Checkpoint, Disposition, Evidence, MissingItemCharge, NonReturnableKind, Resolution, RmaKind, Verdict,
};

/// The station's own rules: they hold for every merchant, so they live here rather than in a policy file.
pub mod station {
    use crate::domain::policy::Clause;

    pub const PHOTO_REQUIRED_ID: &str = "station/evidence/photo-required";
    pub const NOT_ORDERED_ID: &str = "station/receiving/not-ordered";
    pub const NOTHING_RECEIVED_ID: &str = "station/receiving/nothing-received";
    pub const ALREADY_RETURNED_ID: &str = "station/ledger/already-returned";
    pub const CHARGED_ONCE_ID: &str = "station/ledger/charged-once";
    pub const SAME_SKU_LINES_ID: &str = "station/order/same-sku-lines";

    /// A denial that rests on the physical state of the goods needs at least one photo of that state.
    pub fn photo_required() -> Clause {
        Clause {
            id: PHOTO_REQUIRED_ID.to_owned(),
            text: "photo evidence required: a refusal resting on an item's physical state needs a photo of it"
                .to_owned(),
        }
    }

    /// Goods that were not ordered cannot be returned against the order.
    pub fn not_ordered() -> Clause {
        Clause {
            id: NOT_ORDERED_ID.to_owned(),
            text: "Items not on the order, or beyond the quantity ordered, go back to the customer".to_owned(),
        }
    }

    /// A package with nothing of the order in it has nothing to refund, credit, exchange or replace.
    pub fn nothing_received() -> Clause {
        Clause {
            id: NOTHING_RECEIVED_ID.to_owned(),
            text: "Nothing that was ordered arrived in this package, so there is nothing to refund, credit, exchange \
                   or replace"
                .to_owned(),
        }
    }

    /// A unit is settled once: what another package of the order already brought back, or what was
    /// already refunded, credited, exchanged or replaced, is not settled again.
    pub fn already_returned() -> Clause {
        Clause {
            id: ALREADY_RETURNED_ID.to_owned(),
            text: "Units of the order already received in another package, or already settled, are not settled \
                   again: these go back to the customer"
                .to_owned(),
        }
    }

    /// The card fee is kept once per order and a return label once per RMA, however many boxes come back.
    pub fn charged_once() -> Clause {
        Clause {
            id: CHARGED_ONCE_ID.to_owned(),
            text: "The card fee is kept once per order and the return label once per RMA: an earlier decision on \
                   this order kept it already"
                .to_owned(),
        }
    }

    /// Units of one SKU bought at different prices (a free promotional line beside a paid one) cannot be told
    /// apart at the bench: those that come back are priced from the cheapest up, the rule retailers apply to
    /// a buy-one-get-one return, so a refund never exceeds what was paid for the units it is for.
    pub fn same_sku_lines() -> Clause {
        Clause {
            id: SAME_SKU_LINES_ID.to_owned(),
            text: "Units of one product bought at different prices cannot be told apart: those returned are valued \
                   from the lowest price paid upward (units an earlier package of the order settled took the \
                   lowest first), and those not returned are the dearest. A refund never exceeds what was paid \
                   for the units it is for"
                .to_owned(),
        }
    }
}

/// Decides one package. `earlier` is the ledger of the order's other packages (empty for the first box):
/// what they brought back and settled is not settled again, and the charges they kept are not kept twice.
/// `today` is the decision date (the refund due date counts from it).
pub fn decide(
    policy: &Policy,
    order: &Order,
    rma: Option<&Rma>,
    inspection: &Inspection,
    earlier: &Ledger,
    today: NaiveDate,
) -> Decision {
    let groups = allocate(order, inspection, earlier);
    let Some(rma) = rma else {
        return unauthorized(policy, order, groups, earlier, today);
    };
    let mut case = CaseChecks::default();
    let granted = match rma.kind {
        RmaKind::Return => judge_return(policy, order, rma, &mut case),
        RmaKind::Warranty => judge_warranty(policy, order, rma, inspection, &mut case),
        RmaKind::ShippingDamage => judge_shipping_damage(policy, order, rma, &mut case),
    };
    let mut groups = groups;
    if case.deny.is_empty() {
        for group in groups.iter_mut().filter(|g| g.outcome.is_none()) {
            group.outcome = Some(judge_group(policy, order, rma, group));
        }
    }
    settle(Context { policy, order, rma, earlier, today }, granted, case, groups)
}

/// What every step of settling a package reads.
#[derive(Clone, Copy)]
struct Context<'a> {
    policy: &'a Policy,
    order: &'a Order,
    rma: &'a Rma,
    earlier: &'a Ledger,
    today: NaiveDate,
}

/// Units of one SKU in one state, matched (or not) to an order line.
#[derive(Debug)]
struct Group<'a> {
    item: &'a InspectedItem,
    /// The item's place in the inspection's items.
    index: usize,
    line: Option<&'a OrderLine>,
    qty: u32,
    /// `Some` once decided; groups of goods not ordered are decided when they are made.
    outcome: Option<Outcome>,
    /// Units not ordered, or beyond the quantity ordered: they never count against what is missing.
    excess: bool,
    /// Refused as non-returnable goods (which may carry the handling fee).
    non_returnable: bool,
    /// Rules that were tested and let these units through: a warranty period they fall within, an
    /// exception they meet. They explain an acceptance.
    notes: Vec<Clause>,
    /// Held by the station's evidence rule: what to photograph, and why.
    photo_needed: Option<PhotoNeeded>,
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Accepted,
    Refused(Vec<Clause>),
    Held(Vec<Clause>),
}

/// A reason to refuse a group of units.
struct Refusal {
    clause: Clause,
    ground: Ground,
    /// Where a photo shows what the clause judges (empty unless the ground is the item's state).
    checkpoints: Vec<Checkpoint>,
}

impl Refusal {
    /// A refusal on facts of the order or the dates.
    fn independent(clause: Clause) -> Refusal {
        Refusal { clause, ground: Ground::Independent, checkpoints: Vec::new() }
    }

    /// A refusal on the inspection's reading of the item, photographed at `checkpoints`; `needs_photo`
    /// when the policy marks the clause `evidence = "photo"`.
    fn inspected(clause: Clause, needs_photo: bool, checkpoints: Vec<Checkpoint>) -> Refusal {
        let ground = if needs_photo { Ground::Photo } else { Ground::Inspected };
        Refusal { clause, ground, checkpoints }
    }
}

/// What a refusal rests on, which decides whether a missing photo turns it into a hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ground {
    /// Facts of the order or the dates (a warranty period run out, non-returnable goods): no photo needed.
    Independent,
    /// The inspection's reading of the item, in a clause the policy does not mark (a defect not covered).
    Inspected,
    /// A clause the policy marks `evidence = "photo"`: the goods' physical state, which a photo must back.
    Photo,
}

/// Checks on the whole case that deny or hold everything, plus the clauses that passed and explain it.
#[derive(Debug, Default)]
struct CaseChecks {
    deny: Vec<Clause>,
    hold: Vec<Clause>,
    explained: Vec<Clause>,
}

/// Splits what arrived into groups matched to order lines. Units beyond a line's quantity, or of a SKU
/// the order does not have, are refused at once; so are units the order's other packages already took.
fn allocate<'a>(order: &'a Order, inspection: &'a Inspection, earlier: &Ledger) -> Vec<Group<'a>> {
    let mut taken: Vec<u32> = vec![0; order.lines.len()];
    let mut groups = Vec::new();
    let refused = |item, index, line, qty, clause| Group {
        item,
        index,
        line,
        qty,
        outcome: Some(Outcome::Refused(vec![clause])),
        excess: true,
        non_returnable: false,
        notes: Vec::new(),
        photo_needed: None,
    };
    for (index, item) in inspection.items.iter().enumerate() {
        let position = order.lines.iter().position(|line| line.sku == item.sku);
        let line = position.map(|i| &order.lines[i]);
        // Within the order, ignoring other packages; then what the other packages left of it.
        let within_order = position.map_or(0, |i| item.qty.min(order.lines[i].qty() - taken[i]));
        let within = position.map_or(0, |i| {
            let left = order.lines[i].qty().saturating_sub(taken[i] + earlier.line(&item.sku).taken());
            within_order.min(left)
        });
        if let Some(i) = position {
            taken[i] += within;
            if within > 0 {
                groups.push(Group {
                    item,
                    index,
                    line,
                    qty: within,
                    outcome: None,
                    excess: false,
                    non_returnable: false,
                    notes: Vec::new(),
                    photo_needed: None,
                });
            }
        }
        if within_order > within {
            groups.push(refused(item, index, line, within_order - within, station::already_returned()));
        }
        if item.qty > within_order {
            groups.push(refused(item, index, line, item.qty - within_order, station::not_ordered()));
        }
    }
    groups
}

fn unauthorized(
    policy: &Policy,
    order: &Order,
    groups: Vec<Group<'_>>,
    earlier: &Ledger,
    today: NaiveDate,
) -> Decision {
    let rule = &policy.authorization;
    let mut reasons = ReasonList::default();
    reasons.add(&rule.clause);
    let mut money = MoneyBreakdown::default();
    if let (true, Some(fee)) = (rule.handling_fee, &policy.fees.handling) {
        money.handling_fee = fee.amount;
        reasons.add(&fee.clause);
    }
    let refused: Vec<Group<'_>> =
        groups.into_iter().map(|g| Group { outcome: Some(Outcome::Refused(vec![rule.clause.clone()])), ..g }).collect();
    let mut decision = Decision {
        verdict: Verdict::Deny,
        disposition: Disposition::ReturnToCustomer,
        money,
        lines: line_results(order, &refused, None, earlier, Verdict::Deny),
        reasons: reasons.0,
        flags: Vec::new(),
        decided_on: today,
        refund_due_on: None,
        photos_needed: Vec::new(),
    };
    flag_uncollected_fees(&mut decision);
    decision
}

fn check_window(window: &Window, order: &Order, rma: &Rma, case: &mut CaseChecks) {
    if window.is_met(order, rma.requested_on) {
        case.explained.push(window.clause.clone());
    } else {
        case.deny.push(window.clause.clone());
    }
}

/// The resolution granted, or `None` with a hold when the customer must choose another.
fn grant(resolutions: &Resolutions, requested: Resolution, case: &mut CaseChecks) -> Option<Resolution> {
    let granted = resolutions.grant(requested);
    match granted {
        Some(_) => case.explained.push(resolutions.clause.clone()),
        None => case.hold.push(resolutions.clause.clone()),
    }
    granted
}

fn judge_return(policy: &Policy, order: &Order, rma: &Rma, case: &mut CaseChecks) -> Option<Resolution> {
    let rules = &policy.returns;
    check_window(&rules.window, order, rma, case);
    let granted = grant(&rules.resolutions, rma.resolution, case);
    if granted == Some(Resolution::Exchange)
        && let Some(domestic) = &rules.exchange_countries
    {
        if domestic.countries.contains(&order.country) {
            case.explained.push(domestic.clause.clone());
        } else {
            case.hold.push(domestic.clause.clone());
        }
    }
    granted
}

fn judge_warranty(
    policy: &Policy,
    order: &Order,
    rma: &Rma,
    inspection: &Inspection,
    case: &mut CaseChecks,
) -> Option<Resolution> {
    let rules = &policy.warranty;
    if let Some(channels) = &rules.channels
        && !channels.allowed.contains(&order.channel)
    {
        case.deny.push(channels.clause.clone());
    }
    if let Some(clause) = &rules.original_owner
        && !inspection.original_owner
    {
        case.deny.push(clause.clone());
    }
    if let Some(clause) = &rules.commercial_use
        && inspection.commercial_use
    {
        case.deny.push(clause.clone());
    }
    if let Some(clause) = &rules.proof_of_purchase
        && !inspection.proof_of_purchase
    {
        case.hold.push(clause.clone());
    }
    grant(&rules.resolutions, rma.resolution, case)
}

fn judge_shipping_damage(policy: &Policy, order: &Order, rma: &Rma, case: &mut CaseChecks) -> Option<Resolution> {
    let rules = &policy.shipping_damage;
    check_window(&rules.window, order, rma, case);
    grant(&rules.resolutions, rma.resolution, case)
}

/// Tests one group of ordered units against the rules of the claim's kind.
fn judge_group(policy: &Policy, order: &Order, rma: &Rma, group: &mut Group<'_>) -> Outcome {
    let state = &group.item.state;
    let mut refusals = Vec::new();
    let photo_for_remedy = match rma.kind {
        RmaKind::Return => {
            let rules = &policy.returns;
            let unreturnable = non_returnable_clauses(policy, order, group);
            group.non_returnable = !unreturnable.is_empty();
            refusals.extend(unreturnable.into_iter().map(Refusal::independent));
            refusals.extend(matching(&rules.refuse, state));
            group.notes.extend(exceptions(&rules.refuse, state));
            None
        }
        RmaKind::Warranty => {
            let rules = &policy.warranty;
            if let Some(line) = group.line {
                let period = rules.periods.for_category(&line.category);
                if rma.requested_on > period.last_day(rules.from.date_of(order)) {
                    refusals.push(Refusal::independent(period.clause.clone()));
                } else {
                    group.notes.push(period.clause.clone());
                }
            }
            refusals.extend(matching(&rules.void, state));
            refusals.extend(matching(&rules.exclusions, state));
            group.notes.extend(exceptions(&rules.void, state).chain(exceptions(&rules.exclusions, state)));
            if !rules.defects.covered.contains(&state.defect) {
                refusals.push(Refusal::inspected(rules.defects.clause.clone(), false, Vec::new()));
            }
            rules.photo.as_ref()
        }
        RmaKind::ShippingDamage => {
            let rules = &policy.shipping_damage;
            if !rules.covered_causes.contains(&state.damage_cause) {
                let marked = rules.damage_evidence == Some(Evidence::Photo);
                refusals.push(Refusal::inspected(rules.damage_clause.clone(), marked, rules.damage_checkpoints()));
            }
            rules.photo.as_ref()
        }
    };
    let photographed = group.item.photos > 0;
    if refusals.is_empty() {
        match photo_for_remedy {
            Some(clause) if !photographed => Outcome::Held(vec![clause.clone()]),
            _ => Outcome::Accepted,
        }
    } else if !photographed && needs_photo(&refusals) {
        group.photo_needed = Some(photo_needed(group, &refusals));
        let mut clauses: Vec<Clause> = refusals.into_iter().map(|r| r.clause).collect();
        clauses.push(station::photo_required());
        Outcome::Held(clauses)
    } else {
        Outcome::Refused(refusals.into_iter().map(|r| r.clause).collect())
    }
}

fn matching<'r>(rules: &'r [ItemRule], state: &'r ItemState) -> impl Iterator<Item = Refusal> + 'r {
    rules
        .iter()
        .filter(|rule| rule.matcher.matches(state))
        .map(|rule| Refusal::inspected(rule.clause.clone(), rule.needs_photo(), rule.matcher.checkpoints()))
}

/// What a group held by the evidence rule needs: a photo at the checkpoints of its photo-marked refusals.
fn photo_needed(group: &Group<'_>, refusals: &[Refusal]) -> PhotoNeeded {
    let marked = || refusals.iter().filter(|r| r.ground == Ground::Photo);
    let mut checkpoints: Vec<Checkpoint> = Vec::new();
    for &checkpoint in marked().flat_map(|r| &r.checkpoints) {
        if !checkpoints.contains(&checkpoint) {
            checkpoints.push(checkpoint);
        }
    }
    PhotoNeeded {
        item: group.index,
        sku: group.item.sku.clone(),
        checkpoints,
        clauses: marked().map(|r| r.clause.clone()).collect(),
    }
}

/// The station's evidence rule, in one place for every merchant: a refusal that would cite a clause
/// marked `evidence = "photo"` needs a photo of the item, unless a ground independent of the item's
/// state refuses it anyway.
fn needs_photo(refusals: &[Refusal]) -> bool {
    refusals.iter().any(|r| r.ground == Ground::Photo) && refusals.iter().all(|r| r.ground != Ground::Independent)
}

/// Rules carved with an exception that this state meets: "used items are refused, unless broken"
/// explains why a broken used item was accepted.
fn exceptions<'r>(rules: &'r [ItemRule], state: &'r ItemState) -> impl Iterator<Item = Clause> + 'r {
    rules.iter().filter(|rule| rule.matcher.is_exception_for(state)).map(|rule| rule.clause.clone())
}

/// The non-returnable rules a group of ordered units falls under (returns only).
fn non_returnable_clauses(policy: &Policy, order: &Order, group: &Group<'_>) -> Vec<Clause> {
    let Some(line) = group.line else { return Vec::new() };
    policy
        .returns
        .non_returnable
        .iter()
        .filter(|rule| is_non_returnable(rule.kind, order, line))
        .map(|rule| rule.clause.clone())
        .collect()
}

/// The handling fee, when non-returnable goods came back and the merchant charges one.
fn handling_fee(policy: &Policy, groups: &[Group<'_>], reasons: &mut ReasonList) -> Money {
    match &policy.fees.handling {
        Some(fee) if groups.iter().any(|g| g.non_returnable) => {
            reasons.add(&fee.clause);
            fee.amount
        }
        _ => Money::ZERO,
    }
}

fn is_non_returnable(kind: NonReturnableKind, order: &Order, line: &OrderLine) -> bool {
    match kind {
        NonReturnableKind::OnSale => line.on_sale,
        NonReturnableKind::SpecialOrder => line.special_order,
        NonReturnableKind::GiftCard => line.gift_card,
        NonReturnableKind::GiftedOrder => order.gifted,
    }
}

/// Turns the case checks and group outcomes into the verdict, money and reasons.
fn settle(context: Context<'_>, granted: Option<Resolution>, case: CaseChecks, mut groups: Vec<Group<'_>>) -> Decision {
    let Context { policy, order, rma, earlier, today } = context;
    let mut reasons = ReasonList::default();
    // Said first when it is so: a denial of an empty box is explained by nothing else it cites.
    if groups.iter().all(|g| g.excess) {
        reasons.add(&station::nothing_received());
    }
    let mut decision = Decision {
        verdict: Verdict::Deny,
        disposition: Disposition::ReturnToCustomer,
        money: MoneyBreakdown::default(),
        lines: Vec::new(),
        reasons: Vec::new(),
        flags: Vec::new(),
        decided_on: today,
        refund_due_on: None,
        photos_needed: Vec::new(),
    };

    if !case.deny.is_empty() {
        case.deny.iter().for_each(|c| reasons.add(c));
        for group in &mut groups {
            let mut clauses = case.deny.clone();
            // Non-returnable goods are unauthorized whatever else went wrong, so their fee still applies.
            if rma.kind == RmaKind::Return && !group.excess {
                let unreturnable = non_returnable_clauses(policy, order, group);
                group.non_returnable = !unreturnable.is_empty();
                unreturnable.iter().for_each(|c| reasons.add(c));
                clauses.extend(unreturnable);
            }
            group.outcome = Some(Outcome::Refused(clauses));
        }
        decision.money.handling_fee = handling_fee(policy, &groups, &mut reasons);
        flag_uncollected_fees(&mut decision);
        decision.lines = line_results(order, &groups, Some(rma.kind), earlier, Verdict::Deny);
        decision.reasons = reasons.0;
        return decision;
    }

    let held_groups = groups.iter().any(|g| matches!(g.outcome, Some(Outcome::Held(_))));
    // A group's clauses, in the order the groups arrived: holds first when holding, then refusals.
    let group_clauses = |wanted: fn(&Outcome) -> Option<&Vec<Clause>>| {
        groups.iter().filter_map(|g| g.outcome.as_ref().and_then(wanted)).flatten().cloned().collect::<Vec<_>>()
    };
    let held = group_clauses(|o| if let Outcome::Held(c) = o { Some(c) } else { None });
    let refused = group_clauses(|o| if let Outcome::Refused(c) = o { Some(c) } else { None });

    // Waiting for the customer's choice matters only if something will be granted; a package whose every
    // unit is refused is denied now.
    let any_accepted = groups.iter().any(|g| g.outcome == Some(Outcome::Accepted));
    let granted = match granted {
        Some(resolution) if !held_groups && (case.hold.is_empty() || !any_accepted) => Some(resolution),
        None if !held_groups && !any_accepted => None,
        _ => {
            case.hold.iter().chain(&held).chain(&refused).for_each(|c| reasons.add(c));
            decision.verdict = Verdict::Hold;
            decision.disposition = Disposition::Hold;
            decision.photos_needed = groups.iter().filter_map(|g| g.photo_needed.clone()).collect();
            decision.lines = line_results(order, &groups, Some(rma.kind), earlier, Verdict::Hold);
            decision.reasons = reasons.0;
            return decision;
        }
    };

    let accepted_units: u32 = groups.iter().filter(|g| g.outcome == Some(Outcome::Accepted)).map(|g| g.qty).sum();
    let refused_units: u32 = groups.iter().filter(|g| g.outcome != Some(Outcome::Accepted)).map(|g| g.qty).sum();
    decision.verdict = match (accepted_units, refused_units) {
        (0, _) => Verdict::Deny,
        (_, 0) => Verdict::Accept,
        _ => Verdict::Partial,
    };
    refused.iter().for_each(|c| reasons.add(c));
    case.explained.iter().for_each(|c| reasons.add(c));
    groups.iter().filter(|g| g.outcome == Some(Outcome::Accepted)).flat_map(|g| &g.notes).for_each(|c| reasons.add(c));

    let handling = handling_fee(policy, &groups, &mut reasons);
    let granted = match granted {
        Some(resolution) if decision.verdict != Verdict::Deny => resolution,
        _ => {
            decision.money.handling_fee = handling;
            flag_uncollected_fees(&mut decision);
            decision.lines = line_results(order, &groups, Some(rma.kind), earlier, Verdict::Deny);
            decision.reasons = reasons.0;
            return decision;
        }
    };

    decision.disposition = granted.disposition();
    let mut lines = line_results(order, &groups, Some(rma.kind), earlier, decision.verdict);
    let items_accepted = price_accepted(order, &mut lines, earlier, &mut reasons);
    decision.money.items_accepted = items_accepted;
    decision.money.handling_fee = handling;

    if rma.kind == RmaKind::Return && lines.iter().any(|l| l.missing > 0) {
        reasons.add(&policy.returns.missing_items.clause);
    }

    if granted.pays_money() {
        let money = &mut decision.money;
        if rma.kind == RmaKind::Return {
            money.restocking_fee = charge_restocking(policy, order, &mut lines, &mut reasons);
        }
        if let Some(card) = &policy.fees.card {
            if earlier.card_fee_kept_by.is_some() {
                reasons.add(&station::charged_once());
            } else {
                let total = order.total();
                money.card_fee = (total.percent_of(card.percent) + card.fixed).min(total);
                reasons.add(&card.clause);
            }
        }
        if let Some(label) = &policy.fees.return_label
            && !rma.return_label_cost.is_zero()
        {
            let defective = rma.defective_on_arrival || rma.kind == RmaKind::ShippingDamage;
            if earlier.label_kept_by(&rma.number).is_some() {
                reasons.add(&station::charged_once());
            } else if !(label.waived_if_defective_on_arrival && defective) {
                money.return_label = rma.return_label_cost;
            }
            reasons.add(&label.clause);
        }
        if !policy.refund.shipping_refunded && !order.shipping_charged.is_zero() {
            money.shipping_not_refunded = order.shipping_charged;
            reasons.add(&policy.refund.shipping_clause);
        }
        money.net = items_accepted.saturating_sub(money.deductions());
        if let (Some(clause), Some(referral)) = (&policy.referral, &order.referral)
            && referral.referred
            && referral.lifetime_value.saturating_sub(items_accepted) < referral.minimum
        {
            decision.flags.push(Flag::ReferralCreditRescission);
            reasons.add(clause);
        }
        // A refund with nothing owed is paid by nobody, so it has no due date.
        if granted == Resolution::Refund && !decision.money.net.is_zero() {
            decision.refund_due_on = today.checked_add_days(Days::new(u64::from(policy.refund.due_days)));
            reasons.add(&policy.refund.due_clause);
        }
    }
    flag_uncollected_fees(&mut decision);
    decision.lines = lines;
    decision.reasons = reasons.0;
    decision
}

/// Deductions beyond what was accepted cannot be taken from a refund: say so, for whoever collects them.
fn flag_uncollected_fees(decision: &mut Decision) {
    if decision.money.deductions() > decision.money.items_accepted {
        decision.flags.push(Flag::FeesExceedRefund);
    }
}

/// What was paid for the units accepted. A line's units are priced from the cheapest up, past those the order's
/// other packages settled, which took the cheapest first; [`station::same_sku_lines`] is cited for a line
/// bought at several prices, the only kind for which which units are priced matters.
fn price_accepted(order: &Order, lines: &mut [LineResult], earlier: &Ledger, reasons: &mut ReasonList) -> Money {
    let mut total = Money::ZERO;
    for result in lines.iter_mut().filter(|l| l.accepted > 0) {
        let Some(line) = order.line(&result.sku) else {
            continue;
        };
        total = total + line.prices.value_of(earlier.line(&result.sku).settled, result.accepted);
        cite_same_sku(line, result, reasons);
    }
    total
}

fn cite_same_sku(line: &OrderLine, result: &mut LineResult, reasons: &mut ReasonList) {
    if line.prices.several() && !result.clauses.iter().any(|id| id == station::SAME_SKU_LINES_ID) {
        result.clauses.push(station::SAME_SKU_LINES_ID.to_owned());
        reasons.add(&station::same_sku_lines());
    }
}

/// Charges each line's missing units by the schedule, rounding once per line; returns the total. The units
/// missing are the customer's to keep, and since the units that came back took the lowest prices, they are
/// the dearest of the line.
fn charge_restocking(policy: &Policy, order: &Order, lines: &mut [LineResult], reasons: &mut ReasonList) -> Money {
    let (MissingItemCharge::RestockingFee, Some(schedule)) = (policy.returns.missing_items.charge, &policy.restocking)
    else {
        return Money::ZERO;
    };
    let mut total = Money::ZERO;
    for result in lines.iter_mut().filter(|l| l.missing > 0) {
        let Some(line) = order.line(&result.sku) else {
            continue;
        };
        let rate = schedule.rate_for(&line.sku, &line.category);
        let missing_value = line.prices.dearest(result.missing);
        let fee = match rate.rate {
            FeeRate::Percent(percent) => missing_value.percent_of(percent),
            FeeRate::PerUnit(amount) => amount.times(result.missing),
        }
        .min(missing_value);
        result.fee = fee;
        result.clauses.push(rate.clause.id.clone());
        reasons.add(&rate.clause);
        cite_same_sku(line, result, reasons);
        total = total + fee;
    }
    total
}

/// One result per order line, then one per SKU that arrived without being ordered. A line's units that the
/// order's other packages brought back, or counted missing already, are not missing from this one.
fn line_results(
    order: &Order,
    groups: &[Group<'_>],
    kind: Option<RmaKind>,
    earlier: &Ledger,
    verdict: Verdict,
) -> Vec<LineResult> {
    let mut skus: Vec<(&str, u32)> = order.lines.iter().map(|l| (l.sku.as_str(), l.qty())).collect();
    for group in groups {
        if !skus.iter().any(|(sku, _)| *sku == group.item.sku) {
            skus.push((group.item.sku.as_str(), 0));
        }
    }
    skus.into_iter()
        .map(|(sku, ordered)| {
            let before = earlier.line(sku);
            let accounted = ordered.min(before.taken() + before.missing);
            line_result(sku, ordered, accounted, groups, kind, verdict)
        })
        .collect()
}

/// `accounted`: units of the line the order's other packages brought back or counted missing.
fn line_result(
    sku: &str,
    ordered: u32,
    accounted: u32,
    groups: &[Group<'_>],
    kind: Option<RmaKind>,
    verdict: Verdict,
) -> LineResult {
    let mine: Vec<&Group<'_>> = groups.iter().filter(|g| g.item.sku == sku).collect();
    let count = |wanted: fn(&Outcome) -> bool| -> u32 {
        mine.iter().filter(|g| g.outcome.as_ref().is_some_and(wanted)).map(|g| g.qty).sum()
    };
    let received: u32 = mine.iter().map(|g| g.qty).sum();
    // Nothing is accepted while the package is on hold.
    let accepted = if verdict == Verdict::Hold { 0 } else { count(|o| *o == Outcome::Accepted) };
    let refused = count(|o| matches!(o, Outcome::Refused(_)));
    let held = count(|o| matches!(o, Outcome::Held(_)));
    // Units received within the ordered quantity count against "missing", refused or not.
    let received_within: u32 = mine.iter().filter(|g| !g.excess).map(|g| g.qty).sum();
    let missing = match kind {
        Some(RmaKind::Return) => ordered.saturating_sub(accounted + received_within),
        _ => 0,
    };
    let outcome = if received == 0 {
        LineOutcome::NotReceived
    } else if held > 0 || (verdict == Verdict::Hold && refused < received) {
        LineOutcome::Hold
    } else if accepted == received {
        LineOutcome::Accepted
    } else if accepted == 0 {
        LineOutcome::Refused
    } else {
        LineOutcome::Partial
    };
    let mut clauses: Vec<String> = Vec::new();
    for group in &mine {
        if let Some(Outcome::Refused(cited) | Outcome::Held(cited)) = &group.outcome {
            for clause in cited {
                if !clauses.contains(&clause.id) {
                    clauses.push(clause.id.clone());
                }
            }
        }
    }
    LineResult {
        sku: sku.to_owned(),
        ordered,
        received,
        accepted,
        refused,
        missing,
        fee: Money::ZERO,
        outcome,
        clauses,
    }
}

/// Clauses in the order they were first cited, each once.
#[derive(Debug, Default)]
struct ReasonList(Vec<Clause>);

impl ReasonList {
    fn add(&mut self, clause: &Clause) {
        if !self.0.iter().any(|c| c.id == clause.id) {
            self.0.push(clause.clone());
        }
    }
}
