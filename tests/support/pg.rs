//! The PostgreSQL tests' server (issue 16): a fresh database of its own for each test, on the server that
//! `scripts/postgres-test-server` started and named in `RMA_TEST_DATABASE_URL`.
//!
//! Without that server these tests cannot run. With `CI` set they then fail, so that CI never skips them
//! unnoticed; elsewhere they say loudly that they did not run and pass, as the disk-full drill does.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};

use rma_station::storage::location::{DatabaseUrl, SslMode};
use rma_station::storage::postgres::connect::connect;

/// A superuser's URL on the test server (trusted on loopback): `postgres://rma@127.0.0.1:PORT/postgres`.
pub const URL_VAR: &str = "RMA_TEST_DATABASE_URL";
/// The same server as a user who must give a password, the password in the URL.
pub const PASSWORD_URL_VAR: &str = "RMA_TEST_PASSWORD_URL";
/// The CA that signed the server's certificate (which names 127.0.0.1 and localhost).
pub const CA_VAR: &str = "RMA_TEST_CA";
/// A CA that signed nothing of the server's.
pub const OTHER_CA_VAR: &str = "RMA_TEST_OTHER_CA";

/// A database made for one test, dropped with it (connections still open to it included).
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
    admin: DatabaseUrl,
}

impl TestDatabase {
    /// The database's URL: the test server's, with this database's name.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL parsed.
    pub fn parsed(&self) -> DatabaseUrl {
        DatabaseUrl::parse(&self.url).unwrap()
    }

    /// A connection to it.
    pub fn connect(&self) -> postgres::Client {
        connect(&self.parsed()).unwrap_or_else(|e| panic!("cannot connect to the test database {}: {e}", self.name))
    }

    /// The URL without TLS, for tests that are not about the connection (`Place`).
    pub fn plain(&self) -> DatabaseUrl {
        plain(&self.parsed())
    }
}

/// The same URL without TLS. The test server is on loopback, and a TLS handshake for each connection costs
/// about a quarter of a short PostgreSQL test here: the harness's own connections and the store cases go
/// without it, and what TLS does is tested where it is the point (`postgres_connect`).
pub fn plain(url: &DatabaseUrl) -> DatabaseUrl {
    DatabaseUrl { ssl_mode: SslMode::Disable, ..url.clone() }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let dropped = connect(&plain(&self.admin)).map_err(|e| e.to_string()).and_then(|mut admin| {
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
                .map_err(|e| e.to_string())
        });
        if let Err(e) = dropped {
            eprintln!("the test database {} was not dropped: {e}", self.name);
        }
    }
}

/// A fresh, uniquely named database on the test server, or None (after saying so) where there is no server and
/// `CI` is not set.
pub fn database() -> Option<TestDatabase> {
    let admin_text = server_var(URL_VAR)?;
    let admin = DatabaseUrl::parse(&admin_text).unwrap_or_else(|e| panic!("{URL_VAR}={admin_text:?}: {e}"));
    if admin.password.is_some() {
        // Display leaves the password out; the trusted test user has none, so a database's URL is whole.
        panic!("{URL_VAR} must name a user trusted without a password");
    }
    Some(create(&admin, None))
}

impl TestDatabase {
    /// A new database holding what this one holds (`CREATE DATABASE … TEMPLATE`): nobody may be connected to
    /// this one meanwhile.
    pub fn copy(&self) -> TestDatabase {
        create(&self.admin, Some(&self.name))
    }
}

