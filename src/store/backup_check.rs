//! A backup's records checked before any is restored, with the rules the commands apply to what
//! they store: names, text, dates, money, canonical codes, normalised keys, references and the
//! keys that must be unique. A problem names the record's path (`deals[3].scope`). Statuses and
//! severities are typed, so reading the backup (`backup::read`) already refused a bad one.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use chrono::{DateTime, NaiveDate, Utc};

use super::backup::{Backup, Retired};
use super::entities::{buyer, capacity, deal, deal_event, holding, note, quote, site, supplier, visit};
use crate::domain::capacity::LeadTime;
use crate::domain::dates::{check_in_range, check_past};
use crate::domain::names::normalise;
use crate::domain::text;
use crate::domain::values::{self, Invalid};
use crate::store::money::Money;

/// One record of one list: makes the path of each of its fields (`deals[3].scope`, or for an
/// earlier version `history.deals[3].row.scope`).
#[derive(Clone, Copy)]
struct At<'a> {
    list: &'a str,
    index: usize,
    /// Where the record's fields are within it: `row.` for a history row.
    within: &'static str,
}

impl At<'_> {
    fn field(self, name: &str) -> String {
        format!("{}[{}].{}{name}", self.list, self.index, self.within)
    }

    /// A stored value must be what the rule makes of it (trimmed, canonical).
    fn canonical(
        self,
        name: &str,
        value: &str,
        rule: fn(&str, &str) -> Result<String, Invalid>,
    ) -> Result<(), Invalid> {
        let field = self.field(name);
        let made = rule(&field, value)?;
        if made != value {
            return Err(Invalid::new(
                field,
                format!("'{value}' is stored as '{made}' by vetted"),
            ));
        }
        Ok(())
    }

    fn optional(
        self,
        name: &str,
        value: &Option<String>,
        rule: fn(&str, &str) -> Result<String, Invalid>,
    ) -> Result<(), Invalid> {
        match value {
            Some(v) => self.canonical(name, v, rule),
            None => Ok(()),
        }
    }

    /// A name and its normalised key, which lookups and uniqueness rely on.
    fn name(self, name: &str, value: &str, key_name: &str, key: &str) -> Result<(), Invalid> {
        self.canonical(name, value, text::name)?;
        let expected = normalise(value);
        if key != expected {
            return Err(Invalid::new(
                self.field(key_name),
                format!("'{key}' is not the normalised {name} ('{expected}')"),
            ));
        }
        Ok(())
    }

    fn past(self, name: &str, date: NaiveDate, today: NaiveDate) -> Result<(), Invalid> {
        check_past(&self.field(name), date, today).map(|_| ())
    }

    fn timestamp(self, name: &str, at: DateTime<Utc>) -> Result<(), Invalid> {
        check_in_range(&self.field(name), at.date_naive()).map(|_| ())
    }

    fn count(self, name: &str, value: Option<i32>) -> Result<(), Invalid> {
        match value {
            Some(n) => values::parse_count(&self.field(name), &n.to_string()).map(|_| ()),
            None => Ok(()),
        }
    }

    fn refers(self, name: &str, id: i32, ids: &HashSet<i32>, what: &str) -> Result<(), Invalid> {
        if ids.contains(&id) {
            Ok(())
        } else {
            Err(Invalid::new(
                self.field(name),
                format!("{id} is not a {what} in the backup"),
            ))
        }
    }

    fn money(self, value: Option<Money>, currency: &Option<String>) -> Result<(), Invalid> {
        match (value, currency) {
            (Some(Money(amount)), Some(code)) => {
                self.canonical("currency", code, values::parse_currency)?;
                values::check_money(&self.field("value"), amount, code)
            }
            (Some(_), None) => Err(Invalid::new(self.field("currency"), "missing for the value")),
            (None, Some(_)) => Err(Invalid::new(self.field("value"), "missing for the currency")),
            (None, None) => Ok(()),
        }
    }
}

/// Walks one list, giving each record its path.
fn each<'r, T>(
    list: &str,
    rows: &'r [T],
    mut check: impl FnMut(At, &'r T) -> Result<(), Invalid>,
) -> Result<(), Invalid> {
    rows.iter().enumerate().try_for_each(|(index, row)| {
        check(
            At {
                list,
                index,
                within: "",
            },
            row,
        )
    })
}

