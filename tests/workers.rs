//! The one worker type (issue 13): requests in without waiting, answers out without blocking the worker,
//! one stop protocol, the log file's start, stop and panic lines; and the window, closed with a thousand
//! answers it never took in, closing at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rma_station::worker::{Delivery, Leftovers, Outbox, Stop, SubmitError, Worker};

/// Drops `value` on a thread of its own and says whether that finished within `limit`: a hang check, so
/// that a hanging drop fails the test instead of hanging it.
#[track_caller]
fn dropped_within<T: Send + 'static>(value: T, limit: Duration) -> bool {
    let (done, finished) = sync_channel(1);
    std::thread::Builder::new()
        .name("dropping".into())
        .spawn(move || {
            drop(value);
            let _ = done.send(());
        })
        .unwrap();
    finished.recv_timeout(limit).is_ok()
}

/// A worker held at a gate until the test opens it: how many requests it took, and what it finished.
struct Gated {
    worker: Worker<u32>,
    taken: Arc<AtomicUsize>,
    finished: Arc<Mutex<Vec<u32>>>,
    open: std::sync::mpsc::SyncSender<()>,
}

fn gated(depth: usize, leftovers: Leftovers) -> Gated {
    let (taken, finished) = (Arc::new(AtomicUsize::new(0)), Arc::new(Mutex::new(Vec::new())));
    let (open, gate) = sync_channel::<()>(16);
    let (took, done) = (Arc::clone(&taken), Arc::clone(&finished));
    let worker = Worker::spawn("gated", depth, leftovers, move |n, _stop: &Stop| {
        took.fetch_add(1, Ordering::SeqCst);
        let _ = gate.recv_timeout(Duration::from_secs(30));
        done.lock().unwrap().push(n);
    })
    .unwrap();
    Gated { worker, taken, finished, open }
}

fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_full_queue_is_an_error_at_once_and_a_stopped_worker_refuses_work() {
    let Gated { worker, taken, finished, open } = gated(2, Leftovers::Abandon);
    let submitter = worker.submitter();
    worker.submit(1).unwrap();
    wait_for("the worker takes the first request", || taken.load(Ordering::SeqCst) == 1);
    worker.submit(2).unwrap();
    submitter.submit(3).unwrap();
    let started = Instant::now();
    assert_eq!(worker.submit(4), Err(SubmitError::Full));
    assert!(started.elapsed() < Duration::from_millis(100), "submit waited {:?}", started.elapsed());
    // Dropping abandons what is queued: the request in hand finishes, the two waiting are never handled.
    let (done, dropped) = sync_channel(1);
    std::thread::Builder::new()
        .name("dropping".into())
        .spawn(move || {
            drop(worker);
            let _ = done.send(());
        })
        .unwrap();
    // A stopped worker refuses work at once, even before its thread has ended.
    wait_for("the worker stopping", || submitter.submit(5) == Err(SubmitError::Stopped));
    open.send(()).unwrap();
    assert!(dropped.recv_timeout(Duration::from_secs(5)).is_ok(), "the worker did not stop");
    assert_eq!(*finished.lock().unwrap(), vec![1]);
}

#[test]
fn a_worker_that_finishes_its_leftovers_handles_every_queued_request_before_it_stops() {
    let Gated { worker, finished, open, .. } = gated(8, Leftovers::Finish);
    for n in 1..=5 {
        worker.submit(n).unwrap();
    }
    for _ in 0..5 {
        open.send(()).unwrap();
    }
    assert!(dropped_within(worker, Duration::from_secs(5)));
    assert_eq!(*finished.lock().unwrap(), vec![1, 2, 3, 4, 5]);
}

