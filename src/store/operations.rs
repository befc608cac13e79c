//! Operations: every command that changes the record is one, written in the transaction that
//! makes its changes. Rows written carry the operation's number (`recorded_by`), and the audit
//! entries it writes link to it; `vetted log` and `vetted undo` read them back.

use crate::store::insert::Stored;
use crate::store::wire::Txn;
use std::sync::Mutex;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};

use super::entities::operation;
use super::transaction::Keep;
use crate::error::{Error, Result};

/// What an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An ordinary command.
    Change,
    /// `vetted undo` of the operation numbered so.
    Undo(i32),
    /// `import all`: a whole database restored with the log it carries.
    Restore,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Change => "change",
            Kind::Undo(_) => "undo",
            Kind::Restore => "restore",
        }
    }
}

pub const RESTORE: &str = "restore";
pub const UNDO: &str = "undo";

/// The operation a write transaction is part of.
#[derive(Debug)]
pub struct Op {
    /// Its number: what `recorded_by` and `retracted_by` hold.
    pub seq: i32,
    pub actor: String,
    /// The operation it undoes, said as it finishes (`finish`).
    undoes: Option<i32>,
    /// The one-line summary: the first change's, unless the command gives its own.
    summary: Mutex<Option<String>>,
}

impl Op {
    /// Takes `summary` as the operation's, unless it has one.
    pub fn summarise(&self, summary: &str) {
        let mut held = self.summary.lock().unwrap_or_else(|e| e.into_inner());
        if held.is_none() {
            *held = Some(summary.to_string());
        }
    }

    /// Gives the operation `summary`, whatever it had.
    pub fn set_summary(&self, summary: String) {
        *self.summary.lock().unwrap_or_else(|e| e.into_inner()) = Some(summary);
    }

    fn summary(&self) -> Option<String> {
        self.summary.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The last operation recorded at or before `moment` (0: none), for `--known-at`.
pub async fn last_at(conn: &impl ConnectionTrait, moment: chrono::DateTime<Utc>) -> Result<i32> {
    let mut query = operation::Entity::find()
        .select_only()
        .column(operation::Column::Seq);
    // A moment to come is now (MySQL's driver cannot even bind one after 2038).
    if moment < Utc::now() {
        query = query.filter(operation::Column::At.lte(moment));
    }
    Ok(query
        // By time (its index finds the last at once); operations are timed as they commit.
        .order_by_desc(operation::Column::At)
        .order_by_desc(operation::Column::Seq)
        .into_tuple::<i32>()
        .one(conn)
        .await?
        .unwrap_or(0))
}

/// The operation a reference names: its short handle (`#42`, or `42`: its number), or its id
/// or the start of it (at least 4 characters; ids start with `0`, so a number never is one).
pub async fn named(conn: &impl ConnectionTrait, reference: &str) -> Result<operation::Model> {
    let text = reference.trim();
    let handle = text.strip_prefix('#').unwrap_or(text);
    if !handle.is_empty()
        && !handle.starts_with('0')
        && handle.len() <= 9
        && handle.bytes().all(|b| b.is_ascii_digit())
    {
        let seq: i32 = handle.parse().unwrap_or(0);
        return operation::Entity::find_by_id(seq)
            .one(conn)
            .await?
            .ok_or_else(|| Error::NotFound {
                kind: "operation",
                reference: reference.to_string(),
                within: None,
                candidates: Vec::new(),
            });
    }
    let prefix = text.to_ascii_lowercase();
    if prefix.len() < 4 || !prefix.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Error::invalid(
            "operation",
            format!("'{reference}' is not an operation (#42, or an id from `vetted log`)"),
        ));
    }
    let found = operation::Entity::find()
        .filter(operation::Column::Id.starts_with(prefix.as_str()))
        .order_by_asc(operation::Column::Seq)
        .all(conn)
        .await?;
    if found.len() > 1 {
        return Err(Error::Ambiguous {
            kind: "operation",
            reference: reference.to_string(),
            candidates: found
                .iter()
                .take(5)
                .map(|o| format!("#{} {} {}", o.seq, o.id, o.summary))
                .collect(),
        });
    }
    found.into_iter().next().ok_or_else(|| Error::NotFound {
        kind: "operation",
        reference: reference.to_string(),
        within: None,
        candidates: Vec::new(),
    })
}

/// Starts an operation in `txn`, before any of its changes.
pub async fn begin(conn: &Txn, actor: &str, command: &str, kind: Kind) -> Result<Op> {
    let inserted = operation::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        at: Set(crate::store::now()),
        actor: Set(actor.to_string()),
        command: Set(command.to_string()),
        summary: Set(String::new()),
        kind: Set(kind.name().to_string()),
        // Said as it finishes: the unique key on `undoes` then refuses the second of two undos
        // of one operation after its body found nothing in the way, and the rerun of that
        // transaction says who came first (`undo::admissible`).
        undoes: Set(None),
        ..Default::default()
    }
    .stored(conn)
    .await?;
    Ok(Op {
        seq: inserted.seq,
        actor: actor.to_string(),
        undoes: match kind {
            Kind::Undo(seq) => Some(seq),
            _ => None,
        },
        summary: Mutex::new(None),
    })
}

