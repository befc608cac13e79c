//! Reports for people (a heading and aligned tables, or Markdown) and for machines (JSON, or CSV
//! with one row per supplier and findings in four columns, ready to paste into a spreadsheet).

use crate::domain::scarcity::Basis;
use std::io::Write;

use serde::Serialize;

use super::FindingCounts;
use super::capacity::{CapacityReport, Held};
use super::gaps::{Competitor, GapsReport, RECENT_DAYS};
use super::status::{BuyerPipeline, CapabilityCoverage, StatusReport};
use crate::domain::status::{BuyerKind, Confidence, DealStatus};
use crate::error::Result;
use crate::output::{Cell, Format, Output, Table, ToCell};

/// The open findings of a row: one column for people, one per severity for a spreadsheet.
fn findings_columns(format: Format) -> &'static [&'static str] {
    match format {
        Format::Csv => &["open_info", "open_minor", "open_major", "open_critical"],
        _ => &["open_findings"],
    }
}

fn findings_cells(counts: &FindingCounts, format: Format) -> Vec<Cell> {
    match format {
        Format::Csv => [counts.info, counts.minor, counts.major, counts.critical]
            .iter()
            .map(ToCell::cell)
            .collect(),
        _ => vec![counts.summary().cell()],
    }
}

/// Columns, then the open findings' columns.
fn with_findings(columns: &[&str], format: Format) -> Vec<String> {
    columns
        .iter()
        .chain(findings_columns(format))
        .map(|c| c.to_string())
        .collect()
}

/// The day a report is as of, and the moment it reads the record as of when asked
/// (`--known-at`): `2026-03-01, as known at 2026-03-02T09:00:00Z`.
pub fn as_of(day: chrono::NaiveDate, known_at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    match known_at {
        Some(moment) => format!(
            "{day}, as known at {}",
            moment.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        ),
        None => day.to_string(),
    }
}

fn heading(output: &Output, text: &str) -> String {
    let text = output.text(text);
    match output.format {
        Format::Md => format!("## {text}\n\n"),
        _ => format!("{text}\n"),
    }
}

pub fn gaps(output: &Output, report: &GapsReport, out: &mut dyn Write) -> Result<()> {
    if output.format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, report)?;
        out.write_all(b"\n")?;
        return Ok(());
    }
    out.write_all(gaps_text(output, report)?.as_bytes())?;
    Ok(())
}

/// The report's gaps as a table: the columns people read, and the findings as one column
/// for people or one per severity for a spreadsheet.
fn gaps_table(format: Format, report: &GapsReport) -> Table {
    let columns = [
        "rank",
        "id",
        "name",
        "native_name",
        "scarce_reasons",
        "alternatives",
        "deal_status",
        "signed_with",
        "last_visit",
        "visits",
        "team_visits",
        "last_team_visit",
        "competitors",
        "sister_teams",
        "free_units",
        "earliest_free_period",
        "quoted_lead_time",
    ];
    Table {
        columns: with_findings(&columns, format),
        rows: report
            .suppliers
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let mut cells = vec![
                    (i + 1).cell(),
                    g.id.cell(),
                    g.name.cell(),
                    g.native_name.cell(),
                    g.scarce_reasons.join(", ").cell(),
                    g.alternatives.cell(),
                    g.deal_status.cell(),
                    g.signed_with.join(", ").cell(),
                    g.last_visit.cell(),
                    g.visits.cell(),
                    g.team_visits.cell(),
                    g.last_team_visit.cell(),
                    competitors(&g.competitors).cell(),
                    competitors(&g.sister_teams).cell(),
                    g.free_units.cell(),
                    g.earliest_free_period.cell(),
                    g.quoted_lead_time.cell(),
                ];
                cells.extend(findings_cells(&g.open_findings, format));
                cells
            })
            .collect(),
    }
}