/// Walks a list of earlier versions (`history.<list>`), each checked by the rules of its
/// table's fields: what live input may not hold, no earlier version may hold either.
fn each_retired<'r, M>(
    list: &str,
    rows: &'r [Retired<M>],
    mut check: impl FnMut(At, &'r M) -> Result<(), Invalid>,
) -> Result<(), Invalid> {
    let list = format!("history.{list}");
    rows.iter().enumerate().try_for_each(|(index, retired)| {
        check(
            At {
                list: &list,
                index,
                within: "row.",
            },
            &retired.row,
        )
    })
}

/// Collects a list's ids (or other keys), refusing a repeated one.
fn unique<K: Eq + Hash + std::fmt::Debug>(
    at: At,
    name: &str,
    key: K,
    seen: &mut HashSet<K>,
) -> Result<(), Invalid> {
    if seen.contains(&key) {
        return Err(Invalid::new(
            at.field(name),
            format!("{key:?} appears twice; it must be unique"),
        ));
    }
    seen.insert(key);
    Ok(())
}

/// Checks every record of a backup; the first problem found is returned.
pub fn check(backup: &Backup, today: NaiveDate) -> Result<(), Invalid> {
    let ids = buyers_and_suppliers(backup)?;
    let sites = sites(backup, &ids)?;
    merges(backup)?;
    dated_facts(backup, &ids, &sites)?;
    visits_and_notes(backup, &ids, &sites, today)?;
    deals(backup, &ids, today)?;
    deal_histories(backup)?;
    capacity(backup, &ids, today)?;
    earlier_versions(backup, today)?;
    audit(backup)?;
    log(backup)
}

/// The ids of the records others refer to.
struct Ids {
    buyers: HashSet<i32>,
    suppliers: HashSet<i32>,
}

/// Buyers, suppliers, and the suppliers' aliases and capabilities.
fn buyers_and_suppliers(backup: &Backup) -> Result<Ids, Invalid> {
    let (mut buyers, mut buyer_keys) = (HashSet::new(), HashSet::new());
    each("buyers", &backup.buyers, |at, b| {
        unique(at, "id", b.id, &mut buyers)?;
        at.name("name", &b.name, "name_norm", &b.name_norm)?;
        unique(at, "name_norm", b.name_norm.as_str(), &mut buyer_keys)?;
        buyer_fields(at, b)
    })?;
    let (mut suppliers, mut supplier_keys) = (HashSet::new(), HashSet::new());
    each("suppliers", &backup.suppliers, |at, s| {
        unique(at, "id", s.id, &mut suppliers)?;
        at.name("name", &s.name, "name_norm", &s.name_norm)?;
        unique(at, "name_norm", s.name_norm.as_str(), &mut supplier_keys)?;
        match (&s.native_name, &s.native_norm) {
            (Some(native), Some(key)) => at.name("native_name", native, "native_norm", key)?,
            (None, None) => {}
            _ => {
                return Err(Invalid::new(
                    at.field("native_norm"),
                    "does not go with native_name",
                ));
            }
        }
        supplier_fields(at, s)
    })?;
    let mut ids = HashSet::new();
    let mut keys = HashSet::new();
    each("supplier_aliases", &backup.supplier_aliases, |at, a| {
        unique(at, "id", a.id, &mut ids)?;
        at.refers("supplier_id", a.supplier_id, &suppliers, "supplier")?;
        at.name("alias", &a.alias, "alias_norm", &a.alias_norm)?;
        unique(
            at,
            "alias_norm",
            (a.supplier_id, a.alias_norm.as_str()),
            &mut keys,
        )
    })?;
    let mut keys = HashSet::new();
    each("supplier_capabilities", &backup.supplier_capabilities, |at, c| {
        at.refers("supplier_id", c.supplier_id, &suppliers, "supplier")?;
        at.canonical("capability", &c.capability, values::parse_capability)?;
        unique(
            at,
            "capability",
            (c.supplier_id, c.capability.as_str()),
            &mut keys,
        )
    })?;
    Ok(Ids { buyers, suppliers })
}

/// A buyer's own fields (its name and key are checked with the list: keys are unique there).
fn buyer_fields(at: At, b: &buyer::Model) -> Result<(), Invalid> {
    at.optional("note", &b.note, text::long)?;
    at.timestamp("created_at", b.created_at)
}

