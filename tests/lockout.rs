//! The sign-in lockout rule as a table of attempts in time: 4 wrong PINs are fine, the 5th within 10
//! minutes locks the name for 5 minutes, a good PIN forgets the wrong ones, names are compared as
//! sign-in compares them, and after a lock the count starts again; and what each outcome tells the audit
//! log. The rule is pure over one name's record: the table keeps the records as the store would, by key.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rma_station::domain::lockout::{Event, LockedUntil, NameRecord, name_key};

/// "mm:ss" after 09:00:00 on the test day.
fn at(clock: &str) -> DateTime<Utc> {
    let (minutes, seconds) = clock.split_once(':').unwrap();
    let start = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).single().unwrap();
    start + TimeDelta::minutes(minutes.parse().unwrap()) + TimeDelta::seconds(seconds.parse().unwrap())
}

#[derive(Debug, Clone, Copy)]
enum Step {
    /// A wrong PIN for the name; `Some(until)` when this one imposes a lock.
    Fail(&'static str, &'static str, Option<&'static str>),
    /// May the name try? `None`: yes; `Some(until)`: locked until then.
    Check(&'static str, &'static str, Option<&'static str>),
    /// A good PIN for the name.
    Succeed(&'static str, &'static str),
}
use Step::{Check, Fail, Succeed};

const TABLE: &[(&str, &[Step])] = &[
    (
        "four wrong PINs are fine",
        &[
            Fail("sam", "00:00", None),
            Fail("sam", "01:00", None),
            Fail("sam", "02:00", None),
            Fail("sam", "03:00", None),
            Check("sam", "03:00", None),
        ],
    ),
    (
        "the fifth wrong PIN within ten minutes locks the name for five minutes",
        &[
            Fail("sam", "00:00", None),
            Fail("sam", "01:00", None),
            Fail("sam", "02:00", None),
            Fail("sam", "03:00", None),
            Fail("sam", "04:00", Some("09:00")),
            Check("sam", "04:00", Some("09:00")),
            Check("sam", "08:59", Some("09:00")),
            Check("sam", "09:00", None),
        ],
    ),
    (
        "wrong PINs ten minutes old no longer count",
        &[
            Fail("sam", "00:00", None),
            Fail("sam", "03:00", None),
            Fail("sam", "06:00", None),
            Fail("sam", "09:00", None),
            // The first is exactly ten minutes old: four count.
            Fail("sam", "10:00", None),
            Check("sam", "10:00", None),
            Fail("sam", "11:00", Some("16:00")),
        ],
    ),
    (
        "a good PIN forgets the wrong ones",
        &[
            Fail("sam", "00:00", None),
            Fail("sam", "00:10", None),
            Fail("sam", "00:20", None),
            Fail("sam", "00:30", None),
            Succeed("sam", "00:35"),
            Fail("sam", "00:40", None),
            Fail("sam", "00:50", None),
            Fail("sam", "01:00", None),
            Fail("sam", "01:10", None),
            Check("sam", "01:10", None),
        ],
    ),
    (
        "names are trimmed and case-insensitive, as at sign-in",
        &[
            Fail("Sam", "00:00", None),
            Fail("SAM", "00:01", None),
            Fail(" sam", "00:02", None),
            Fail("sam ", "00:03", None),
            Fail("sAm", "00:04", Some("05:04")),
            Check("sam", "00:05", Some("05:04")),
        ],
    ),
    (
        "another name is not affected, known or not",
        &[
            Fail("sam", "00:00", None),
            Fail("sam", "00:01", None),
            Fail("sam", "00:02", None),
            Fail("sam", "00:03", None),
            Fail("sam", "00:04", Some("05:04")),
            Check("dana", "00:05", None),
            Fail("nobody-at-all", "00:05", None),
            Check("nobody-at-all", "00:05", None),
        ],
    ),
    (
        "after a lock the count starts again: five more tries",
        &[
            Fail("sam", "00:00", None),
            Fail("sam", "01:00", None),
            Fail("sam", "02:00", None),
            Fail("sam", "03:00", None),
            Fail("sam", "04:00", Some("09:00")),
            Fail("sam", "09:00", None),
            Fail("sam", "09:10", None),
            Fail("sam", "09:20", None),
            Fail("sam", "09:30", None),
            Check("sam", "09:30", None),
            Fail("sam", "09:40", Some("14:40")),
        ],
    ),
    (
        "a wrong PIN reported while locked neither counts nor extends the lock",
        &[
            Fail("sam", "00:00", None),
            Fail("sam", "00:01", None),
            Fail("sam", "00:02", None),
            Fail("sam", "00:03", None),
            Fail("sam", "00:04", Some("05:04")),
            Fail("sam", "03:00", None),
            Check("sam", "03:00", Some("05:04")),
            Check("sam", "05:04", None),
            Fail("sam", "05:04", None),
            Fail("sam", "05:05", None),
            Fail("sam", "05:06", None),
            Fail("sam", "05:07", None),
            Check("sam", "05:07", None),
        ],
    ),
    (
        "unknown names lock like known ones, so a lock tells nothing",
        &[
            Fail("zz", "00:00", None),
            Fail("zz", "00:01", None),
            Fail("zz", "00:02", None),
            Fail("zz", "00:03", None),
            Fail("zz", "00:04", Some("05:04")),
        ],
    ),
];

#[test]
fn the_lockout_rule_step_by_step() {
    for (case, steps) in TABLE {
        let mut records: HashMap<String, NameRecord> = HashMap::new();
        for (n, step) in steps.iter().enumerate() {
            let context = format!("{case}: step {} {step:?}", n + 1);
            match *step {
                Fail(name, clock, locks) => {
                    let record = records.entry(name_key(name)).or_default();
                    let outcome = record.failed(at(clock));
                    let expected = locks.map(|until| LockedUntil { until: at(until) });
                    assert_eq!(outcome.locked(), expected, "{context}");
                    *record = outcome.record;
                }
                Check(name, clock, locked) => {
                    let expected = match locked {
                        Some(until) => Err(LockedUntil { until: at(until) }),
                        None => Ok(()),
                    };
                    let record = records.get(&name_key(name)).cloned().unwrap_or_default();
                    assert_eq!(record.check(at(clock)), expected, "{context}");
                }
                Succeed(name, clock) => {
                    let record = records.entry(name_key(name)).or_default();
                    *record = record.succeeded(at(clock)).unwrap().record;
                }
            }
        }
    }
}

#[test]
fn failures_counts_only_those_inside_the_window() {
    let record = NameRecord::default().failed(at("00:00")).record.failed(at("05:00")).record;
    assert_eq!(record.failures(at("05:00")), 2);
    assert_eq!(record.failures(at("10:00")), 1);
    assert_eq!(record.failures(at("15:00")), 0);
}

/// A record with wrong PINs at these times, and a lock until then.
fn record(failures: &[&str], locked_until: Option<&str>) -> NameRecord {
    NameRecord { failures: failures.iter().map(|t| at(t)).collect(), locked_until: locked_until.map(at) }
}

#[test]
fn each_outcome_says_what_changed_for_the_audit_log() {
    let ran_out = Some(at("05:00"));
    // (what, the record before, a wrong PIN (true) or a good one, when, the events)
    let cases: &[(&str, NameRecord, bool, &str, Vec<Event>)] = &[
        ("a first wrong PIN", record(&[], None), true, "00:00", vec![Event::Failed { count: 1 }]),
        (
            "the fifth locks",
            record(&["00:00", "00:01", "00:02", "00:03"], None),
            true,
            "00:04",
            vec![Event::Failed { count: 5 }, Event::Locked(LockedUntil { until: at("05:04") })],
        ),
        ("a wrong PIN while locked says nothing", record(&[], Some("05:00")), true, "04:00", vec![]),
        (
            "a wrong PIN after the lock ran out: unlocked, then counted from one",
            record(&[], Some("05:00")),
            true,
            "06:00",
            vec![Event::Unlocked { lock_ended: ran_out, failures: 0 }, Event::Failed { count: 1 }],
        ),
        (
            "an old wrong PIN no longer counts towards the next",
            record(&["00:00", "00:01"], None),
            true,
            "10:00",
            vec![Event::Failed { count: 2 }],
        ),
        ("a good PIN with nothing to forget says nothing", record(&[], None), false, "00:00", vec![]),
        (
            "a good PIN after wrong ones forgets them",
            record(&["00:00", "00:01", "00:02"], None),
            false,
            "00:03",
            vec![Event::Unlocked { lock_ended: None, failures: 3 }],
        ),
        (
            "a good PIN after the lock ran out",
            record(&[], Some("05:00")),
            false,
            "07:00",
            vec![Event::Unlocked { lock_ended: ran_out, failures: 0 }],
        ),
    ];
    for (what, before, wrong, clock, events) in cases {
        let outcome = if *wrong { before.failed(at(clock)) } else { before.succeeded(at(clock)).unwrap() };
        assert_eq!(&outcome.events, events, "{what}");
    }
    let locked = record(&[], Some("05:00")).succeeded(at("04:59")).unwrap_err();
    assert_eq!(locked, LockedUntil { until: at("05:00") }, "a good PIN while locked is refused");
}

#[test]
fn minutes_left_round_up_and_never_reach_zero() {
    let until = LockedUntil { until: at("05:00") };
    for (now, minutes) in [("00:00", 5), ("00:59", 5), ("01:00", 4), ("04:00", 1), ("04:59", 1), ("05:00", 1)] {
        assert_eq!(until.minutes_left(at(now)), minutes, "at {now}");
    }
}
