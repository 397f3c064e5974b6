//! The station's serialized shapes: policy files (TOML), decision cases (JSON), imports and exports, the
//! embedded courier data (JSON) and the scan classification report (JSON).
//!
//! Each format has its own raw types that mirror the file exactly and are converted into domain types
//! here, at the edge, with errors that say where (file, line, column or field path). Domain types do not
//! derive serde. These modules parse text they are given; reading files is left to their callers.

pub mod batch_export;
pub mod case_json;
pub mod courier_data;
pub mod export;
pub mod import;
pub mod kept_work;
pub mod policy_toml;
pub mod scan_json;

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};

/// A value written as a string (or a whole number) and parsed by the domain type's own `FromStr`, so
/// that one spelling rule serves every format and the parse error reaches the format's error position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parsed<T>(pub T);

/// Written as the domain type's own words (its `Display`), the spelling its `FromStr` reads back.
impl<T: fmt::Display> Serialize for Parsed<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de, T> Deserialize<'de> for Parsed<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ParsedVisitor<T>(PhantomData<T>);

        impl<T> ParsedVisitor<T>
        where
            T: FromStr,
            T::Err: fmt::Display,
        {
            fn parse<E: de::Error>(text: &str) -> Result<Parsed<T>, E> {
                text.parse().map(Parsed).map_err(E::custom)
            }
        }

        impl<T> Visitor<'_> for ParsedVisitor<T>
        where
            T: FromStr,
            T::Err: fmt::Display,
        {
            type Value = Parsed<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Parsed<T>, E> {
                Self::parse(text)
            }
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<Parsed<T>, E> {
                Self::parse(&number.to_string())
            }
            fn visit_i64<E: de::Error>(self, number: i64) -> Result<Parsed<T>, E> {
                Self::parse(&number.to_string())
            }
            fn visit_f64<E: de::Error>(self, number: f64) -> Result<Parsed<T>, E> {
                Err(E::custom(format!(
                    "write {number} as a quoted decimal such as \"{number}\": a binary float cannot hold every amount exactly"
                )))
            }
        }

        deserializer.deserialize_any(ParsedVisitor(PhantomData))
    }
}
