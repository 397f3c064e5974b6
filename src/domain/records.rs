//! Orders and RMAs as the station keeps them: what the merchants' systems tell the station before any
//! package arrives. Importers produce these; the store upserts them by merchant + number.
//!
//! Plain validated data: amounts are [`Money`], dates are calendar dates, words are the station's
//! vocabulary. Nothing here parses files or touches the database.

use chrono::NaiveDate;

use crate::domain::case::{Order, OrderLine, Referral, Rma, SameSkuError, SameSkuLines, UnitPrices, merge_lines};
use crate::domain::money::Money;
use crate::domain::vocabulary::{Channel, Resolution, RmaKind};

/// Where an order stands in the merchant's books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Open,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }
}

impl std::str::FromStr for OrderStatus {
    type Err = String;
    fn from_str(word: &str) -> Result<OrderStatus, String> {
        match word {
            "open" => Ok(OrderStatus::Open),
            "cancelled" => Ok(OrderStatus::Cancelled),
            "refunded" => Ok(OrderStatus::Refunded),
            other => Err(format!("unknown order status {other:?}; expected one of: open, cancelled, refunded")),
        }
    }
}

/// An order as imported.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRecord {
    /// The policy file's merchant id.
    pub merchant: String,
    /// As the merchant writes it, e.g. `#1001` or `CP-10023`.
    pub number: String,
    pub channel: Channel,
    pub status: OrderStatus,
    pub customer_name: String,
    pub customer_email: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// The ship-to address as lines, for sending goods back.
    pub ship_to: Vec<String>,
    /// ISO 4217 code, upper case.
    pub currency: String,
    pub purchased_on: NaiveDate,
    /// Unknown until the carrier says so; the engine then counts from the purchase date.
    pub delivered_on: Option<NaiveDate>,
    pub shipping_charged: Money,
    pub gifted: bool,
    /// The payment the refund goes back to (e.g. a payment processor's reference), when known.
    pub payment_reference: Option<String>,
    pub referral: Option<Referral>,
    pub lines: Vec<OrderLineRecord>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderLineRecord {
    pub sku: String,
    pub name: String,
    /// Free text from the merchant's catalogue; empty when the source does not say.
    pub category: String,
    pub qty: u32,
    pub unit_price: Money,
    pub on_sale: bool,
    pub special_order: bool,
    pub gift_card: bool,
}

/// An RMA as issued by the merchant's support team.
#[derive(Debug, Clone, PartialEq)]
pub struct RmaRecord {
    pub merchant: String,
    pub number: String,
    pub order_number: String,
    pub kind: RmaKind,
    pub resolution: Resolution,
    pub requested_on: NaiveDate,
    pub defective_on_arrival: bool,
    pub return_label_cost: Money,
    /// Carrier tracking numbers the package is expected under (the prepaid label's, usually).
    pub expected_tracking: Vec<String>,
    pub note: String,
}

impl OrderLineRecord {
    /// The line as the engine takes it, before lines of one SKU are joined.
    pub fn to_line(&self) -> OrderLine {
        OrderLine {
            sku: self.sku.clone(),
            category: self.category.clone(),
            prices: UnitPrices::single(self.unit_price, self.qty),
            on_sale: self.on_sale,
            special_order: self.special_order,
            gift_card: self.gift_card,
        }
    }
}

impl OrderRecord {
    /// The order as the decision engine sees it: lines of one SKU are one line whose units keep their own
    /// prices ([`merge_lines`]), or why they cannot be (they differ in what the policy tests, or hold more
    /// units than one SKU may). The imports refuse such an order, so only one stored before they did fails.
    pub fn engine_order(&self) -> Result<Order, SameSkuError> {
        let lines = merge_lines(self.lines.iter().map(OrderLineRecord::to_line))?;
        Ok(self.with_lines(lines))
    }

    /// The order for counting its units, as the return's ledger does: like [`Self::engine_order`], but a
    /// line that could not be joined to its SKU's is counted with it all the same
    /// ([`SameSkuLines::push_counting`]). Never priced: deciding goes through [`Self::engine_order`].
    pub fn to_order(&self) -> Order {
        let mut lines = SameSkuLines::default();
        for line in &self.lines {
            lines.push_counting(line.to_line());
        }
        self.with_lines(lines.into_lines())
    }

    fn with_lines(&self, lines: Vec<OrderLine>) -> Order {
        Order {
            number: self.number.clone(),
            channel: self.channel,
            country: self.country.clone(),
            purchased_on: self.purchased_on,
            delivered_on: self.delivered_on.unwrap_or(self.purchased_on),
            shipping_charged: self.shipping_charged,
            gifted: self.gifted,
            referral: self.referral.clone(),
            lines,
        }
    }
}

impl RmaRecord {
    /// The RMA as the decision engine sees it.
    pub fn to_rma(&self) -> Rma {
        Rma {
            number: self.number.clone(),
            requested_on: self.requested_on,
            kind: self.kind,
            resolution: self.resolution,
            defective_on_arrival: self.defective_on_arrival,
            return_label_cost: self.return_label_cost,
        }
    }
}