fn supplier_fields(at: At, s: &supplier::Model) -> Result<(), Invalid> {
    at.optional("country", &s.country, values::parse_country)?;
    at.optional("province", &s.province, text::line)?;
    at.optional("city", &s.city, text::line)?;
    at.optional("address", &s.address, text::line)?;
    at.optional("website", &s.website, values::parse_website)?;
    at.optional("note", &s.note, text::long)?;
    at.optional("archive_reason", &s.archive_reason, text::long)?;
    at.timestamp("created_at", s.created_at)?;
    at.timestamp("updated_at", s.updated_at)?;
    if s.listed_on != chrono::NaiveDate::MIN {
        check_in_range(&at.field("listed_on"), s.listed_on)?;
    }
    Ok(())
}

/// Records merged into another: each into a record of the backup of the same kind (a site
/// into one of the same supplier), never itself, and no chain of merges running in a circle
/// (both would vanish from every list, and `show` could find neither).
fn merges(backup: &Backup) -> Result<(), Invalid> {
    let suppliers: HashMap<i32, Option<i32>> =
        backup.suppliers.iter().map(|s| (s.id, s.merged_into)).collect();
    let buyers: HashMap<i32, Option<i32>> = backup.buyers.iter().map(|b| (b.id, b.merged_into)).collect();
    let sites: HashMap<i32, (i32, Option<i32>)> = backup
        .sites
        .iter()
        .map(|s| (s.id, (s.supplier_id, s.merged_into)))
        .collect();
    let site_merges: HashMap<i32, Option<i32>> = sites.iter().map(|(id, (_, into))| (*id, *into)).collect();
    each("suppliers", &backup.suppliers, |at, s| {
        merged(at, s.id, &suppliers, "supplier")
    })?;
    each("buyers", &backup.buyers, |at, b| {
        merged(at, b.id, &buyers, "buyer")
    })?;
    each("sites", &backup.sites, |at, s| {
        merged(at, s.id, &site_merges, "site")?;
        match s.merged_into.and_then(|into| sites.get(&into)) {
            Some((owner, _)) if *owner != s.supplier_id => Err(Invalid::new(
                at.field("merged_into"),
                format!(
                    "site {} belongs to another supplier",
                    s.merged_into.unwrap_or_default()
                ),
            )),
            _ => Ok(()),
        }
    })
}

/// Follows record `id`'s merges (`into`: each record's `merged_into`) to their end.
fn merged(at: At, id: i32, into: &HashMap<i32, Option<i32>>, what: &str) -> Result<(), Invalid> {
    let field = || at.field("merged_into");
    let mut seen = HashSet::from([id]);
    let mut current = id;
    while let Some(Some(next)) = into.get(&current) {
        if !into.contains_key(next) {
            return Err(Invalid::new(
                field(),
                format!("{next} is not a {what} in the backup"),
            ));
        }
        if !seen.insert(*next) {
            return Err(Invalid::new(
                field(),
                if *next == id && current == id {
                    format!("{what} {id} is merged into itself")
                } else {
                    format!("{what} {id}'s merges run in a circle back to {what} {next}")
                },
            ));
        }
        current = *next;
    }
    Ok(())
}

/// Dated facts: each about a supplier (and a site of it, for line counts), with a subject and
/// value of the kind's own form.
fn dated_facts(backup: &Backup, ids: &Ids, sites: &HashSet<i32>) -> Result<(), Invalid> {
    use crate::domain::status::{FactKind, ScarceOverride};
    let mut seen = HashSet::new();
    each("dated_facts", &backup.dated_facts, |at, f| {
        unique(at, "id", f.id, &mut seen)?;
        at.refers("supplier_id", f.supplier_id, &ids.suppliers, "supplier")?;
        check_in_range(&at.field("valid_from"), f.valid_from)?;
        let value = f.value.as_deref();
        let wrong = |what: &str| {
            Err(Invalid::new(
                at.field(what),
                format!("does not fit a {} fact", f.kind),
            ))
        };
        match f.kind {
            FactKind::Capability => {
                at.canonical("subject", &f.subject, values::parse_capability)?;
                if !matches!(value, None | Some("yes")) {
                    return wrong("value");
                }
            }
            FactKind::Alias => {
                if let Some(alias) = value {
                    at.name("value", alias, "subject", &f.subject)?;
                } else if f.subject.is_empty() || normalise(&f.subject) != f.subject {
                    return wrong("subject");
                }
            }
            FactKind::Archived | FactKind::Scarce if !f.subject.is_empty() => return wrong("subject"),
            FactKind::Archived => {
                if !matches!(value, None | Some("yes")) {
                    return wrong("value");
                }
            }
            FactKind::Scarce => {
                if value.and_then(ScarceOverride::from_stored).is_none() {
                    return wrong("value");
                }
            }
            FactKind::Lines => {
                let site = f
                    .subject
                    .parse::<i32>()
                    .map_err(|_| Invalid::new(at.field("subject"), "is not a site id"))?;
                at.refers("subject", site, sites, "site")?;
                at.count(
                    "value",
                    value
                        .map(|v| v.parse::<i32>())
                        .transpose()
                        .map_err(|_| Invalid::new(at.field("value"), "is not a line count"))?,
                )?;
            }
        }
        Ok(())
    })
}

