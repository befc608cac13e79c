//! The server runs of the suite: each scenario elsewhere runs on SQLite and, when these URLs are
//! set, on PostgreSQL and MariaDB too. Without a URL the matching test here is listed as ignored,
//! so `cargo test` says which backends it skipped.

use crate::support::{Backend, Db, server_sql, vetted};

fn url(var: &str) -> String {
    std::env::var(var)
        .unwrap_or_else(|_| panic!("{var} was set when the tests were built; set it to run them"))
}

/// A server URL with its password replaced.
fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (userinfo, host) = rest.split_once('@').unwrap();
    let user = userinfo.split(':').next().unwrap();
    format!("{scheme}://{user}:{password}@{host}")
}

fn failures_are_quick_and_never_show_the_password(url: &str) {
    // A closed port: refused at once, reported within seconds.
    let (scheme, rest) = url.split_once("://").unwrap();
    let (userinfo, _) = rest.split_once('@').unwrap();
    let unreachable = format!("{scheme}://{userinfo}:s3cret-pw@127.0.0.1:1/nowhere");
    let started = std::time::Instant::now();
    let out = vetted()
        .args(["--db", &unreachable, "buyer", "list"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(69), "{stderr}");
    assert!(started.elapsed().as_secs() < 10, "took {:?}", started.elapsed());
    assert!(stderr.contains("cannot open database"), "{stderr}");
    assert!(
        !stderr.contains("s3cret-pw"),
        "the password was printed: {stderr}"
    );
    assert!(stderr.contains(":***@"), "{stderr}");
}

#[test]
#[cfg_attr(
    not(vetted_test_postgres),
    ignore = "skipped: PostgreSQL runs of the suite need VETTED_TEST_POSTGRES_URL"
)]
fn postgresql_runs_the_suite() {
    let url = url("VETTED_TEST_POSTGRES_URL");
    assert_eq!(server_sql(&url, "SELECT 1").len(), 1);
    failures_are_quick_and_never_show_the_password(&url);
}