/// Other buyers' interest, for people: one line per buyer, its moves together —
/// `Helios Energy (external, likely) signed since 2026-03-01, contracted 3 × 2027Q1 since
/// 2026-10-01`. Anything not confirmed says how sure it is (after the buyer for its first move,
/// after the move for the others when they differ), so that no rumour reads as a fact.
pub fn competitors(list: &[Competitor]) -> String {
    by_buyer(list).join("; ")
}

/// `competitors`, a line per buyer.
pub fn by_buyer(list: &[Competitor]) -> Vec<String> {
    let mut buyers: Vec<(&str, Vec<&Competitor>)> = Vec::new();
    for c in list {
        match buyers.iter_mut().find(|(b, _)| *b == c.buyer) {
            Some((_, moves)) => moves.push(c),
            None => buyers.push((&c.buyer, vec![c])),
        }
    }
    buyers
        .into_iter()
        .map(|(buyer, moves)| {
            let first = moves[0].confidence;
            let marks = match first {
                Confidence::Confirmed => moves[0].kind.to_string(),
                sure => format!("{}, {sure}", moves[0].kind),
            };
            let said: Vec<String> = moves
                .iter()
                .map(|c| {
                    let held = c
                        .units
                        .iter()
                        .map(|u| format!("{} × {}", u.units, u.period))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let what = match (c.status, held.is_empty()) {
                        ("visited", _) => format!("visited {}", c.since),
                        (status, true) => format!("{status} since {}", c.since),
                        (status, false) => format!("{status} {held} since {}", c.since),
                    };
                    match c.confidence {
                        sure if sure == first => what,
                        sure => format!("{what} ({sure})"),
                    }
                })
                .collect();
            format!("{buyer} ({marks}) {}", said.join(", "))
        })
        .collect()
}

/// What a gaps report with no rows means: nothing scarce, or every scarce supplier signed.
pub fn no_gaps(report: &GapsReport) -> String {
    if report.scarce == 0 {
        format!("No scarce suppliers at threshold {}.", report.threshold)
    } else {
        format!(
            "None: {} has a signed deal with every scarce supplier.",
            report.buyer
        )
    }
}

fn gaps_text(output: &Output, report: &GapsReport) -> Result<String> {
    let rows = gaps_table(output.format, report);
    if output.format == Format::Csv {
        return output.main_table(&rows, &[]);
    }
    let mut out = heading(
        output,
        &format!(
            "Scarce suppliers {} has no signed deal with, as of {} (scarce: {})",
            report.buyer,
            as_of(report.as_of, report.known_at),
            report.scarce_by.rule(report.threshold)
        ),
    );
    if output.format == Format::Md {
        out.push_str(&output.main_table(&rows, &[])?);
        return Ok(out);
    }
    if rows.rows.is_empty() {
        out.push_str(&format!("{}\n", output.text(&no_gaps(report))));
        return Ok(out);
    }
    out.push_str(&output.main_table(
        &rows,
        &[
            "rank",
            "name",
            "scarce_reasons",
            "alternatives",
            "deal_status",
            "competitors",
            "sister_teams",
            "free_units",
            "earliest_free_period",
            "quoted_lead_time",
            "last_visit",
            "visits",
            "team_visits",
            "open_findings",
        ],
    )?);
    out.push_str(&output.text(&format!(
        "visits, last_visit: {}'s; team_visits, last_team_visit: any of our teams'; competitors: \
         external buyers' deals, holds and visits in the last {RECENT_DAYS} days (sister_teams: \
         our other teams', who can introduce us)\n",
        report.buyer
    )));
    Ok(out)
}

