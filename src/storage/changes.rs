//! Live benches: the `changes` thread tells the window what other benches changed, and whether the database
//! can be reached at all.
//!
//! Every change appends to the audit log, so the log is the one record of what changed, numbered by `seq`. The
//! thread keeps the last number it told of and reads the entries after it whenever there may be news: on
//! PostgreSQL when a notification arrives (each commit NOTIFYs [`CHANNEL`] with ids only: `seq:N`, or
//! `lease:ID` for a lease changing hands, which the log does not hold), on a SQLite file when its change
//! counter moves. Notifications sent while a bench was disconnected are lost, so after every reconnect the
//! thread reads from the last number it told of: what was missed is caught up from the log, never from the
//! notifications. What the window does with the news (reads again what it shows) is the window's.
//!
//! The same connection tells whether the server is there: it is pinged whenever a wait ends quietly, so a
//! server stopped or cut away is reported as [`FeedEvent::Away`] within about a second (a silent network
//! within the connection's TCP timeouts), and [`FeedEvent::Connected`] once it answers again.

use std::fmt;
use std::str::FromStr;
use std::sync::mpsc::SyncSender;
use std::time::Duration;

use crate::storage::StoreError;
use crate::storage::location::DatabaseLocation;
use crate::storage::sql::Db;
use crate::worker::{Delivery, Inbox, Leftovers, Outbox, Stop, Wake, Worker};

/// The PostgreSQL channel every bench listens on.
pub const CHANNEL: &str = "rma_station";
/// How long one wait for news lasts before the server is pinged.
pub const WAIT: Duration = Duration::from_secs(1);
/// The most audit entries told one by one; more than that (an import, a long absence) is a [`FeedEvent::Resync`].
pub const CATCH_UP_LIMIT: i64 = 1000;
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// What a notification says: ids only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// The audit log now reaches this entry.
    Seq(i64),
    /// The lease on this package changed hands (taken, released, taken over).
    Lease(i64),
}

impl fmt::Display for Heard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Heard::Seq(seq) => write!(f, "seq:{seq}"),
            Heard::Lease(package_id) => write!(f, "lease:{package_id}"),
        }
    }
}

impl FromStr for Heard {
    type Err = String;

    fn from_str(payload: &str) -> Result<Heard, String> {
        let number = |text: &str| text.parse::<i64>().map_err(|_| format!("{payload:?} names no number"));
        match payload.split_once(':') {
            Some(("seq", seq)) => number(seq).map(Heard::Seq),
            Some(("lease", id)) => number(id).map(Heard::Lease),
            _ => Err(format!("{payload:?} is not a change this station announces")),
        }
    }
}

/// One audit entry, as much of it as says what changed and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub seq: i64,
    pub station: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
}

/// What the `changes` thread tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedEvent {
    /// Audit entries appended since the last event, in order, and packages whose lease changed hands.
    Changed { recorded: Vec<Recorded>, leases: Vec<i64> },
    /// More changed than is worth telling one by one: whatever is shown should be read again.
    Resync,
    /// The database cannot be reached, and why (told once, until it is back).
    Away { why: String },
    /// The database answers: at the first connection, and again after an [`FeedEvent::Away`] (what changed
    /// meanwhile was told just before).
    Connected,
}

/// What a wait for news brought.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct News {
    /// The audit log may have grown.
    pub log: bool,
    /// Packages whose lease changed hands.
    pub leases: Vec<i64>,
}

/// A database's change announcements, on a connection of their own.
pub trait Source {
    /// The connection, for reading the log.
    fn db(&self) -> &dyn Db;
    /// Waits up to `wait` for news; an error means the database is gone (the source is dropped and opened again).
    fn wait(&mut self, wait: Duration) -> Result<News, StoreError>;
}

/// The newest audit entry's number (0 for an empty log).
pub fn head(db: &dyn Db) -> Result<i64, StoreError> {
    Ok(db.value::<i64>("SELECT COALESCE(max(seq), 0) FROM audit_log", &[])?.unwrap_or(0))
}

