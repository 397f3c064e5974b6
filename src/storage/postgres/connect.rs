//! Connecting to the warehouse's PostgreSQL server: a [`DatabaseUrl`] to a synchronous `postgres::Client`
//! (pure Rust, no libpq), over TLS by rustls with ring where the URL asks for it, and every failure in the
//! station's words.
//!
//! An error names the database, the server (`host:port`) and the user, and says what to do; it never holds the
//! password (the client's own errors never carry it either). This module opens a connection and nothing else:
//! the schema is `schema`'s, the queries the store's.
//!
//! The URL's `connect_timeout` bounds reaching the server (the TCP connection: a host that is down or a network
//! that drops packets). A server that accepts the connection and then says nothing at all, a stopped process
//! whose kernel still accepts, is not bounded by it: the `postgres` crate has no deadline for the whole
//! start-up, so the storage thread above must not be the only one waiting on it.

use std::error::Error as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::storage::StoreError;
use crate::storage::location::{DatabaseUrl, SslMode};

/// How long data sent to the server may go unacknowledged before the connection counts as lost.
const TCP_USER_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens a connection to the URL's database. The password is the URL's, else `PGPASSWORD`'s.
pub fn connect(url: &DatabaseUrl) -> Result<Client, StoreError> {
    attempt(url)?.map_err(|e| connect_error(url, &e))
}

/// A connection lost and tried again: a server that cannot be reached is [`StoreError::ServerAway`]; one that
/// answers and refuses (a password changed meanwhile) says why, as [`connect`] does.
pub fn reconnect(url: &DatabaseUrl) -> Result<Client, StoreError> {
    attempt(url)?.map_err(|e| match connect_error(url, &e) {
        StoreError::Database { detail } if unreachable(&e) => StoreError::ServerAway { detail },
        other => other,
    })
}

/// One try at connecting: the client's own error, or the station's where the bench's TLS setup is wrong.
fn attempt(url: &DatabaseUrl) -> Result<Result<Client, postgres::Error>, StoreError> {
    let pgpassword = std::env::var("PGPASSWORD").ok();
    let mut config = Config::new();
    config
        .user(&url.user)
        .host(&url.host)
        .port(url.port)
        .dbname(&url.database)
        .connect_timeout(url.connect_timeout)
        // A server gone silent (a cut cable, a host powered off) is noticed within seconds, not the system's
        // default two hours: unanswered data for TCP_USER_TIMEOUT, or an idle connection's unanswered probes.
        .tcp_user_timeout(TCP_USER_TIMEOUT)
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(5))
        .keepalives_interval(Duration::from_secs(2))
        .keepalives_retries(3)
        .application_name(&url.application_name)
        .ssl_mode(match url.ssl_mode {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyFull => postgres::config::SslMode::Require,
        });
    if let Some(password) = url.password_or(pgpassword.as_deref()) {
        config.password(password);
    }
    let connected = match url.ssl_mode {
        SslMode::Disable => config.connect(NoTls),
        SslMode::Prefer | SslMode::Require | SslMode::VerifyFull => {
            config.connect(MakeRustlsConnect::new(tls_config(url)?))
        }
    };
    Ok(connected)
}

/// A failure of an open connection (a query, a transaction) as a [`StoreError`]: the server's own message with
/// its SQLSTATE code, or the client's.
pub fn database_error(e: &postgres::Error) -> StoreError {
    if unreachable(e) {
        return StoreError::ServerAway { detail: full_text(e) };
    }
    let detail = match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => full_text(e),
    };
    StoreError::Database { detail }
}

/// Whether the failure is the server's absence (the connection closed or broken, the server shutting down or
/// starting) rather than anything about the request: the same request may succeed once it is back.
fn unreachable(e: &postgres::Error) -> bool {
    let shutting_down = [SqlState::ADMIN_SHUTDOWN, SqlState::CRASH_SHUTDOWN, SqlState::CANNOT_CONNECT_NOW];
    match e.as_db_error() {
        Some(db) => shutting_down.contains(db.code()),
        None => {
            let found = causes(e);
            e.is_closed() || (found.io.is_some() && found.tls.is_none())
        }
    }
}

/// rustls with ring, for the URL's mode: verify-full trusts `sslrootcert` or the system's CAs; prefer and require
/// check nothing of the certificate.
fn tls_config(url: &DatabaseUrl) -> Result<ClientConfig, StoreError> {
    // The provider is named here rather than taken from a process-wide default, which would depend on which
    // rustls features some other crate switched on.
    #[expect(
        deprecated,
        reason = "ring has no post-quantum key exchange, hence the deprecation; aws-lc-rs, which has, needs cmake and \
                  nasm to build, and a bench must build from Rust and gcc alone"
    )]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Database { detail: format!("TLS cannot be set up: {e}") })?;
    Ok(match url.ssl_mode {
        SslMode::VerifyFull => builder.with_root_certificates(trusted_roots(url)?).with_no_client_auth(),
        SslMode::Disable | SslMode::Prefer | SslMode::Require => {
            builder.dangerous().with_custom_certificate_verifier(Arc::new(Unchecked(provider))).with_no_client_auth()
        }
    })
}

