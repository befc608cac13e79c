//! The connection a command talks to its database through.
//!
//! SQLite uses sea-orm's own connection (and so do migrations, which open one for themselves:
//! `schema::migrate`). A command on a server — PostgreSQL or MySQL/MariaDB — uses [`Wire`]: one
//! connection, over which every statement is sent as text with its values written in
//! (PostgreSQL's simple query protocol, MySQL's `COM_QUERY` with several statements to a
//! message). A statement then costs one round trip — a prepared one costs two, prepare then
//! execute — and leaves nothing behind on the server connection, which is what a pooler in
//! transaction mode (PgBouncer) needs: it may hand each transaction, or each statement outside
//! one, another server connection.
//!
//! A write transaction on the wire begins with its first statement (`BEGIN; …` in one message),
//! so it costs no round trip of its own. A transaction dropped without commit or rollback is
//! rolled back at the start of the next message. The schema check is a [`Gate`]: it goes out
//! first in the command's first message, and nothing read in that message is used before it
//! passes.
//!
//! On MySQL the session settings the driver would set in a round trip of its own after login
//! (`MYSQL_SESSION`) go out at the head of the first message instead.
//!
//! Values are written in by sea-query's writer for the backend, and nothing else formats values
//! into SQL: PostgreSQL's quotes strings as `E'…'` with every quote and backslash escaped
//! whatever the server's settings; MySQL's escapes quotes and backslashes with a backslash, so
//! the session's `sql_mode` is set without `NO_BACKSLASH_ESCAPES` first, and a UTC time is
//! written as the UTC wall-clock time the driver would have bound (the session's time zone is UTC).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use sea_orm::sea_query::{MysqlQueryBuilder, PostgresQueryBuilder, inject_parameters};
use sea_orm::sqlx::{self, Connection, Either, MySqlConnection, PgConnection};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult,
    RuntimeErr, Statement, Value,
};
use tokio::sync::oneshot;

use super::transaction::{LOCK_WAIT, PATIENCE};

/// A command's database: sea-orm's connection, or the wire to a server.
#[derive(Clone)]
pub enum Db {
    Orm(DatabaseConnection),
    Wire(Arc<Wire>),
}

/// One server connection, spoken to in text.
///
/// Statements asked for at the same moment — the branches of a `join!` — go out in one message
/// and cost one round trip together: each caller queues its statement and yields once, so that
/// its siblings can queue theirs, and whoever then holds the connection sends everything queued
/// and hands each caller its own answer.
pub struct Wire {
    backend: DbBackend,
    /// `None` once closed.
    conn: tokio::sync::Mutex<Option<Conn>>,
    /// Statements that go out at the head of the first message (the session's settings).
    setup: std::sync::Mutex<&'static [&'static str]>,
    queue: std::sync::Mutex<Vec<Pending>>,
    /// A transaction was dropped open: the next message rolls it back first.
    orphaned: AtomicBool,
    /// A check that goes out first in the next message (the schema check).
    gate: std::sync::Mutex<Option<Gate>>,
}

/// A statement sent ahead of a command's first message, and the verdict on its answer (the
/// rows, or the error it met): when the verdict is a refusal, every statement of that message
/// is answered with it instead of its own answer.
pub struct Gate {
    pub sql: String,
    pub verdict: Verdict,
}

/// Judges a gate's answer; `Err` carries the message the user is shown.
pub type Verdict = Box<dyn FnOnce(Result<&[QueryResult], &DbErr>) -> Result<(), String> + Send>;

/// A gate's refusal, as the driver error every statement of its message is answered with
/// (`store::failure` shows its message as it is).
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// A statement waiting to be sent.
struct Pending {
    sql: String,
    /// How many statements `sql` holds: each answers with its own completion.
    statements: usize,
    /// Which part of the work it is: how long it waits for a lock.
    part: Part,
    reply: oneshot::Sender<Result<Answer, Arc<sqlx::Error>>>,
}

