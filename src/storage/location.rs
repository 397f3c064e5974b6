//! Where the station's database is: the SQLite file in the data folder (one bench), or a PostgreSQL server that
//! a warehouse's benches share, named by a URL (issue 16).
//!
//! The choice, the first that applies: the `--database` flag, `database = "postgres://…"` in the data folder's
//! `station.toml` (so that a bench's shortcut needs no flags), the SQLite file in the data folder. This module
//! only parses and chooses: it connects to nothing (`storage::postgres::connect` does) and reads no file but
//! `station.toml`. Every refusal says what is wrong and where (the character of the URL, the file's line and
//! column), and nothing here ever shows a password: not `Display`, not `Debug`, not an error.

use std::fmt;
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

/// PostgreSQL's port when the URL names none.
pub const DEFAULT_PORT: u16 = 5432;
/// How long a bench waits to reach the server when the URL says nothing. libpq waits for ever by default; a
/// bench must tell its clerk that the server is away instead.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The name a session shows in `pg_stat_activity` when the URL gives none.
pub const DEFAULT_APPLICATION_NAME: &str = "rma-station";
/// The bench's own settings file in its data folder.
pub const STATION_CONFIG_FILE: &str = "station.toml";

/// PostgreSQL keeps the first 63 bytes of an application name (NAMEDATALEN - 1) and drops the rest silently.
const APPLICATION_NAME_MAX: usize = 63;
/// A connect timeout of more than an hour is a mistake, not a wish.
const CONNECT_TIMEOUT_MAX_SECS: u64 = 3600;

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// The embedded database file of one bench.
    Sqlite(PathBuf),
    /// A PostgreSQL server shared by the benches of a warehouse.
    Postgres(DatabaseUrl),
}

impl DatabaseLocation {
    /// The `--database` flag if given, else `station.toml` in the data folder if it names a database, else the
    /// SQLite file in the data folder. With the flag, `station.toml` is not read: the flag overrides it.
    pub fn choose(flag: Option<&str>, data_dir: &Path) -> Result<DatabaseLocation, LocationError> {
        if let Some(text) = flag {
            return DatabaseUrl::parse(text).map(DatabaseLocation::Postgres).map_err(LocationError::Flag);
        }
        let file = station_config_path(data_dir);
        let config = match std::fs::read_to_string(&file) {
            Ok(text) => parse_station_config(&file, &text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => StationConfig::default(),
            Err(e) => return Err(LocationError::Unreadable { file, what: e.to_string() }),
        };
        Ok(match config.database {
            Some(url) => DatabaseLocation::Postgres(url),
            None => DatabaseLocation::Sqlite(super::database_path(data_dir)),
        })
    }
}

impl fmt::Display for DatabaseLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseLocation::Sqlite(path) => write!(f, "the SQLite file {}", path.display()),
            DatabaseLocation::Postgres(url) => write!(f, "the PostgreSQL database {url}"),
        }
    }
}

/// The bench's `station.toml` in a data folder.
pub fn station_config_path(data_dir: &Path) -> PathBuf {
    data_dir.join(STATION_CONFIG_FILE)
}

/// What `station.toml` says. Every key is known: a misspelt one is refused, never ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StationConfig {
    /// `database = "postgres://…"`: the shared server; absent, the SQLite file in the data folder.
    pub database: Option<DatabaseUrl>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStationConfig {
    database: Option<Spanned<String>>,
}

/// Parses the text of `station.toml`; `file` names it in errors.
pub fn parse_station_config(file: &Path, text: &str) -> Result<StationConfig, LocationError> {
    let at = |offset: usize, message: String| {
        let (line, column) = line_column(text, offset);
        LocationError::Config { file: file.to_path_buf(), line, column, message }
    };
    let raw: RawStationConfig =
        toml::from_str(text).map_err(|e| at(e.span().map_or(0, |span| span.start), e.message().trim().to_owned()))?;
    let database = match raw.database {
        None => None,
        Some(value) => {
            let url = DatabaseUrl::parse(value.get_ref()).map_err(|e| at(value.span().start, e.to_string()))?;
            Some(url)
        }
    };
    Ok(StationConfig { database })
}

/// A place that cannot say where the database is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    #[error("--database: {0}")]
    Flag(UrlError),
    #[error("{}:{line}:{column}: {message}", file.display())]
    Config { file: PathBuf, line: usize, column: usize, message: String },
    #[error("{}: {what}", file.display())]
    Unreadable { file: PathBuf, what: String },
}