/// The CAs verify-full trusts: every certificate of `sslrootcert` (PEM), else the system's store (where a
/// company's own CA is installed).
fn trusted_roots(url: &DatabaseUrl) -> Result<RootCertStore, StoreError> {
    let mut roots = RootCertStore::empty();
    match &url.ssl_root_cert {
        Some(path) => {
            let unusable = |what: String| StoreError::Io { path: path.clone(), what };
            let read =
                std::fs::read(path).map_err(|e| unusable(format!("the sslrootcert file cannot be read: {e}")))?;
            for cert in CertificateDer::pem_slice_iter(&read) {
                let cert = cert.map_err(|e| unusable(format!("the sslrootcert file is not PEM: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| unusable(format!("a certificate in the sslrootcert file is unusable: {e}")))?;
            }
            if roots.is_empty() {
                return Err(unusable("the sslrootcert file holds no certificate (-----BEGIN CERTIFICATE-----)".into()));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                return Err(StoreError::Database {
                    detail: format!(
                        "cannot check the certificate of {}: this system holds no trusted CA; give the server's CA \
                         with sslrootcert=PATH",
                        url.server()
                    ),
                });
            }
        }
    }
    Ok(roots)
}

/// The verifier of `require` (and of `prefer`'s TLS): like libpq, it accepts any certificate, so the connection
/// is encrypted but a machine in the middle that presents its own certificate is not detected. The handshake's
/// signatures are still checked, so the server does hold the key of the certificate it sent. verify-full is the
/// mode that checks who the server is.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// What went wrong on the way in, found in the error and its causes.
#[derive(Default)]
struct Causes<'a> {
    io: Option<std::io::ErrorKind>,
    tls: Option<&'a rustls::Error>,
}

fn causes<'a>(e: &'a postgres::Error) -> Causes<'a> {
    let mut found = Causes::default();
    let mut next: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(error) = next {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            found.io = found.io.or(Some(io.kind()));
            // An io::Error's source() skips the error it wraps; tokio-rustls wraps rustls's error so.
            if let Some(tls) = io.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
                found.tls = Some(tls);
            }
        }
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            found.tls = Some(tls);
        }
        next = error.source();
    }
    found
}

/// A failed connection in the station's words.
fn connect_error(url: &DatabaseUrl, e: &postgres::Error) -> StoreError {
    let server = url.server();
    let reason = match e.as_db_error() {
        Some(db) => match db.code() {
            c if *c == SqlState::INVALID_CATALOG_NAME => format!(
                "the server has no database {:?}: create it (README, \"Several benches\") or correct the URL",
                url.database
            ),
            c if *c == SqlState::INVALID_PASSWORD => {
                "the server refused the password (the URL's, else PGPASSWORD's): check it".to_owned()
            }
            c if *c == SqlState::CANNOT_CONNECT_NOW => {
                format!("the server is starting up or shutting down ({}); try again in a moment", db.message())
            }
            c if *c == SqlState::TOO_MANY_CONNECTIONS => {
                format!("the server has no connection to spare ({}); raise its max_connections", db.message())
            }
            _ => format!("the server refused it: {} (SQLSTATE {})", db.message(), db.code().code()),
        },
        None => not_from_the_server(url, e),
    };
    StoreError::Database {
        detail: format!(
            "cannot connect to the database {:?} at {server} as user {:?}: {reason}",
            url.database, url.user
        ),
    }
}

/// A failure before the server answered, or of the TLS handshake.
fn not_from_the_server(url: &DatabaseUrl, e: &postgres::Error) -> String {
    let found = causes(e);
    if let Some(tls) = found.tls {
        return match tls {
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => format!(
                "the server's certificate is not signed by a CA this bench trusts ({}); refused",
                trusted_by(url.ssl_root_cert.as_deref())
            ),
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            ) => format!(
                "the server's certificate does not name {:?}; refused (connect by a name the certificate holds)",
                url.host
            ),
            rustls::Error::InvalidCertificate(CertificateError::Expired | CertificateError::ExpiredContext { .. }) => {
                "the server's certificate has expired; refused".to_owned()
            }
            other => format!("the TLS handshake failed: {other}"),
        };
    }
    // The client says these in words only, in the error's causes; they are its own fixed strings
    // (tokio-postgres's connect_tls.rs and connect_raw.rs).
    let text = full_text(e);
    if text.contains("server does not support TLS") {
        return format!("the server does not offer TLS, and sslmode={} requires it", url.ssl_mode.as_str());
    }
    if text.contains("password missing") {
        return "the server asks for a password and none was given (in the URL or PGPASSWORD)".to_owned();
    }
    match found.io {
        Some(std::io::ErrorKind::ConnectionRefused) => {
            "the connection was refused: is PostgreSQL running there, and listening on that port?".to_owned()
        }
        Some(std::io::ErrorKind::TimedOut) => format!(
            "no answer within {} s: is the server up, and the network between this bench and it working?",
            url.connect_timeout.as_secs()
        ),
        _ => text,
    }
}

/// The error and each of its causes, `: ` between them: the client's own `Display` leaves the causes out
/// ("invalid configuration", where the cause says "password missing").
fn full_text(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

fn trusted_by(root_cert: Option<&Path>) -> String {
    match root_cert {
        Some(path) => format!("sslrootcert {}", path.display()),
        None => "the system's CAs; give the server's CA with sslrootcert=PATH".to_owned(),
    }
}
