//! The station's one clock: what time it is and which day it is at the bench.
//!
//! Nothing else reads the wall clock (`clippy.toml` bans `Utc::now` and `Local::now` elsewhere): the
//! window, the commands and the drills are handed a [`Clock`] and pass its [`Now`] into the use cases, the
//! engine and the store. A test pins the clock ([`Clock::fixed`]) so that no test depends on today's date
//! or crosses midnight; the warehouse's day is taken in the clock's own zone, so a pinned clock pins the
//! day too.

use chrono::{DateTime, FixedOffset, Local, NaiveDate, TimeDelta, TimeZone, Utc};

/// An instant and the bench's local day at that instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub at: DateTime<Utc>,
    /// The bench's local date at `at`: what "today" means for windows, due dates and the daily view.
    pub today: NaiveDate,
    /// The bench's offset from UTC at `at`.
    pub offset: FixedOffset,
}

impl Now {
    /// `at` as seen in a zone.
    pub fn in_zone<Tz: TimeZone>(at: DateTime<Utc>, zone: &Tz) -> Now {
        let local = at.with_timezone(zone).fixed_offset();
        Now { at, today: local.date_naive(), offset: *local.offset() }
    }

    /// The first instant of today at the bench.
    pub fn start_of_today(&self) -> DateTime<Utc> {
        let midnight = self.today.and_time(chrono::NaiveTime::MIN);
        self.offset.from_local_datetime(&midnight).single().map_or(self.at, |m| m.to_utc())
    }
}

/// Where the time comes from: the system's clock and zone, or a pinned time (tests, drills, benches).
#[derive(Debug, Clone)]
pub enum Clock {
    System,
    /// A time that stands still, in a fixed zone.
    Fixed(DateTime<FixedOffset>),
}

impl Clock {
    /// A clock pinned at `at` (with its offset as the bench's zone).
    pub fn fixed(at: DateTime<FixedOffset>) -> Clock {
        Clock::Fixed(at)
    }

    /// A clock pinned at noon of `day` in UTC: a test's day, far from either midnight.
    pub fn noon_of(day: NaiveDate) -> Clock {
        let noon = day.and_time(chrono::NaiveTime::MIN) + TimeDelta::hours(12);
        Clock::fixed(noon.and_utc().fixed_offset())
    }

    pub fn now(&self) -> Now {
        match self {
            #[expect(clippy::disallowed_methods, reason = "the one reader of the system clock")]
            Clock::System => Now::in_zone(Utc::now(), &Local),
            Clock::Fixed(at) => Now { at: at.to_utc(), today: at.date_naive(), offset: *at.offset() },
        }
    }

    /// Whether this is the system's clock (its zone follows daylight saving; a pinned clock's offset is fixed).
    pub fn is_system(&self) -> bool {
        matches!(self, Clock::System)
    }
}