/// What a queued statement got back: its rows, and the completion of its last statement.
struct Answer {
    rows: Vec<QueryResult>,
    done: ExecResult,
}

/// The driver's connection to either kind of server.
enum Conn {
    Postgres(PgConnection),
    MySql(MySqlConnection),
}

/// What the server answers a message with, statement by statement: rows, then a completion.
type Answers<'c> = BoxStream<'c, Result<Either<ExecResult, QueryResult>, sqlx::Error>>;

impl Conn {
    /// Sends `text` (any number of statements) as one message.
    fn send(&mut self, text: String) -> Answers<'_> {
        let sql = sqlx::raw_sql(sqlx::AssertSqlSafe(text));
        match self {
            Conn::Postgres(conn) => sql
                .fetch_many(conn)
                .map_ok(|item| item.map_either(ExecResult::from, QueryResult::from))
                .boxed(),
            Conn::MySql(conn) => sql
                .fetch_many(conn)
                .map_ok(|item| item.map_either(ExecResult::from, QueryResult::from))
                .boxed(),
        }
    }

    async fn close(self) {
        let _ = match self {
            Conn::Postgres(conn) => conn.close().await,
            Conn::MySql(conn) => conn.close().await,
        };
    }
}

/// What the MySQL driver sets after login (sql_mode, time zone, character set), in one round
/// trip of its own, and what a write transaction begins with (read committed: each statement
/// sees what other writers committed before it, as on PostgreSQL, instead of InnoDB's snapshot
/// from the transaction's first read, so a write that waited for a row lock then reads the rows
/// the lock holder wrote) — for the whole session, at the head of the first message. Backslash
/// escapes are kept on: the statements' strings are written with them.
const MYSQL_SESSION: &[&str] = &[
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
    "SET sql_mode = (SELECT CONCAT(REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', ''), \
     ',PIPES_AS_CONCAT,NO_ENGINE_SUBSTITUTION')), time_zone = '+00:00', NAMES utf8mb4",
];

/// How much deferred text a transaction holds before it sends it on its own.
const DEFERRED_BYTES: usize = 1 << 20;

/// Which part of the work a statement is: a read outside any transaction, the first statement
/// of a write transaction (sent after its `BEGIN`), a later one, or its rollback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Read,
    Begin,
    Write,
    Rollback,
}

/// How long a message's statements wait for a lock another session holds before they fail
/// busy: a write transaction `LOCK_WAIT` at a time (it is then rerun while `PATIENCE` lasts,
/// as on SQLite), a read `PATIENCE` at once. Servers wait without end by default (PostgreSQL)
/// or for a day (MySQL's metadata locks), behind a `LOCK TABLE` or a stuck session. On
/// PostgreSQL `SET LOCAL` lasts for the message's implicit transaction or the transaction it
/// is part of, so nothing stays behind on a server connection a pooler hands on.
fn lock_wait(backend: DbBackend, wait: std::time::Duration) -> String {
    match backend {
        DbBackend::Postgres => format!("SET LOCAL lock_timeout = '{}ms'", wait.as_millis()),
        _ => format!(
            "SET SESSION lock_wait_timeout = {secs}, innodb_lock_wait_timeout = {secs}",
            secs = wait.as_secs().max(1)
        ),
    }
}

/// A write transaction on either kind of connection.
pub enum Txn {
    Orm(DatabaseTransaction),
    Wire(WireTxn),
}

/// A transaction on the wire. Its `BEGIN` is sent with its first statement, and statements
/// whose answer nobody waits for (`Txn::defer`) with the next one.
pub struct WireTxn {
    wire: Arc<Wire>,
    /// No statement has gone out yet: the next one carries the `BEGIN`.
    unopened: AtomicBool,
    /// Statements that go out ahead of the next one, and their size.
    deferred: std::sync::Mutex<Vec<String>>,
    deferred_bytes: std::sync::atomic::AtomicUsize,
    finished: bool,
}

