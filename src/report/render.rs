//! Reports for people (a heading and aligned tables, or Markdown) and for machines (JSON, or CSV
//! with one row per supplier and findings in four columns, ready to paste into a spreadsheet).

use std::io::Write;

use serde::Serialize;

use super::FindingCounts;
use super::gaps::GapsReport;
use super::status::{BuyerPipeline, CapabilityCoverage, StatusReport};
use crate::domain::status::DealStatus;
use crate::error::Result;
use crate::output::{Format, Output};

/// A gap as a flat row: lists joined, findings summarised for people or split for CSV.
#[derive(Serialize)]
struct GapRow<'a> {
    rank: usize,
    id: i32,
    name: &'a str,
    native_name: Option<&'a str>,
    scarce_reasons: String,
    alternatives: Option<usize>,
    deal_status: Option<&'a str>,
    signed_with: String,
    last_visit: Option<chrono::NaiveDate>,
    visits: u64,
    #[serde(flatten)]
    findings: Findings,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Findings {
    Summary {
        open_findings: String,
    },
    Counts {
        open_info: u64,
        open_minor: u64,
        open_major: u64,
        open_critical: u64,
    },
}

fn findings(counts: &FindingCounts, format: Format) -> Findings {
    match format {
        Format::Csv => Findings::Counts {
            open_info: counts.info,
            open_minor: counts.minor,
            open_major: counts.major,
            open_critical: counts.critical,
        },
        _ => Findings::Summary {
            open_findings: counts.summary(),
        },
    }
}

#[derive(Serialize)]
struct SupplierRow<'a> {
    id: i32,
    name: &'a str,
    capabilities: String,
    scarce: String,
    deals: String,
    last_visit: Option<chrono::NaiveDate>,
    visits: u64,
    #[serde(flatten)]
    findings: Findings,
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
    out.write_all(gaps_text(output, report).as_bytes())?;
    Ok(())
}

fn gaps_text(output: &Output, report: &GapsReport) -> String {
    let rows: Vec<GapRow> = report
        .suppliers
        .iter()
        .enumerate()
        .map(|(i, g)| GapRow {
            rank: i + 1,
            id: g.id,
            name: &g.name,
            native_name: g.native_name.as_deref(),
            scarce_reasons: g.scarce_reasons.join(", "),
            alternatives: g.alternatives,
            deal_status: g.deal_status.as_deref(),
            signed_with: g.signed_with.join(", "),
            last_visit: g.last_visit,
            visits: g.visits,
            findings: findings(&g.open_findings, output.format),
        })
        .collect();
    if output.format == Format::Csv {
        return output.list(&rows, &[]);
    }
    let mut out = heading(
        output,
        &format!(
            "Scarce suppliers {} has no signed deal with, as of {} (scarce: offered by {} or fewer active suppliers)",
            report.buyer, report.as_of, report.threshold
        ),
    );
    if output.format == Format::Md {
        out.push_str(&output.list(&rows, &[]));
        return out;
    }
    if rows.is_empty() {
        out.push_str("None: every scarce supplier is signed.\n");
        return out;
    }
    out.push_str(&output.list(
        &rows,
        &[
            "rank",
            "name",
            "scarce_reasons",
            "alternatives",
            "deal_status",
            "signed_with",
            "last_visit",
            "visits",
            "open_findings",
        ],
    ));
    out
}

/// A status report without its suppliers, for `json::write_pretty` to put them in.
#[derive(Serialize)]
struct StatusShell<'a> {
    as_of: chrono::NaiveDate,
    threshold: usize,
    buyers: &'a [BuyerPipeline],
    capabilities: &'a [CapabilityCoverage],
    suppliers: [(); 0],
}

pub fn status(output: &Output, report: &StatusReport, out: &mut dyn Write) -> Result<()> {
    if output.format == Format::Json {
        let shell = StatusShell {
            as_of: report.as_of,
            threshold: report.threshold,
            buyers: &report.buyers,
            capabilities: &report.capabilities,
            suppliers: [],
        };
        return super::json::write_pretty(&shell, &report.suppliers, out);
    }
    out.write_all(status_text(output, report).as_bytes())?;
    Ok(())
}

fn status_text(output: &Output, report: &StatusReport) -> String {
    let rows: Vec<SupplierRow> = report
        .suppliers
        .iter()
        .map(|s| SupplierRow {
            id: s.id,
            name: &s.name,
            capabilities: s.capabilities.join(", "),
            scarce: if s.scarce {
                s.scarce_reasons.join(", ")
            } else {
                String::new()
            },
            deals: s
                .deals
                .iter()
                .map(|(b, d)| format!("{b}: {d}"))
                .collect::<Vec<_>>()
                .join("; "),
            last_visit: s.last_visit,
            visits: s.visits,
            findings: findings(&s.open_findings, output.format),
        })
        .collect();
    if output.format == Format::Csv {
        return output.list(&rows, &[]);
    }
    let mut out = heading(
        output,
        &format!(
            "Supplier status as of {} (scarce: offered by {} or fewer active suppliers)",
            report.as_of, report.threshold
        ),
    );
    out.push_str(&output.list(&rows, &[]));
    out.push('\n');
    out.push_str(&heading(output, "Capabilities"));
    out.push_str(&output.list(&report.capabilities, &[]));
    out.push('\n');
    out.push_str(&heading(output, "Deal pipeline"));
    let pipeline: Vec<serde_json::Value> = report
        .buyers
        .iter()
        .map(|b| {
            let mut row = serde_json::Map::new();
            row.insert("buyer".into(), b.name.clone().into());
            row.insert("kind".into(), b.kind.as_str().into());
            // Pipeline order, not alphabetical.
            for status in DealStatus::ALL {
                let n = b.deals.get(status.as_str()).copied().unwrap_or(0);
                row.insert(status.as_str().to_string(), n.into());
            }
            serde_json::Value::Object(row)
        })
        .collect();
    out.push_str(&output.list(&pipeline, &[]));
    out
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
            color: false,
            raw: false,
        };
        for suppliers in [
            vec![],
            vec![supplier(1, "Lumina HJT"), supplier(2, "Qiantang PV")],
        ] {
            let report = StatusReport {
                as_of: "2026-06-30".parse().unwrap(),
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