/// A URL that cannot be used: what is wrong, at which character (1-based, counted in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("database URL, character {column}: {problem}")]
pub struct UrlError {
    pub column: usize,
    pub problem: String,
}

/// A password, kept out of every `Debug` and `Display`: logs, errors and panics never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn new(text: impl Into<String>) -> Password {
        Password(text.into())
    }

    /// The password itself, for the one place that sends it to the server.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// How the connection is protected, with libpq's names and meanings for the modes the station offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain TCP.
    Disable,
    /// TLS when the server offers it, else plain, the certificate unchecked: libpq's default, so that a URL
    /// copied from `psql` behaves the same here.
    Prefer,
    /// TLS or no connection; the certificate is not checked (as libpq's `require`): encrypted, but a machine in
    /// the middle is not detected.
    Require,
    /// TLS, the certificate signed by a trusted CA (`sslrootcert`, else the system's) and naming the host.
    VerifyFull,
}

impl SslMode {
    /// The mode as a URL writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyFull => "verify-full",
        }
    }

    fn parse(text: &str) -> Result<SslMode, String> {
        match text {
            "disable" => Ok(SslMode::Disable),
            "prefer" => Ok(SslMode::Prefer),
            "require" => Ok(SslMode::Require),
            "verify-full" => Ok(SslMode::VerifyFull),
            "allow" | "verify-ca" => Err(format!(
                "sslmode={text} is not offered: use verify-full (the server's certificate and name are checked), \
                 require (encrypted, unchecked) or disable"
            )),
            _ => Err(format!("sslmode {text:?} is not one of disable, prefer, require, verify-full")),
        }
    }
}

/// A PostgreSQL server and database:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…&sslrootcert=PATH&connect_timeout=S&application_name=…]`
/// (also `postgresql://`). Percent-escapes (`%40` for `@`) are decoded in the user, password, database and
/// parameter values. `Display` writes it back without the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    pub user: String,
    /// The URL's password; without one, `PGPASSWORD` is used ([`DatabaseUrl::password_or`]).
    pub password: Option<Password>,
    /// A name or an IP address (an IPv6 one without its brackets).
    pub host: String,
    pub port: u16,
    pub database: String,
    pub ssl_mode: SslMode,
    /// The CAs (PEM) that verify-full trusts instead of the system's.
    pub ssl_root_cert: Option<PathBuf>,
    /// How long reaching the server may take.
    pub connect_timeout: Duration,
    pub application_name: String,
}

/// The URL's parameters, in the order `Display` writes them.
const PARAMETERS: [&str; 4] = ["sslmode", "sslrootcert", "connect_timeout", "application_name"];

impl DatabaseUrl {
    /// Parses a URL, refusing anything it does not understand (an unknown parameter, a second host) rather
    /// than guessing.
    pub fn parse(text: &str) -> Result<DatabaseUrl, UrlError> {
        Parser { text }.parse()
    }

    /// The password to send: the URL's, else `pgpassword` (the caller reads `PGPASSWORD`; an empty one is none).
    pub fn password_or<'a>(&'a self, pgpassword: Option<&'a str>) -> Option<&'a str> {
        self.password.as_ref().map(Password::expose).or(pgpassword.filter(|p| !p.is_empty()))
    }

    /// `host:port`, an IPv6 host in brackets, as errors name the server.
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for DatabaseUrl {
    /// The URL without its password, every parameter that differs from its default written out: what a log
    /// line or an error may show.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "postgres://{}@{}/{}", escape(&self.user, false), self.server(), escape(&self.database, false))?;
        let mut parameters = Vec::new();
        if self.ssl_mode != SslMode::Prefer {
            parameters.push(format!("{}={}", PARAMETERS[0], self.ssl_mode.as_str()));
        }
        if let Some(path) = &self.ssl_root_cert {
            parameters.push(format!("{}={}", PARAMETERS[1], escape(&path.to_string_lossy(), true)));
        }
        if self.connect_timeout != DEFAULT_CONNECT_TIMEOUT {
            parameters.push(format!("{}={}", PARAMETERS[2], self.connect_timeout.as_secs()));
        }
        if self.application_name != DEFAULT_APPLICATION_NAME {
            parameters.push(format!("{}={}", PARAMETERS[3], escape(&self.application_name, false)));
        }
        if !parameters.is_empty() {
            write!(f, "?{}", parameters.join("&"))?;
        }
        Ok(())
    }
}

/// One URL being parsed; every error is placed by its byte offset in `text`.
struct Parser<'a> {
    text: &'a str,
}

