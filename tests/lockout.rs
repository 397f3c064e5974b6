//! The sign-in lockout rule as a table of attempts in time: 4 wrong PINs are fine, the 5th within 10
//! minutes locks the name for 5 minutes, a good PIN forgets the wrong ones, names are compared as
//! sign-in compares them, and after a lock the count starts again.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rma_station::domain::lockout::{LockedUntil, Lockout};

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
    Succeed(&'static str),
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
            Succeed("sam"),
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
        let mut lockout = Lockout::new();
        for (n, step) in steps.iter().enumerate() {
            let context = format!("{case}: step {} {step:?}", n + 1);
            match *step {
                Fail(name, clock, locks) => {
                    let expected = locks.map(|until| LockedUntil { until: at(until) });
                    assert_eq!(lockout.failed(name, at(clock)), expected, "{context}");
                }
                Check(name, clock, locked) => {
                    let expected = match locked {
                        Some(until) => Err(LockedUntil { until: at(until) }),
                        None => Ok(()),
                    };
                    assert_eq!(lockout.check(name, at(clock)), expected, "{context}");
                }
                Succeed(name) => lockout.succeeded(name),
            }
        }
    }
}

#[test]
fn failures_counts_only_those_inside_the_window() {
    let mut lockout = Lockout::new();
    lockout.failed("sam", at("00:00"));
    lockout.failed("sam", at("05:00"));
    assert_eq!(lockout.failures("SAM", at("05:00")), 2);
    assert_eq!(lockout.failures("sam", at("10:00")), 1);
    assert_eq!(lockout.failures("sam", at("15:00")), 0);
    assert_eq!(lockout.failures("dana", at("05:00")), 0);
}

#[test]
fn minutes_left_round_up_and_never_reach_zero() {
    let until = LockedUntil { until: at("05:00") };
    for (now, minutes) in [("00:00", 5), ("00:59", 5), ("01:00", 4), ("04:00", 1), ("04:59", 1), ("05:00", 1)] {
        assert_eq!(until.minutes_left(at(now)), minutes, "at {now}");
    }
}
