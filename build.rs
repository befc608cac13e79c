//! Generates the name normaliser's tables (`build/legal_forms.rs`), and tells the test suite which
//! database servers it was built to run against, so that `cargo test` lists the server runs it
//! skips (as ignored tests with a reason) instead of passing silently.

#[path = "build/legal_forms.rs"]
mod legal_forms;

fn main() {
    let out_dir = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    legal_forms::generate(
        std::path::Path::new("data/iso-20275/elf-code-list-2023-09-28.csv"),
        &out_dir,
    );
    for (var, cfg) in [
        ("VETTED_TEST_POSTGRES_URL", "vetted_test_postgres"),
        ("VETTED_TEST_MYSQL_URL", "vetted_test_mysql"),
        // PgBouncer in transaction mode in front of the PostgreSQL server (with
        // VETTED_TEST_POSTGRES_URL, through which each test's database is made).
        ("VETTED_TEST_PGBOUNCER_URL", "vetted_test_pgbouncer"),
        // The nodes of a MariaDB Galera cluster, comma-separated (`scripts/galera-up`).
        ("VETTED_TEST_GALERA_URLS", "vetted_test_galera"),
        // Set (by `.ci/run`) when that MySQL/MariaDB server serves TLS.
        ("VETTED_TEST_MYSQL_TLS", "vetted_test_mysql_tls"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if std::env::var(var).is_ok_and(|value| !value.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
