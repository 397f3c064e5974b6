//! Where the database is (issue 16): PostgreSQL URLs parsed or refused with what and where, the password never
//! shown, and the choice between the flag, `station.toml` and the SQLite file. Pure parsing: nothing connects.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rma_station::storage::database_path;
use rma_station::storage::location::{
    DEFAULT_APPLICATION_NAME, DEFAULT_CONNECT_TIMEOUT, DatabaseLocation, DatabaseUrl, LocationError, Password, SslMode,
    parse_station_config, station_config_path,
};

/// The URL every field of which is the default but the ones a case sets.
fn url(user: &str, host: &str, port: u16, database: &str) -> DatabaseUrl {
    DatabaseUrl {
        user: user.to_owned(),
        password: None,
        host: host.to_owned(),
        port,
        database: database.to_owned(),
        ssl_mode: SslMode::Prefer,
        ssl_root_cert: None,
        connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        application_name: DEFAULT_APPLICATION_NAME.to_owned(),
    }
}

#[track_caller]
fn check_parses(text: &str, expected: &DatabaseUrl) {
    match DatabaseUrl::parse(text) {
        Ok(parsed) => assert_eq!(&parsed, expected, "{text}"),
        Err(e) => panic!("{text}: refused: {e}"),
    }
}

#[test]
fn urls_parse_into_their_parts() {
    let base = url("rma", "db.warehouse.lan", 5432, "returns");
    let with = |change: &dyn Fn(&mut DatabaseUrl)| {
        let mut url = base.clone();
        change(&mut url);
        url
    };
    let cases: Vec<(&str, DatabaseUrl)> = vec![
        ("postgres://rma@db.warehouse.lan/returns", base.clone()),
        ("postgresql://rma@db.warehouse.lan/returns", base.clone()),
        ("POSTGRES://rma@db.warehouse.lan/returns", base.clone()),
        ("postgres://rma@db.warehouse.lan:6543/returns", with(&|u| u.port = 6543)),
        ("postgres://rma:s3cret@db.warehouse.lan/returns", with(&|u| u.password = Some(Password::new("s3cret")))),
        // Escapes: an '@' and a ':' in the password, a space in the database name.
        (
            "postgres://rma:p%40ss%3Aword@db.warehouse.lan/returns",
            with(&|u| u.password = Some(Password::new("p@ss:word"))),
        ),
        ("postgres://rma@db.warehouse.lan/returns%20east", with(&|u| u.database = "returns east".into())),
        ("postgres://r%C3%A9my@db.warehouse.lan/returns", with(&|u| u.user = "rémy".into())),
        ("postgres://rma@127.0.0.1:5433/returns", with(&|u| (u.host, u.port) = ("127.0.0.1".into(), 5433))),
        ("postgres://rma@[::1]/returns", with(&|u| u.host = "::1".into())),
        ("postgres://rma@[fd00::7]:6000/returns", with(&|u| (u.host, u.port) = ("fd00::7".into(), 6000))),
        ("postgres://rma@db.warehouse.lan/returns?sslmode=disable", with(&|u| u.ssl_mode = SslMode::Disable)),
        ("postgres://rma@db.warehouse.lan/returns?sslmode=prefer", base.clone()),
        ("postgres://rma@db.warehouse.lan/returns?sslmode=require", with(&|u| u.ssl_mode = SslMode::Require)),
        ("postgres://rma@db.warehouse.lan/returns?sslmode=verify-full", with(&|u| u.ssl_mode = SslMode::VerifyFull)),
        (
            "postgres://rma@db.warehouse.lan/returns?sslmode=verify-full&sslrootcert=/etc/rma/ca%20bundle.pem",
            with(&|u| {
                u.ssl_mode = SslMode::VerifyFull;
                u.ssl_root_cert = Some(PathBuf::from("/etc/rma/ca bundle.pem"));
            }),
        ),
        (
            "postgres://rma@db.warehouse.lan/returns?connect_timeout=3",
            with(&|u| u.connect_timeout = Duration::from_secs(3)),
        ),
        (
            "postgres://rma@db.warehouse.lan/returns?application_name=bench%203&sslmode=require",
            with(&|u| {
                u.application_name = "bench 3".into();
                u.ssl_mode = SslMode::Require;
            }),
        ),
    ];
    for (text, expected) in &cases {
        check_parses(text, expected);
    }
}

