//! The connection a command talks to its database through.
//!
//! SQLite and MySQL/MariaDB use sea-orm's own connection (and so do migrations, which open one
//! for themselves: `schema::migrate`). A command on a PostgreSQL server uses [`Wire`]: one connection, over which every statement is sent as
//! text with its values written in (the simple query protocol). A statement then costs one round
//! trip — a prepared one costs two, parse then execute — and leaves nothing behind on the server
//! connection, which is what a pooler in transaction mode (PgBouncer) needs: it may hand each
//! transaction, or each statement outside one, another server connection.
//!
//! A write transaction on the wire begins with its first statement (`BEGIN; …` in one message),
//! so it costs no round trip of its own. A transaction dropped without commit or rollback is
//! rolled back at the start of the next message. The schema check is a [`Gate`]: it goes out
//! first in the command's first message, and nothing read in that message is used before it
//! passes.
//!
//! Values are written in by sea-query's PostgreSQL writer, which quotes strings as `E'…'` with
//! every quote and backslash escaped whatever the server's settings; nothing else formats values
//! into SQL.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::TryStreamExt;
use sea_orm::sea_query::{PostgresQueryBuilder, inject_parameters};
use sea_orm::sqlx::postgres::{PgQueryResult, PgRow};
use sea_orm::sqlx::{self, Connection, Either, PgConnection};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult,
    RuntimeErr, Statement,
};
use tokio::sync::oneshot;

/// A command's database: sea-orm's connection, or the wire to a PostgreSQL server.
#[derive(Clone)]
pub enum Db {
    Orm(DatabaseConnection),
    Wire(Arc<Wire>),
}

/// One PostgreSQL connection, spoken to in text.
///
/// Statements asked for at the same moment — the branches of a `join!` — go out in one message
/// and cost one round trip together: each caller queues its statement and yields once, so that
/// its siblings can queue theirs, and whoever then holds the connection sends everything queued
/// and hands each caller its own answer.
pub struct Wire {
    /// `None` once closed.
    conn: tokio::sync::Mutex<Option<PgConnection>>,
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
    reply: oneshot::Sender<Result<Answer, Arc<sqlx::Error>>>,
}

/// What a queued statement got back: its rows, and the completion of its last statement.
struct Answer {
    rows: Vec<PgRow>,
    done: PgQueryResult,
}

/// A write transaction on either kind of connection.
pub enum Txn {
    Orm(DatabaseTransaction),
    Wire(WireTxn),
}

/// A transaction on the wire. Its `BEGIN` is sent with its first statement.
pub struct WireTxn {
    wire: Arc<Wire>,
    /// No statement has gone out yet: the next one carries the `BEGIN`.
    unopened: AtomicBool,
    finished: bool,
}

impl Wire {
    pub async fn connect(url: &str) -> Result<Wire, DbErr> {
        let options: sqlx::postgres::PgConnectOptions = url.parse().map_err(conn_err)?;
        let conn = PgConnection::connect_with(&options).await.map_err(conn_err)?;
        Ok(Wire {
            conn: tokio::sync::Mutex::new(Some(conn)),
            queue: std::sync::Mutex::new(Vec::new()),
            gate: std::sync::Mutex::new(None),
            orphaned: AtomicBool::new(false),
        })
    }

    async fn query(&self, begin: bool, sql: String) -> Result<Vec<QueryResult>, DbErr> {
        let answer = self.send(begin, sql).await.map_err(query_err)?;
        Ok(answer.rows.into_iter().map(QueryResult::from).collect())
    }

    async fn execute(&self, begin: bool, sql: String) -> Result<ExecResult, DbErr> {
        let answer = self.send(begin, sql).await.map_err(exec_err)?;
        Ok(ExecResult::from(answer.done))
    }