/// A worker answering each request through an outbox whose channel holds one answer.
fn answering(patience: Duration) -> (Worker<u32>, Receiver<u32>, Outbox<u32>, Arc<AtomicUsize>) {
    let (answers, taken) = sync_channel(1);
    let wakes = Arc::new(AtomicUsize::new(0));
    let woken = Arc::clone(&wakes);
    let outbox = Outbox::new(
        answers,
        Arc::new(move || {
            woken.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .with_patience(patience);
    let out = outbox.clone();
    let worker = Worker::spawn("answering", 64, Leftovers::Finish, move |n, stop: &Stop| {
        let _ = out.deliver(n, stop);
    })
    .unwrap();
    (worker, taken, outbox, wakes)
}

#[test]
fn an_owner_that_takes_nothing_in_loses_answers_counted_but_never_holds_the_worker() {
    let (worker, taken, outbox, wakes) = answering(Duration::from_millis(50));
    for n in 0..20 {
        worker.submit(n).unwrap();
    }
    // One answer fits; the next waits out the patience and is dropped; the owner is then known to be
    // stalled and the rest are dropped at once.
    wait_for("every answer delivered or dropped", || outbox.dropped() == 19);
    assert_eq!(wakes.load(Ordering::SeqCst), 1);
    assert_eq!(taken.try_iter().collect::<Vec<_>>(), vec![0]);
    // Once the owner takes answers again, they are delivered again.
    worker.submit(20).unwrap();
    assert_eq!(taken.recv_timeout(Duration::from_secs(5)), Ok(20));
    assert!(dropped_within(worker, Duration::from_secs(1)));
}

#[test]
fn a_slow_owner_loses_nothing_and_a_closed_one_is_told() {
    let (worker, taken, outbox, _) = answering(Duration::from_secs(30));
    for n in 0..3 {
        worker.submit(n).unwrap();
    }
    // The owner takes its answers late, one at a time: within the patience nothing is dropped.
    let mut got = Vec::new();
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(100));
        got.push(taken.recv_timeout(Duration::from_secs(5)).unwrap());
    }
    assert_eq!((got, outbox.dropped()), (vec![0, 1, 2], 0));
    drop(taken);
    assert_eq!(outbox.deliver(3, &Stop::default()), Delivery::Closed);
    drop(worker);
}

#[test]
fn a_worker_waiting_on_a_full_channel_stops_at_once_when_dropped() {
    let (worker, taken, outbox, wakes) = answering(Duration::from_secs(600));
    worker.submit(1).unwrap();
    worker.submit(2).unwrap();
    // 1 fills the channel and 2 waits for room, with ten minutes' patience: the stop cuts the wait short.
    wait_for("the first answer delivered", || wakes.load(Ordering::SeqCst) == 1);
    std::thread::sleep(Duration::from_millis(50));
    assert!(dropped_within(worker, Duration::from_secs(1)), "the worker held its owner's drop");
    assert_eq!((taken.try_iter().collect::<Vec<_>>(), outbox.dropped()), (vec![1], 1));
}

#[test]
fn the_log_file_records_each_worker_start_stop_and_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (subscriber, guard) = rma_station::log::file_subscriber(dir.path()).unwrap();
    tracing::subscriber::with_default(subscriber, || {
        let worker = Worker::spawn("log-check", 4, Leftovers::Finish, |_: (), _: &Stop| {}).unwrap();
        worker.submit(()).unwrap();
        drop(worker);
        let panicking = Worker::spawn("log-panic", 4, Leftovers::Finish, |_: (), _: &Stop| {
            panic!("a bug in the worker");
        })
        .unwrap();
        panicking.submit(()).unwrap();
        drop(panicking);
        // The test binary runs other tests in parallel, on threads with no subscriber, that reach these same
        // callsites: tracing caches each callsite's interest across all subscribers, and a cache built while
        // this test's subscriber was being registered can miss it. Asked again now, it counts this one.
        tracing::callsite::rebuild_interest_cache();
        rma_station::log::shown_to_clerk("the database is still busy with earlier work; try again in a moment");
        rma_station::log::scan_received("keyboard", "RMA-2026-0001");
    });
    // Dropping the guard writes out what is still queued.
    drop(guard);
    let files: Vec<_> =
        std::fs::read_dir(rma_station::log::logs_path(dir.path())).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("rma-station.") && name.ends_with(".log") && name.len() == "rma-station.2026-01-01.log".len()
    );
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let line = |needle: &str| {
        text.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
    };
    // A line is the local time with its offset, the level, the thread, the event and its fields.
    assert!(line("worker started worker=log-check").contains(" INFO log-check worker started"), "{text}");
    assert!(line("worker stopped worker=log-check").contains(" INFO log-check worker stopped"), "{text}");
    line("worker started worker=log-panic");
    assert!(line("worker panicked worker=log-panic panic=a bug in the worker").contains(" ERROR "), "{text}");
    assert!(!text.contains("worker stopped worker=log-panic"), "{text}");
    line("error shown to the clerk shown=\"the database is still busy with earlier work; try again in a moment\"");
    line("scan received source=\"keyboard\" code=\"RMA-2026-0001\"");
}

#[test]
fn a_window_closed_with_a_thousand_answers_it_never_took_in_closes_at_once() {
    let place = crate::support::place::Place::sqlite();
    let mut app = crate::gui::app(&place, Vec::new());
    let ctx = eframe::egui::Context::default();
    // A thousand answers from the storage thread, none taken in (`logic` never runs). The queue holds 256:
    // requests go in as it makes room.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut asked = 0;
    while asked < 1000 {
        if app.refresh_counts(&ctx) {
            asked += 1;
        } else {
            assert!(Instant::now() < deadline, "the storage thread stopped taking work after {asked} requests");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    assert!(dropped_within(app, Duration::from_secs(1)), "the window did not close within 1 s");
}