/// What is wrong with the refusal of `text`, if anything.
fn check_refused(text: &str, column: usize, words: &str) -> Option<String> {
    match DatabaseUrl::parse(text) {
        Ok(url) => Some(format!("{text}: accepted as {url:?}")),
        Err(e) => {
            let message = e.to_string();
            let expected = format!("database URL, character {column}: ");
            (!message.starts_with(&expected) || !message.contains(words))
                .then(|| format!("{text}: {message:?}, expected {expected:?} and {words:?}"))
        }
    }
}

#[test]
fn a_url_that_cannot_be_used_is_refused_saying_what_is_wrong_and_where() {
    let cases: &[(&str, usize, &str)] = &[
        ("mysql://rma@db/returns", 1, "starts with postgres://"),
        ("db.warehouse.lan/returns", 1, "starts with postgres://"),
        ("", 1, "starts with postgres://"),
        ("postgres://db.warehouse.lan/returns", 12, "names no user"),
        ("postgres://@db.warehouse.lan/returns", 12, "names no user"),
        ("postgres://:pw@db.warehouse.lan/returns", 12, "names no user"),
        ("postgres://rma:@db/returns", 15, "the password is empty"),
        ("postgres://rma@/returns", 16, "names no host"),
        ("postgres://rma@db:/returns", 19, "the port \"\" is not a number"),
        ("postgres://rma@db:54x2/returns", 19, "the port \"54x2\""),
        ("postgres://rma@db:70000/returns", 19, "from 1 to 65535"),
        ("postgres://rma@db:0/returns", 19, "from 1 to 65535"),
        ("postgres://rma@db:+5432/returns", 19, "the port \"+5432\""),
        ("postgres://rma@db1,db2/returns", 19, "one host only"),
        ("postgres://rma@db!/returns", 18, "'!' cannot be in a host name"),
        ("postgres://rma@[::1/returns", 16, "closing ']'"),
        ("postgres://rma@[db]/returns", 17, "\"db\" is not an IPv6 address"),
        ("postgres://rma@[::1]x/returns", 21, "':PORT'"),
        ("postgres://rma@db", 18, "names no database"),
        ("postgres://rma@db/", 19, "names no database"),
        ("postgres://rma@db/returns/east", 26, "has no '/'"),
        ("postgres://rma@db/returns#top", 26, "#fragment"),
        ("postgres://rma@db/re turns", 21, "cannot be in a URL"),
        ("postgres://rma@db/returns%2", 26, "two hex digits"),
        ("postgres://rma@db/returns%zz", 26, "two hex digits"),
        ("postgres://rma@db/returns%ff", 19, "not UTF-8"),
        ("postgres://rma@db/returns?sslmode", 27, "has no value"),
        ("postgres://rma@db/returns?sslmode=", 35, "sslmode has no value"),
        ("postgres://rma@db/returns?sslmode=on", 35, "not one of disable, prefer, require, verify-full"),
        ("postgres://rma@db/returns?sslmode=verify-ca", 35, "sslmode=verify-ca is not offered"),
        ("postgres://rma@db/returns?sslmode=allow", 35, "use verify-full"),
        ("postgres://rma@db/returns?ssl=true", 27, "unknown parameter \"ssl\""),
        ("postgres://rma@db/returns?host=/tmp", 27, "the station knows sslmode, sslrootcert"),
        ("postgres://rma@db/returns?sslmode=require&sslmode=disable", 43, "sslmode is given twice"),
        ("postgres://rma@db/returns?sslmode=require&sslrootcert=ca.pem", 43, "only with sslmode=verify-full"),
        ("postgres://rma@db/returns?sslrootcert=ca.pem", 27, "with sslmode=prefer the server's certificate"),
        ("postgres://rma@db/returns?connect_timeout=0", 43, "from 1 to 3600"),
        ("postgres://rma@db/returns?connect_timeout=1.5", 43, "\"1.5\" is not a number of seconds"),
        ("postgres://rma@db/returns?connect_timeout=9999", 43, "from 1 to 3600"),
        ("postgres://rma@db/returns?application_name=b%C3%A9nch", 44, "printable ASCII"),
        (
            "postgres://rma@db/returns?application_name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            44,
            "at most 63",
        ),
        // Columns count characters: the 'é' before the bad port is one.
        ("postgres://rémy@db:x/returns", 20, "the port \"x\""),
    ];
    let wrong: Vec<String> =
        cases.iter().filter_map(|(text, column, words)| check_refused(text, *column, words)).collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_password_is_never_shown() {
    let secret = "Tr0ub4dor-and-3";
    let texts = [
        format!("postgres://rma:{secret}@db/returns"),
        format!("postgres://rma:{secret}@db/returns?sslmode=verify-full&sslrootcert=/ca.pem"),
    ];
    for text in &texts {
        let url = DatabaseUrl::parse(text).unwrap();
        assert_eq!(url.password.as_ref().map(Password::expose), Some(secret));
        for shown in [url.to_string(), format!("{url:?}"), DatabaseLocation::Postgres(url.clone()).to_string()] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
    // An error about the URL names the character, not the text around it.
    let refused = DatabaseUrl::parse(&format!("postgres://rma:{secret}@db:x/returns")).unwrap_err();
    assert!(!refused.to_string().contains(secret), "{refused}");
    let flag = LocationError::Flag(refused);
    assert!(!flag.to_string().contains(secret), "{flag}");
}

#[test]
fn display_writes_the_url_back_without_the_password_and_it_parses_to_the_same() {
    let cases: &[(&str, &str)] = &[
        ("postgresql://rma:pw@db.warehouse.lan/returns", "postgres://rma@db.warehouse.lan:5432/returns"),
        ("postgres://rma@[::1]:6000/returns?connect_timeout=10&sslmode=prefer", "postgres://rma@[::1]:6000/returns"),
        (
            "postgres://r%C3%A9my%40hq@db/returns%20east?application_name=bench%203&connect_timeout=4&\
             sslrootcert=/etc/rma/ca.pem&sslmode=verify-full",
            "postgres://r%C3%A9my%40hq@db:5432/returns%20east?sslmode=verify-full&sslrootcert=/etc/rma/ca.pem&\
             connect_timeout=4&application_name=bench%203",
        ),
        ("postgres://rma@db/returns?sslmode=disable", "postgres://rma@db:5432/returns?sslmode=disable"),
        // A '/' in a user name is escaped, or it would end the user and host part.
        ("postgres://ops%2Fbench@db/returns", "postgres://ops%2Fbench@db:5432/returns"),
    ];
    for (text, shown) in cases {
        let url = DatabaseUrl::parse(text).unwrap();
        assert_eq!(&url.to_string(), shown, "{text}");
        let mut without_password = url.clone();
        without_password.password = None;
        assert_eq!(DatabaseUrl::parse(shown).unwrap(), without_password, "{shown}");
    }
}

#[test]
fn the_password_comes_from_the_url_else_from_pgpassword() {
    let with = DatabaseUrl::parse("postgres://rma:from-url@db/returns").unwrap();
    let without = DatabaseUrl::parse("postgres://rma@db/returns").unwrap();
    let cases: &[(&DatabaseUrl, Option<&str>, Option<&str>)] = &[
        (&with, None, Some("from-url")),
        (&with, Some("from-env"), Some("from-url")),
        (&without, Some("from-env"), Some("from-env")),
        (&without, Some(""), None),
        (&without, None, None),
    ];
    for (url, pgpassword, expected) in cases {
        assert_eq!(url.password_or(*pgpassword), *expected, "{url} with PGPASSWORD {pgpassword:?}");
    }
}

#[test]
fn station_toml_names_the_database_or_nothing_and_refuses_what_it_does_not_know() {
    let file = Path::new("/data/station.toml");
    let accepted: &[(&str, Option<&str>)] = &[
        ("", None),
        ("# a bench of its own\n", None),
        (
            "database = \"postgres://rma@db.warehouse.lan/returns\"\n",
            Some("postgres://rma@db.warehouse.lan:5432/returns"),
        ),
        (
            "# the warehouse's server\ndatabase = 'postgres://rma@db/returns?sslmode=require'\n",
            Some("postgres://rma@db:5432/returns?sslmode=require"),
        ),
    ];
    for (text, expected) in accepted {
        let config = parse_station_config(file, text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(config.database.map(|url| url.to_string()).as_deref(), *expected, "{text:?}");
    }

    let refused: &[(&str, &str)] = &[
        (
            "databse = \"postgres://rma@db/returns\"\n",
            "/data/station.toml:1:1: unknown field `databse`, expected `database`",
        ),
        ("# comment\nstation = \"bench-2\"\n", "/data/station.toml:2:1: unknown field `station`"),
        ("database = 5432\n", "/data/station.toml:1:12: invalid type: integer `5432`, expected a string"),
        (
            "database = \"postgres://rma@db\"\n",
            "/data/station.toml:1:12: database URL, character 18: the URL names no database",
        ),
        ("database = \"postgres://rma@db/x\"\ndatabase = \"y\"\n", "/data/station.toml:2:1: duplicate key"),
        ("database = \n", "/data/station.toml:1:12: "),
    ];
    for (text, words) in refused {
        let e = parse_station_config(file, text).unwrap_err().to_string();
        assert!(e.starts_with(words), "{text:?}: {e:?} does not start with {words:?}");
    }
}

#[test]
fn the_flag_wins_then_station_toml_then_the_sqlite_file() {
    const IN_FILE: &str = "database = \"postgres://rma@db.warehouse.lan/returns\"\n";
    const FLAG: &str = "postgres://rma@other.lan/returns";
    enum Expected {
        Sqlite,
        Postgres(&'static str),
        Refused(&'static str),
    }
    let cases: &[(Option<&str>, Option<&str>, Expected)] = &[
        (None, None, Expected::Sqlite),
        (None, Some("# nothing\n"), Expected::Sqlite),
        (None, Some(IN_FILE), Expected::Postgres("postgres://rma@db.warehouse.lan:5432/returns")),
        (Some(FLAG), Some(IN_FILE), Expected::Postgres("postgres://rma@other.lan:5432/returns")),
        (Some(FLAG), None, Expected::Postgres("postgres://rma@other.lan:5432/returns")),
        // The flag overrides the file, even one that would be refused.
        (Some(FLAG), Some("bad key = 1\n"), Expected::Postgres("postgres://rma@other.lan:5432/returns")),
        (Some("postgres://rma@other.lan"), None, Expected::Refused("--database: database URL, character 25:")),
        (Some("/data/station.sqlite3"), None, Expected::Refused("--database: database URL, character 1:")),
        (None, Some("database = \"sqlite\"\n"), Expected::Refused("station.toml:1:12: database URL, character 1:")),
    ];
    for (flag, file, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        if let Some(text) = file {
            std::fs::write(station_config_path(dir.path()), text).unwrap();
        }
        let chosen = DatabaseLocation::choose(*flag, dir.path());
        let context = format!("flag {flag:?}, station.toml {file:?}");
        match (chosen, expected) {
            (Ok(DatabaseLocation::Sqlite(path)), Expected::Sqlite) => assert_eq!(path, database_path(dir.path())),
            (Ok(DatabaseLocation::Postgres(url)), Expected::Postgres(shown)) => {
                assert_eq!(url.to_string(), *shown, "{context}")
            }
            (Err(e), Expected::Refused(words)) => assert!(e.to_string().contains(words), "{context}: {e}"),
            (other, _) => panic!("{context}: {other:?}"),
        }
    }
}

#[test]
fn a_station_toml_that_cannot_be_read_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where the file should be: reading it fails with something other than "not found".
    std::fs::create_dir(station_config_path(dir.path())).unwrap();
    match DatabaseLocation::choose(None, dir.path()) {
        Err(LocationError::Unreadable { file, .. }) => assert_eq!(file, station_config_path(dir.path())),
        other => panic!("{other:?}"),
    }
}
