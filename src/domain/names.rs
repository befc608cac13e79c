//! Name normalising: one function used by reference lookups, import matching and dedupe, so that
//! `Lumina Heterojunction Equipment Co., Ltd.` and `LUMINA HETEROJUNCTION EQUIPMENT CO LTD` are the
//! same supplier.

use std::borrow::Cow;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Latin legal suffixes, matched as whole trailing words after punctuation became spaces.
/// Multi-word forms come first so that `co ltd` is taken as one suffix where it can be.
const LATIN_SUFFIXES: &[&str] = &[
    "co",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "company",
    "llc",
    "llp",
    "lp",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "plc",
    "pte",
    "pty",
    "oy",
    "ab",
    "as",
    "kk",
    "jsc",
    "pvt",
    "sdn",
    "bhd",
    "tbk",
    "mbh",
];

/// Chinese (and Japanese) legal suffixes, matched with or without a space before them. Longest
/// first, so `股份有限公司` is removed whole rather than leaving `股份`.
const CJK_SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "集团有限公司",
    "集團有限公司",
    "有限公司",
    "株式会社",
    "集团",
    "集團",
    "公司",
];

/// Normalises a name for matching: NFKC, case-folded, everything that is not a letter or digit
/// becomes a space, spaces collapsed, legal suffixes removed from the end repeatedly. Never
/// returns an empty string for a name that had any letter or digit: the last word stays.
pub fn normalise(name: &str) -> String {
    // ASCII is lower-cased on the way; anything else is folded first.
    let folded = if name.is_ascii() {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(fold(name))
    };
    // Runs of letters, digits and combining marks, one space between them.
    let mut out = String::with_capacity(folded.len());
    let mut gap = false;
    for c in folded.chars() {
        if c.is_alphanumeric() || is_combining_mark(c) {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    loop {
        let start = out.rfind(' ').map_or(0, |space| space + 1);
        let last = &out[start..];
        let more_words = start > 0;
        if more_words && LATIN_SUFFIXES.contains(&last) {
            out.truncate(start - 1);
            continue;
        }
        if let Some(stem) = CJK_SUFFIXES.iter().find_map(|suffix| last.strip_suffix(suffix)) {
            if !stem.is_empty() {
                out.truncate(start + stem.len());
                continue;
            }
            if more_words {
                out.truncate(start - 1);
                continue;
            }
        }
        break;
    }
    out
}

/// Whether a normalised name is a legal form and nothing else (`有限公司`), which `normalise`
/// keeps rather than give an empty key, but which names no one.
pub fn is_legal_form(key: &str) -> bool {
    CJK_SUFFIXES.contains(&key)
}

/// NFKC, lower case, NFKC again (lower-casing may decompose, and the function must be
/// idempotent). Imports normalise every name, so text that is already normal skips the work: the
/// quick check answers for most text, and the second pass is needed only if lower-casing changed
/// something.
fn fold(name: &str) -> String {
    let nfkc = |text: &str| -> String {
        if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
            text.to_string()
        } else {
            text.nfkc().collect()
        }
    };
    let once = nfkc(name);
    let lower = once.to_lowercase();
    if lower == once { lower } else { nfkc(&lower) }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn latin_suffixes_and_case_go() {
        for name in [
            "Lumina Heterojunction Equipment Co., Ltd.",
            "LUMINA HETEROJUNCTION EQUIPMENT CO LTD",
            "Lumina Heterojunction Equipment",
            "  lumina   heterojunction equipment, inc. ",
        ] {
            assert_eq!(normalise(name), "lumina heterojunction equipment", "{name}");
        }
    }

    #[test]
    fn chinese_suffixes_with_or_without_space() {
        assert_eq!(normalise("苏州卢米纳异质结装备有限公司"), "苏州卢米纳异质结装备");
        assert_eq!(normalise("苏州卢米纳异质结装备 有限公司"), "苏州卢米纳异质结装备");
        assert_eq!(
            normalise("苏州卢米纳异质结装备股份有限公司"),
            "苏州卢米纳异质结装备"
        );
        assert_eq!(normalise("卢米纳集团有限公司"), "卢米纳");
    }

    #[test]
    fn full_width_and_stray_symbols() {
        assert_eq!(
            normalise("ＡＢＣ　Ｓｏｌａｒ（Ｓｕｚｈｏｕ）Ｃｏ．，Ｌｔｄ．"),
            "abc solar suzhou"
        );
        assert_eq!(normalise("Sun□Tech & Sons GmbH"), "sun tech sons");
    }

    #[test]
    fn never_empty() {
        assert_eq!(normalise("Limited"), "limited");
        assert_eq!(normalise("Co Ltd"), "co");
        assert_eq!(normalise("有限公司"), "有限公司");
        assert_eq!(normalise("AG"), "ag");
    }

    #[test]
    fn idempotent() {
        for name in [
            "Lumina Co., Ltd.",
            "苏州卢米纳有限公司",
            "Ａｃｍｅ Ｉｎｃ．",
            "x  y  z",
            "Co Ltd",
        ] {
            let once = normalise(name);
            assert_eq!(normalise(&once), once, "{name}");
        }
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::normalise;

    /// Names as they come: mixed scripts, full-width forms, punctuation, legal suffixes.
    fn names() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "Lumina",
            "CO",
            "Ltd.",
            "有限公司",
            "股份有限公司",
            "集团",
            "ＡＢＣ",
            "（苏州）",
            "GmbH",
            "&",
            "□",
            " ",
            "\u{a0}",
            "İstanbul",
            "ß",
            "ﬁ",
            "Ⅻ",
            "e\u{301}",
            "株式会社",
            "-",
            "Inc",
            "co",
            "ltd",
        ]);
        prop_oneof![
            any::<String>(),
            prop::collection::vec(pieces, 0..8).prop_map(|p| p.concat()),
        ]
    }

    proptest! {
        #[test]
        fn normalising_is_idempotent_and_never_panics(name in names()) {
            let once = normalise(&name);
            prop_assert_eq!(normalise(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
            if name.chars().any(char::is_alphanumeric) {
                prop_assert!(!once.is_empty(), "{:?} normalised to nothing", name);
            }
        }
    }
}