/// Makes a uniquely named database, empty or a copy of `template`.
fn create(admin: &DatabaseUrl, template: Option<&str>) -> TestDatabase {
    // Unique across the test binary's threads and across runs of the binary side by side on one server.
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!("rma_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let mut client = connect(&plain(admin)).unwrap_or_else(|e| panic!("{URL_VAR}: {e}"));
    let sql = match template {
        None => format!("CREATE DATABASE {name}"),
        Some(template) => format!("CREATE DATABASE {name} TEMPLATE {template}"),
    };
    client.batch_execute(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut url = admin.clone();
    url.database = name.clone();
    TestDatabase { name, url: url.to_string(), admin: admin.clone() }
}

/// The password user's URL on the test server.
pub fn password_url() -> Option<String> {
    server_var(PASSWORD_URL_VAR)
}

/// The CA that signed the test server's certificate, and one that did not.
pub fn certificate_authorities() -> Option<(PathBuf, PathBuf)> {
    Some((PathBuf::from(server_var(CA_VAR)?), PathBuf::from(server_var(OTHER_CA_VAR)?)))
}

/// An environment variable the test server's script exports: its value, or None after saying loudly that the
/// PostgreSQL tests did not run; with `CI` set, a failure instead.
fn server_var(name: &str) -> Option<String> {
    if let Some(value) = std::env::var(name).ok().filter(|v| !v.is_empty()) {
        return Some(value);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "PostgreSQL tests need a server: run scripts/postgres-test-server ({name} is not set)"
    );
    // Once per run, and past the test harness's capture of eprintln! (which shows a passing test's output to
    // nobody): straight to the process's stderr.
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\n*** POSTGRESQL TESTS NOT RUN: {name} is not set; start a server with \
             `env=$(scripts/postgres-test-server start) && eval \"$env\"` ***\n"
        );
    });
    None
}

/// A PostgreSQL server of one test's own, started by `scripts/postgres-test-server start` and stopped (its folder
/// removed) when dropped: for a test that restarts its server, which must never be the server the other tests
/// share.
#[derive(Debug)]
pub struct OwnServer {
    /// Its superuser's URL, as [`URL_VAR`] is on the shared server.
    pub admin: DatabaseUrl,
    /// Its folder: what `restart` and `stop` take.
    pub folder: PathBuf,
}

/// The test server's script.
pub fn server_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts").join("postgres-test-server")
}

/// Starts a server of the test's own, or None (after saying so loudly) where this machine has no PostgreSQL
/// binaries and `CI` is not set; with `CI` set that is a failure.
pub fn own_server() -> Option<OwnServer> {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("initdb").is_file()))
        || std::fs::read_dir("/usr/lib/postgresql")
            .is_ok_and(|versions| versions.flatten().any(|v| v.path().join("bin").join("initdb").is_file()));
    if !found {
        assert!(std::env::var_os("CI").is_none(), "this test needs PostgreSQL's binaries (initdb, pg_ctl)");
        let _ = writeln!(
            std::io::stderr(),
            "\n*** POSTGRESQL TEST NOT RUN: no initdb here to start a server of the test's own ***\n"
        );
        return None;
    }
    let started = std::process::Command::new("bash").arg(server_script()).arg("start").output().unwrap();
    assert!(
        started.status.success(),
        "the test's own server did not start: {}",
        String::from_utf8_lossy(&started.stderr)
    );
    let exports = String::from_utf8(started.stdout).unwrap();
    let value = |name: &str| {
        exports
            .lines()
            .find_map(|line| line.strip_prefix(&format!("export {name}=")).map(str::to_owned))
            .unwrap_or_else(|| panic!("the server script did not export {name}: {exports}"))
    };
    let folder = PathBuf::from(value("RMA_TEST_PG_DIR"));
    let admin = DatabaseUrl::parse(&value(URL_VAR)).unwrap();
    Some(OwnServer { admin: plain(&admin), folder })
}

impl OwnServer {
    /// A new empty database on it.
    pub fn database(&self, name: &str) -> DatabaseUrl {
        let mut admin = connect(&self.admin).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        DatabaseUrl { database: name.to_owned(), ..self.admin.clone() }
    }

    /// The shell command that restarts it.
    pub fn restart_command(&self) -> String {
        format!("bash '{}' restart '{}'", server_script().display(), self.folder.display())
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let stopped = std::process::Command::new("bash").arg(server_script()).arg("stop").arg(&self.folder).output();
        if !stopped.as_ref().is_ok_and(|out| out.status.success()) {
            eprintln!("the test's own server in {} was not stopped: {stopped:?}", self.folder.display());
        }
    }
}
