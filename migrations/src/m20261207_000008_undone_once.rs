//! An operation is undone at most once: the index of undone operations becomes unique.
//!
//! Two undos of one operation that ran at the same moment on PostgreSQL both passed the "not
//! undone yet" check (neither saw the other's uncommitted undo) and both committed, leaving two
//! undos of one operation and the same row version restored twice. With a unique key, the
//! second undo's operation row waits for the first and is then refused as a duplicate; its
//! rerun finds the first undo and says so. A database that already holds such a pair is
//! refused with the operations named: which undo to keep is the team's decision.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        refuse_twice_undone(manager.get_connection(), backend).await?;
        let mut unique = Index::create()
            .name("ux_operation_undoes")
            .table(Alias::new("operation"))
            .col(Alias::new("undoes"))
            .unique()
            .to_owned();
        // MySQL's unique indexes let NULL repeat and cannot leave rows out; the others keep
        // only undos in the index (see migration 5).
        let replaced = if backend == DbBackend::MySql {
            "idx_operation_undoes"
        } else {
            unique.and_where(Expr::col(Alias::new("undoes")).is_not_null());
            "idx_operation_undone"
        };
        manager.create_index(unique).await?;
        manager
            .drop_index(
                Index::drop()
                    .name(replaced)
                    .table(Alias::new("operation"))
                    .to_owned(),
            )
            .await
    }
}

/// Refuses a log in which one operation was undone twice, naming the operations.
async fn refuse_twice_undone(db: &SchemaManagerConnection<'_>, backend: DbBackend) -> Result<(), DbErr> {
    let sql = "SELECT o.id AS undone_id, u.id AS undo_id FROM operation o \
               JOIN operation u ON u.undoes = o.seq \
               WHERE o.seq IN (SELECT undoes FROM operation WHERE undoes IS NOT NULL \
                               GROUP BY undoes HAVING COUNT(*) > 1) \
               ORDER BY o.seq, u.seq";
    let rows = db.query_all_raw(Statement::from_string(backend, sql)).await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut pairs = Vec::new();
    for row in rows.iter().take(20) {
        let undone: String = row.try_get("", "undone_id")?;
        let undo: String = row.try_get("", "undo_id")?;
        pairs.push(format!("{undone} undone by {undo}"));
    }
    Err(DbErr::Migration(format!(
        "the operation log holds operations undone more than once ({}); restore a backup taken \
         before the second undo (`vetted import all` into a new database), then migrate",
        pairs.join(", ")
    )))
}
