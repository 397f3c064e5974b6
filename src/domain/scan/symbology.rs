//! AIM symbology identifiers: the `]C1`, `]E0`, `]d2` ... prefix a scanner puts in front of a code when "AIM ID"
//! is on, saying which kind of barcode was read.
//!
//! This module only recognises and names the prefix. It does not decide what the code means (that is
//! `classify`), and it does not check the code itself.

use std::fmt;

/// The symbology a scanner reported, from its AIM identifier (`]` + symbology character + modifier character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Symbology {
    code: char,
    modifier: char,
}

/// What a symbology tells the classifier about the data it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbologyFamily {
    /// GS1-128, GS1 DataMatrix, GS1 QR, GS1 DataBar, GS1 DotCode: a GS1 element string (FNC1 sent as GS).
    Gs1,
    /// EAN-13, UPC-A, UPC-E, EAN-8 (with or without add-on): a retail product code.
    EanUpc,
    /// Interleaved 2 of 5, which is how ITF-14 (a GTIN-14 on a carton) is printed.
    Itf,
    /// Any other symbology (Code 128 without FNC1, Code 39, plain QR ...): free text.
    Other,
}

impl Symbology {
    /// Splits an AIM identifier off the start of `text`, if there is one.
    ///
    /// The identifier is `]`, an ASCII letter (the symbology) and an ASCII letter or digit (the modifier); anything
    /// else is left alone, because a code may legitimately start with `]`.
    pub fn split_prefix(text: &str) -> (Option<Symbology>, &str) {
        let mut chars = text.chars();
        if let (Some(']'), Some(code), Some(modifier)) = (chars.next(), chars.next(), chars.next())
            && code.is_ascii_alphabetic()
            && modifier.is_ascii_alphanumeric()
        {
            // All three characters are ASCII, so the identifier is exactly three bytes long.
            return (Some(Symbology { code, modifier }), &text[3..]);
        }
        (None, text)
    }

    /// The identifier as sent, e.g. `]C1`.
    pub fn aim_id(&self) -> String {
        format!("]{}{}", self.code, self.modifier)
    }

    /// The symbology character (`C` for Code 128, `E` for EAN/UPC, `d` for Data Matrix ...).
    pub fn code(&self) -> char {
        self.code
    }

    /// The modifier character, which says e.g. whether FNC1 (GS1) was in the first position.
    pub fn modifier(&self) -> char {
        self.modifier
    }

    /// What kind of data this symbology carries, as far as the classifier cares.
    pub fn family(&self) -> SymbologyFamily {
        match (self.code, self.modifier) {
            // C1: Code 128 with FNC1 first = GS1-128. d2: Data Matrix with FNC1 first. Q3: QR with FNC1 first.
            // e0: GS1 DataBar (always GS1). J1: DotCode with FNC1 first.
            ('C', '1') | ('d', '2') | ('Q', '3') | ('e', _) | ('J', '1') => SymbologyFamily::Gs1,
            ('E', _) => SymbologyFamily::EanUpc,
            ('I', _) => SymbologyFamily::Itf,
            _ => SymbologyFamily::Other,
        }
    }

    /// A human-readable name for the symbology, for the operator.
    pub fn name(&self) -> &'static str {
        match (self.code, self.modifier) {
            ('C', '1') => "GS1-128",
            ('C', _) => "Code 128",
            ('d', '2') => "GS1 DataMatrix",
            ('d', _) => "Data Matrix",
            ('Q', '3') => "GS1 QR Code",
            ('Q', _) => "QR Code",
            ('e', _) => "GS1 DataBar",
            ('E', '4') => "EAN-8",
            ('E', '0') => "EAN-13 / UPC-A",
            ('E', _) => "EAN/UPC with add-on",
            ('I', _) => "Interleaved 2 of 5",
            ('A', _) => "Code 39",
            ('G', _) => "Code 93",
            ('F', _) => "Codabar",
            ('L', _) => "PDF417",
            ('z', _) => "Aztec",
            ('J', _) => "DotCode",
            _ => "other symbology",
        }
    }
}

impl fmt::Display for Symbology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "]{}{} ({})", self.code, self.modifier, self.name())
    }
}
