//! Connecting to PostgreSQL (issue 16), against the real test server (`tests/support/pg.rs`): every sslmode as
//! the server sees it, certificates refused for the right reason, and each way a connection fails said in the
//! station's words, naming the server and the database but never the password.

use std::net::{SocketAddr, TcpListener, TcpStream};

use rma_station::storage::StoreError;
use rma_station::storage::location::DatabaseUrl;
use rma_station::storage::postgres::connect::connect;

use crate::support::pg;

/// The test server's URL for database `name` with `query` appended.
fn server_url(database: &pg::TestDatabase, query: &str) -> String {
    let mut url = DatabaseUrl::parse(database.url()).unwrap();
    url.database = "postgres".to_owned();
    let base = url.to_string();
    if query.is_empty() { base } else { format!("{base}?{query}") }
}

/// Whether the session runs over TLS, as the server sees it.
fn encrypted(client: &mut postgres::Client) -> bool {
    client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0)
}

/// The connection's failure, as the station words it.
#[track_caller]
fn refusal(url: &str) -> String {
    match connect(&DatabaseUrl::parse(url).unwrap()) {
        Ok(_) => panic!("{url}: connected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn each_sslmode_connects_as_it_says() {
    let Some(database) = pg::database() else { return };
    let Some((ca, _)) = pg::certificate_authorities() else { return };
    // The harness's database is a fresh one of this test's own.
    let name: String = database.connect().query_one("SELECT current_database()::text", &[]).unwrap().get(0);
    assert!(name.starts_with("rma_test_"), "{name}");
    let port = database.parsed().port;
    let ca = ca.display();
    // (URL query, host, whether the session is encrypted)
    let cases: &[(String, &str, bool)] = &[
        ("sslmode=disable".into(), "127.0.0.1", false),
        // prefer, the default: TLS where the server offers it, as this one does.
        (String::new(), "127.0.0.1", true),
        ("sslmode=prefer".into(), "127.0.0.1", true),
        ("sslmode=require".into(), "127.0.0.1", true),
        // require checks nothing of the certificate: 127.0.0.2 is not a name the certificate holds.
        ("sslmode=require".into(), "127.0.0.2", true),
        (format!("sslmode=verify-full&sslrootcert={ca}"), "127.0.0.1", true),
        (format!("sslmode=verify-full&sslrootcert={ca}"), "localhost", true),
    ];
    for (query, host, tls) in cases {
        let mut url = DatabaseUrl::parse(&server_url(&database, query)).unwrap();
        url.host = (*host).to_owned();
        url.port = port;
        let mut client = connect(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(encrypted(&mut client), *tls, "{url}");
        let name: String = client.query_one("SELECT current_setting('application_name')", &[]).unwrap().get(0);
        assert_eq!(name, "rma-station", "{url}");
    }
}

#[test]
fn verify_full_refuses_a_certificate_from_another_ca_or_for_another_name() {
    let Some(database) = pg::database() else { return };
    let Some((ca, other_ca)) = pg::certificate_authorities() else { return };
    let port = database.parsed().port;
    let cases: &[(String, &[&str])] = &[
        (
            format!("postgres://rma@127.0.0.1:{port}/postgres?sslmode=verify-full&sslrootcert={}", other_ca.display()),
            &["127.0.0.1:", "not signed by a CA this bench trusts", "other-ca.pem"],
        ),
        (
            format!("postgres://rma@127.0.0.2:{port}/postgres?sslmode=verify-full&sslrootcert={}", ca.display()),
            &["127.0.0.2:", "does not name \"127.0.0.2\"", "refused"],
        ),
    ];
    for (url, words) in cases {
        let message = refusal(url);
        assert!(message.contains("cannot connect to the database \"postgres\""), "{message}");
        for word in *words {
            assert!(message.contains(word), "{url}: {message:?} does not say {word:?}");
        }
    }
}

#[test]
fn a_root_certificate_file_that_cannot_be_used_is_named() {
    let Some(database) = pg::database() else { return };
    let port = database.parsed().port;
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("not-pem.pem");
    std::fs::write(&not_pem, "just words\n").unwrap();
    let missing = dir.path().join("missing.pem");
    for (file, words) in [(&not_pem, "holds no certificate"), (&missing, "cannot be read")] {
        let url =
            format!("postgres://rma@127.0.0.1:{port}/postgres?sslmode=verify-full&sslrootcert={}", file.display());
        match connect(&DatabaseUrl::parse(&url).unwrap()) {
            Err(StoreError::Io { path, what }) => {
                assert_eq!(&path, file);
                assert!(what.contains(words), "{what}");
            }
            Err(other) => panic!("{url}: {other:?}"),
            Ok(_) => panic!("{url}: connected"),
        }
    }
}

#[test]
fn a_password_user_connects_with_its_password_and_is_refused_without_it_the_password_never_shown() {
    let Some(database) = pg::database() else { return };
    let Some(password_url) = pg::password_url() else { return };
    let good = DatabaseUrl::parse(&password_url).unwrap();
    let password = good.password.clone().unwrap();
    let mut client = connect(&good).unwrap_or_else(|e| panic!("{good}: {e}"));
    let user: String = client.query_one("SELECT current_user::text", &[]).unwrap().get(0);
    assert_eq!(user, good.user);

    let wrong = "not-the-Password-42";
    let mut with_wrong = good.clone();
    with_wrong.password = Some(rma_station::storage::location::Password::new(wrong));
    let mut without = good.clone();
    without.password = None;
    let port = database.parsed().port;
    let cases: &[(&DatabaseUrl, &[&str])] = &[
        (&with_wrong, &[&format!("at 127.0.0.1:{port} as user \"{}\"", good.user), "refused the password"]),
        (&without, &["asks for a password and none was given"]),
    ];
    for (url, words) in cases {
        // PGPASSWORD would stand in for a missing password: the run's environment must not set it.
        if url.password.is_none() && std::env::var_os("PGPASSWORD").is_some() {
            continue;
        }
        let message = match connect(url) {
            Ok(_) => panic!("{url}: connected"),
            Err(e) => e.to_string(),
        };
        for word in *words {
            assert!(message.contains(word), "{message:?} does not say {word:?}");
        }
        assert!(!message.contains(wrong) && !message.contains(password.expose()), "{message}");
    }
}

#[test]
fn an_unknown_database_is_named_with_what_to_do() {
    let Some(database) = pg::database() else { return };
    let port = database.parsed().port;
    let message = refusal(&format!("postgres://rma@127.0.0.1:{port}/no_such_returns?sslmode=disable"));
    assert!(
        message.contains(&format!(
            "cannot connect to the database \"no_such_returns\" at 127.0.0.1:{port} as user \"rma\": the server has \
             no database \"no_such_returns\": create it"
        )),
        "{message}"
    );
}

#[test]
fn a_server_that_is_down_is_refused_at_once_with_a_clear_message() {
    // No server needed: this one runs everywhere.
    // A port that was just free: nothing listens there any more, as when the server is stopped.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let message = refusal(&format!("postgres://rma@127.0.0.1:{port}/returns?connect_timeout=5"));
    assert_eq!(
        message,
        format!(
            "database error: cannot connect to the database \"returns\" at 127.0.0.1:{port} as user \"rma\": the \
             connection was refused: is PostgreSQL running there, and listening on that port?"
        )
    );
}

#[test]
fn a_server_that_does_not_answer_is_given_up_after_the_connect_timeout() {
    // No server needed: this one runs everywhere.
    // A listener whose queue of connections is full: the kernel drops further SYNs unanswered, as a host that is
    // down or a cut network does. (Linux: a backlog of 0 admits one connection nobody accepts.)
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into()).unwrap();
    socket.listen(0).unwrap();
    let address = socket.local_addr().unwrap().as_socket().unwrap();
    let _filler = TcpStream::connect(address).unwrap();
    let message = refusal(&format!("postgres://rma@127.0.0.1:{}/returns?connect_timeout=1", address.port()));
    assert!(
        message.ends_with("no answer within 1 s: is the server up, and the network between this bench and it working?"),
        "{message}"
    );
}
