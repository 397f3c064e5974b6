//! Check digits: UPC-A, EAN-13, GTIN-14 and EAN-8, valid and one digit off.

use rma_station::domain::scan::{ProductCode, ProductCodeError, ProductFormat, gs1_check_digit};

#[track_caller]
fn check(digits: &str, expected: Result<ProductFormat, ProductCodeError>) {
    let got = ProductCode::parse(digits).map(|p| p.format());
    assert_eq!(got, expected, "{digits}");
}

#[test]
fn check_digits() {
    use ProductFormat::*;
    let wrong = |expected, found| Err(ProductCodeError::CheckDigit { expected, found });
    check("036000291452", Ok(UpcA));
    check("036000291453", wrong(2, 3));
    check("036000291451", wrong(2, 1));
    check("4006381333931", Ok(Ean13));
    check("4006381333932", wrong(1, 2));
    check("5901234123457", Ok(Ean13));
    check("5901234123458", wrong(7, 8));
    check("10012345678902", Ok(Gtin14));
    check("10012345678903", wrong(2, 3));
    check("00012345678905", Ok(Gtin14));
    check("00012345678906", wrong(5, 6));
    check("96385074", Ok(Ean8));
    check("96385075", wrong(4, 5));
    // A transposition of two neighbours is caught too (3-1 weights).
    check("036000921452", wrong(8, 2));
    check("12345", Err(ProductCodeError::Length(5)));
    check("03600029145X", Err(ProductCodeError::NotDigits));
    check("", Err(ProductCodeError::NotDigits));
    check("٠٣٦٠٠٠٢٩١٤٥٢", Err(ProductCodeError::NotDigits));
}

#[test]
fn gtin14_form_and_check_digit_helper() {
    let upc = ProductCode::parse("036000291452").expect("valid UPC-A");
    assert_eq!(upc.gtin14(), "00036000291452");
    assert_eq!(upc.digits(), "036000291452");
    assert_eq!(gs1_check_digit("00614141123456789"), Some(0));
    assert_eq!(gs1_check_digit("12A"), None);
}