#[test]
#[cfg_attr(
    not(vetted_test_mysql),
    ignore = "skipped: MariaDB/MySQL runs of the suite need VETTED_TEST_MYSQL_URL"
)]
fn mysql_runs_the_suite() {
    let url = url("VETTED_TEST_MYSQL_URL");
    assert_eq!(server_sql(&url, "SELECT 1").len(), 1);
    failures_are_quick_and_never_show_the_password(&url);
    // A wrong password is refused by the server: 69, and the password stays hidden.
    let wrong = with_password(&url, "not-the-password");
    let out = vetted().args(["--db", &wrong, "buyer", "list"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(69), "{stderr}");
    assert!(!stderr.contains("not-the-password"), "{stderr}");
}

/// Server schemas never migrate implicitly: a new database points the user to `db migrate`.
fn a_server_database_behind_the_binary_asks_for_db_migrate() {
    let db = Db::new();
    let Some(server) = &db.server else { return };
    // Make a second, empty database next to the test's.
    let empty = crate::support::ServerDb::create_like(server);
    let out = vetted()
        .args(["--db", &empty.target, "buyer", "list"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(69), "{stderr}");
    assert!(stderr.contains("run `vetted db migrate`"), "{stderr}");
    let status = vetted()
        .args(["--db", &empty.target, "db", "status", "--format", "json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status[0]["state"], "pending");
    assert!(
        vetted()
            .args(["--db", &empty.target, "db", "migrate"])
            .status()
            .unwrap()
            .success()
    );
    assert!(
        vetted()
            .args(["--db", &empty.target, "buyer", "list"])
            .status()
            .unwrap()
            .success()
    );
}
every_backend!(a_server_database_behind_the_binary_asks_for_db_migrate);

/// The certificate the local PostgreSQL serves: self-signed, for `localhost`.
const SNAKEOIL: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";

/// `scheme://user@host:port/db` with another host.
fn with_host(url: &str, host: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (userinfo, location) = rest.split_once('@').unwrap();
    let (_, port_and_path) = location.split_once(':').unwrap();
    format!("{scheme}://{userinfo}@{host}:{port_and_path}")
}

/// A self-signed certificate for `localhost` that no server uses: a wrong root.
fn unrelated_root(dir: &std::path::Path) -> String {
    let cert = dir.join("other-root.pem");
    let status = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(dir.join("other-root.key"))
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
    cert.to_str().unwrap().to_string()
}

/// Runs a command against `url`; returns (exit code, stdout, stderr).
fn run_on(url: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = vetted().args(["--db", url]).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// TLS works when asked for and verifies the server when told to; a server whose certificate
/// does not match the given root or name is refused with 69, the password masked; a root file
/// that does not exist is named (66).
fn tls_is_required_and_verified(db: &Db, required: &str, verified: &str, root_option: &str) {
    let url = db.url();
    let base = url.split_once('?').map_or(url.as_str(), |(base, _)| base);
    let tls = |host: &str, query: &str| format!("{}?{query}", with_host(base, host));
    let (code, _, stderr) = run_on(&tls("127.0.0.1", required), &["buyer", "add", "Over TLS"]);
    assert_eq!(code, Some(0), "{stderr}");
    let trusted = format!("{verified}&{root_option}={SNAKEOIL}");
    let (code, stdout, stderr) = run_on(&tls("localhost", &trusted), &["buyer", "list"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("Over TLS"), "{stdout}");

    // The certificate is refused before any password is sent; it is masked all the same.
    let pw = "s3cret-pw";
    let refused = |host: &str, query: &str| format!("{}?{query}", with_password(&with_host(base, host), pw));
    let dir = tempfile::tempdir().unwrap();
    let wrong_root = format!("{verified}&{root_option}={}", unrelated_root(dir.path()));
    for url in [refused("localhost", &wrong_root), refused("127.0.0.1", &trusted)] {
        let (code, stdout, stderr) = run_on(&url, &["buyer", "list"]);
        assert_eq!(code, Some(69), "{url}: {stderr}");
        assert!(stdout.is_empty());
        assert!(
            stderr.contains("TLS certificate was not accepted"),
            "{url}: {stderr}"
        );
        assert!(stderr.contains(root_option), "{url}: {stderr}");
        assert!(!stderr.contains(pw), "the password was printed: {stderr}");
    }
    let missing = format!("{verified}&{root_option}=/nowhere/root.pem");
    let (code, _, stderr) = run_on(&refused("localhost", &missing), &["buyer", "list"]);
    assert_eq!(code, Some(66), "{stderr}");
    assert!(stderr.contains("/nowhere/root.pem"), "{stderr}");
    assert!(!stderr.contains(pw), "the password was printed: {stderr}");
}

#[test]
#[cfg_attr(
    not(vetted_test_postgres),
    ignore = "skipped: PostgreSQL runs of the suite need VETTED_TEST_POSTGRES_URL"
)]
fn postgresql_over_tls() {
    let db = Db::on(&Backend::Postgres(url("VETTED_TEST_POSTGRES_URL")));
    tls_is_required_and_verified(&db, "sslmode=require", "sslmode=verify-full", "sslrootcert");
}

/// `.ci/run` turns TLS on in the local MariaDB (with the same key pair as PostgreSQL's) and sets
/// `VETTED_TEST_MYSQL_TLS`.
#[test]
#[cfg_attr(
    not(all(vetted_test_mysql, vetted_test_mysql_tls)),
    ignore = "skipped: MySQL TLS runs need VETTED_TEST_MYSQL_URL and VETTED_TEST_MYSQL_TLS (.ci/run sets it)"
)]
fn mysql_over_tls() {
    let db = Db::on(&Backend::Mysql(url("VETTED_TEST_MYSQL_URL")));
    tls_is_required_and_verified(&db, "ssl-mode=REQUIRED", "ssl-mode=VERIFY_IDENTITY", "ssl-ca");
}

/// A server URL's own mistakes are bad input (65) naming what is wrong, found before any
/// connection: a TLS mode that does not exist, a port that is no number, a broken IPv6 address.
/// (They were 69, with the driver's words.)
#[test]
fn a_server_url_with_a_mistake_is_bad_input() {
    for (url, says) in [
        (
            "postgres://postgres@127.0.0.1:5432/test?sslmode=bogus",
            "sslmode=bogus is not a TLS mode",
        ),
        (
            "mysql://root@127.0.0.1:3306/test?ssl-mode=bogus",
            "ssl-mode=bogus is not a TLS mode",
        ),
        (
            "postgres://postgres:pw@127.0.0.1:99999/test",
            "invalid port number",
        ),
        ("postgres://postgres@[::1:5432/test", "invalid IPv6 address"),
        ("mysql://root@127.0.0.1:33x06/test", "invalid port number"),
    ] {
        let out = vetted().args(["--db", url, "buyer", "list"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(65), "{url}: {stderr}");
        assert!(
            stderr.contains("db: ") && stderr.contains(says),
            "{url}: {stderr}"
        );
        assert!(!stderr.contains("pw@"), "{stderr}");
    }
}

/// Startup options the server refuses are the URL's mistake (65), not "a bug in vetted"; a
/// statement the server cancels (its time limit set through them) is said as such (69).
#[test]
#[cfg_attr(
    not(vetted_test_postgres),
    ignore = "skipped: PostgreSQL runs of the suite need VETTED_TEST_POSTGRES_URL"
)]
fn postgresql_options_in_the_url() {
    let db = Db::on(&Backend::Postgres(url("VETTED_TEST_POSTGRES_URL")));
    let base = db.server.as_ref().unwrap().url.clone();
    for options in ["bogus", "-c%20no_such_setting%3D1", "-c%20lock_timeout%3Dforever"] {
        let target = format!("{base}?options={options}");
        let out = vetted()
            .args(["--db", &target, "buyer", "list"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(65), "{options}: {stderr}");
        assert!(stderr.contains("db: ") && stderr.contains("options="), "{stderr}");
        assert!(!stderr.contains("bug in vetted"), "{stderr}");
    }
    db.ok(&["buyer", "add", "Aurora Solar"]);
    let target = format!("{base}?options=-c%20statement_timeout%3D1");
    let out = vetted()
        .args(["--db", &target, "report", "status"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        assert_eq!(out.status.code(), Some(69), "{stderr}");
        assert!(stderr.contains("cancelled a statement"), "{stderr}");
    }
    // A harmless setting works.
    let target = format!("{base}?options=-c%20application_name%3Dvetted");
    let out = vetted()
        .args(["--db", &target, "buyer", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A MariaDB database made in latin1 is refused by `db migrate`, which names utf8mb4: migrated,
/// it refused every Chinese name as "too long".
#[test]
#[cfg_attr(
    not(vetted_test_mysql),
    ignore = "skipped: MariaDB/MySQL runs of the suite need VETTED_TEST_MYSQL_URL"
)]
fn a_latin1_mariadb_database_is_refused_naming_utf8mb4() {
    let admin = url("VETTED_TEST_MYSQL_URL");
    let name = format!("vetted_latin1_{}", std::process::id());
    server_sql(&admin, &format!("DROP DATABASE IF EXISTS `{name}`"));
    server_sql(&admin, &format!("CREATE DATABASE `{name}` CHARACTER SET latin1"));
    let (base, _) = admin.rsplit_once('/').unwrap();
    let target = format!("{base}/{name}");
    let out = vetted()
        .args(["--db", &target, "db", "migrate"])
        .output()
        .unwrap();
    let tables = server_sql(
        &admin,
        &format!("SELECT table_name FROM information_schema.tables WHERE table_schema = '{name}'"),
    );
    server_sql(&admin, &format!("DROP DATABASE IF EXISTS `{name}`"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(69), "{stderr}");
    assert!(
        stderr.contains("utf8mb4") && stderr.contains("latin1"),
        "{stderr}"
    );
    assert!(tables.is_empty(), "db migrate made tables in a latin1 database");
}
