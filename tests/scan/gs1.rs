//! GS1 element strings: fixed and variable length AIs, GS separators, human-readable form, and the errors.

use rma_station::domain::scan::{Gs1Error, parse_gs1};

/// `expected` is the list of (AI, value) pairs, or the error.
#[track_caller]
fn check(data: &str, expected: Result<&[(&str, &str)], Gs1Error>) {
    let got = parse_gs1(data).map(|d| d.elements().iter().map(|e| (e.ai.clone(), e.value.clone())).collect::<Vec<_>>());
    let expected = expected.map(|pairs| pairs.iter().map(|(a, v)| ((*a).to_owned(), (*v).to_owned())).collect());
    assert_eq!(got, expected, "{data:?}");
}

const GS: &str = "\u{1d}";

#[test]
fn element_strings() {
    check("0109501101530003", Ok(&[("01", "09501101530003")]));
    // Fixed-length AIs need no separator; a variable-length one ends at GS or at the end.
    check("010950110153000317250101", Ok(&[("01", "09501101530003"), ("17", "250101")]));
    check("010950110153000317250131", Ok(&[("01", "09501101530003"), ("17", "250131")]));
    check("010950110153000310AB C", Err(Gs1Error::BadCharacter { ai: "10".into(), ch: ' ' }));
    check(
        &format!("010950110153000310ABC-12/3{GS}21SN0001"),
        Ok(&[("01", "09501101530003"), ("10", "ABC-12/3"), ("21", "SN0001")]),
    );
    check(
        &format!("{GS}0109501101530003{GS}10LOT7{GS}17261231"),
        Ok(&[("01", "09501101530003"), ("10", "LOT7"), ("17", "261231")]),
    );
    check("00006141411234567890", Ok(&[("00", "006141411234567890")]));
    check(&format!("42012345{GS}0109501101530003"), Ok(&[("420", "12345"), ("01", "09501101530003")]));
    check("420123456789", Ok(&[("420", "123456789")]));
    check(&format!("42127610115{GS}10A"), Ok(&[("421", "27610115"), ("10", "A")]));
    check("3103000750", Ok(&[("3103", "000750")]));
    check("4100614141000418", Ok(&[("410", "0614141000418")]));
    // DD = 00 means the end of the month.
    check("17251200", Ok(&[("17", "251200")]));
    check("(01)09501101530003(17)250101(10)ABC", Ok(&[("01", "09501101530003"), ("17", "250101"), ("10", "ABC")]));
    check("9622001900000000000000776632517510", Ok(&[("96", "22001900000000000000776632517510")]));
}

#[test]
fn errors() {
    check("", Err(Gs1Error::Empty));
    check("0109501101530004", Err(Gs1Error::CheckDigit { ai: "01".into() }));
    check("00006141411234567891", Err(Gs1Error::CheckDigit { ai: "00".into() }));
    check("01095011015300", Err(Gs1Error::WrongLength { ai: "01".into(), expected: 14, found: 12 }));
    check("17251301", Err(Gs1Error::BadDate { ai: "17".into() }));
    check("17250132", Err(Gs1Error::BadDate { ai: "17".into() }));
    check("1725010", Err(Gs1Error::WrongLength { ai: "17".into(), expected: 6, found: 5 }));
    check("10", Err(Gs1Error::EmptyValue { ai: "10".into() }));
    check("21123456789012345678901", Err(Gs1Error::TooLong { ai: "21".into(), max: 20, found: 21 }));
    check("2312345", Err(Gs1Error::UnknownAi("2312".into())));
    check("01ABCDEFGHIJKLMN", Err(Gs1Error::NotNumeric { ai: "01".into() }));
    check("421ABC10115", Err(Gs1Error::NotNumeric { ai: "421".into() }));
    check("(01)09501101530003(17", Err(Gs1Error::Parentheses));
    check("(01)0950110153000", Err(Gs1Error::WrongLength { ai: "01".into(), expected: 14, found: 13 }));
}

#[test]
fn human_readable_form() {
    let data = parse_gs1(&format!("010950110153000310ABC{GS}21XYZ")).expect("valid GS1 data");
    assert_eq!(data.human_readable(), "(01)09501101530003(10)ABC(21)XYZ");
    assert_eq!(data.get("21"), Some("XYZ"));
    assert_eq!(data.elements()[0].title, "GTIN");
}
