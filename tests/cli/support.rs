//! A fresh database per test and helpers to run the binary against it.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

pub struct Db {
    /// Kept so the folder lives as long as the test's database.
    _dir: TempDir,
    pub path: PathBuf,
}

pub fn vetted() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vetted"));
    cmd.env_remove("VETTED_DB")
        .env_remove("VETTED_ACTOR")
        .env_remove("NO_COLOR")
        .env("USER", "tester");
    cmd
}

impl Db {
    pub fn new() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("vetted.db");
        Db { _dir: dir, path }
    }

    /// Writes a file next to the database and returns its path.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.path.with_file_name(name);
        std::fs::write(&path, contents).expect("write test file");
        path.to_str().expect("UTF-8 path").to_string()
    }

    /// Runs `vetted --db <this database> args...`.
    pub fn run(&self, args: &[&str]) -> Output {
        vetted()
            .arg("--db")
            .arg(&self.path)
            .args(args)
            .output()
            .expect("run vetted")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "vetted {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// Runs a command that must fail with `code`; returns its stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(code),
            "vetted {args:?}: expected exit {code}, stderr: {stderr}"
        );
        assert!(
            out.stdout.is_empty(),
            "a failing command printed to stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        stderr
    }

    /// Runs a command with `--format json` and parses its output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        serde_json::from_str(&self.ok(&all)).expect("JSON output")
    }

    /// Everything a user can list, to show that a failed command wrote nothing.
    pub fn snapshot(&self) -> Value {
        serde_json::json!({
            "buyers": self.json(&["buyer", "list"]),
            "suppliers": self.json(&["supplier", "list", "--all"]),
            "sites": self.json(&["site", "list"]),
            "visits": self.json(&["visit", "list"]),
            "notes": self.json(&["note", "list"]),
            "deals": self.json(&["deal", "list"]),
            "history": self.json(&["history"]),
        })
    }

    /// Asserts that a command fails with `code`, names `field` in its message, and writes nothing.
    pub fn refuses(&self, args: &[&str], code: i32, field: &str) -> String {
        let before = self.snapshot();
        let stderr = self.fails(args, code);
        assert!(
            stderr.contains(field),
            "vetted {args:?}: message does not name '{field}': {stderr}"
        );
        assert_eq!(
            self.snapshot(),
            before,
            "vetted {args:?} failed but changed the database"
        );
        stderr
    }

    /// Two buyers, a competitor, and two suppliers: the usual starting point.
    pub fn seeded() -> Db {
        let db = Db::new();
        db.ok(&["buyer", "add", "Aurora Solar", "--note", "HJT line team"]);
        db.ok(&["buyer", "add", "Borealis PV"]);
        db.ok(&["buyer", "add", "Helios Energy", "--external"]);
        db.ok(&[
            "supplier",
            "add",
            "Lumina Heterojunction Equipment Co., Ltd.",
            "--native-name",
            "苏州卢米纳异质结装备有限公司",
            "--alias",
            "Lumina",
            "--country",
            "China",
            "--province",
            "Jiangsu",
            "--city",
            "Suzhou",
            "--capability",
            "hjt-full-line",
            "--capability",
            "PECVD",
        ]);
        db.ok(&[
            "supplier",
            "add",
            "Maxwell PVD GmbH",
            "--country",
            "DE",
            "--capability",
            "pvd",
        ]);
        db.ok(&[
            "site",
            "add",
            "Lumina",
            "Suzhou Plant 2",
            "--city",
            "Suzhou",
            "--lines",
            "4",
        ]);
        db
    }
}

pub fn array_len(value: &Value) -> usize {
    value.as_array().expect("a JSON array").len()
}
