//! Product codes: EAN-8, UPC-A, EAN-13 and GTIN-14, recognised by length and verified by the GS1 check digit.
//!
//! This module does not look anything up (which product a GTIN is belongs to the catalogue), and it does not
//! handle UPC-E (its check digit is that of the expanded UPC-A; scanners are usually set to expand it).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductFormat {
    Ean8,
    UpcA,
    Ean13,
    Gtin14,
}

impl ProductFormat {
    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductFormat::Ean8 => "ean_8",
            ProductFormat::UpcA => "upc_a",
            ProductFormat::Ean13 => "ean_13",
            ProductFormat::Gtin14 => "gtin_14",
        }
    }

    fn from_len(len: usize) -> Option<ProductFormat> {
        match len {
            8 => Some(ProductFormat::Ean8),
            12 => Some(ProductFormat::UpcA),
            13 => Some(ProductFormat::Ean13),
            14 => Some(ProductFormat::Gtin14),
            _ => None,
        }
    }
}

impl fmt::Display for ProductFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProductFormat::Ean8 => "EAN-8",
            ProductFormat::UpcA => "UPC-A",
            ProductFormat::Ean13 => "EAN-13",
            ProductFormat::Gtin14 => "GTIN-14",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductCodeError {
    #[error("a product code is digits only")]
    NotDigits,
    #[error("{0} digits is not a product code length (8, 12, 13 or 14)")]
    Length(usize),
    #[error("check digit is {found}, it should be {expected}")]
    CheckDigit { expected: u8, found: u8 },
}

/// A product code whose check digit is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductCode {
    format: ProductFormat,
    digits: String,
}

impl ProductCode {
    /// Parses digits as scanned (no spaces).
    pub fn parse(digits: &str) -> Result<ProductCode, ProductCodeError> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ProductCodeError::NotDigits);
        }
        let format = ProductFormat::from_len(digits.len()).ok_or(ProductCodeError::Length(digits.len()))?;
        verify_check_digit(digits)?;
        Ok(ProductCode { format, digits: digits.to_owned() })
    }

    pub fn format(&self) -> ProductFormat {
        self.format
    }

    /// The digits as scanned.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The same number as a 14-digit GTIN (left-padded with zeros), the form to store and compare.
    pub fn gtin14(&self) -> String {
        format!("{:0>14}", self.digits)
    }
}

/// The GS1 check digit for `body` (the digits before the check digit): weights 3 and 1 alternating from the right,
/// the check digit brings the sum to a multiple of 10. The same for GTIN-8/12/13/14, SSCC and GLN.
/// Returns None if `body` is not all ASCII digits.
pub fn gs1_check_digit(body: &str) -> Option<u8> {
    let mut sum: u32 = 0;
    for (index, byte) in body.bytes().rev().enumerate() {
        if !byte.is_ascii_digit() {
            return None;
        }
        let digit = u32::from(byte - b'0');
        sum += if index % 2 == 0 { digit * 3 } else { digit };
    }
    // The remainder is below 10, so the conversion cannot fail.
    u8::try_from((10 - sum % 10) % 10).ok()
}

/// Verifies the last digit of `digits` as the GS1 check digit of the rest.
pub fn verify_check_digit(digits: &str) -> Result<(), ProductCodeError> {
    let Some((&last, body)) = digits.as_bytes().split_last() else {
        return Err(ProductCodeError::NotDigits);
    };
    if !last.is_ascii_digit() {
        return Err(ProductCodeError::NotDigits);
    }
    let found = last - b'0';
    // `body` is all of `digits` but its last (ASCII) byte, so it is still valid UTF-8.
    let expected = std::str::from_utf8(body).ok().and_then(gs1_check_digit).ok_or(ProductCodeError::NotDigits)?;
    if expected == found { Ok(()) } else { Err(ProductCodeError::CheckDigit { expected, found }) }
}