impl Wire {
    /// Connects to the server a `postgres://` or `mysql://` URL names.
    pub async fn connect(url: &str, backend: DbBackend) -> Result<Wire, DbErr> {
        let (conn, setup) = if backend == DbBackend::Postgres {
            let options: sqlx::postgres::PgConnectOptions = url.parse().map_err(conn_err)?;
            let conn = PgConnection::connect_with(&options).await.map_err(conn_err)?;
            (Conn::Postgres(conn), &[][..])
        } else {
            let options: sqlx::mysql::MySqlConnectOptions = url.parse().map_err(conn_err)?;
            // Its settings go out with the first message instead (`MYSQL_SESSION`).
            let options = options
                .pipes_as_concat(false)
                .no_engine_substitution(false)
                .timezone(None)
                .set_names(false);
            let conn = MySqlConnection::connect_with(&options).await.map_err(conn_err)?;
            (Conn::MySql(conn), MYSQL_SESSION)
        };
        Ok(Wire {
            backend,
            conn: tokio::sync::Mutex::new(Some(conn)),
            setup: std::sync::Mutex::new(setup),
            queue: std::sync::Mutex::new(Vec::new()),
            gate: std::sync::Mutex::new(None),
            orphaned: AtomicBool::new(false),
        })
    }

    /// One statement outside a transaction.
    async fn query(&self, sql: String) -> Result<Vec<QueryResult>, DbErr> {
        Ok(self.send(Part::Read, vec![sql]).await.map_err(query_err)?.rows)
    }

    /// One statement outside a transaction, its rows not wanted.
    async fn execute(&self, sql: String) -> Result<ExecResult, DbErr> {
        Ok(self.send(Part::Read, vec![sql]).await.map_err(exec_err)?.done)
    }

    /// Queues statements that run one after another (after a `BEGIN`, when they open a
    /// transaction) and waits for the answer of the last.
    async fn send(&self, part: Part, mut sqls: Vec<String>) -> Result<Answer, Arc<sqlx::Error>> {
        let (reply, mut answer) = oneshot::channel();
        if part == Part::Begin {
            sqls.insert(0, "BEGIN".to_string());
        }
        let statements = sqls.len();
        let sql = sqls.join(";\n");
        self.queue().push(Pending {
            sql,
            statements,
            part,
            reply,
        });
        tokio::task::yield_now().await;
        {
            let mut conn = self.conn.lock().await;
            // Answered while this caller waited for the connection (it went out with another
            // caller's message): leave what is queued since for the next message, which its
            // callers will fill.
            if let Ok(result) = answer.try_recv() {
                return result;
            }
            let batch = std::mem::take(&mut *self.queue());
            if !batch.is_empty() {
                let conn = conn.as_mut().ok_or_else(|| Arc::new(sqlx::Error::PoolClosed))?;
                self.flush(conn, batch).await;
            }
        }
        answer
            .await
            .unwrap_or_else(|_| Err(Arc::new(sqlx::Error::PoolClosed)))
    }

