//! Issue 4, the pure scanning core: framing, repeat suppression, check digits, GS1, courier test vectors and
//! classification. Run with `cargo test --test tests scan`.

// A failed expectation in a test is the test failing, and each `expect` message says what was expected.
#![expect(clippy::expect_used, reason = "tests fail by panicking; each expect says why")]

mod classify;
mod couriers;
mod dedup;
mod framing;
mod gs1;
mod product_code;
mod session;
