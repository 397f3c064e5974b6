//! The PostgreSQL backend for a warehouse whose benches share one server (issue 16): connecting
//! ([`connect`]: TLS, errors in the station's words), the schema's migrations ([`schema`]), and the SQL layer
//! and backend on a connection ([`db`]). The store itself is the shared `SqlStore`: [`PgStore`].
//! [`migrate_from`] moves one bench's SQLite history into an empty database (`rma-station migrate-from`);
//! [`originals`] keeps the photo originals every bench shares, once each, in 1 MiB chunks.

pub mod connect;
mod db;
pub mod listen;
pub mod migrate_from;
pub mod originals;
pub mod schema;

pub use db::PgBackend;

use crate::policies::PolicySet;
use crate::storage::StoreError;
use crate::storage::location::DatabaseUrl;
use crate::storage::sql::SqlStore;

/// The store on the warehouse's PostgreSQL database.
pub type PgStore = SqlStore<PgBackend>;

impl PgStore {
    /// Connects to the URL's database, migrates it (once, whichever bench comes first) and records the
    /// merchants of `policies`.
    pub fn connect(url: &DatabaseUrl, policies: &PolicySet) -> Result<PgStore, StoreError> {
        let mut client = connect::connect(url)?;
        schema::migrate(&mut client)?;
        SqlStore::new(PgBackend::new(client, url), policies)
    }
}