    /// Sends `gate` ahead of the next message.
    pub fn gate(&self, gate: Gate) {
        *self
            .gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(gate);
    }

    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Vec<Pending>> {
        // A panic while the queue was held left nothing half-done in it.
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sends `batch` as one message (after the session's settings, in the first, and a
    /// rollback of an orphaned transaction) and answers each statement. A failed statement
    /// fails itself and everything after it, which the server skipped.
    async fn flush(&self, conn: &mut Conn, batch: Vec<Pending>) {
        let mut text = String::new();
        let setup = std::mem::take(
            &mut *self
                .setup
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for statement in setup {
            text.push_str(statement);
            text.push_str(";\n");
        }
        let mut skip = setup.len();
        if self.orphaned.swap(false, Ordering::SeqCst) {
            text.push_str("ROLLBACK; ");
            skip += 1;
        }
        // A rollback alone waits for nothing (and PostgreSQL refuses any other statement in a
        // failed transaction, a `SET` too).
        if !batch.iter().all(|p| p.part == Part::Rollback) {
            let writes = batch.iter().any(|p| matches!(p.part, Part::Begin | Part::Write));
            text.push_str(&lock_wait(
                self.backend,
                if writes { LOCK_WAIT } else { PATIENCE },
            ));
            text.push_str(";\n");
            skip += 1;
        }
        let mut gate = self
            .gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(gate) = &gate {
            text.push_str(&gate.sql);
            text.push_str(";\n");
        }
        let sqls: Vec<&str> = batch.iter().map(|p| p.sql.as_str()).collect();
        text.push_str(&sqls.join(";\n"));
        let mut stream = conn.send(text);
        // Answers are held back until the gate's verdict is in (it comes first).
        let mut answers: Vec<(Pending, Answer)> = Vec::new();
        let mut refused: Option<Arc<sqlx::Error>> = None;
        let mut waiting = batch.into_iter();
        let mut current = waiting.next();
        let mut left = current.as_ref().map_or(0, |p| p.statements);
        let mut rows = Vec::new();
        let failure = loop {
            match stream.try_next().await {
                Ok(Some(Either::Right(row))) => rows.push(row),
                Ok(Some(Either::Left(done))) => {
                    if skip > 0 {
                        skip -= 1;
                        rows.clear();
                    } else if let Some(gate) = gate.take() {
                        refused = judge(gate, Ok(&std::mem::take(&mut rows)));
                    } else {
                        left = left.saturating_sub(1);
                        if left == 0
                            && let Some(pending) = current.take()
                        {
                            let rows = std::mem::take(&mut rows);
                            answers.push((pending, Answer { rows, done }));
                            current = waiting.next();
                            left = current.as_ref().map_or(0, |p| p.statements);
                        } else {
                            // A statement before the last of its caller's: its rows are not
                            // the answer.
                            rows.clear();
                        }
                    }
                }
                Ok(None) => break None,
                Err(e) => break Some(Arc::new(e)),
            }
        };
        // A gate whose statement failed judges the failure (a missing table is a verdict).
        if let (Some(gate), Some(e)) = (gate.take(), &failure) {
            refused = judge(gate, Err(&query_err(e.clone())));
        }
        if let Some(refusal) = refused {
            for pending in answers.into_iter().map(|(p, _)| p).chain(current).chain(waiting) {
                let _ = pending.reply.send(Err(refusal.clone()));
            }
            return;
        }
        for (pending, answer) in answers {
            let _ = pending.reply.send(Ok(answer));
        }
        // The failed statement and those the server then skipped share its error; a statement
        // the server did not answer at all (it cannot happen) is told so.
        let rest = failure.unwrap_or_else(|| {
            Arc::new(sqlx::Error::Protocol(
                "the server sent fewer answers than statements".into(),
            ))
        });
        for pending in current.into_iter().chain(waiting) {
            let _ = pending.reply.send(Err(rest.clone()));
        }
    }

    /// Says goodbye to the server (no answer is awaited).
    pub async fn close(&self) {
        if let Some(conn) = self.conn.lock().await.take() {
            conn.close().await;
        }
    }
}

/// A statement's SQL with its values written in, by the writer of the backend it was built for.
fn text(stmt: &Statement) -> String {
    let Some(values) = stmt.values.as_ref().filter(|v| !v.0.is_empty()) else {
        return stmt.sql.clone();
    };
    let utc = |value: &Value| matches!(value, Value::ChronoDateTimeUtc(Some(_)));
    match stmt.db_backend {
        // The session's time zone is UTC, and MariaDB refuses a time with an offset: such a
        // value is written as its UTC wall-clock time (the rest are written as they are).
        DbBackend::MySql if values.0.iter().any(utc) => {
            let values: Vec<Value> = values
                .0
                .iter()
                .map(|value| match value {
                    Value::ChronoDateTimeUtc(Some(t)) => Value::ChronoDateTime(Some(t.naive_utc())),
                    value => value.clone(),
                })
                .collect();
            inject_parameters(&stmt.sql, &values, &MysqlQueryBuilder)
        }
        DbBackend::MySql => inject_parameters(&stmt.sql, &values.0, &MysqlQueryBuilder),
        _ => inject_parameters(&stmt.sql, &values.0, &PostgresQueryBuilder),
    }
}

/// A gate's verdict as the error its message's statements are answered with.
fn judge(gate: Gate, answer: Result<&[QueryResult], &DbErr>) -> Option<Arc<sqlx::Error>> {
    (gate.verdict)(answer)
        .err()
        .map(|message| Arc::new(sqlx::Error::Configuration(Box::new(Refused(message)))))
}

fn conn_err(e: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e)))
}