    /// Queues one statement (after a `BEGIN`, when it opens a transaction) and waits for
    /// its answer.
    async fn send(&self, begin: bool, sql: String) -> Result<Answer, Arc<sqlx::Error>> {
        let (reply, mut answer) = oneshot::channel();
        let (sql, statements) = if begin {
            (format!("BEGIN; {sql}"), 2)
        } else {
            (sql, 1)
        };
        self.queue().push(Pending {
            sql,
            statements,
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

    fn queue(&self) -> std::sync::MutexGuard<'_, Vec<Pending>> {
        // A panic while the queue was held left nothing half-done in it.
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sends `batch` as one message (after a rollback of an orphaned transaction) and answers
    /// each statement. A failed statement fails itself and everything after it, which the
    /// server skipped.
    async fn flush(&self, conn: &mut PgConnection, batch: Vec<Pending>) {
        let mut text = String::new();
        let mut skip = 0;
        if self.orphaned.swap(false, Ordering::SeqCst) {
            text.push_str("ROLLBACK; ");
            skip = 1;
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
        let mut stream = sqlx::raw_sql(sqlx::AssertSqlSafe(text)).fetch_many(conn);
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
                        let answer: Vec<QueryResult> = rows.drain(..).map(QueryResult::from).collect();
                        refused = judge(gate, Ok(&answer));
                    } else {
                        left = left.saturating_sub(1);
                        if left == 0
                            && let Some(pending) = current.take()
                        {
                            let rows = std::mem::take(&mut rows);
                            answers.push((pending, Answer { rows, done }));
                            current = waiting.next();
                            left = current.as_ref().map_or(0, |p| p.statements);
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
            let _ = conn.close().await;
        }
    }
}

/// A statement's SQL with its values written in.
fn text(stmt: &Statement) -> String {
    match &stmt.values {
        Some(values) if !values.0.is_empty() => {
            inject_parameters(&stmt.sql, &values.0, &PostgresQueryBuilder)
        }
        _ => stmt.sql.clone(),
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
    /// Whether the next statement opens the transaction (true once only).
    fn opens(&self) -> bool {
        self.unopened.swap(false, Ordering::SeqCst)
    }

    /// Ends the transaction with `COMMIT` or `ROLLBACK` (nothing to send when no statement ran).
    async fn finish(mut self, how: &str) -> Result<(), DbErr> {
        self.finished = true;
        if self.opens() {
            return Ok(());
        }
        self.wire.execute(false, how.to_string()).await.map(|_| ())
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
            Txn::Wire(txn) => txn.finish("COMMIT").await,
        }
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        match self {
            Txn::Orm(txn) => txn.rollback().await,
            Txn::Wire(txn) => txn.finish("ROLLBACK").await,
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Db::Orm(db) => db.get_database_backend(),
            Db::Wire(_) => DbBackend::Postgres,
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Db::Orm(db) => db.execute_raw(stmt).await,
            Db::Wire(wire) => wire.execute(false, text(&stmt)).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Db::Orm(db) => db.execute_unprepared(sql).await,
            Db::Wire(wire) => wire.execute(false, sql.to_string()).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Db::Orm(db) => db.query_one_raw(stmt).await,
            Db::Wire(wire) => Ok(wire.query(false, text(&stmt)).await?.into_iter().next()),
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Db::Orm(db) => db.query_all_raw(stmt).await,
            Db::Wire(wire) => wire.query(false, text(&stmt)).await,
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Txn {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Txn::Orm(txn) => txn.get_database_backend(),
            Txn::Wire(_) => DbBackend::Postgres,
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Txn::Orm(txn) => txn.execute_raw(stmt).await,
            Txn::Wire(txn) => txn.wire.execute(txn.opens(), text(&stmt)).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Txn::Orm(txn) => txn.execute_unprepared(sql).await,
            Txn::Wire(txn) => txn.wire.execute(txn.opens(), sql.to_string()).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Txn::Orm(txn) => txn.query_one_raw(stmt).await,
            Txn::Wire(txn) => Ok(txn.wire.query(txn.opens(), text(&stmt)).await?.into_iter().next()),
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Txn::Orm(txn) => txn.query_all_raw(stmt).await,
            Txn::Wire(txn) => txn.wire.query(txn.opens(), text(&stmt)).await,
        }
    }
}
