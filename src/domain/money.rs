//! Money and percentages: exact decimals with exactly one rounding rule.
//!
//! Amounts are `rust_decimal` end to end, never floating point. Rounding happens in one place,
//! [`Money::percent_of`], half away from zero to cents, because the policies round once per fee and
//! `Decimal::round_dp` on its own would round half to even. This module does no I/O and knows no merchant.
//!
//! Every amount the station takes is at most [`MAX_CENTS`] (999,999,999.99) and every quantity at most
//! [`crate::domain::case::MAX_UNITS`], with at most [`crate::domain::case::MAX_LINES`] lines: the edges refuse
//! more, with the field. Within those bounds no sum or product of a case can overflow, so the arithmetic here
//! never panics and nothing is clamped.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

/// An amount of money in the merchant's currency, always held to whole cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

/// A percentage between 0 and 100 inclusive, as written in a policy ("2.6" means 2.6 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percent(Decimal);

/// Why a written amount is not money the station accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{0:?} is not a decimal amount such as \"12.30\"")]
    NotANumber(String),
    #[error("{0:?} is negative; amounts are never below zero")]
    Negative(String),
    #[error("{0:?} has more than two decimal places")]
    SubCent(String),
    #[error("{0:?} is over 100 percent")]
    OverHundredPercent(String),
    #[error("{0:?} is more than 999999999.99, the largest amount the station takes")]
    TooLarge(String),
}

/// The largest amount the station takes, in cents: 999,999,999.99.
pub const MAX_CENTS: i64 = 99_999_999_999;

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Whole cents, the form the database stores.
    pub fn from_cents(cents: i64) -> Money {
        Money(Decimal::new(cents, 2))
    }

    /// The amount in whole cents. Every `Money` is held to cents, so nothing is lost.
    pub fn cents(self) -> i64 {
        let scaled = self.0 * Decimal::ONE_HUNDRED;
        // A Money is always whole cents and far below i64::MAX cents, so this cannot fail for
        // values made through this type's own constructors.
        i64::try_from(scaled.trunc()).unwrap_or(i64::MAX)
    }

    /// `percent` of this amount, rounded half away from zero to cents: the station's one rounding rule.
    pub fn percent_of(self, percent: Percent) -> Money {
        Money::rounded(self.0 * percent.0 / Decimal::ONE_HUNDRED)
    }

    /// This amount times a whole quantity (exact: no rounding needed).
    pub fn times(self, quantity: u32) -> Money {
        Money(self.0 * Decimal::from(quantity))
    }

    /// The smaller of two amounts (a fee is never more than what it is charged on).
    pub fn min(self, other: Money) -> Money {
        if self <= other { self } else { other }
    }

    /// `self - other`, but never below zero: what is owed when deductions exceed the amount.
    pub fn saturating_sub(self, other: Money) -> Money {
        if other >= self { Money::ZERO } else { Money(self.0 - other.0) }
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    fn rounded(value: Decimal) -> Money {
        let mut cents = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        cents.rescale(2);
        Money(cents)
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Parses a written amount such as "12.30" or "5": non-negative, at most two decimal places, at most
    /// [`MAX_CENTS`].
    fn from_str(text: &str) -> Result<Money, MoneyError> {
        let value = parse_decimal(text)?;
        if value.scale() > 2 && value.normalize().scale() > 2 {
            return Err(MoneyError::SubCent(text.to_owned()));
        }
        if value > Decimal::new(MAX_CENTS, 2) {
            return Err(MoneyError::TooLarge(text.to_owned()));
        }
        Ok(Money::rounded(value))
    }
}

impl fmt::Display for Money {
    /// Plain "12.30": always two places, no currency sign, no thousands separator.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut cents = self.0;
        cents.rescale(2);
        write!(f, "{cents}")
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl Sub for Money {
    type Output = Money;
    /// Plain subtraction; callers that must not go below zero use [`Money::saturating_sub`].
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl Percent {
    pub fn value(self) -> Decimal {
        self.0
    }
}

impl FromStr for Percent {
    type Err = MoneyError;

    /// Parses "15" or "2.6": between 0 and 100.
    fn from_str(text: &str) -> Result<Percent, MoneyError> {
        let value = parse_decimal(text)?;
        if value > Decimal::ONE_HUNDRED {
            return Err(MoneyError::OverHundredPercent(text.to_owned()));
        }
        Ok(Percent(value.normalize()))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

fn parse_decimal(text: &str) -> Result<Decimal, MoneyError> {
    let trimmed = text.trim();
    // Only plain decimal notation, digits on both sides of a point ("1." and ".5" are refused, as a hurried
    // typo may be), no exponent, and at most 28 digits (Decimal's own precision: more would be rounded).
    let unsigned = trimmed.strip_prefix('-').unwrap_or(trimmed);
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let plain = match unsigned.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(unsigned),
    } && unsigned.len() <= 29;
    if !plain {
        return Err(MoneyError::NotANumber(text.to_owned()));
    }
    if unsigned.len() != trimmed.len() {
        // "-0" too: amounts are never written below zero.
        return Err(MoneyError::Negative(text.to_owned()));
    }
    Decimal::from_str(trimmed).map_err(|_| MoneyError::NotANumber(text.to_owned()))
}