fn sites(backup: &Backup, ids: &Ids) -> Result<HashSet<i32>, Invalid> {
    let suppliers = &ids.suppliers;
    let (mut sites, mut keys) = (HashSet::new(), HashSet::new());
    each("sites", &backup.sites, |at, s| {
        unique(at, "id", s.id, &mut sites)?;
        at.refers("supplier_id", s.supplier_id, suppliers, "supplier")?;
        at.name("name", &s.name, "name_norm", &s.name_norm)?;
        unique(at, "name_norm", (s.supplier_id, s.name_norm.as_str()), &mut keys)?;
        site_fields(at, s)
    })?;
    Ok(sites)
}

fn site_fields(at: At, s: &site::Model) -> Result<(), Invalid> {
    at.optional("city", &s.city, text::line)?;
    at.optional("province", &s.province, text::line)?;
    at.optional("country", &s.country, values::parse_country)?;
    at.count("lines", s.lines)?;
    at.timestamp("created_at", s.created_at)
}

fn visits_and_notes(
    backup: &Backup,
    ids: &Ids,
    sites: &HashSet<i32>,
    today: NaiveDate,
) -> Result<(), Invalid> {
    let (suppliers, buyers) = (&ids.suppliers, &ids.buyers);
    let mut visits = HashSet::new();
    each("visits", &backup.visits, |at, v| {
        unique(at, "id", v.id, &mut visits)?;
        at.refers("supplier_id", v.supplier_id, suppliers, "supplier")?;
        at.refers("buyer_id", v.buyer_id, buyers, "buyer")?;
        if let Some(site) = v.site_id {
            at.refers("site_id", site, sites, "site")?;
        }
        visit_fields(at, v, today)
    })?;
    let mut ids = HashSet::new();
    each("visit_visitors", &backup.visit_visitors, |at, v| {
        unique(at, "id", v.id, &mut ids)?;
        at.refers("visit_id", v.visit_id, &visits, "visit")?;
        at.canonical("name", &v.name, text::name)
    })?;
    let mut ids = HashSet::new();
    each("notes", &backup.notes, |at, n| {
        unique(at, "id", n.id, &mut ids)?;
        at.refers("supplier_id", n.supplier_id, suppliers, "supplier")?;
        if let Some(visit) = n.visit_id {
            at.refers("visit_id", visit, &visits, "visit")?;
        }
        note_fields(at, n, today)
    })?;
    Ok(())
}

fn visit_fields(at: At, v: &visit::Model, today: NaiveDate) -> Result<(), Invalid> {
    at.past("visit_date", v.visit_date, today)?;
    at.optional("purpose", &v.purpose, text::line)?;
    at.count("lines_inspected", v.lines_inspected)?;
    at.optional("summary", &v.summary, text::long)?;
    at.optional("void_reason", &v.void_reason, text::long)?;
    at.timestamp("created_at", v.created_at)
}

fn note_fields(at: At, n: &note::Model, today: NaiveDate) -> Result<(), Invalid> {
    at.optional("topic", &n.topic, text::line)?;
    at.canonical("body", &n.body, text::long)?;
    at.past("noted_on", n.noted_on, today)?;
    if let Some(resolved) = n.resolved_on {
        at.past("resolved_on", resolved, today)?;
    }
    at.optional("resolution", &n.resolution, text::long)?;
    at.optional("void_reason", &n.void_reason, text::long)?;
    at.timestamp("created_at", n.created_at)
}

