//! Two processes confirming the same RMA at the same moment: each receives a box of it and decides on the
//! ledger as it reads it (neither has settled anything yet), then both are told to confirm at once. The
//! store's ledger check, inside the recording transaction, must let exactly one settle the goods; the other
//! is refused and decides again on the ledger as it is then. 100 rounds (RMA_RACE_ROUNDS), a fresh RMA each. On
//! a SQLite file and on a PostgreSQL database (`on_both!`): two benches of a warehouse racing on its server.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use rma_station::demo::demo_data;
use rma_station::domain::ledger::Ledger;
use rma_station::domain::vocabulary::Queue;
use rma_station::storage::{ImportSource, Stamp};

use super::size;
use crate::support::place::{Place, on_both};
use crate::support::{clock, station_binary};

/// Starts `drill settle` for `rma` and reads its first line (the decision made, before confirming).
fn start(place: &Place, station: &str, rma: &str) -> (Child, BufReader<std::process::ChildStdout>, String) {
    let mut child = Command::new(station_binary())
        .args(place.args())
        .args(["--station", station, "drill", "settle", "--rma", rma])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut decided = String::new();
    out.read_line(&mut decided).unwrap();
    (child, out, decided)
}

on_both!(two_processes_confirming_one_rma_at_once_settle_it_once);
fn two_processes_confirming_one_rma_at_once_settle_it_once(place: &Place) {
    let rounds = size("RMA_RACE_ROUNDS", 100);
    let now = clock().now();
    let stamp = Stamp { at: now.at, station: "race".into(), operator: "race".into() };
    let mut store = place.open();
    rma_station::demo::load_demo(&mut *store, now.today, &stamp, &crate::support::pin_secret()).unwrap();
    // A fresh copy of RMA-2026-0108 (a refund of everything ordered) for every round.
    let demo = demo_data(now.today).unwrap();
    let order = demo.orders.iter().find(|o| o.number == "CP-20108").unwrap();
    let rma = demo.rmas.iter().find(|r| r.number == "RMA-2026-0108").unwrap();
    let source = ImportSource { file: "race".into(), sha256: "0".repeat(64) };
    let orders: Vec<_> = (0..rounds)
        .map(|i| rma_station::domain::records::OrderRecord { number: format!("CP-R{i}"), ..order.clone() })
        .collect();
    let rmas: Vec<_> = (0..rounds)
        .map(|i| rma_station::domain::records::RmaRecord {
            number: format!("RMA-R{i}"),
            order_number: format!("CP-R{i}"),
            expected_tracking: Vec::new(),
            ..rma.clone()
        })
        .collect();
    store.import_orders(&source, &orders, &stamp).unwrap();
    store.import_rmas(&source, &rmas, &stamp).unwrap();
    drop(store);

    let mut refused_somewhere = 0;
    for round in 0..rounds {
        let number = format!("RMA-R{round}");
        let mut racers = [start(place, "bench-1", &number), start(place, "bench-2", &number)];
        for (_, _, decided) in &racers {
            assert!(decided.starts_with("decided refund "), "round {round}: {decided}");
        }
        // Both decided on the same ledger; now both confirm at once.
        for (child, _, _) in &mut racers {
            child.stdin.as_mut().unwrap().write_all(b"go\n").unwrap();
        }
        let mut confirmed = Vec::new();
        for (mut child, out, _) in racers {
            let lines: Vec<String> = out.lines().map(Result::unwrap).collect();
            assert!(child.wait().unwrap().success(), "round {round}: {lines:?}");
            refused_somewhere += lines.iter().filter(|l| l.starts_with("refused:")).count();
            confirmed.push(lines.last().cloned().unwrap_or_default());
        }
        let refunds = confirmed.iter().filter(|line| line.starts_with("confirmed refund ")).count();
        assert_eq!(refunds, 1, "round {round}: {confirmed:?}");
    }
    // The store agrees: one refund per order, and no line settled beyond what was ordered.
    let store = place.open();
    let refunds = store.queue_items(Queue::Refund, false, 10_000).unwrap();
    for round in 0..rounds {
        let order_number = format!("CP-R{round}");
        assert_eq!(refunds.iter().filter(|row| row.order_number == order_number).count(), 1, "{order_number}");
        let order = store.orders_by_number(&order_number).unwrap().remove(0);
        let ledger = Ledger::build(&order.record.to_order(), &store.order_packages(order.id).unwrap());
        assert!(ledger.lines.iter().all(|line| line.settled <= line.ordered), "{ledger:#?}");
    }
    eprintln!("race: {rounds} rounds, the store refused a stale decision {refused_somewhere} times");
    assert!(refused_somewhere > 0, "the racers never met in the store: nothing was tested");
    assert!(store.verify().unwrap().is_sound());
}