pub fn capacity(output: &Output, report: &CapacityReport, out: &mut dyn Write) -> Result<()> {
    if output.format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, report)?;
        out.write_all(b"\n")?;
        return Ok(());
    }
    let rows = Table {
        columns: [
            "capability",
            "supplier",
            "period",
            "capacity",
            "confidence",
            "held",
            "free",
            "over_held",
        ]
        .map(String::from)
        .to_vec(),
        rows: report
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.capability.cell(),
                    r.supplier.name.cell(),
                    r.period.cell(),
                    r.capacity.cell(),
                    r.confidence.cell(),
                    holders(&r.held).cell(),
                    r.free.cell(),
                    r.over_held.cell(),
                ]
            })
            .collect(),
    };
    if output.format == Format::Csv {
        out.write_all(output.main_table(&rows, &[])?.as_bytes())?;
        return Ok(());
    }
    let mut text = heading(
        output,
        &format!(
            "Capacity from {} to {}, as of {} (free: confirmed or likely capacity less what is reserved or contracted; rumours are listed, not counted)",
            report.from,
            report.to,
            as_of(report.as_of, report.known_at)
        ),
    );
    text.push_str(&output.main_table(&rows, &[])?);
    text.push('\n');
    text.push_str(&heading(output, "Per capability and quarter"));
    text.push_str(&output.table(&Table::of(&report.totals), &[]));
    text.push('\n');
    text.push_str(&heading(output, "Outlook"));
    let outlook = Table {
        columns: [
            "capability",
            "free_next_4_quarters",
            "taken_per_quarter",
            "sold_out_by",
            "sold_out",
            "window",
        ]
        .map(String::from)
        .to_vec(),
        rows: report
            .outlook
            .iter()
            .map(|o| {
                vec![
                    o.capability.cell(),
                    o.outlook.free_next_4_quarters.cell(),
                    format!("{:.1}", o.outlook.taken_per_quarter).cell(),
                    o.outlook.sold_out_by.cell(),
                    o.sold_out
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                        .cell(),
                    o.window.flatten().cell(),
                ]
            })
            .collect(),
    };
    let shown: &[&str] = if report.outlook.iter().any(|o| o.window.is_some()) {
        &[]
    } else {
        &[
            "capability",
            "free_next_4_quarters",
            "taken_per_quarter",
            "sold_out_by",
            "sold_out",
        ]
    };
    text.push_str(&output.table(&outlook, shown));
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// Who holds a row's units, for people: `Aurora Solar contracted 2; Helios Energy (external,
/// likely) reserved 1`. Anything not confirmed says how sure it is.
pub fn holders(held: &[Held]) -> String {
    held.iter()
        .map(|h| {
            let mut marks = Vec::new();
            if h.kind == BuyerKind::External {
                marks.push("external".to_string());
            }
            if h.confidence != Confidence::Confirmed {
                marks.push(h.confidence.to_string());
            }
            let marks = if marks.is_empty() {
                String::new()
            } else {
                format!(" ({})", marks.join(", "))
            };
            format!("{}{marks} {} {}", h.buyer, h.status, h.units)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A status report without its suppliers, for `json::write_pretty` to put them in.
#[derive(Serialize)]
struct StatusShell<'a> {
    as_of: chrono::NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    known_at: Option<chrono::DateTime<chrono::Utc>>,
    threshold: usize,
    buyers: &'a [BuyerPipeline],
    capabilities: &'a [CapabilityCoverage],
    suppliers: [(); 0],
}

pub fn status(output: &Output, report: &StatusReport, out: &mut dyn Write) -> Result<()> {
    if output.format == Format::Json {
        let shell = StatusShell {
            as_of: report.as_of,
            known_at: report.known_at,
            threshold: report.threshold,
            buyers: &report.buyers,
            capabilities: &report.capabilities,
            suppliers: [],
        };
        return super::json::write_pretty(&shell, &report.suppliers, out);
    }
    out.write_all(status_text(output, report)?.as_bytes())?;
    Ok(())
}

/// The report's supplier rows as a table: the columns people read, and the findings as one column
/// for people or one per severity for a spreadsheet.
fn status_table(format: Format, report: &StatusReport) -> Table {
    let columns = [
        "id",
        "name",
        "capabilities",
        "scarce",
        "deals",
        "last_visit",
        "visits",
    ];
    Table {
        columns: with_findings(&columns, format),
        rows: report
            .suppliers
            .iter()
            .map(|s| {
                let scarce = if s.scarce {
                    s.scarce_reasons.join(", ")
                } else {
                    String::new()
                };
                let deals: Vec<String> = s.deals.iter().map(|(b, d)| format!("{b}: {d}")).collect();
                let mut cells = vec![
                    s.id.cell(),
                    s.name.cell(),
                    s.capabilities.join(", ").cell(),
                    scarce.cell(),
                    deals.join("; ").cell(),
                    s.last_visit.cell(),
                    s.visits.cell(),
                ];
                cells.extend(findings_cells(&s.open_findings, format));
                cells
            })
            .collect(),
    }
}

fn status_text(output: &Output, report: &StatusReport) -> Result<String> {
    let rows = status_table(output.format, report);
    if output.format == Format::Csv {
        return output.main_table(&rows, &[]);
    }
    let mut out = heading(
        output,
        &format!(
            "Supplier status as of {} (scarce: {})",
            as_of(report.as_of, report.known_at),
            Basis::Suppliers.rule(report.threshold)
        ),
    );
    out.push_str(&output.main_table(&rows, &[])?);
    out.push('\n');
    out.push_str(&heading(output, "Capabilities"));
    out.push_str(&output.table(&Table::of(&report.capabilities), &[]));
    out.push('\n');
    out.push_str(&heading(output, "Deal pipeline"));
    // Pipeline order, not alphabetical.
    let mut columns = vec!["buyer".to_string(), "kind".to_string()];
    columns.extend(DealStatus::ALL.iter().map(|s| s.as_str().to_string()));
    let pipeline = Table {
        columns,
        rows: report
            .buyers
            .iter()
            .map(|b| {
                let mut cells = vec![b.name.cell(), b.kind.cell()];
                cells.extend(
                    DealStatus::ALL
                        .iter()
                        .map(|status| b.deals.get(status.as_str()).copied().unwrap_or(0).cell()),
                );
                cells
            })
            .collect(),
    };
    out.push_str(&output.table(&pipeline, &[]));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::status::SupplierStatus;

    fn supplier(id: i32, name: &str) -> SupplierStatus {
        SupplierStatus {
            id,
            name: name.into(),
            native_name: Some("苏州\"卢米纳\"".into()),
            capabilities: vec!["pecvd".into()],
            scarce: true,
            scarce_reasons: vec!["pecvd".into()],
            deals: [("Aurora Solar".into(), "signed")].into(),
            last_visit: "2026-05-01".parse().ok(),
            visits: 2,
            open_findings: FindingCounts {
                major: 1,
                ..Default::default()
            },
        }
    }

    /// The JSON is built from a shell of the report and its suppliers: it must still be the whole
    /// report (a field added to `StatusReport` and not to `StatusShell` fails here).
    #[test]
    fn status_json_is_the_whole_report_as_serde_json_writes_it() {
        let json = Output {
            format: Format::Json,
            ..Output::default()
        };
        for suppliers in [
            vec![],
            vec![supplier(1, "Lumina HJT"), supplier(2, "Qiantang PV")],
        ] {
            let report = StatusReport {
                as_of: "2026-06-30".parse().unwrap(),
                known_at: None,
                threshold: 3,
                buyers: vec![BuyerPipeline {
                    name: "Aurora Solar".into(),
                    kind: crate::domain::status::BuyerKind::Internal,
                    deals: [("signed".to_string(), 1)].into(),
                }],
                capabilities: vec![CapabilityCoverage {
                    name: "pecvd".into(),
                    suppliers: 2,
                    scarce: true,
                }],
                suppliers,
            };
            let mut out = Vec::new();
            status(&json, &report, &mut out).unwrap();
            let whole = format!("{}\n", serde_json::to_string_pretty(&report).unwrap());
            assert_eq!(String::from_utf8(out).unwrap(), whole);
        }
    }
}
