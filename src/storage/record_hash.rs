//! The content hash an import compares a record against: the SHA-256 of an explicit, versioned encoding of an
//! [`OrderRecord`] or [`RmaRecord`], stored as `v1:<64 hex digits>`.
//!
//! The encoding names every field itself, in a fixed order, each value length-prefixed (8 bytes, big-endian)
//! so no two records encode alike: a kind tag (`order/v1`, `rma/v1`), then the fields. Words are the
//! vocabulary's spellings, money integer cents, dates `YYYY-MM-DD`, flags `0`/`1`; an optional value is a
//! `0`/`1` presence tag and then the value, a list its length and then its items. It does not follow the Rust
//! struct: a field added to a record changes no stored hash until it is written into a new version here,
//! so a new field never makes a million records look changed at once. A hash of another version (or of the
//! `Debug`-printed records before versions) is not compared as text: the import compares that record by its
//! content instead and then stores its current hash ([`is_current`]).
//!
//! Nothing here touches a database; every backend stores and compares the same text.

use sha2::{Digest, Sha256};

use crate::domain::money::Money;
use crate::domain::records::{OrderRecord, RmaRecord};

/// The encoding version this station writes, the prefix of every hash it stores.
pub const VERSION: &str = "v1";

/// The content hash of an order: `v1:` and the SHA-256 of its encoding.
pub fn order_hash(record: &OrderRecord) -> String {
    let mut e = Encoder::new("order/v1");
    e.text(&record.merchant);
    e.text(&record.number);
    e.text(record.channel.as_str());
    e.text(record.status.as_str());
    e.text(&record.customer_name);
    e.text(&record.customer_email);
    e.text(&record.country);
    e.list(&record.ship_to, |e, line| e.text(line));
    e.text(&record.currency);
    e.text(&record.purchased_on.to_string());
    e.option(record.delivered_on.as_ref(), |e, day| e.text(&day.to_string()));
    e.money(record.shipping_charged);
    e.flag(record.gifted);
    e.option(record.payment_reference.as_ref(), |e, reference| e.text(reference));
    e.option(record.referral.as_ref(), |e, referral| {
        e.flag(referral.referred);
        e.money(referral.minimum);
        e.money(referral.lifetime_value);
    });
    e.list(&record.lines, |e, line| {
        e.text(&line.sku);
        e.text(&line.name);
        e.text(&line.category);
        e.text(&line.qty.to_string());
        e.money(line.unit_price);
        e.flag(line.on_sale);
        e.flag(line.special_order);
        e.flag(line.gift_card);
    });
    e.finish()
}

/// The content hash of an RMA: `v1:` and the SHA-256 of its encoding.
pub fn rma_hash(record: &RmaRecord) -> String {
    let mut e = Encoder::new("rma/v1");
    e.text(&record.merchant);
    e.text(&record.number);
    e.text(&record.order_number);
    e.text(record.kind.as_str());
    e.text(record.resolution.as_str());
    e.text(&record.requested_on.to_string());
    e.flag(record.defective_on_arrival);
    e.money(record.return_label_cost);
    e.list(&record.expected_tracking, |e, tracking| e.text(tracking));
    e.text(&record.note);
    e.finish()
}

/// Whether a stored hash is of the version this station writes, so that comparing it as text says whether
/// the record changed. Any other (an older version, or an unversioned hash of the `Debug` era) says nothing.
pub fn is_current(stored: &str) -> bool {
    stored.strip_prefix(VERSION).is_some_and(|rest| rest.starts_with(':'))
}

/// Length-prefixed fields into a SHA-256.
struct Encoder {
    hasher: Sha256,
}

impl Encoder {
    fn new(kind: &str) -> Encoder {
        let mut encoder = Encoder { hasher: Sha256::new() };
        encoder.text(kind);
        encoder
    }

    fn text(&mut self, value: &str) {
        self.hasher.update((value.len() as u64).to_be_bytes());
        self.hasher.update(value.as_bytes());
    }

    fn flag(&mut self, value: bool) {
        self.text(if value { "1" } else { "0" });
    }

    fn money(&mut self, value: Money) {
        self.text(&value.cents().to_string());
    }

    fn option<T>(&mut self, value: Option<&T>, encode: impl FnOnce(&mut Encoder, &T)) {
        self.flag(value.is_some());
        if let Some(value) = value {
            encode(self, value);
        }
    }

    fn list<T>(&mut self, items: &[T], mut encode: impl FnMut(&mut Encoder, &T)) {
        self.text(&items.len().to_string());
        for item in items {
            encode(self, item);
        }
    }

    fn finish(self) -> String {
        format!("{VERSION}:{}", crate::hex::encode(&self.hasher.finalize()))
    }
}
