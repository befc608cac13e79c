//! Inserting a row and having it back as stored (its id, its defaults).

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    FromQueryResult, IntoActiveModel, Iterable, PrimaryKeyToColumn, QueryFilter, QueryTrait,
};

use super::wire::Txn;

type Model<A> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Model;

/// `row.stored(txn)`: inserts the row and returns it as stored.
///
/// PostgreSQL and SQLite return the row from the INSERT itself (`RETURNING`). MySQL cannot, and
/// sea-orm reads it back with a statement of its own, a round trip more on a server far away:
/// here the read — by the id given, or `LAST_INSERT_ID()` — goes out in the INSERT's message.
pub trait Stored: ActiveModelTrait + ActiveModelBehavior + Send + Sized
where
    Model<Self>: IntoActiveModel<Self>,
{
    async fn stored(self, txn: &Txn) -> Result<Model<Self>, DbErr> {
        if txn.get_database_backend() != DbBackend::MySql {
            return self.insert(txn).await;
        }
        let key = <Self::Entity as EntityTrait>::PrimaryKey::iter()
            .next()
            .expect("every table has a key")
            .into_column();
        let which = match self.get(key) {
            ActiveValue::Set(id) | ActiveValue::Unchanged(id) => Expr::val(id),
            ActiveValue::NotSet => Expr::cust("LAST_INSERT_ID()"),
        };
        let insert = Self::Entity::insert(self).build(DbBackend::MySql);
        let read = Self::Entity::find()
            .filter(Expr::col(key).eq(which))
            .build(DbBackend::MySql);
        match txn.query_after(insert, read).await?.first() {
            Some(row) => Ok(Model::<Self>::from_query_result(row, "")?),
            None => Err(DbErr::RecordNotInserted),
        }
    }
}

impl<A> Stored for A
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    Model<A>: IntoActiveModel<A>,
{
}
