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
#[test]
fn a_server_database_behind_the_binary_asks_for_db_migrate() {
    crate::support::each_backend(a_server_database_behind_the_binary_asks_for_db_migrate_on);
}

fn a_server_database_behind_the_binary_asks_for_db_migrate_on() {
    let db = Db::new();
    let Some(server) = &db.server else { return };
    // Make a second, empty database next to the test's.
    let empty = crate::support::ServerDb::create_like(server);
    let out = vetted()
        .args(["--db", &empty.url, "buyer", "list"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(69), "{stderr}");
    assert!(stderr.contains("run `vetted db migrate`"), "{stderr}");
    let status = vetted()
        .args(["--db", &empty.url, "db", "status", "--format", "json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status[0]["state"], "pending");
    assert!(
        vetted()
            .args(["--db", &empty.url, "db", "migrate"])
            .status()
            .unwrap()
            .success()
    );
    assert!(
        vetted()
            .args(["--db", &empty.url, "buyer", "list"])
            .status()
            .unwrap()
            .success()
    );
}

/// The certificate the local PostgreSQL serves: self-signed, for `localhost`.
const SNAKEOIL: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";

/// `scheme://user@host:port/db` with another host and a password.
fn with_host_and_password(url: &str, host: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (userinfo, location) = rest.split_once('@').unwrap();
    let user = userinfo.split(':').next().unwrap();
    let (_, port_and_path) = location.split_once(':').unwrap();
    format!("{scheme}://{user}:{password}@{host}:{port_and_path}")
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
/// does not match the given root is refused with 69, the password masked.
fn tls_is_required_and_verified(
    db: &Db,
    required: &str,
    verified: &str,
    root_option: &str,
    wrong_name_host: &str,
) {
    let url = db.url();
    let (base, _) = url.split_once('?').unwrap_or((&url, ""));
    let pw = "s3cret-pw";
    let tls = |host: &str, query: &str| format!("{}?{query}", with_host_and_password(base, host, pw));
    let (code, _, stderr) = run_on(&tls("127.0.0.1", required), &["buyer", "add", "Over TLS"]);
    assert_eq!(code, Some(0), "{stderr}");
    let trusted = format!("{verified}&{root_option}={SNAKEOIL}");
    let (code, stdout, stderr) = run_on(&tls("localhost", &trusted), &["buyer", "list"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("Over TLS"), "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    let wrong_root = format!("{verified}&{root_option}={}", unrelated_root(dir.path()));
    let wrong_name = format!("{verified}&{root_option}={SNAKEOIL}");
    for url in [tls("localhost", &wrong_root), tls(wrong_name_host, &wrong_name)] {
        let (code, stdout, stderr) = run_on(&url, &["buyer", "list"]);
        assert_eq!(code, Some(69), "{url}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains("certificate"), "{url}: {stderr}");
        assert!(!stderr.contains(pw), "the password was printed: {stderr}");
    }
}

#[test]
#[cfg_attr(
    not(vetted_test_postgres),
    ignore = "skipped: PostgreSQL runs of the suite need VETTED_TEST_POSTGRES_URL"
)]
fn postgresql_over_tls() {
    let db = Db::on(&Backend::Postgres(url("VETTED_TEST_POSTGRES_URL")));
    tls_is_required_and_verified(
        &db,
        "sslmode=require",
        "sslmode=verify-full",
        "sslrootcert",
        "127.0.0.1",
    );
}