fn query_err(e: Arc<sqlx::Error>) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(e))
}

fn exec_err(e: Arc<sqlx::Error>) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(e))
}

impl Db {
    /// Starts a write transaction: on the wire its `BEGIN` goes out with the first statement; on
    /// sea-orm's connection it is begun with `options`.
    pub async fn begin(&self, options: sea_orm::TransactionOptions) -> Result<Txn, DbErr> {
        match self {
            Db::Orm(db) => {
                use sea_orm::TransactionTrait;
                Ok(Txn::Orm(db.begin_with_options(options).await?))
            }
            Db::Wire(wire) => Ok(Txn::Wire(WireTxn {
                wire: wire.clone(),
                unopened: AtomicBool::new(true),
                deferred: std::sync::Mutex::new(Vec::new()),
                deferred_bytes: std::sync::atomic::AtomicUsize::new(0),
                finished: false,
            })),
        }
    }

    pub async fn close(self) {
        match self {
            Db::Orm(db) => {
                let _ = db.close().await;
            }
            Db::Wire(wire) => wire.close().await,
        }
    }
}

impl WireTxn {
    /// Sends `sqls` (after the `BEGIN`, when they open the transaction, and the deferred
    /// statements) and waits for the answer of the last.
    async fn send(&self, sqls: impl IntoIterator<Item = String>) -> Result<Answer, Arc<sqlx::Error>> {
        let mut all = std::mem::take(
            &mut *self
                .deferred
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        self.deferred_bytes.store(0, Ordering::SeqCst);
        all.extend(sqls);
        let part = if self.unopened.swap(false, Ordering::SeqCst) {
            Part::Begin
        } else {
            Part::Write
        };
        self.wire.send(part, all).await
    }

    /// Ends the transaction with `COMMIT` (after the deferred statements and `last`, in one
    /// message) or `ROLLBACK` (which drops the deferred ones). Nothing goes out for a transaction
    /// that sent nothing and has nothing to send.
    async fn finish(mut self, last: Option<&Statement>, commit: bool) -> Result<(), DbErr> {
        self.finished = true;
        let opened = !self.unopened.load(Ordering::SeqCst);
        let deferred = !self
            .deferred
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_empty();
        match commit {
            true if opened || deferred || last.is_some() => {
                let sqls = last.map(text).into_iter().chain(["COMMIT".to_string()]);
                let sent = self.send(sqls).await.map_err(exec_err).map(|_| ());
                // A statement before the COMMIT failed, so the COMMIT never ran: the transaction
                // is still open (MySQL keeps what its other statements wrote, and the next
                // BEGIN would commit it; PostgreSQL refuses everything until it ends). The next
                // message rolls it back first.
                if sent.is_err() {
                    self.wire.orphaned.store(true, Ordering::SeqCst);
                }
                sent
            }
            false if opened => self
                .wire
                .send(Part::Rollback, vec!["ROLLBACK".to_string()])
                .await
                .map_err(exec_err)
                .map(|_| ()),
            _ => Ok(()),
        }
    }
}

impl Drop for WireTxn {
    fn drop(&mut self) {
        if !self.finished && !self.unopened.load(Ordering::SeqCst) {
            self.wire.orphaned.store(true, Ordering::SeqCst);
        }
    }
}

impl Txn {
    pub async fn commit(self) -> Result<(), DbErr> {
        match self {
            Txn::Orm(txn) => txn.commit().await,
            Txn::Wire(txn) => txn.finish(None, true).await,
        }
    }

