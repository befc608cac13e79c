//! Importing a supplier CSV: rows are matched to suppliers by normalised name, native name or
//! alias (in the database, or earlier in the same file), merged, and written.
//!
//! Two phases, so that the import holds the database's write lock only while it writes:
//! 1. Read and check the whole file, with no transaction open: every invalid row is rejected
//!    (and a file with invalid rows stops here unless `--skip-invalid`); the valid rows are set
//!    aside in a temporary file (`spill`), so memory stays flat however long the file is, and a
//!    stalled pipe holds nothing.
//! 2. One write transaction matches the rows against the stored suppliers and writes them, batch
//!    by batch, so an interrupted import leaves all of it or none. It reads the rows from the
//!    spill and can run again from the start when it collides with another writer
//!    (`Store::write`); the reject file is written before it commits.

mod draft;
mod known;
mod plan;
mod spill;
mod write;

use crate::store::wire::Txn;
use std::collections::BTreeSet;
use std::io::Read;

use chrono::Utc;
use rayon::prelude::*;
use sea_orm::Statement;
use serde::Serialize;

use super::Store;
use super::audit::{self, Change};
use super::operations::{Kind, Op};
use crate::error::{Error, Result};
use crate::io::rejects::RejectFile;
use crate::io::supplier_csv::{Columns, RawRecord, RawRow, Record, RowError, SupplierCsv};
use draft::{Draft, Origin};
use known::KnownKeys;
use plan::{Plan, Planner};
use spill::{Row, Spill, Spilled};
use write::Writer;

/// Rows read, matched and written together (and read ahead, two batches at most).
const BATCH: usize = 2_000;

/// What an import does with a supplier already stored (`--on-existing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnExisting {
    /// Fill in and replace fields with the file's values; add aliases and capabilities
    Update,
    /// Leave stored suppliers as they are
    Skip,
}

pub struct ImportOptions {
    /// Where the rows came from, for the audit trail.
    pub source: String,
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub on_existing: OnExisting,
    /// The day new suppliers are listed from and changes hold from (`--date`, or today).
    pub date: chrono::NaiveDate,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub dry_run: bool,
    /// Rows that named a supplier another row of the file named too, and were merged into it.
    pub merged: u64,
    /// The first problems of the rejected rows (`line N: column: problem`), at most
    /// `PROBLEMS_SHOWN`.
    pub problems: Vec<String>,
    /// What it changed (or, on a dry run, would change) of suppliers already on record: each
    /// field with its value before and after.
    pub changes: Vec<SupplierChange>,
}

crate::row!(ImportSummary {
    rows,
    created,
    updated,
    unchanged,
    rejected,
    dry_run,
    merged,
    problems,
    changes
});

/// One field of a supplier on record an import changed.
#[derive(Debug, Clone, Serialize)]
pub struct SupplierChange {
    pub supplier: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

crate::row!(SupplierChange {
    supplier,
    field,
    before,
    after
});

/// How many problems of rejected rows a summary names.
pub const PROBLEMS_SHOWN: usize = 20;

impl ImportSummary {
    /// Fills in what follows from the counts and the rejected rows.
    fn completed(mut self, rejected: &Rejected) -> ImportSummary {
        self.rejected = rejected.count;
        self.merged = self
            .rows
            .saturating_sub(self.created + self.updated + self.unchanged + self.rejected);
        self.problems = rejected
            .errors
            .iter()
            .take(PROBLEMS_SHOWN)
            .map(ToString::to_string)
            .collect();
        self
    }
}

/// How far an import has got, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// Reading and checking: bytes of the file read so far.
    Read(u64),
    /// Writing: rows matched and written so far, of `of`.
    Written { rows: u64, of: u64 },
}

/// Imports every record the reader yields. Rejected rows go to `rejects`, which is written
/// before anything is committed.
pub async fn import_suppliers<R: Read + Send + 'static>(
    store: &Store,
    csv: SupplierCsv<R>,
    options: &ImportOptions,
    rejects: &mut RejectFile<'_>,
    mut progress: impl FnMut(Progress),
) -> Result<ImportSummary> {
    let checked = check(csv, options, rejects, &mut progress).await?;
    if !checked.rejected.errors.is_empty() && !options.skip_invalid {
        rejects.write_out()?;
        return Err(checked.rejected.refusal(checked.rows));
    }
    if checked.spilled.rows == 0 {
        // Nothing to write: no transaction, no lock.
        rejects.write_out()?;
        return Ok(ImportSummary {
            rows: checked.rows,
            dry_run: options.dry_run,
            ..Default::default()
        }
        .completed(&checked.rejected));
    }
    if options.dry_run {
        // Rows are written (so that later rows find earlier ones) and rolled back.
        let txn = store.begin_write().await?;
        let op = store.begin_op(&txn, Kind::Change).await?;
        let summary = write_checked(&txn, &op, options, &checked, rejects, &mut progress).await?;
        txn.rollback().await?;
        return Ok(summary);
    }
    store
        .write(async |txn, op| write_checked(txn, op, options, &checked, rejects, &mut progress).await)
        .await
}

