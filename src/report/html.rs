//! The dashboard a team puts on a screen: one self-contained HTML file (inline CSS and SVG, no
//! scripts, no external requests) with the main table, capability coverage against the scarcity
//! threshold, each buyer's deal pipeline, recent visits and open critical and major findings.

use std::fmt::Write;

use super::facts::{RecentVisit, SeriousFinding};
use super::gaps::GapsReport;
use super::status::StatusReport;
use unicode_width::UnicodeWidthStr;

use crate::domain::status::BuyerKind;

/// Everything on the page besides the main table.
pub struct Dashboard<'a> {
    pub status: &'a StatusReport,
    pub recent_visits: &'a [RecentVisit],
    pub findings: &'a [SeriousFinding],
}

/// Deal statuses in pipeline order, with their colours.
const STATUS_COLOURS: &[(&str, &str)] = &[
    ("prospect", "#9aa5b1"),
    ("evaluating", "#5b8def"),
    ("negotiating", "#f0a202"),
    ("signed", "#2e9e5b"),
    ("declined", "#b0413e"),
    ("terminated", "#6b2737"),
];

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', sans-serif;
       margin: 0; background: #f4f6f8; color: #1f2933; }
header { background: #1f2933; color: #fff; padding: 18px 28px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: #cbd2d9; }
main { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; padding: 18px 28px; }
section { background: #fff; border-radius: 8px; padding: 14px 18px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 17px; margin: 0 0 10px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
td:first-child { white-space: nowrap; }
th { font-size: 13px; color: #52606d; text-transform: uppercase; letter-spacing: .03em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.native { color: #616e7c; font-size: 13px; }
.pill { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; color: #fff; }
.critical { background: #b0413e; } .major { background: #d9822b; } .minor { background: #9aa5b1; } .info { background: #cbd2d9; color: #1f2933; }
.locked { color: #b0413e; font-weight: 600; }
.sister { color: #3e4c59; }
.empty { color: #616e7c; font-style: italic; }
.unsure { color: #8a5a00; font-style: italic; white-space: nowrap; }
.legend span { display: inline-block; margin-right: 12px; font-size: 13px; }
.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
";

fn page(title: &str, subtitle: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<header><h1>{}</h1><p>{}</p></header>\n<main>\n{body}</main>\n</body>\n</html>\n",
        esc(title),
        esc(title),
        esc(subtitle)
    )
}

fn findings_cell(counts: &super::FindingCounts) -> String {
    let mut out = String::new();
    for (n, class) in [
        (counts.critical, "critical"),
        (counts.major, "major"),
        (counts.minor, "minor"),
        (counts.info, "info"),
    ] {
        if n > 0 {
            let _ = write!(out, "<span class=\"pill {class}\">{n} {class}</span> ");
        }
    }
    out
}

/// About how wide a character of a chart's 13 px labels is (a wide CJK one counts twice).
const CHAR_PX: f64 = 8.0;

/// The room a chart gives its labels: enough for the longest, between 150 and 360 px.
fn label_room<'a>(labels: impl Iterator<Item = &'a str>) -> f64 {
    let longest = labels.map(UnicodeWidthStr::width).max().unwrap_or(0);
    (longest as f64 * CHAR_PX + 16.0).clamp(150.0, 360.0)
}

/// A label shortened with `…` to fit `room` (the chart's tooltip keeps the whole name).
fn fitted(label: &str, room: f64) -> String {
    let fits = ((room - 16.0) / CHAR_PX) as usize;
    if label.width() <= fits {
        return label.to_string();
    }
    let mut out = String::new();
    for c in label.chars() {
        if (out.as_str().width() + c.to_string().as_str().width()) >= fits {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Horizontal bars: suppliers per capability, with the threshold as a dashed line.
fn coverage_chart(status: &StatusReport) -> String {
    let caps = &status.capabilities;
    if caps.is_empty() {
        return "<p class=\"empty\">No capabilities recorded.</p>".into();
    }
    let max = caps
        .iter()
        .map(|c| c.suppliers)
        .max()
        .unwrap_or(1)
        // Room past the threshold for its line and label.
        .max(status.threshold + 1) as f64;
    let label_w = label_room(caps.iter().map(|c| c.name.as_str()));
    let (bar_w, row_h) = (380.0, 24.0);
    let height = row_h * caps.len() as f64 + 30.0;
    let x = |n: f64| label_w + n / max * bar_w;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"Suppliers per capability\" viewBox=\"0 0 {} {height}\" width=\"100%\">",
        label_w + bar_w + 50.0
    );
    for (i, c) in caps.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let colour = if c.scarce { "#b0413e" } else { "#5b8def" };
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}<title>{}</title></text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{:.1}\" height=\"{}\" fill=\"{colour}\" rx=\"2\"><title>{}: {} suppliers{}</title></rect>\
             <text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{}</text>",
            label_w - 8.0,
            y + 14.0,
            esc(&fitted(&c.name, label_w)),
            esc(&c.name),
            (x(c.suppliers as f64) - label_w).max(1.0),
            row_h - 8.0,
            esc(&c.name),
            c.suppliers,
            if c.scarce { " (scarce)" } else { "" },
            x(c.suppliers as f64) + 4.0,
            y + 13.0,
            c.suppliers
        );
    }
    let tx = x(status.threshold as f64 + 0.5);
    let _ = write!(
        svg,
        "<line x1=\"{tx:.1}\" y1=\"0\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"#1f2933\" stroke-dasharray=\"4 3\"/>\
         <text x=\"{tx:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">scarce at {} or fewer</text></svg>",
        height - 18.0,
        height - 4.0,
        status.threshold
    );
    svg
}

/// One stacked bar per buyer: its deals by status.
fn pipeline_chart(status: &StatusReport) -> String {
    if status.buyers.is_empty() {
        return "<p class=\"empty\">No buyers.</p>".into();
    }
    let max = status
        .buyers
        .iter()
        .map(|b| b.deals.values().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let label = |b: &super::status::BuyerPipeline| {
        if b.kind == BuyerKind::External {
            format!("{} (ext.)", b.name)
        } else {
            b.name.clone()
        }
    };
    let labels: Vec<String> = status.buyers.iter().map(label).collect();
    let label_w = label_room(labels.iter().map(String::as_str));
    let (bar_w, row_h) = (380.0, 26.0);
    let height = row_h * status.buyers.len() as f64 + 6.0;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"Deals by buyer and status\" viewBox=\"0 0 {} {height}\" width=\"100%\">",
        label_w + bar_w + 50.0
    );
    for (i, (b, label)) in status.buyers.iter().zip(&labels).enumerate() {
        let y = i as f64 * row_h + 4.0;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}<title>{}</title></text>",
            label_w - 8.0,
            y + 14.0,
            esc(&fitted(label, label_w)),
            esc(label)
        );
        let mut offset = label_w;
        for (name, colour) in STATUS_COLOURS {
            let n = b.deals.get(*name).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let w = n as f64 / max * bar_w;
            let _ = write!(
                svg,
                "<rect x=\"{offset:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"><title>{}: {n} {name}</title></rect>",
                row_h - 10.0,
                esc(&b.name)
            );
            offset += w;
        }
        let total: u64 = b.deals.values().sum();
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{total}</text>",
            offset + 4.0,
            y + 13.0
        );
    }
    svg.push_str("</svg><div class=\"legend\">");
    for (name, colour) in STATUS_COLOURS {
        let _ = write!(svg, "<span><i style=\"background:{colour}\"></i>{name}</span>");
    }
    svg.push_str("</div>");
    svg
}

fn side_panels(d: &Dashboard) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<section><h2>Capability coverage</h2>{}</section>\n<section><h2>Deal pipeline by buyer</h2>{}</section>\n",
        coverage_chart(d.status),
        pipeline_chart(d.status)
    );
    out.push_str("<section><h2>Recent visits</h2>");
    if d.recent_visits.is_empty() {
        out.push_str("<p class=\"empty\">No visits yet.</p>");
    } else {
        out.push_str("<table><thead><tr><th>Date</th><th>Supplier</th><th>Buyer</th><th>Summary</th></tr></thead><tbody>");
        for v in d.recent_visits {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                v.date,
                esc(&v.supplier),
                esc(&v.buyer),
                esc(v.summary.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n<section><h2>Open critical and major findings</h2>");
    if d.findings.is_empty() {
        out.push_str("<p class=\"empty\">None open.</p>");
    } else {
        out.push_str("<table><thead><tr><th>Since</th><th>Supplier</th><th>Severity</th><th>Finding</th></tr></thead><tbody>");
        for f in d.findings {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td><span class=\"pill {}\">{}</span></td><td>{}</td></tr>",
                f.date,
                esc(&f.supplier),
                f.severity,
                f.severity,
                esc(&f.text)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");
    out
}

pub fn gaps(report: &GapsReport, dashboard: &Dashboard) -> String {
    let mut body =
        String::from("<section class=\"wide\" id=\"gaps\"><h2>Scarce suppliers with no signed deal</h2>");
    if report.suppliers.is_empty() {
        let _ = write!(
            body,
            "<p class=\"empty\">{}</p>",
            esc(&super::render::no_gaps(report))
        );
    } else {
        body.push_str(
            "<table><thead><tr><th>#</th><th>Supplier</th><th>Scarce for</th><th>Alternatives</th><th>Our deal</th>\
             <th>Competitors</th><th>Sister teams</th><th>Signed with</th><th>Free (next 4 quarters)</th>\
             <th>Earliest free</th><th>Our quoted lead time</th><th>Our last visit</th><th>Our visits</th>\
             <th>Team visits</th><th>Open findings</th></tr></thead><tbody>",
        );
        for (i, g) in report.suppliers.iter().enumerate() {
            let native = g
                .native_name
                .as_deref()
                .map(|n| format!("<div class=\"native\">{}</div>", esc(n)))
                .unwrap_or_default();
            let dash = || "–".to_string();
            let _ = write!(
                body,
                "<tr><td class=\"num\">{}</td><td>{}{native}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
                 <td class=\"locked\">{}</td><td class=\"sister\">{}</td><td>{}</td><td class=\"num\">{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td>{}</td></tr>",
                i + 1,
                esc(&g.name),
                esc(&g.scarce_reasons.join(", ")),
                g.alternatives.map_or_else(dash, |a| a.to_string()),
                esc(g.deal_status.as_deref().unwrap_or("none")),
                interest_cell(&g.competitors, true),
                interest_cell(&g.sister_teams, false),
                esc(&g.signed_with.join(", ")),
                g.free_units.map_or_else(dash, |n| n.to_string()),
                g.earliest_free_period.map_or_else(dash, |p| p.to_string()),
                esc(g.quoted_lead_time.as_deref().unwrap_or("–")),
                g.last_visit.map_or("never".to_string(), |d| d.to_string()),
                g.visits,
                g.team_visits,
                findings_cell(&g.open_findings)
            );
        }
        body.push_str("</tbody></table>");
    }
    body.push_str("</section>\n");
    body.push_str(&side_panels(dashboard));
    page(
        &format!("Gaps for {}", report.buyer),
        &format!(
            "Scarce suppliers {} has no signed deal with, as of {} — scarce: {}",
            report.buyer,
            super::render::as_of(report.as_of, report.known_at),
            report.scarce_by.rule(report.threshold)
        ),
        &body,
    )
}

/// Other buyers' interest, a line per buyer with its moves together; a competitor who signed
/// stands out (`signed_out`), a sister team does not.
fn interest_cell(list: &[super::gaps::Competitor], signed_out: bool) -> String {
    let signed: Vec<&str> = list
        .iter()
        .filter(|c| c.status == "signed")
        .map(|c| c.buyer.as_str())
        .collect();
    super::render::by_buyer(list)
        .iter()
        .map(|line| {
            let text = esc(line);
            if signed_out && signed.iter().any(|b| line.starts_with(&format!("{b} ("))) {
                format!("<strong>{text}</strong>")
            } else {
                text
            }
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The status page, of every buyer or `for_buyer`'s.
pub fn status(report: &StatusReport, dashboard: &Dashboard, for_buyer: Option<&str>) -> String {
    let mut body = String::from("<section class=\"wide\" id=\"suppliers\"><h2>Active suppliers</h2>");
    if report.suppliers.is_empty() {
        body.push_str("<p class=\"empty\">No active suppliers.</p>");
    } else {
        body.push_str(
            "<table><thead><tr><th>Supplier</th><th>Capabilities</th><th>Scarce</th><th>Deals</th><th>Last visit</th>\
             <th>Visits</th><th>Open findings</th></tr></thead><tbody>",
        );
        for s in &report.suppliers {
            let deals: Vec<String> = s
                .deals
                .iter()
                .map(|(b, d)| format!("{}: {}", esc(b), esc(d)))
                .collect();
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(&s.name),
                esc(&s.capabilities.join(", ")),
                if s.scarce {
                    esc(&s.scarce_reasons.join(", "))
                } else {
                    String::new()
                },
                deals.join("<br>"),
                s.last_visit.map_or("never".to_string(), |d| d.to_string()),
                s.visits,
                findings_cell(&s.open_findings)
            );
        }
        body.push_str("</tbody></table>");
    }
    body.push_str("</section>\n");
    body.push_str(&side_panels(dashboard));
    let title = match for_buyer {
        Some(buyer) => format!("Supplier status for {buyer}"),
        None => "Supplier status".to_string(),
    };
    page(
        &title,
        &format!(
            "As of {} — scarce: {}",
            super::render::as_of(report.as_of, report.known_at),
            crate::domain::scarcity::Basis::Suppliers.rule(report.threshold)
        ),
        &body,
    )
}

/// Who holds a capability's units, as the capacity page colours them.
const HOLDER_COLOURS: &[(&str, &str)] = &[
    ("us", "#2e9e5b"),
    ("sister teams", "#5b8def"),
    ("competitors", "#b0413e"),
    ("free", "#cbd2d9"),
];

/// The capacity page: per capability, a stacked bar per quarter (held by us, by sister teams, by
/// competitors, free) with the projected sell-out marked, then every supplier's rows. `us`: the
/// buyer asked for (else our teams together).
pub fn capacity(report: &super::capacity::CapacityReport, us: Option<&str>) -> String {
    let mut body = String::new();
    for outlook in &report.outlook {
        let _ = write!(
            body,
            "<section class=\"wide\" id=\"capability-{}\"><h2>{}</h2><p>{} free in the next four quarters; \
             {:.1} taken a quarter lately; {}</p>",
            esc(&outlook.capability),
            esc(&outlook.capability),
            outlook.outlook.free_next_4_quarters,
            outlook.outlook.taken_per_quarter,
            match outlook.outlook.sold_out_by {
                Some(p) => format!("sold out by {p} at that pace"),
                None => "not sold out at that pace".to_string(),
            }
        );
        if !outlook.sold_out.is_empty() {
            let names: Vec<String> = outlook.sold_out.iter().map(|s| esc(&s.name)).collect();
            let _ = write!(
                body,
                "<p class=\"sold-out\">No unit free in any quarter shown: {}</p>",
                names.join(", ")
            );
        }
        body.push_str(&capacity_chart(report, &outlook.capability, &outlook.outlook, us));
        body.push_str("</section>\n");
    }
    if report.rows.is_empty() {
        body.push_str("<section class=\"wide\"><p class=\"empty\">No capacity stated for these quarters.</p></section>\n");
    } else {
        body.push_str(
            "<section class=\"wide\" id=\"rows\"><h2>Per supplier</h2><table><thead><tr><th>Capability</th>\
             <th>Supplier</th><th>Quarter</th><th>Capacity</th><th>Held</th><th>Free</th></tr></thead><tbody>",
        );
        for r in &report.rows {
            // A capacity not confirmed is marked; a rumour counts for nothing free.
            let capacity = match r.confidence {
                Some(c) if c != crate::domain::status::Confidence::Confirmed => {
                    format!("{} <span class=\"unsure\">({c})</span>", r.capacity)
                }
                _ => r.capacity.to_string(),
            };
            let free = match r.over_held {
                0 => r.free.to_string(),
                n => format!("{} <span class=\"unsure\">({n} held beyond it)</span>", r.free),
            };
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{capacity}</td><td>{}</td><td class=\"num\">{free}</td></tr>",
                esc(&r.capability),
                esc(&r.supplier.name),
                r.period,
                esc(&super::render::holders(&r.held)),
            );
        }
        body.push_str("</tbody></table></section>\n");
    }
    let title = match us {
        Some(buyer) => format!("Capacity for {buyer}"),
        None => "Capacity".to_string(),
    };
    page(
        &title,
        &format!(
            "{} to {}, as of {} — free: confirmed or likely capacity less what is reserved or contracted; rumours are listed, not counted",
            report.from,
            report.to,
            super::render::as_of(report.as_of, report.known_at)
        ),
        &body,
    )
}

/// One capability's quarters as stacked bars, and the projected sell-out as a projection: a
/// dashed line after the quarter it falls in (between quarters, not on a bar that may still
/// show units free), labelled with the pace it assumes.
fn capacity_chart(
    report: &super::capacity::CapacityReport,
    capability: &str,
    outlook: &crate::domain::capacity::Outlook,
    us: Option<&str>,
) -> String {
    let sold_out_by = outlook.sold_out_by;
    let totals: Vec<&super::capacity::Total> = report
        .totals
        .iter()
        .filter(|t| t.capability == capability)
        .collect();
    let (bar_w, gap, chart_h, top) = (44.0, 14.0, 180.0, 18.0);
    let max = totals
        .iter()
        .map(|t| t.capacity.max(t.held))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let width = totals.len() as f64 * (bar_w + gap) + gap;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"Units of {} per quarter\" viewBox=\"0 0 {width} {}\" width=\"100%\" style=\"max-width:{width}px\">",
        esc(capability),
        chart_h + top + 24.0
    );
    for (i, t) in totals.iter().enumerate() {
        let x = gap + i as f64 * (bar_w + gap);
        let mut held = [0i64; 3];
        for r in report
            .rows
            .iter()
            .filter(|r| r.capability == capability && r.period == t.period)
        {
            for h in r.held.iter().filter(|h| h.status.takes_units()) {
                let slot = match (us, h.kind) {
                    (Some(name), _) if h.buyer == name => 0,
                    (None, BuyerKind::Internal) => 0,
                    (_, BuyerKind::Internal) => 1,
                    (_, BuyerKind::External) => 2,
                };
                held[slot] += h.units;
            }
        }
        let parts = [held[0], held[1], held[2], t.free.max(0)];
        let mut y = top + chart_h;
        for (n, (name, colour)) in parts.iter().zip(HOLDER_COLOURS) {
            if *n == 0 {
                continue;
            }
            let h = *n as f64 / max * chart_h;
            y -= h;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{}: {n} {name}</title></rect>",
                t.period
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x + bar_w / 2.0,
            top + chart_h + 16.0,
            t.period
        );
        if sold_out_by == Some(t.period) {
            // At the end of that quarter, between its bar and the next one; the label on the
            // side with room.
            let at = x + bar_w + gap / 2.0;
            let anchor = if at > width / 2.0 { "end" } else { "start" };
            let _ = write!(
                svg,
                "<line x1=\"{at:.1}\" y1=\"{top}\" x2=\"{at:.1}\" y2=\"{:.1}\" stroke=\"#b0413e\" stroke-dasharray=\"4 3\"/>\
                 <text class=\"sold-out\" x=\"{at:.1}\" y=\"12\" font-size=\"11\" text-anchor=\"{anchor}\" fill=\"#b0413e\">\
                 projected sell-out at {:.1}/quarter</text>",
                top + chart_h,
                outlook.taken_per_quarter
            );
        }
    }
    svg.push_str("</svg><div class=\"legend\">");
    for (name, colour) in HOLDER_COLOURS {
        let _ = write!(svg, "<span><i style=\"background:{colour}\"></i>{name}</span>");
    }
    svg.push_str("</div>");
    svg
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<b>A & 'B'</b>"), "&lt;b&gt;A &amp; &#39;B&#39;&lt;/b&gt;");
    }
}