/// Ends an operation before its transaction commits: its time becomes now (so that operations
/// are in time order as they commit) with its summary. An operation that recorded no change is
/// to be rolled back whole: a command that changed nothing leaves nothing, not even an
/// operation.
pub async fn finish(conn: &impl ConnectionTrait, op: &Op) -> Result<Keep> {
    let Some(summary) = op.summary() else {
        return Ok(Keep::Discard);
    };
    let finished = operation::Entity::update_many()
        .col_expr(operation::Column::At, Expr::value(crate::store::now()))
        .col_expr(operation::Column::Summary, Expr::value(summary))
        .col_expr(operation::Column::Undoes, Expr::value(op.undoes))
        .filter(operation::Column::Seq.eq(op.seq))
        .build(conn.get_database_backend());
    Ok(Keep::CommitAfter(finished))
}

/// The command line, quoted as a shell would take it back, with every database URL's passwords
/// masked (`connect::redact`): the value of `--db`, and any argument that looks like a URL. The
/// program is named `vetted` whatever path started it. An argument longer than
/// `COMMAND_WORD_CHARS` is cut (ending in `…`): a note's 64 KiB body is in the operation's
/// changes already, and the line stays within every backend's text column.
pub fn masked_command_line(args: impl Iterator<Item = String>) -> String {
    let mut after_db = false;
    let words: Vec<String> = args
        .enumerate()
        .map(|(i, arg)| {
            let word = if i == 0 {
                "vetted".to_string()
            } else if let Some(url) = arg.strip_prefix("--db=") {
                format!("--db={}", super::connect::redact(url))
            } else if after_db || arg.contains("://") {
                super::connect::redact(&arg)
            } else {
                arg
            };
            after_db = word == "--db";
            cut(word, COMMAND_WORD_CHARS)
        })
        .collect();
    cut(shell_words::join(words), COMMAND_LINE_CHARS)
}

/// Characters of one argument, and of the whole line, an operation records.
const COMMAND_WORD_CHARS: usize = 200;
const COMMAND_LINE_CHARS: usize = 4_000;

fn cut(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// A recorded command line with every database password masked, as `masked_command_line`
/// records one: for a command line that did not come from this vetted (a restored backup's).
pub fn masked(line: &str) -> String {
    match shell_words::split(line) {
        Ok(words) if !words.is_empty() => masked_command_line(words.into_iter()),
        // Not a line a shell takes back: each word that looks like a URL is masked as it is.
        _ => line
            .split(' ')
            .map(|word| {
                if word.contains("://") {
                    super::connect::redact(word)
                } else {
                    word.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::{masked, masked_command_line};

    fn line(args: &[&str]) -> String {
        masked_command_line(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn a_long_argument_is_recorded_cut() {
        let body = "x".repeat(65_536);
        let recorded = line(&["vetted", "note", "add", &body]);
        assert_eq!(recorded, format!("vetted note add {}…", "x".repeat(200)));
        let many: Vec<String> = (0..2_000).map(|i| format!("--capability=c{i}")).collect();
        let mut args = vec!["vetted".to_string()];
        args.extend(many);
        let recorded = masked_command_line(args.into_iter());
        assert_eq!(recorded.chars().count(), 4_001);
        assert!(recorded.ends_with('…'));
    }

    #[test]
    fn the_recorded_command_line_masks_every_password() {
        assert_eq!(
            line(&[
                "/usr/bin/vetted",
                "--db",
                "postgres://ann:s3cret@db/team",
                "buyer",
                "list"
            ]),
            "vetted --db 'postgres://ann:***@db/team' buyer list"
        );
        assert_eq!(
            line(&["vetted", "--db=mysql://root:pw@h/x?sslpassword=k", "log"]),
            "vetted '--db=mysql://root:***@h/x?sslpassword=***' log"
        );
        // Arguments are quoted as a shell takes them back.
        assert_eq!(
            line(&["vetted", "supplier", "add", "Lumina Tech", "--note", "it's"]),
            "vetted supplier add 'Lumina Tech' --note 'it'\\''s'"
        );
        assert_eq!(
            line(&["vetted", "--db", "team.db", "log"]),
            "vetted --db team.db log"
        );
    }

    #[test]
    fn a_restored_command_line_is_masked_again() {
        assert_eq!(
            masked("vetted --db 'postgres://ann:s3cret@db/team' buyer list"),
            "vetted --db 'postgres://ann:***@db/team' buyer list"
        );
        assert_eq!(
            masked("vetted --db=mysql://root:pw@h/x log"),
            "vetted '--db=mysql://root:***@h/x' log"
        );
        assert_eq!(
            masked("vetted 'unclosed mysql://a:b@h/x"),
            "vetted 'unclosed mysql://a:***@h/x"
        );
        assert_eq!(masked(""), "");
    }
}