/// What reading and checking the whole file found.
struct Checked {
    /// Records read (valid or not).
    rows: u64,
    rejected: Rejected,
    /// The valid rows, when they are to be written.
    spilled: Spilled,
}

/// Phase 1: reads every record (on the `csv-reader` thread, a batch ahead), checks them on
/// every core, rejects the invalid ones and sets the valid ones aside. No transaction is open.
async fn check<R: Read + Send + 'static>(
    csv: SupplierCsv<R>,
    options: &ImportOptions,
    rejects: &mut RejectFile<'_>,
    progress: &mut impl FnMut(Progress),
) -> Result<Checked> {
    let mut batches = csv.read_ahead(BATCH);
    let columns = batches.columns.clone();
    let mut spill = Spill::new()?;
    let mut rows = 0;
    let mut rejected = Rejected::default();
    loop {
        let Some(batch) = batches.recv().await else {
            return Err(Error::Other(
                "reading the file stopped before its end; nothing was imported".into(),
            ));
        };
        let batch = batch.map_err(|e| Error::invalid("file", e.0))?;
        // Once a row is invalid and invalid rows are not skipped, nothing will be written: the
        // rest of the file is only checked.
        let keeping = options.skip_invalid || rejected.errors.is_empty();
        let parts: Vec<Result<Checks>> = batch
            .records
            .par_chunks(CHECK_CHUNK)
            .map(|chunk| Checks::of(&columns, chunk, keeping))
            .collect();
        let mut frame = spill.frame();
        for part in parts {
            let part = part?;
            rows += part.records;
            for (errors, raw) in part.invalid {
                rejected.add(&raw, errors, rejects)?;
            }
            frame.add(part.valid, &part.bytes);
        }
        if options.skip_invalid || rejected.errors.is_empty() {
            spill.push(frame)?;
        }
        batches.recycle(batch.records);
        progress(Progress::Read(batch.position));
        if batch.last {
            break;
        }
    }
    Ok(Checked {
        rows,
        rejected,
        spilled: spill.finish()?,
    })
}

/// Records checked together on one core.
const CHECK_CHUNK: usize = 250;

/// What checking a run of records found: the valid rows set aside as bytes (so that each core
/// frees what it allocated), and the invalid records with their problems.
struct Checks {
    records: u64,
    valid: u64,
    bytes: Vec<u8>,
    invalid: Vec<(Vec<RowError>, RawRecord)>,
}

impl Checks {
    /// `keeping`: whether valid rows are still to be set aside.
    fn of(columns: &Columns, records: &[RawRow], keeping: bool) -> Result<Checks> {
        let mut checks = Checks {
            records: records.len() as u64,
            valid: 0,
            bytes: Vec::new(),
            invalid: Vec::new(),
        };
        for record in records {
            match columns.check(record) {
                Record::Valid(row, raw) if keeping => {
                    checks.bytes = spill::encode(&(*row, raw), std::mem::take(&mut checks.bytes))?;
                    checks.valid += 1;
                }
                Record::Valid(..) => {}
                Record::Invalid(errors, raw) => checks.invalid.push((errors, raw)),
            }
        }
        Ok(checks)
    }
}

/// Rows rejected so far: how many, and the first `ERRORS_KEPT` problems.
#[derive(Debug, Clone, Default)]
struct Rejected {
    count: u64,
    errors: Vec<RowError>,
}

impl Rejected {
    fn add(&mut self, raw: &RawRecord, errors: Vec<RowError>, rejects: &mut RejectFile<'_>) -> Result<()> {
        self.count += 1;
        rejects.add(raw, &errors)?;
        for e in errors {
            if self.errors.len() < ERRORS_KEPT {
                self.errors.push(e);
            }
        }
        Ok(())
    }

    fn refusal(&self, rows: u64) -> Error {
        Error::InvalidRows {
            rejected: self.count,
            unknown: 0,
            rows,
            errors: self.errors.iter().map(ToString::to_string).collect(),
            skip_hint: true,
        }
    }
}

