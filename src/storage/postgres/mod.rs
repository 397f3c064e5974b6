//! The PostgreSQL backend for a warehouse whose benches share one server (issue 16): connecting
//! ([`connect`]: TLS, errors in the station's words) and the schema's migrations ([`schema`]). The store built
//! on them comes with the driver-neutral SQL layer; nothing here is a `Store` yet.

pub mod connect;
pub mod schema;
