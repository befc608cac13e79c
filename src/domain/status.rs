//! Deal statuses, finding severities, the scarcity override and a buyer's kind: typed values that
//! are stored, exported and backed up as their lower-case spellings, with the rules for moving a
//! deal from one status to another.

use std::fmt;

use super::values::Invalid;

/// Declares a string-backed enum with its parsing, listing and display.
/// In JSON (exports, backups, the audit trail) a value is its stored spelling; reading one back
/// accepts exactly those spellings (`'Prospect' is not a deal status`).
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every spelling, in order (what completions offer).
            pub const SPELLINGS: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// What a value of this kind is called in a message: "a deal status".
            pub const WHAT: &'static str = $what;

            /// The value stored as exactly `text` (a backup or a row holds only these spellings).
            pub fn from_stored(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }

            /// [`Self::from_stored`], or the problem with `text`.
            pub fn stored(text: &str) -> Result<Self, String> {
                Self::from_stored(text).ok_or_else(|| format!("'{text}' is not {}", Self::WHAT))
            }

            /// Parses the user's (or the database's) spelling, ignoring case and spaces.
            pub fn parse(input: &str) -> Result<Self, Invalid> {
                let key = input.trim().to_ascii_lowercase();
                match key.as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(Invalid::new(
                        $field,
                        format!(
                            "'{}' is not one of {}",
                            input,
                            Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::stored(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_enum!(
    /// Where a buyer stands with a supplier. "No deal" means not `Signed`.
    DealStatus, "status", "a deal status", {
        Prospect => "prospect",
        Evaluating => "evaluating",
        Negotiating => "negotiating",
        Signed => "signed",
        Declined => "declined",
        Terminated => "terminated",
    }
);

string_enum!(
    /// How serious an inspection finding is.
    Severity, "severity", "a severity", {
        Info => "info",
        Minor => "minor",
        Major => "major",
        Critical => "critical",
    }
);

string_enum!(
    /// A user's override of the computed scarcity of a supplier.
    ScarceOverride, "scarce", "a scarcity override (auto, yes, no)", {
        Auto => "auto",
        Yes => "yes",
        No => "no",
    }
);

string_enum!(
    /// What a dated fact about a supplier is about (`domain::timeline`).
    FactKind, "kind", "a kind of dated fact", {
        Capability => "capability",
        Alias => "alias",
        Archived => "archived",
        Scarce => "scarce",
        Lines => "lines",
    }
);

string_enum!(
    /// How sure we are of a move we did not see signed ourselves: a deal event, capacity, a
    /// holding or a quote.
    Confidence, "confidence", "a confidence (confirmed, likely, rumour)", {
        Confirmed => "confirmed",
        Likely => "likely",
        Rumour => "rumour",
    }
);

impl Confidence {
    /// Confirmed (what a backup from before provenance says of its deal events).
    pub fn confirmed() -> Confidence {
        Confidence::Confirmed
    }

    /// Whether a statement this sure counts as fact (capacity towards free units): confirmed
    /// or likely; a rumour is listed and marked, never counted.
    pub fn counts(self) -> bool {
        matches!(self, Confidence::Confirmed | Confidence::Likely)
    }

    /// What is assumed when nobody says: our own teams' moves are confirmed, a competitor's
    /// only likely.
    pub fn default_for(external: bool) -> Confidence {
        if external {
            Confidence::Likely
        } else {
            Confidence::Confirmed
        }
    }
}

string_enum!(
    /// Where a buyer's hold on a supplier's capacity stands.
    HoldStatus, "status", "a holding status (rumoured, reserved, contracted, released)", {
        Rumoured => "rumoured",
        Reserved => "reserved",
        Contracted => "contracted",
        Released => "released",
    }
);

impl HoldStatus {
    /// Whether the units are taken: reserved or contracted (a rumour is listed, not counted;
    /// released units are free again).
    pub fn takes_units(self) -> bool {
        matches!(self, HoldStatus::Reserved | HoldStatus::Contracted)
    }
}

/// Whether a buyer team is one of ours (or a sister company's) or a competitor we track. Stored
/// as the buyer's `external` flag; shown and exported as its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BuyerKind {
    Internal,
    External,
}

impl BuyerKind {
    pub fn of(external: bool) -> BuyerKind {
        if external {
            BuyerKind::External
        } else {
            BuyerKind::Internal
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BuyerKind::Internal => "internal",
            BuyerKind::External => "external",
        }
    }
}

impl fmt::Display for BuyerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DealStatus {
    /// Whether a deal may move from `from` (the status in force on the event's date; none for a
    /// new deal) to `self`. The one table of transitions (`deal set --help`, the README):
    ///
    /// | from | to |
    /// |---|---|
    /// | (new), prospect, evaluating, negotiating | any status but terminated |
    /// | signed | signed (an amendment of value or scope) or terminated |
    /// | declined, terminated | a new start: prospect or evaluating |
    ///
    /// A status may always be stated again (a note or a correction of value or scope).
    pub fn check_transition(self, from: Option<DealStatus>) -> Result<(), Invalid> {
        use DealStatus::*;
        let refused = |problem: String| Err(Invalid::new("status", problem));
        match (from, self) {
            (Some(from), to) if from == to => Ok(()),
            (None | Some(Prospect | Evaluating | Negotiating), Terminated) => refused(format!(
                "cannot terminate a deal that is not signed (it is {}); use declined",
                from.map_or("new", DealStatus::as_str)
            )),
            (None | Some(Prospect | Evaluating | Negotiating), _) => Ok(()),
            (Some(Signed), Terminated) => Ok(()),
            (Some(Signed), to) => refused(format!(
                "the deal is signed; it can be amended (signed) or end (terminated), not become {to}"
            )),
            (Some(Declined | Terminated), Prospect | Evaluating) => Ok(()),
            (Some(from @ (Declined | Terminated)), to) => refused(format!(
                "the deal is {from}; it can only start again as prospect or evaluating, not {to}"
            )),
        }
    }

    pub fn is_signed(self) -> bool {
        self == DealStatus::Signed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_ignores_case_and_lists_choices() {
        assert_eq!(DealStatus::parse(" Signed ").unwrap(), DealStatus::Signed);
        let err = DealStatus::parse("won").unwrap_err();
        assert_eq!(err.field, "status");
        assert!(
            err.problem
                .contains("prospect, evaluating, negotiating, signed, declined, terminated")
        );
        assert_eq!(Severity::parse("CRITICAL").unwrap(), Severity::Critical);
        assert_eq!(Severity::parse("urgent").unwrap_err().field, "severity");
        assert_eq!(ScarceOverride::parse("no").unwrap(), ScarceOverride::No);
    }

    #[test]
    fn one_table_of_transitions() {
        use DealStatus::*;
        let all = [Prospect, Evaluating, Negotiating, Signed, Declined, Terminated];
        let allowed = |from: Option<DealStatus>| -> Vec<DealStatus> {
            all.iter()
                .copied()
                .filter(|to| to.check_transition(from).is_ok())
                .collect()
        };
        let open = vec![Prospect, Evaluating, Negotiating, Signed, Declined];
        assert_eq!(allowed(None), open, "a new deal");
        for from in [Prospect, Evaluating, Negotiating] {
            assert_eq!(allowed(Some(from)), open, "from {from}");
        }
        assert_eq!(allowed(Some(Signed)), vec![Signed, Terminated]);
        assert_eq!(allowed(Some(Declined)), vec![Prospect, Evaluating, Declined]);
        assert_eq!(allowed(Some(Terminated)), vec![Prospect, Evaluating, Terminated]);
        let message = Prospect.check_transition(Some(Signed)).unwrap_err();
        assert_eq!(message.field, "status");
        assert!(message.problem.contains("terminated"), "{}", message.problem);
    }

    #[test]
    fn severities_order_by_seriousness() {
        assert!(Severity::Critical > Severity::Major && Severity::Major > Severity::Minor);
    }
}