/// Phase 2, one write attempt: matches the checked rows against the stored suppliers and writes
/// them in `txn`, and writes the reject file. The caller commits (or rolls back a dry run).
async fn write_checked(
    txn: &Txn,
    op: &Op,
    options: &ImportOptions,
    checked: &Checked,
    rejects: &mut RejectFile<'_>,
    progress: &mut impl FnMut(Progress),
) -> Result<ImportSummary> {
    rejects.start_attempt()?;
    write::tune(txn).await?;
    let max_id_before = write::max_supplier_id(txn).await?;
    let to_write = checked.spilled.rows;
    let mut attempt = Attempt {
        options,
        writing: true,
        max_id_before,
        created: 0,
        planner: Planner::new(options.on_existing),
        rejected: checked.rejected.clone(),
        op,
        known: KnownKeys::load(txn, max_id_before.max(0) as u64, Some(to_write)).await?,
        writer: Writer::new(txn, max_id_before, op.seq, options.date).await?,
        changes: Vec::new(),
    };
    let received = attempt
        .write_batches(txn, &checked.spilled, rejects, progress)
        .await?;
    if received != to_write {
        return Err(Error::Other(format!(
            "read back {received} of the {to_write} checked rows; nothing was imported"
        )));
    }
    if !attempt.rejected.errors.is_empty() && !options.skip_invalid {
        rejects.write_out()?;
        return Err(attempt.rejected.refusal(checked.rows));
    }
    let (updated, unchanged) = attempt.planner.counts();
    let summary = ImportSummary {
        rows: checked.rows,
        created: attempt.created,
        updated,
        unchanged,
        dry_run: options.dry_run,
        changes: std::mem::take(&mut attempt.changes),
        ..Default::default()
    }
    .completed(&attempt.rejected);
    if summary.created + summary.updated > 0 {
        record_import(txn, op, options, &summary).await?;
    }
    // Before the commit: a reject file that cannot be written leaves nothing imported.
    rejects.write_out()?;
    Ok(summary)
}

/// The import's audit entry: what it did, in one.
async fn record_import(txn: &Txn, op: &Op, options: &ImportOptions, summary: &ImportSummary) -> Result<()> {
    let line = format!(
        "imported {}: {} created, {} updated, {} unchanged, {} rejected",
        options.source, summary.created, summary.updated, summary.unchanged, summary.rejected
    );
    // The import's summary is the operation's, whichever supplier update came first.
    op.set_summary(line.clone());
    audit::record(
        txn,
        op,
        Change {
            action: "import.suppliers",
            entity: "import",
            entity_id: 0,
            supplier_id: None,
            summary: line,
            before: None,
            after: Some(summary),
        },
    )
    .await
}

/// How many row errors an import keeps to show (the count is always exact).
const ERRORS_KEPT: usize = 1_000;

/// What receiving one batch left to do.
enum Step {
    /// Nothing to write: writing stopped at a row that matches two suppliers.
    Nothing,
    /// The batch's new suppliers (none of its keys was known), to create.
    Create(Vec<Draft>),
    /// The statement that creates them.
    Prepared(Option<Statement>),
    /// Rows with keys the database may hold: looked up, matched and written in turn.
    LookUp(Vec<Row>, BTreeSet<String>),
}

/// One write attempt's state: the planner's, and what the database may hold.
struct Attempt<'a> {
    options: &'a ImportOptions,
    /// Rows are still matched and written: no row matched two suppliers, or bad rows are skipped.
    writing: bool,
    max_id_before: i32,
    created: u64,
    planner: Planner,
    /// Rows rejected while reading, and by this attempt's matching.
    rejected: Rejected,
    /// The import's operation.
    op: &'a Op,
    /// Keys the database may hold; the others are not looked up.
    known: KnownKeys,
    writer: Writer,
    /// The fields it changed of suppliers on record before it.
    changes: Vec<SupplierChange>,
}