fn deals(backup: &Backup, ids: &Ids, today: NaiveDate) -> Result<(), Invalid> {
    let (suppliers, buyers) = (&ids.suppliers, &ids.buyers);
    let (mut deals, mut pairs) = (HashSet::new(), HashSet::new());
    each("deals", &backup.deals, |at, d| {
        unique(at, "id", d.id, &mut deals)?;
        at.refers("buyer_id", d.buyer_id, buyers, "buyer")?;
        at.refers("supplier_id", d.supplier_id, suppliers, "supplier")?;
        unique(at, "supplier_id", (d.buyer_id, d.supplier_id), &mut pairs)?;
        deal_fields(at, d, today)
    })?;
    let mut ids = HashSet::new();
    each("deal_events", &backup.deal_events, |at, e| {
        unique(at, "id", e.id, &mut ids)?;
        at.refers("deal_id", e.deal_id, &deals, "deal")?;
        event_fields(at, e, today)
    })?;
    Ok(())
}

fn deal_fields(at: At, d: &deal::Model, today: NaiveDate) -> Result<(), Invalid> {
    at.money(d.value, &d.currency)?;
    at.optional("scope", &d.scope, text::line)?;
    at.past("status_date", d.status_date, today)?;
    at.timestamp("created_at", d.created_at)?;
    at.timestamp("updated_at", d.updated_at)
}

fn event_fields(at: At, e: &deal_event::Model, today: NaiveDate) -> Result<(), Invalid> {
    at.past("event_date", e.event_date, today)?;
    at.money(e.value, &e.currency)?;
    at.optional("scope", &e.scope, text::line)?;
    at.optional("note", &e.note, text::long)?;
    at.optional("void_reason", &e.void_reason, text::long)?;
    at.optional("source", &e.source, text::line)?;
    at.canonical("actor", &e.actor, text::name)?;
    at.timestamp("created_at", e.created_at)
}

/// What a deal says (status and its day, value, currency, scope) is what its events say: its
/// events follow each other by the table of transitions, and the deal is their projection.
fn deal_histories(backup: &Backup) -> Result<(), Invalid> {
    let mut events: HashMap<i32, Vec<&deal_event::Model>> = HashMap::new();
    for event in &backup.deal_events {
        events.entry(event.deal_id).or_default().push(event);
    }
    each("deals", &backup.deals, |at, d| {
        let of_deal = events.remove(&d.id).unwrap_or_default();
        let history = super::deals::history_from_models(of_deal.into_iter());
        history.check().map_err(|e| {
            Invalid::new(
                at.field("status"),
                format!("its events do not follow each other: {}", e.problem),
            )
        })?;
        let Some(current) = history.current() else {
            return if d.voided {
                Ok(())
            } else {
                Err(Invalid::new(
                    at.field("voided"),
                    "the deal has no event that is not voided, so it is void",
                ))
            };
        };
        if d.voided {
            return Err(Invalid::new(
                at.field("voided"),
                "a void deal has an event that is not voided",
            ));
        }
        let shown = |value: Option<String>| value.unwrap_or_else(|| "nothing".to_string());
        let money = |value: &Option<(rust_decimal::Decimal, String)>| {
            value
                .as_ref()
                .map(|(amount, code)| format!("{} {code}", amount.normalize()))
        };
        let stored_value = d
            .value
            .zip(d.currency.clone())
            .map(|(Money(amount), code)| (amount, code));
        let disagreements = [
            (
                "status",
                d.status != current.status,
                d.status.to_string(),
                current.status.to_string(),
            ),
            (
                "status_date",
                d.status_date != current.since,
                d.status_date.to_string(),
                current.since.to_string(),
            ),
            (
                "value",
                stored_value != current.value,
                shown(money(&stored_value)),
                shown(money(&current.value)),
            ),
            (
                "scope",
                d.scope != current.scope,
                shown(d.scope.clone()),
                shown(current.scope.clone()),
            ),
        ];
        for (field, differs, stored, derived) in disagreements {
            if differs {
                return Err(Invalid::new(
                    at.field(field),
                    format!("the deal says {stored}, but its events say {derived}"),
                ));
            }
        }
        Ok(())
    })
}

