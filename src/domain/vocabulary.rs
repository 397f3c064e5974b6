//! The closed word lists of the returns bench: RMA kinds, resolutions, item conditions and so on.
//!
//! Each list is an enum with its spelling in policy files, case JSON and the database, so that one
//! spelling serves every edge. Parsing an unknown word names the words that are allowed.

use std::fmt;

/// An unknown word for one of the station's word lists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {list} {word:?}; expected one of: {allowed}")]
pub struct UnknownWord {
    pub list: &'static str,
    pub word: String,
    pub allowed: String,
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $list:literal { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in files, JSON and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownWord;
            fn from_str(word: &str) -> Result<Self, UnknownWord> {
                match word {
                    $($word => Ok($name::$variant),)+
                    _ => Err(UnknownWord {
                        list: $list,
                        word: word.to_owned(),
                        allowed: [$($word),+].join(", "),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// Where the customer bought the product.
    Channel, "channel" { Direct => "direct", ThirdParty => "third_party" }
);
vocabulary!(
    /// What the RMA is for.
    RmaKind, "RMA kind" { Return => "return", Warranty => "warranty", ShippingDamage => "shipping_damage" }
);
vocabulary!(
    /// What the customer asked for.
    Resolution, "resolution" {
        Refund => "refund", Exchange => "exchange", StoreCredit => "store_credit", Replacement => "replacement",
    }
);
vocabulary!(
    /// The state an item arrived in.
    Condition, "condition" { Sealed => "sealed", Unused => "unused", Used => "used", Damaged => "damaged" }
);
vocabulary!(
    /// The warranty sticker as found.
    Sticker, "sticker state" {
        Intact => "intact", Broken => "broken", Removed => "removed", Altered => "altered", NoSticker => "none",
    }
);
vocabulary!(
    /// The product's own packaging as found.
    Packaging, "packaging state" { Original => "original", Damaged => "damaged", Missing => "missing" }
);
vocabulary!(
    /// The fault found on inspection.
    Defect, "defect" {
        NoDefect => "none", Manufacturing => "manufacturing", Breakage => "breakage", Malfunction => "malfunction",
    }
);
vocabulary!(
    /// What caused the damage, as judged at the bench.
    DamageCause, "damage cause" {
        NoDamage => "none",
        OutboundShipping => "outbound_shipping",
        ReturnShipping => "return_shipping",
        PowerSurge => "power_surge",
        Fire => "fire",
        Flood => "flood",
        NaturalDisaster => "natural_disaster",
        CivilUnrest => "civil_unrest",
        War => "war",
        Abuse => "abuse",
        Misuse => "misuse",
        Modification => "modification",
        WearAndTear => "wear_and_tear",
        Accident => "accident",
        Neglect => "neglect",
        UnauthorizedService => "unauthorized_service",
    }
);
vocabulary!(
    /// The decision in one word.
    Verdict, "verdict" { Accept => "accept", Partial => "partial", Deny => "deny", Hold => "hold" }
);
vocabulary!(
    /// What happens to the package and the customer's money.
    Disposition, "disposition" {
        Refund => "refund",
        Exchange => "exchange",
        StoreCredit => "store_credit",
        Replacement => "replacement",
        ReturnToCustomer => "return_to_customer",
        Hold => "hold",
    }
);
vocabulary!(
    /// What a refusal under a policy clause must be backed by: `photo` marks a clause that judges the
    /// goods' physical state, so refusing on it needs a photo of the item.
    Evidence, "evidence" { Photo => "photo" }
);
vocabulary!(
    /// The date a policy counts a window or warranty from.
    DateAnchor, "date" { PurchasedOn => "purchased_on", DeliveredOn => "delivered_on" }
);
vocabulary!(
    /// Why an order line can never be returned.
    NonReturnableKind, "non-returnable kind" {
        OnSale => "on_sale", SpecialOrder => "special_order", GiftCard => "gift_card", GiftedOrder => "gifted_order",
    }
);
vocabulary!(
    /// What happens to ordered items that did not arrive in a return.
    MissingItemCharge, "missing-item charge" { RestockingFee => "restocking_fee", NotRefunded => "not_refunded" }
);
vocabulary!(
    /// The photo checkpoints of an inspection.
    Checkpoint, "photo checkpoint" {
        WarrantySticker => "warranty_sticker",
        Damage => "damage",
        Contents => "contents",
        Packaging => "packaging",
        ShippingLabel => "shipping_label",
        SerialPlate => "serial_plate",
        Other => "other",
    }
);

vocabulary!(
    /// What an operator may do: a supervisor also approves overrides and manages operators.
    Role, "role" { Clerk => "clerk", Supervisor => "supervisor" }
);
vocabulary!(
    /// The work queues a decision feeds, one per team that acts on it.
    Queue, "queue" {
        Refund => "refund",
        Exchange => "exchange",
        Replacement => "replacement",
        StoreCredit => "store_credit",
        ReturnToCustomer => "return_to_customer",
        Hold => "hold",
    }
);
vocabulary!(
    /// Where a decided unit goes in the warehouse (see `crate::domain::bin`): a warehouse word, printed on
    /// its bin label, not the customer's disposition.
    Bin, "bin" {
        Restock => "restock",
        Refurbish => "refurbish",
        Scrap => "scrap",
        ReturnToCustomer => "return_to_customer",
        Hold => "hold",
    }
);

impl Resolution {
    /// The disposition that grants this resolution.
    pub fn disposition(self) -> Disposition {
        match self {
            Resolution::Refund => Disposition::Refund,
            Resolution::Exchange => Disposition::Exchange,
            Resolution::StoreCredit => Disposition::StoreCredit,
            Resolution::Replacement => Disposition::Replacement,
        }
    }

    /// Whether granting it pays money back (and so carries the refund deductions).
    pub fn pays_money(self) -> bool {
        matches!(self, Resolution::Refund | Resolution::StoreCredit)
    }
}

impl Disposition {
    /// Whether the units it accepts are settled: refunded, credited, exchanged or replaced (a denial sends
    /// them back, a hold waits).
    pub fn settles(self) -> bool {
        matches!(
            self,
            Disposition::Refund | Disposition::StoreCredit | Disposition::Exchange | Disposition::Replacement
        )
    }
}
