//! The warehouse server's news for the `changes` thread (`crate::storage::changes`): a connection of its own
//! that LISTENs on the station's channel. The connection is never opened again behind the thread's back: a
//! new one would not be listening, so a lost one is an error and the thread opens a new listener and catches up.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use super::connect::{database_error, reconnect};
use super::db::PgConnection;
use crate::storage::StoreError;
use crate::storage::changes::{CHANNEL, Heard, News, Source};
use crate::storage::location::DatabaseUrl;
use crate::storage::sql::Db;

/// How long the server may take to answer a ping before it counts as gone.
const PING_TIMEOUT: Duration = Duration::from_secs(3);

pub(crate) struct Listener {
    connection: PgConnection,
}

impl Listener {
    pub(crate) fn connect(url: &DatabaseUrl) -> Result<Listener, StoreError> {
        let mut client = reconnect(url)?;
        client.batch_execute(&format!("LISTEN {CHANNEL}")).map_err(|e| database_error(&e))?;
        Ok(Listener { connection: PgConnection::once(client, url) })
    }
}

impl Source for Listener {
    fn db(&self) -> &dyn Db {
        &self.connection
    }

    fn wait(&mut self, wait: Duration) -> Result<News, StoreError> {
        let mut client = self.connection.client()?;
        let mut news = News::default();
        let mut take = |payload: &str| match payload.parse::<Heard>() {
            Ok(Heard::Seq(_)) => news.log = true,
            Ok(Heard::Lease(package_id)) => news.leases.push(package_id),
            Err(why) => tracing::warn!(why, "a notification on the station's channel was not understood"),
        };
        let first = client.notifications().timeout_iter(wait).next().map_err(|e| database_error(&e))?;
        match first {
            Some(first) => {
                take(first.payload());
                // And whatever else has arrived, without waiting again.
                let mut notifications = client.notifications();
                let mut pending = notifications.iter();
                while let Some(more) = pending.next().map_err(|e| database_error(&e))? {
                    take(more.payload());
                }
            }
            // A quiet second, or the connection closed: the ping tells which.
            None => client
                .is_valid(PING_TIMEOUT)
                .map_err(|e| StoreError::ServerAway { detail: format!("it did not answer a ping: {e}") })?,
        }
        news.leases.sort_unstable();
        news.leases.dedup();
        Ok(news)
    }
}
