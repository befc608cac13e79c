//! The core record: buyers, suppliers (with aliases and capabilities), sites, visits (with
//! visitors), notes, deals with their dated events, and the audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Buyer {
    Table,
    Id,
    Name,
    NameNorm,
    External,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Supplier {
    Table,
    Id,
    Name,
    NameNorm,
    NativeName,
    NativeNorm,
    Country,
    Province,
    City,
    Address,
    Website,
    ScarceOverride,
    Note,
    Archived,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SupplierAlias {
    Table,
    Id,
    SupplierId,
    Alias,
    AliasNorm,
}

#[derive(DeriveIden)]
enum SupplierCapability {
    Table,
    SupplierId,
    Capability,
}

#[derive(DeriveIden)]
enum Site {
    Table,
    Id,
    SupplierId,
    Name,
    NameNorm,
    City,
    Province,
    Country,
    Lines,
    CreatedAt,
}

// The column is `visit_date`: `date` alone is a reserved word in some SQL dialects.
#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden)]
enum Visit {
    Table,
    Id,
    SupplierId,
    BuyerId,
    SiteId,
    VisitDate,
    Purpose,
    LinesInspected,
    Summary,
    CreatedAt,
}

#[derive(DeriveIden)]
enum VisitVisitor {
    Table,
    Id,
    VisitId,
    Name,
}

#[derive(DeriveIden)]
enum Note {
    Table,
    Id,
    SupplierId,
    VisitId,
    Topic,
    Severity,
    Body,
    NotedOn,
    ResolvedOn,
    Resolution,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Deal {
    Table,
    Id,
    BuyerId,
    SupplierId,
    Status,
    Value,
    Currency,
    Scope,
    StatusDate,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DealEvent {
    Table,
    Id,
    DealId,
    EventDate,
    Status,
    Value,
    Currency,
    Scope,
    Note,
    Actor,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditEntry {
    Table,
    Id,
    At,
    Actor,
    Action,
    Entity,
    EntityId,
    SupplierId,
    Summary,
    Before,
    After,
}

/// Money is an exact decimal everywhere. SQLite has no decimal type (sea-query would declare
/// `real`), so there the amount is kept as its canonical decimal text.
fn money(manager: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    match manager.get_database_backend() {
        DbBackend::Sqlite => text_null(col),
        _ => decimal_len_null(col, 20, 4),
    }
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create().name(name).table(table).take();
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    if unique {
        stmt.unique();
    }
    stmt
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Buyer::Table)
                    .col(pk_auto(Buyer::Id))
                    .col(string(Buyer::Name))
                    .col(string(Buyer::NameNorm))
                    .col(boolean(Buyer::External).default(false))
                    .col(text_null(Buyer::Note))
                    .col(timestamp_with_time_zone(Buyer::CreatedAt))
                    .take(),
            )
            .await?;
        manager
            .create_index(index("ux_buyer_name_norm", Buyer::Table, &["name_norm"], true))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Supplier::Table)
                    .col(pk_auto(Supplier::Id))
                    .col(string(Supplier::Name))
                    .col(string(Supplier::NameNorm))
                    .col(string_null(Supplier::NativeName))
                    .col(string_null(Supplier::NativeNorm))
                    .col(char_len_null(Supplier::Country, 2))
                    .col(string_null(Supplier::Province))
                    .col(string_null(Supplier::City))
                    .col(text_null(Supplier::Address))
                    .col(string_null(Supplier::Website))
                    .col(string_len(Supplier::ScarceOverride, 8).default("auto"))
                    .col(text_null(Supplier::Note))
                    .col(boolean(Supplier::Archived).default(false))
                    .col(timestamp_with_time_zone(Supplier::CreatedAt))
                    .col(timestamp_with_time_zone(Supplier::UpdatedAt))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_supplier_name_norm",
                Supplier::Table,
                &["name_norm"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_supplier_native_norm",
                Supplier::Table,
                &["native_norm"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SupplierAlias::Table)
                    .col(pk_auto(SupplierAlias::Id))
                    .col(integer(SupplierAlias::SupplierId))
                    .col(string(SupplierAlias::Alias))
                    .col(string(SupplierAlias::AliasNorm))
                    .foreign_key(&mut fk(
                        "fk_supplier_alias_supplier",
                        (SupplierAlias::Table, SupplierAlias::SupplierId),
                        (Supplier::Table, Supplier::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_supplier_alias_norm",
                SupplierAlias::Table,
                &["alias_norm"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ux_supplier_alias_supplier",
                SupplierAlias::Table,
                &["supplier_id", "alias_norm"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SupplierCapability::Table)
                    .col(integer(SupplierCapability::SupplierId))
                    .col(string_len(SupplierCapability::Capability, 64))
                    .primary_key(
                        Index::create()
                            .col(SupplierCapability::SupplierId)
                            .col(SupplierCapability::Capability),
                    )
                    .foreign_key(&mut fk(
                        "fk_supplier_capability_supplier",
                        (SupplierCapability::Table, SupplierCapability::SupplierId),
                        (Supplier::Table, Supplier::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_supplier_capability_capability",
                SupplierCapability::Table,
                &["capability"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Site::Table)
                    .col(pk_auto(Site::Id))
                    .col(integer(Site::SupplierId))
                    .col(string(Site::Name))
                    .col(string(Site::NameNorm))
                    .col(string_null(Site::City))
                    .col(string_null(Site::Province))
                    .col(char_len_null(Site::Country, 2))
                    .col(integer_null(Site::Lines))
                    .col(timestamp_with_time_zone(Site::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_site_supplier",
                        (Site::Table, Site::SupplierId),
                        (Supplier::Table, Supplier::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_site_supplier_name",
                Site::Table,
                &["supplier_id", "name_norm"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Visit::Table)
                    .col(pk_auto(Visit::Id))
                    .col(integer(Visit::SupplierId))
                    .col(integer(Visit::BuyerId))
                    .col(integer_null(Visit::SiteId))
                    .col(date(Visit::VisitDate))
                    .col(text_null(Visit::Purpose))
                    .col(integer_null(Visit::LinesInspected))
                    .col(text_null(Visit::Summary))
                    .col(timestamp_with_time_zone(Visit::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_visit_supplier",
                        (Visit::Table, Visit::SupplierId),
                        (Supplier::Table, Supplier::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_visit_buyer",
                        (Visit::Table, Visit::BuyerId),
                        (Buyer::Table, Buyer::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_visit_site",
                        (Visit::Table, Visit::SiteId),
                        (Site::Table, Site::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_visit_supplier_date",
                Visit::Table,
                &["supplier_id", "visit_date"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_visit_buyer_date",
                Visit::Table,
                &["buyer_id", "visit_date"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VisitVisitor::Table)
                    .col(pk_auto(VisitVisitor::Id))
                    .col(integer(VisitVisitor::VisitId))
                    .col(string(VisitVisitor::Name))
                    .foreign_key(&mut fk(
                        "fk_visit_visitor_visit",
                        (VisitVisitor::Table, VisitVisitor::VisitId),
                        (Visit::Table, Visit::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_visit_visitor_visit",
                VisitVisitor::Table,
                &["visit_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Note::Table)
                    .col(pk_auto(Note::Id))
                    .col(integer(Note::SupplierId))
                    .col(integer_null(Note::VisitId))
                    .col(string_null(Note::Topic))
                    .col(string_len(Note::Severity, 16))
                    .col(text(Note::Body))
                    .col(date(Note::NotedOn))
                    .col(date_null(Note::ResolvedOn))
                    .col(text_null(Note::Resolution))
                    .col(timestamp_with_time_zone(Note::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_note_supplier",
                        (Note::Table, Note::SupplierId),
                        (Supplier::Table, Supplier::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_note_visit",
                        (Note::Table, Note::VisitId),
                        (Visit::Table, Visit::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_note_supplier",
                Note::Table,
                &["supplier_id", "noted_on"],
                false,
            ))
            .await?;
        manager
            .create_index(index("ix_note_visit", Note::Table, &["visit_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Deal::Table)
                    .col(pk_auto(Deal::Id))
                    .col(integer(Deal::BuyerId))
                    .col(integer(Deal::SupplierId))
                    .col(string_len(Deal::Status, 16))
                    .col(money(manager, Deal::Value))
                    .col(char_len_null(Deal::Currency, 3))
                    .col(text_null(Deal::Scope))
                    .col(date(Deal::StatusDate))
                    .col(timestamp_with_time_zone(Deal::CreatedAt))
                    .col(timestamp_with_time_zone(Deal::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_deal_buyer",
                        (Deal::Table, Deal::BuyerId),
                        (Buyer::Table, Buyer::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_deal_supplier",
                        (Deal::Table, Deal::SupplierId),
                        (Supplier::Table, Supplier::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_deal_buyer_supplier",
                Deal::Table,
                &["buyer_id", "supplier_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("ix_deal_supplier", Deal::Table, &["supplier_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DealEvent::Table)
                    .col(pk_auto(DealEvent::Id))
                    .col(integer(DealEvent::DealId))
                    .col(date(DealEvent::EventDate))
                    .col(string_len(DealEvent::Status, 16))
                    .col(money(manager, DealEvent::Value))
                    .col(char_len_null(DealEvent::Currency, 3))
                    .col(text_null(DealEvent::Scope))
                    .col(text_null(DealEvent::Note))
                    .col(string(DealEvent::Actor))
                    .col(timestamp_with_time_zone(DealEvent::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_deal_event_deal",
                        (DealEvent::Table, DealEvent::DealId),
                        (Deal::Table, Deal::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_deal_event_deal_date",
                DealEvent::Table,
                &["deal_id", "event_date"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEntry::Table)
                    .col(pk_auto(AuditEntry::Id))
                    .col(timestamp_with_time_zone(AuditEntry::At))
                    .col(string(AuditEntry::Actor))
                    .col(string_len(AuditEntry::Action, 64))
                    .col(string_len(AuditEntry::Entity, 32))
                    .col(integer(AuditEntry::EntityId))
                    .col(integer_null(AuditEntry::SupplierId))
                    .col(text(AuditEntry::Summary))
                    .col(text_null(AuditEntry::Before))
                    .col(text_null(AuditEntry::After))
                    .take(),
            )
            .await?;
        manager
            .create_index(index("ix_audit_at", AuditEntry::Table, &["at"], false))
            .await?;
        manager
            .create_index(index(
                "ix_audit_supplier",
                AuditEntry::Table,
                &["supplier_id", "at"],
                false,
            ))
            .await?;
        Ok(())
    }
}