impl Parser<'_> {
    fn error(&self, offset: usize, problem: impl Into<String>) -> UrlError {
        let column = self.text.get(..offset).map_or(offset, |before| before.chars().count()) + 1;
        UrlError { column, problem: problem.into() }
    }

    fn parse(&self) -> Result<DatabaseUrl, UrlError> {
        let text = self.text;
        if let Some((offset, c)) = text.char_indices().find(|(_, c)| c.is_whitespace() || c.is_control()) {
            return Err(self.error(offset, format!("{c:?} cannot be in a URL (a space is written %20)")));
        }
        let scheme_end = ["postgres://", "postgresql://"]
            .iter()
            .find(|scheme| text.get(..scheme.len()).is_some_and(|head| head.eq_ignore_ascii_case(scheme)))
            .map(|scheme| scheme.len())
            .ok_or_else(|| {
                self.error(0, "a PostgreSQL URL starts with postgres:// (postgres://USER@HOST[:PORT]/DATABASE)")
            })?;
        if let Some(offset) = text.find('#') {
            return Err(self.error(offset, "a database URL has no #fragment"));
        }
        let (main_end, query) = match text[scheme_end..].find('?') {
            Some(at) => (scheme_end + at, Some(scheme_end + at + 1)),
            None => (text.len(), None),
        };
        let (authority_end, path) = match text[scheme_end..main_end].find('/') {
            Some(at) => (scheme_end + at, Some(scheme_end + at + 1)),
            None => (main_end, None),
        };

        // USER[:PASSWORD]@: the last '@', since a host never holds one.
        let authority = &text[scheme_end..authority_end];
        let Some(at_sign) = authority.rfind('@') else {
            return Err(self.error(scheme_end, "the URL names no user: postgres://USER@HOST/DATABASE"));
        };
        let host_start = scheme_end + at_sign + 1;
        let (user, password) = match authority[..at_sign].find(':') {
            Some(colon) => {
                let password = self.decode(scheme_end + colon + 1, &authority[colon + 1..at_sign], "the password")?;
                if password.is_empty() {
                    return Err(self.error(scheme_end + colon, "the password is empty; leave out the ':' for none"));
                }
                (self.decode(scheme_end, &authority[..colon], "the user")?, Some(Password(password)))
            }
            None => (self.decode(scheme_end, &authority[..at_sign], "the user")?, None),
        };
        if user.is_empty() {
            return Err(self.error(scheme_end, "the URL names no user: postgres://USER@HOST/DATABASE"));
        }
        let (host, port) = self.host_and_port(host_start, &text[host_start..authority_end])?;

        let database = match path {
            None => None,
            Some(start) => Some(self.decode(start, &text[start..main_end], "the database name")?),
        };
        let database = database.filter(|name| !name.is_empty()).ok_or_else(|| {
            self.error(main_end, "the URL names no database: it ends in /DATABASE (postgres://USER@HOST/DATABASE)")
        })?;
        if let Some(slash) = path.and_then(|start| text[start..main_end].find('/').map(|at| start + at)) {
            return Err(self.error(slash, "a database name has no '/'"));
        }

        let mut url = DatabaseUrl {
            user,
            password,
            host,
            port,
            database,
            ssl_mode: SslMode::Prefer,
            ssl_root_cert: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            application_name: DEFAULT_APPLICATION_NAME.to_owned(),
        };
        if let Some(start) = query {
            self.parameters(start, &mut url)?;
        }
        Ok(url)
    }

    /// `HOST[:PORT]` or `[IPV6][:PORT]`, starting at byte `start`.
    fn host_and_port(&self, start: usize, text: &str) -> Result<(String, u16), UrlError> {
        let (host, port_at) = if let Some(inner) = text.strip_prefix('[') {
            let close = inner
                .find(']')
                .ok_or_else(|| self.error(start, "an IPv6 address in brackets lacks its closing ']'"))?;
            let address = &inner[..close];
            if address.parse::<Ipv6Addr>().is_err() {
                return Err(self.error(start + 1, format!("{address:?} is not an IPv6 address")));
            }
            let rest_at = 1 + close + 1;
            match &text[rest_at..] {
                "" => (address.to_owned(), None),
                rest if rest.starts_with(':') => (address.to_owned(), Some(rest_at + 1)),
                _ => return Err(self.error(start + rest_at, "after an IPv6 address comes ':PORT' or '/DATABASE'")),
            }
        } else {
            let (host, port_at) = match text.find(':') {
                Some(colon) => (&text[..colon], Some(colon + 1)),
                None => (text, None),
            };
            if let Some(comma) = host.find(',') {
                return Err(self.error(start + comma, "one host only: the station does not try several servers"));
            }
            if host.is_empty() {
                return Err(self.error(start, "the URL names no host: postgres://USER@HOST/DATABASE"));
            }
            let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
            if let Some((offset, c)) = host.char_indices().find(|(_, c)| !allowed(*c)) {
                return Err(self.error(start + offset, format!("{c:?} cannot be in a host name")));
            }
            (host.to_owned(), port_at)
        };
        let port = match port_at {
            None => DEFAULT_PORT,
            Some(at) => {
                let digits = &text[at..];
                digits
                    .parse::<u16>()
                    .ok()
                    .filter(|port| *port > 0 && digits.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| {
                        self.error(start + at, format!("the port {digits:?} is not a number from 1 to 65535"))
                    })?
            }
        };
        Ok((host, port))
    }

    /// `key=value&…` from byte `start` to the end.
    fn parameters(&self, start: usize, url: &mut DatabaseUrl) -> Result<(), UrlError> {
        let mut seen: Vec<&str> = Vec::new();
        let mut root_cert_at = None;
        let mut offset = start;
        for pair in self.text[start..].split('&') {
            let here = offset;
            offset += pair.len() + 1;
            let Some((key, raw)) = pair.split_once('=') else {
                return Err(self.error(here, format!("the parameter {pair:?} has no value (NAME=VALUE)")));
            };
            let value_at = here + key.len() + 1;
            if !PARAMETERS.contains(&key) {
                return Err(
                    self.error(here, format!("unknown parameter {key:?}; the station knows {}", PARAMETERS.join(", ")))
                );
            }
            if seen.contains(&key) {
                return Err(self.error(here, format!("the parameter {key} is given twice")));
            }
            seen.push(key);
            let value = self.decode(value_at, raw, key)?;
            if value.is_empty() {
                return Err(self.error(value_at, format!("the parameter {key} has no value")));
            }
            match key {
                "sslmode" => url.ssl_mode = SslMode::parse(&value).map_err(|problem| self.error(value_at, problem))?,
                "sslrootcert" => {
                    url.ssl_root_cert = Some(PathBuf::from(value));
                    root_cert_at = Some(here);
                }
                "connect_timeout" => {
                    let seconds =
                        value.parse::<u64>().ok().filter(|s| (1..=CONNECT_TIMEOUT_MAX_SECS).contains(s)).ok_or_else(
                            || {
                                self.error(
                                    value_at,
                                    format!(
                                        "connect_timeout {value:?} is not a number of seconds from 1 to \
                                     {CONNECT_TIMEOUT_MAX_SECS}"
                                    ),
                                )
                            },
                        )?;
                    url.connect_timeout = Duration::from_secs(seconds);
                }
                _ => {
                    if value.len() > APPLICATION_NAME_MAX || !value.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
                        return Err(self.error(
                            value_at,
                            format!(
                                "application_name is at most {APPLICATION_NAME_MAX} printable ASCII characters \
                                 (PostgreSQL cuts or mangles others)"
                            ),
                        ));
                    }
                    url.application_name = value;
                }
            }
        }
        // libpq's require quietly becomes a CA check when a root certificate file exists; here a mode means one
        // thing, and a root certificate given to a mode that does not check would give false comfort.
        if let Some(at) = root_cert_at.filter(|_| url.ssl_mode != SslMode::VerifyFull) {
            return Err(self.error(
                at,
                format!(
                    "sslrootcert is used only with sslmode=verify-full; with sslmode={} the server's certificate is \
                     not checked",
                    url.ssl_mode.as_str()
                ),
            ));
        }
        Ok(())
    }

    /// Percent-decodes `raw`, which starts at byte `start`, into UTF-8 text; `what` names it in errors.
    fn decode(&self, start: usize, raw: &str, what: &str) -> Result<String, UrlError> {
        let bytes = raw.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let byte = raw
                    .get(i + 1..i + 3)
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .ok_or_else(|| self.error(start + i, format!("{what}: '%' starts an escape of two hex digits")))?;
                out.push(byte);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).map_err(|_| self.error(start, format!("{what}: its escapes are not UTF-8")))
    }
}

/// Percent-escapes everything but URL-safe characters, so that `Display` parses back; a path keeps its `/`,
/// which a user name cannot (it would end the user and host part).
fn escape(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') || (keep_slash && byte == b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
    (line, column)
}