    /// Runs `last`, then commits: on the wire in one message.
    pub async fn commit_after(self, last: Statement) -> Result<(), DbErr> {
        match self {
            Txn::Orm(txn) => {
                txn.execute_raw(last).await?;
                txn.commit().await
            }
            Txn::Wire(txn) => txn.finish(Some(&last), true).await,
        }
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        match self {
            Txn::Orm(txn) => txn.rollback().await,
            Txn::Wire(txn) => txn.finish(None, false).await,
        }
    }

    /// Runs `statement`, whose answer is not needed: on the wire it goes out with the
    /// transaction's next statement (its commit, at the latest), and a failure fails that one.
    pub async fn defer(&self, statement: Statement) -> Result<(), DbErr> {
        match self {
            Txn::Orm(txn) => txn.execute_raw(statement).await.map(|_| ()),
            Txn::Wire(txn) => {
                let statement = text(&statement);
                let held = txn.deferred_bytes.fetch_add(statement.len(), Ordering::SeqCst) + statement.len();
                txn.deferred
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(statement);
                // Many of them (an undo's thousands of updates) go out in messages of a size
                // every server takes (MySQL's `max_allowed_packet` is 16 MiB by default).
                if held > DEFERRED_BYTES {
                    txn.send([]).await.map_err(exec_err)?;
                }
                Ok(())
            }
        }
    }

    /// Runs `first`, then `then`, and returns the rows `then` read: on the wire in one message
    /// (`then` may read what `first` wrote: MySQL's `LAST_INSERT_ID()`).
    pub async fn query_after(&self, first: Statement, then: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Txn::Orm(txn) => {
                txn.execute_raw(first).await?;
                txn.query_all_raw(then).await
            }
            Txn::Wire(txn) => Ok(txn
                .send([text(&first), text(&then)])
                .await
                .map_err(query_err)?
                .rows),
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Db::Orm(db) => db.get_database_backend(),
            Db::Wire(wire) => wire.backend,
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Db::Orm(db) => db.execute_raw(stmt).await,
            Db::Wire(wire) => wire.execute(text(&stmt)).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Db::Orm(db) => db.execute_unprepared(sql).await,
            Db::Wire(wire) => wire.execute(sql.to_string()).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Db::Orm(db) => db.query_one_raw(stmt).await,
            Db::Wire(wire) => Ok(wire.query(text(&stmt)).await?.into_iter().next()),
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Db::Orm(db) => db.query_all_raw(stmt).await,
            Db::Wire(wire) => wire.query(text(&stmt)).await,
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Txn {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Txn::Orm(txn) => txn.get_database_backend(),
            Txn::Wire(txn) => txn.wire.backend,
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Txn::Orm(txn) => txn.execute_raw(stmt).await,
            Txn::Wire(txn) => Ok(txn.send([text(&stmt)]).await.map_err(exec_err)?.done),
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Txn::Orm(txn) => txn.execute_unprepared(sql).await,
            Txn::Wire(txn) => Ok(txn.send([sql.to_string()]).await.map_err(exec_err)?.done),
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Txn::Orm(txn) => txn.query_one_raw(stmt).await,
            Txn::Wire(txn) => Ok(txn
                .send([text(&stmt)])
                .await
                .map_err(query_err)?
                .rows
                .into_iter()
                .next()),
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Txn::Orm(txn) => txn.query_all_raw(stmt).await,
            Txn::Wire(txn) => Ok(txn.send([text(&stmt)]).await.map_err(query_err)?.rows),
        }
    }
}
