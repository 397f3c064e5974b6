//! What the structure-aware fuzzers found (RELIABILITY.md, "Attacks and bad input"), each kept as a fixed
//! case: a real file with the one change that showed the fault, and where the parser must now refuse it.
//! Each case failed before its fix: the dates and timestamps were accepted, a JSON import named the line
//! after a number it refused, the policy errors pointed at line 1, column 1, and the policy with a
//! byte-order mark panicked.

use chrono::FixedOffset;
use rma_station::formats::case_json::{CaseError, parse_case};
use rma_station::formats::import::{
    CategoryMap, FileKind, ImportError, parse_shopify_orders, parse_station_orders, parse_station_rmas,
};

use super::file;

#[derive(Debug, Clone, Copy)]
enum Parser {
    Case,
    OrdersCsv,
    RmasCsv,
    OrdersJson,
    Shopify,
    Policy(&'static str),
}

/// The fixture (or built-in policy) a case starts from.
fn original(parser: Parser) -> String {
    let bytes = match parser {
        Parser::Case => file("decide/spec-example.json"),
        Parser::OrdersCsv => file("import/station-orders.csv"),
        Parser::RmasCsv => file("import/station-rmas.csv"),
        Parser::OrdersJson => file("import/station-orders.json"),
        Parser::Shopify => file("import/shopify-orders.csv"),
        Parser::Policy(name) => {
            std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/policies").join(name)).unwrap()
        }
    };
    String::from_utf8(bytes).unwrap()
}

/// Where a parser refused a text (line, and column or field), or `None` when it accepted it.
fn refusal(parser: Parser, input: &str) -> Option<(u64, Option<String>)> {
    let import = |result: Result<(), ImportError>| result.err().map(|e| (e.line, e.column));
    let mut ignore = |_| {};
    match parser {
        Parser::Case => match parse_case(input) {
            Ok(_) => None,
            Err(CaseError::Field { path, message }) => {
                let line = message.rsplit_once("(line ").and_then(|(_, t)| t.split(',').next()?.parse().ok());
                Some((line.unwrap_or(0), Some(path)))
            }
            Err(CaseError::Syntax { line, .. }) => Some((line as u64, None)),
            Err(other) => Some((0, Some(other.to_string()))),
        },
        Parser::OrdersCsv => import(parse_station_orders("orders.csv", input, FileKind::Csv, &mut ignore).map(drop)),
        Parser::RmasCsv => import(parse_station_rmas("rmas.csv", input, FileKind::Csv, &mut ignore).map(drop)),
        Parser::OrdersJson => import(parse_station_orders("orders.json", input, FileKind::Json, &mut ignore).map(drop)),
        Parser::Shopify => {
            let warehouse = FixedOffset::west_opt(5 * 3600).unwrap();
            let map = CategoryMap::default();
            import(parse_shopify_orders("export.csv", input, "konnected", &map, warehouse, &mut ignore).map(drop))
        }
        Parser::Policy(name) => rma_station::policies::load(name, input).err().map(|e| (e.line as u64, None)),
    }
}

/// A found fault: the parser, the changes to its file (every `from` replaced by `to`), a byte-order mark or
/// not, and the line and column (or field path) where the refusal must point.
struct Found {
    what: &'static str,
    parser: Parser,
    changes: &'static [(&'static str, &'static str)],
    bom: bool,
    line: u64,
    column: Option<&'static str>,
}

const FOUND: &[Found] = &[
    Found {
        what: "a date padded to ten characters with spaces (station RMAs CSV)",
        parser: Parser::RmasCsv,
        changes: &[("2026-09-20", "2026- 9-20")],
        bom: false,
        line: 3,
        column: Some("requested_on"),
    },
    Found {
        what: "a date with a signed three-digit year (station orders CSV)",
        parser: Parser::OrdersCsv,
        changes: &[("2026-09-01", "-001-09-01")],
        bom: false,
        line: 2,
        column: Some("purchased_on"),
    },
    Found {
        what: "a date with a tab inside (station orders JSON)",
        parser: Parser::OrdersJson,
        changes: &[("\"2026-09-04\"", "\"2026-\\t9-04\"")],
        bom: false,
        line: 13,
        column: Some("[0].delivered_on"),
    },
    Found {
        what: "a number at the end of a line, refused: the line after it was named (station orders JSON)",
        parser: Parser::OrdersJson,
        changes: &[("\"shipping_charged\": \"9.99\",", "\"shipping_charged\": 9.99\n    ,")],
        bom: false,
        line: 54,
        column: Some("[2].shipping_charged"),
    },
    Found {
        what: "a date padded to ten characters (decide case)",
        parser: Parser::Case,
        changes: &[("\"2026-09-01\"", "\"2026- 9- 1\"")],
        bom: false,
        line: 7,
        column: Some("order.purchased_on"),
    },
    Found {
        what: "a Shopify timestamp with a signed year",
        parser: Parser::Shopify,
        changes: &[("2025-12-07 19:08:25 +0000", "-001-12-07 19:08:25 +0000")],
        bom: false,
        line: 2,
        column: Some("Created at"),
    },
    Found {
        what: "a Shopify timestamp with a one-digit day and two spaces",
        parser: Parser::Shopify,
        changes: &[("2025-12-07 19:08:25 +0000", "2025-12-7  19:08:25 +0000")],
        bom: false,
        line: 2,
        column: Some("Created at"),
    },
    Found {
        what: "a Shopify timestamp that is year 10000 at the warehouse",
        parser: Parser::Shopify,
        changes: &[("2025-12-08 08:00:00 +0000", "9999-12-31 23:59:59 -2359")],
        bom: false,
        line: 7,
        column: Some("Created at"),
    },
    Found {
        what: "a clause id outside the merchant, written with an escape (policy)",
        parser: Parser::Policy("connectpro.toml"),
        changes: &[("\"connectpro/return/window\"", "\"other\\u002Freturn/window\"")],
        bom: false,
        line: 29,
        column: None,
    },
    Found {
        what: "an invalid pattern written with an escape (policy)",
        parser: Parser::Policy("connectpro.toml"),
        changes: &[("'^RMA-\\d{4}-\\d{4,}$'", "\"\\u0028RMA\"")],
        bom: false,
        line: 14,
        column: None,
    },
    Found {
        what: "one clause id with two wordings, in single quotes, after a byte-order mark (policy; a panic)",
        parser: Parser::Policy("connectpro.toml"),
        changes: &[
            ("clause = \"connectpro/return/rma-required\"", "clause = 'connectpro/return/rma-required'"),
            ("clause = \"connectpro/return/window\"", "clause = 'connectpro/return/rma-required'"),
            (
                "text = \"Returns must be requested within 15 days of the day the customer received the product. No exceptions\"",
                "text = 'Returns must be requested within 15 days of the day the customer received the product. No exceptions'",
            ),
        ],
        bom: true,
        line: 30,
        column: None,
    },
];

#[test]
fn what_the_fuzzers_found_is_refused_where_it_is_wrong() {
    let mut wrong = Vec::new();
    for found in FOUND {
        let mut input = original(found.parser);
        for (from, to) in found.changes {
            assert!(input.contains(from), "{}: {from:?} is not in the file", found.what);
            input = input.replace(from, to);
        }
        if found.bom {
            input.insert(0, '\u{feff}');
        }
        let parser = found.parser;
        // Every case is tried and every wrong answer listed, a panic included.
        let answer = std::panic::catch_unwind(|| refusal(parser, &input)).map_err(|_| "a panic");
        let want = Ok(Some((found.line, found.column.map(str::to_owned))));
        if answer != want {
            wrong.push(format!("{}: {answer:?}, not {want:?}", found.what));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