/// Capacity, holdings and quotes: the commands' rules (units 0 to 10,000, canonical capability
/// tags, lead times as vetted writes them, past statement days).
fn capacity(backup: &Backup, ids: &Ids, today: NaiveDate) -> Result<(), Invalid> {
    let (suppliers, buyers) = (&ids.suppliers, &ids.buyers);
    let mut seen = HashSet::new();
    each("capacity", &backup.capacity, |at, c| {
        unique(at, "id", c.id, &mut seen)?;
        at.refers("supplier_id", c.supplier_id, suppliers, "supplier")?;
        capacity_fields(at, c, today)
    })?;
    let mut seen = HashSet::new();
    each("holdings", &backup.holdings, |at, h| {
        unique(at, "id", h.id, &mut seen)?;
        at.refers("supplier_id", h.supplier_id, suppliers, "supplier")?;
        at.refers("buyer_id", h.buyer_id, buyers, "buyer")?;
        holding_fields(at, h, today)
    })?;
    let mut seen = HashSet::new();
    each("quotes", &backup.quotes, |at, q| {
        unique(at, "id", q.id, &mut seen)?;
        at.refers("supplier_id", q.supplier_id, suppliers, "supplier")?;
        at.refers("buyer_id", q.buyer_id, buyers, "buyer")?;
        quote_fields(at, q, today)
    })
}

/// Units of capacity or a holding: 0 to 10,000, as the commands take them.
fn units(at: At, n: i32) -> Result<(), Invalid> {
    values::parse_whole(&at.field("units"), &n.to_string(), 0, 10_000).map(|_| ())
}

fn capacity_fields(at: At, c: &capacity::Model, today: NaiveDate) -> Result<(), Invalid> {
    at.canonical("capability", &c.capability, values::parse_capability)?;
    units(at, c.units)?;
    at.canonical("unit", &c.unit, text::name)?;
    at.past("stated_on", c.stated_on, today)?;
    at.optional("source", &c.source, text::line)?;
    at.optional("note", &c.note, text::long)?;
    at.timestamp("created_at", c.created_at)
}

fn holding_fields(at: At, h: &holding::Model, today: NaiveDate) -> Result<(), Invalid> {
    at.canonical("capability", &h.capability, values::parse_capability)?;
    units(at, h.units)?;
    at.past("stated_on", h.stated_on, today)?;
    at.optional("source", &h.source, text::line)?;
    at.optional("note", &h.note, text::long)?;
    at.timestamp("created_at", h.created_at)
}

fn quote_fields(at: At, q: &quote::Model, today: NaiveDate) -> Result<(), Invalid> {
    at.canonical("capability", &q.capability, values::parse_capability)?;
    let lead = LeadTime::parse(&at.field("lead_time"), &q.lead_time)?;
    if lead.to_string() != q.lead_time || lead.days() as i32 != q.lead_days {
        return Err(Invalid::new(
            at.field("lead_days"),
            format!("{} and {} days do not go together", q.lead_time, q.lead_days),
        ));
    }
    if let (Some(Money(amount)), Some(code)) = (q.price, &q.currency) {
        at.canonical("currency", code, values::parse_currency)?;
        values::check_money(&at.field("price"), amount, code)?;
    } else if q.price.is_some() != q.currency.is_some() {
        return Err(Invalid::new(
            at.field("currency"),
            "goes with a price, and only with one",
        ));
    }
    if let Some(until) = q.valid_until {
        check_in_range(&at.field("valid_until"), until)?;
    }
    at.past("stated_on", q.stated_on, today)?;
    at.optional("source", &q.source, text::line)?;
    at.optional("note", &q.note, text::long)?;
    at.timestamp("created_at", q.created_at)
}