/// The audit entries after `seq`, oldest first, at most `limit`.
pub fn recorded_after(db: &dyn Db, seq: i64, limit: i64) -> Result<Vec<Recorded>, StoreError> {
    db.rows(
        "SELECT seq, station, entity, entity_id, action FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        &[&seq, &limit],
    )?
    .into_iter()
    .map(|row| {
        Ok(Recorded {
            seq: row.get(0)?,
            station: row.get(1)?,
            entity: row.get(2)?,
            entity_id: row.get(3)?,
            action: row.get(4)?,
        })
    })
    .collect()
}

/// Opens the source for the station's database.
fn open(location: &DatabaseLocation) -> Result<Box<dyn Source>, StoreError> {
    Ok(match location {
        DatabaseLocation::Sqlite(path) => Box::new(crate::storage::sqlite::changes::FileCounter::open(path)?),
        DatabaseLocation::Postgres(url) => Box::new(crate::storage::postgres::listen::Listener::connect(url)?),
    })
}

/// Owns the `changes` thread; dropping it stops the thread.
#[derive(Debug)]
pub struct ChangeFeed {
    _thread: Worker<std::convert::Infallible>,
}

impl ChangeFeed {
    /// Starts the thread `changes` following `location`'s database; `wake` runs after each event is sent.
    pub fn spawn(location: DatabaseLocation, events: SyncSender<FeedEvent>, wake: Wake) -> std::io::Result<ChangeFeed> {
        let events = Outbox::new(events, wake);
        let thread = Worker::spawn_loop("changes", 1, Leftovers::Abandon, move |inbox: Inbox<_>| {
            Follower { events, stop: inbox.stop().clone(), last: None, away: false }.run(|| open(&location));
        })?;
        Ok(ChangeFeed { _thread: thread })
    }
}

struct Follower {
    events: Outbox<FeedEvent>,
    stop: Stop,
    /// The last audit entry told of; none before the first connection (nothing before it is news).
    last: Option<i64>,
    /// Whether `Away` was told and `Connected` not yet since.
    away: bool,
}

impl Follower {
    fn run(mut self, open: impl Fn() -> Result<Box<dyn Source>, StoreError>) {
        let mut backoff = FIRST_BACKOFF;
        while !self.stop.is_set() {
            let outcome = open().and_then(|mut source| {
                backoff = FIRST_BACKOFF;
                self.follow(source.as_mut())
            });
            match outcome {
                Ok(()) => return,
                Err(error) => {
                    if !self.away {
                        tracing::warn!(%error, "the database cannot be reached");
                        self.away = true;
                        self.tell(FeedEvent::Away { why: error.to_string() });
                    }
                    self.stop.sleep(backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    /// Catches up, then tells what changed as news comes, until stopped (Ok) or the source fails.
    fn follow(&mut self, source: &mut dyn Source) -> Result<(), StoreError> {
        match self.last {
            None => self.last = Some(head(source.db())?),
            Some(_) => self.catch_up(source.db())?,
        }
        if std::mem::take(&mut self.away) {
            tracing::info!("the database answers again");
        }
        self.tell(FeedEvent::Connected);
        while !self.stop.is_set() {
            let news = source.wait(WAIT)?;
            if news.log {
                self.catch_up(source.db())?;
            }
            if !news.leases.is_empty() {
                self.tell(FeedEvent::Changed { recorded: Vec::new(), leases: news.leases });
            }
        }
        Ok(())
    }

    /// Tells the audit entries after the last one told, or [`FeedEvent::Resync`] when they are too many.
    fn catch_up(&mut self, db: &dyn Db) -> Result<(), StoreError> {
        let last = self.last.unwrap_or(0);
        let recorded = recorded_after(db, last, CATCH_UP_LIMIT)?;
        if recorded.len() as i64 == CATCH_UP_LIMIT {
            self.last = Some(head(db)?);
            self.tell(FeedEvent::Resync);
        } else if let Some(newest) = recorded.last() {
            self.last = Some(newest.seq);
            self.tell(FeedEvent::Changed { recorded, leases: Vec::new() });
        }
        Ok(())
    }

    fn tell(&self, event: FeedEvent) {
        if let Delivery::Dropped = self.events.deliver(event, &self.stop) {
            // The window took nothing in for a while: what it shows is read again at its next news.
            tracing::warn!("a change went untold: the window took no news");
        }
    }
}