impl Attempt<'_> {
    /// Matches and writes every batch set aside; gives how many rows were read back.
    async fn write_batches(
        &mut self,
        txn: &Txn,
        spilled: &Spilled,
        rejects: &mut RejectFile<'_>,
        progress: &mut impl FnMut(Progress),
    ) -> Result<u64> {
        let mut batches = spilled.batches()?;
        // The statement built for the last batch: it runs while the next batch is received and
        // (when none of its keys needs looking up) matched and built.
        let mut pending = None;
        let mut received = 0;
        loop {
            let previous = pending.take();
            let (written, next) = tokio::join!(biased; write::execute(txn, previous), async {
                let Some(rows) = batches.next() else {
                    return Ok(None);
                };
                let rows = rows?;
                received += rows.len() as u64;
                let step = match self.plan(rows, rejects)? {
                    // Ids for exactly the suppliers it creates: no id is drawn and left unused.
                    Step::Create(creates) => {
                        self.writer.reserve(txn, creates.len()).await?;
                        Step::Prepared(self.writer.prepare(&creates, crate::store::now())?)
                    }
                    step => step,
                };
                Ok::<_, Error>(Some(step))
            });
            written?;
            let Some(step) = next? else { break };
            pending = match step {
                Step::Nothing | Step::Create(_) => None,
                Step::Prepared(statement) => statement,
                Step::LookUp(rows, keys) => self.write_looked_up(txn, rows, keys, rejects).await?,
            };
            progress(Progress::Written {
                rows: received,
                of: spilled.rows,
            });
        }
        write::execute(txn, pending).await?;
        Ok(received)
    }

    /// Matches a batch and builds its statement when nothing needs looking up; otherwise leaves
    /// it to `write_looked_up`.
    fn plan(&mut self, rows: Vec<Row>, rejects: &mut RejectFile<'_>) -> Result<Step> {
        if rows.is_empty() || !self.writing {
            return Ok(Step::Nothing);
        }
        let keys = self.keys_to_look_up(&rows);
        if !keys.is_empty() || !self.writer.defers() {
            return Ok(Step::LookUp(rows, keys));
        }
        let plan = self.planner.plan(Vec::new(), rows);
        Ok(Step::Create(self.take(plan, rejects)?))
    }

    /// Looks up the stored suppliers a batch's keys name, matches, updates the stored ones and
    /// creates the new ones (or returns the statement that will).
    async fn write_looked_up(
        &mut self,
        txn: &Txn,
        rows: Vec<Row>,
        keys: BTreeSet<String>,
        rejects: &mut RejectFile<'_>,
    ) -> Result<Option<Statement>> {
        let now = crate::store::now();
        let found = write::load_matching(txn, &keys, self.max_id_before).await?;
        let mut plan = self.planner.plan(found, rows);
        let updates = std::mem::take(&mut plan.updates);
        let creates = self.take(plan, rejects)?;
        for draft in &updates {
            self.update(txn, draft, now).await?;
        }
        if self.writer.defers() {
            self.writer.reserve(txn, creates.len()).await?;
            self.writer.prepare(&creates, now)
        } else {
            self.writer.create_now(txn, &creates, now).await?;
            Ok(None)
        }
    }

    /// Takes in what a batch's plan rejected and the keys it will write; gives its creates.
    fn take(&mut self, plan: Plan, rejects: &mut RejectFile<'_>) -> Result<Vec<Draft>> {
        for (raw, error) in plan.rejects {
            self.rejected.add(&raw, vec![error], rejects)?;
        }
        for draft in plan.creates.iter().chain(&plan.updates) {
            for key in draft.keys() {
                self.known.add(key);
            }
        }
        self.writing &= self.options.skip_invalid || self.rejected.errors.is_empty();
        self.created += plan.creates.len() as u64;
        Ok(plan.creates)
    }

    /// Keys of `rows` that the database may hold (see `known`).
    fn keys_to_look_up(&self, rows: &[Row]) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for (row, _) in rows {
            keys.extend(row.keys().filter(|k| self.known.may_hold(k)).cloned());
        }
        keys
    }

    /// Writes what rows changed in a stored supplier, and audits it unless this import created
    /// it.
    async fn update(&mut self, txn: &Txn, draft: &Draft, now: chrono::DateTime<Utc>) -> Result<()> {
        let Origin::Stored {
            id,
            before,
            by_this_import,
        } = &draft.origin
        else {
            return Ok(());
        };
        self.writer.update(txn, *id, before, draft, now).await?;
        if *by_this_import {
            return Ok(()); // counted and audited with the import
        }
        let after = draft.view();
        let (was, now_is) = (serde_json::to_value(&**before)?, serde_json::to_value(&after)?);
        self.changes.extend(
            audit::differences(&was, &now_is)
                .into_iter()
                .map(|d| SupplierChange {
                    supplier: draft.name.clone(),
                    field: d.field,
                    before: d.before,
                    after: d.after,
                }),
        );
        audit::record(
            txn,
            self.op,
            Change {
                action: "supplier.import",
                entity: "supplier",
                entity_id: *id,
                supplier_id: Some(*id),
                summary: format!("updated supplier {} from {}", draft.name, self.options.source),
                before: Some(&**before),
                after: Some(&after),
            },
        )
        .await
    }
}