/// Earlier versions of rows, by the rules of their tables' fields and names (their keys are
/// computed again on restore; ids and references may name what is gone since).
fn earlier_versions(backup: &Backup, today: NaiveDate) -> Result<(), Invalid> {
    let h = &backup.history;
    each_retired("buyers", &h.buyers, |at, b| {
        at.canonical("name", &b.name, text::name)?;
        buyer_fields(at, b)
    })?;
    each_retired("suppliers", &h.suppliers, |at, s| {
        at.canonical("name", &s.name, text::name)?;
        at.optional("native_name", &s.native_name, text::name)?;
        supplier_fields(at, s)
    })?;
    each_retired("supplier_aliases", &h.supplier_aliases, |at, a| {
        at.canonical("alias", &a.alias, text::name)
    })?;
    each_retired("supplier_capabilities", &h.supplier_capabilities, |at, c| {
        at.canonical("capability", &c.capability, values::parse_capability)
    })?;
    each_retired("sites", &h.sites, |at, s| {
        at.canonical("name", &s.name, text::name)?;
        site_fields(at, s)
    })?;
    each_retired("visits", &h.visits, |at, v| visit_fields(at, v, today))?;
    each_retired("visit_visitors", &h.visit_visitors, |at, v| {
        at.canonical("name", &v.name, text::name)
    })?;
    each_retired("notes", &h.notes, |at, n| note_fields(at, n, today))?;
    each_retired("deals", &h.deals, |at, d| deal_fields(at, d, today))?;
    each_retired("deal_events", &h.deal_events, |at, e| event_fields(at, e, today))?;
    each_retired("capacity", &h.capacity, |at, c| capacity_fields(at, c, today))?;
    each_retired("holdings", &h.holdings, |at, x| holding_fields(at, x, today))?;
    each_retired("quotes", &h.quotes, |at, q| quote_fields(at, q, today))
}

fn audit(backup: &Backup) -> Result<(), Invalid> {
    let mut ids = HashSet::new();
    each("audit_entries", &backup.audit_entries, |at, a| {
        unique(at, "id", a.id, &mut ids)?;
        at.canonical("actor", &a.actor, text::name)?;
        at.timestamp("at", a.at)
    })
}

/// The operation log, and every row's and audit entry's reference into it.
fn log(backup: &Backup) -> Result<(), Invalid> {
    let (mut seqs, mut ids) = (HashSet::new(), HashSet::new());
    each("operations", &backup.operations, |at, o| {
        if o.seq <= 0 {
            return Err(Invalid::new(at.field("seq"), "must be 1 or more"));
        }
        if let Some(undone) = o.undoes
            && !seqs.contains(&undone)
        {
            return Err(Invalid::new(
                at.field("undoes"),
                format!("operation {undone} is not an earlier operation of the backup"),
            ));
        }
        unique(at, "seq", o.seq, &mut seqs)?;
        if uuid::Uuid::parse_str(&o.id).is_err() {
            return Err(Invalid::new(at.field("id"), format!("'{}' is not a UUID", o.id)));
        }
        unique(at, "id", o.id.as_str(), &mut ids)?;
        at.canonical("actor", &o.actor, text::name)?;
        // What the log shows: no control characters (the command line is recorded as the
        // shell gave it, and its passwords are masked again as it is restored).
        if !o.summary.trim().is_empty() {
            text::long(&at.field("summary"), &o.summary)?;
        }
        if !["change", "undo", "restore"].contains(&o.kind.as_str()) {
            return Err(Invalid::new(
                at.field("kind"),
                format!("'{}' is not an operation kind", o.kind),
            ));
        }
        at.timestamp("at", o.at)
    })?;
    // 0: written before the log.
    let known = |at: At, name: &str, seq: i32| {
        if seq == 0 || seqs.contains(&seq) {
            Ok(())
        } else {
            Err(Invalid::new(
                at.field(name),
                format!("operation {seq} is not in the backup"),
            ))
        }
    };
    macro_rules! stamped {
        ($($list:ident),+) => {$(
            each(stringify!($list), &backup.$list, |at, r| known(at, "recorded_by", r.recorded_by))?;
            each(concat!("history.", stringify!($list)), &backup.history.$list, |at, r| {
                known(at, "row.recorded_by", r.row.recorded_by)?;
                known(at, "retracted_by", r.retracted_by)?;
                if r.retracted_by <= r.row.recorded_by {
                    return Err(Invalid::new(
                        at.field("retracted_by"),
                        "a version is retracted by a later operation than the one that wrote it",
                    ));
                }
                Ok(())
            })?;
        )+};
    }
    stamped!(
        buyers,
        suppliers,
        supplier_aliases,
        supplier_capabilities,
        sites,
        visits,
        visit_visitors,
        notes,
        deals,
        deal_events,
        dated_facts
    );
    each("audit_entries", &backup.audit_entries, |at, a| {
        known(at, "operation_id", a.operation_id)
    })
}
