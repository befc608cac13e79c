//! Name normalising: one function used by reference lookups, import matching and dedupe, so that
//! `Lumina Heterojunction Equipment Co., Ltd.` and `LUMINA HETEROJUNCTION EQUIPMENT CO LTD` are the
//! same supplier, and so are `ULVAC株式会社`, `株式会社ULVAC` and `ULVAC K.K.`, or
//! `台灣積體電路製造股份有限公司` and `台湾积体电路制造股份有限公司`.
//!
//! The legal forms come from the ISO 20275 Entity Legal Forms code list
//! (`data/iso-20275/`, whose README says which rows and spellings are used and why); the build
//! script (`build/legal_forms.rs`) spells them with this module's own fold (`names/fold.rs`)
//! into the tables included below (hashed, so a word is looked up in one step), with the
//! Traditional → Simplified Chinese table it takes from the `hanconv` crate (OpenCC's data).

mod fold;

// FORMS, LAST_WORDS, FIRST_WORDS, ATTACHED (open-addressed by `fold::slot`),
// ATTACHED_MAX_CHARS, ATTACHED_LAST, ATTACHED_FIRST, BRACKETED.
include!(concat!(env!("OUT_DIR"), "/legal_forms.rs"));
// SIMPLIFIED, TRADITIONAL_IN_BLOCK.
include!(concat!(env!("OUT_DIR"), "/simplified_chinese.rs"));

/// Where a form is stripped (the flags of the generated tables).
const END: u8 = 1;
const START: u8 = 2;

/// The most short words (`s p a`, `sp z o o`) read as one dotted or spaced form.
const MAX_DOTTED_WORDS: usize = 8;

/// Normalises a name for matching:
///
/// 1. Unicode NFKC (full-width letters and punctuation become ASCII, `㈱` becomes `(株)`), lower
///    case, Traditional Chinese characters folded to Simplified (`台灣積體電路` → `台湾积体电路`).
/// 2. A one-character legal form in brackets at the start or end goes (`(株)`, `(주)`, `㈜`).
/// 3. Everything that is not a letter, digit or combining mark becomes a space; spaces collapse.
/// 4. Legal forms are removed from the end, and from the start, repeatedly, as whole words
///    (`GmbH`, `Aktiengesellschaft`, `Gesellschaft mit beschränkter Haftung`, `Co Ltd`), with
///    dotted or spaced spellings matched by their letters run together (`S.p.A.`, `s p a` and
///    `SpA`; `Sp. z o.o.`), and forms of scripts written without spaces also from inside the
///    first or last word (`ULVAC株式会社`, `苏州卢米纳有限公司`). Forms are stripped at the start
///    only for the jurisdictions that write them first (Japan, Korea, Indonesia, Vietnam, Russia
///    and its neighbours: `ООО`, `PT`, `Công ty TNHH`, `株式会社`, `주식회사`). A word in the
///    middle is never touched (`Limited Edition Coatings` stays itself).
///
/// Never returns an empty string for a name that had any letter or digit: a form that is all
/// that is left stays (`Co Ltd` → `co`, `有限公司` → `有限公司`). Idempotent.
pub fn normalise(name: &str) -> String {
    // ASCII is lower-cased on the way; anything else is folded first.
    let mut out = if name.is_ascii() {
        fold::words(name)
    } else {
        let folded = fold::fold(name, simplified);
        fold::words(without_bracketed_forms(&folded))
    };
    strip_forms(&mut out);
    out
}

/// Whether a normalised name is a legal form and nothing else (`有限公司`, `株式会社`,
/// `주식회사`), which `normalise` keeps rather than give an empty key, but which names no one.
/// Only forms of the scripts written without spaces count: a Latin one (`co`, `ag`) may be a
/// name.
pub fn is_legal_form(key: &str) -> bool {
    ATTACHED.get(key).is_some()
}

/// A Traditional Chinese character's Simplified form, or the character itself.
fn simplified(c: char) -> char {
    if let Some(i) = (c as usize).checked_sub(0x4e00).filter(|&i| i < 0x5200)
        && TRADITIONAL_IN_BLOCK[i / 64] & (1 << (i % 64)) == 0
    {
        return c;
    }
    SIMPLIFIED
        .binary_search_by_key(&c, |&(traditional, _)| traditional)
        .map_or(c, |i| SIMPLIFIED[i].1)
}

/// A generated open-addressed table: `entries` by `fold::slot` (linear probing, an empty slot
/// is `("", 0)`); `homes`, the bit set of the slots some key starts at; `sketches`, the bit set
/// of its keys' `fold::sketch`es.
struct Slots {
    entries: &'static [(&'static str, u8)],
    homes: &'static [u64],
    sketches: &'static [u64],
}

impl Slots {
    /// The value held for `key` (a form's flags, a word's form lengths).
    #[inline]
    fn get(&self, key: &str) -> Option<u8> {
        let sketch = fold::sketch(key);
        if self.sketches[sketch / 64] & (1 << (sketch % 64)) == 0 {
            return None;
        }
        self.find(fold::slot_of(key, self.entries.len()), |form| form == key)
    }

    /// The flags of the form spelt by `words` run together (`s p a` → `spa`), without allocating.
    fn run_together(&self, words: &str) -> Option<u8> {
        let letters = || words.bytes().filter(|&b| b != b' ');
        let slot = fold::slot(letters(), self.entries.len());
        self.find(slot, |form| form.bytes().eq(letters()))
    }

    #[inline]
    fn find(&self, slot: usize, is: impl Fn(&str) -> bool) -> Option<u8> {
        let mask = self.entries.len() - 1;
        let mut i = slot;
        if self.homes[i / 64] & (1 << (i % 64)) == 0 {
            return None;
        }
        loop {
            match self.entries[i] {
                ("", _) => return None,
                (form, value) if is(form) => return Some(value),
                _ => i = (i + 1) & mask,
            }
        }
    }
}

/// A one-character form in brackets at the start or end of folded text, taken off while a word
/// is left: `(株)ULVAC` → `ULVAC`. Only in brackets is a single character evidence of a form.
fn without_bracketed_forms(text: &str) -> &str {
    let bracketed = |text: &str| {
        let mut chars = text.chars();
        match (chars.next(), chars.next(), chars.next()) {
            (Some('('), Some(form), Some(')')) => BRACKETED.binary_search(&form).is_ok(),
            _ => false,
        }
    };
    let has_word = |text: &str| text.chars().any(fold::is_word_char);
    let mut rest = text.trim();
    if let Some((i, _)) = rest.char_indices().nth(3)
        && bracketed(&rest[..i])
        && has_word(&rest[i..])
    {
        rest = &rest[i..];
    }
    if let Some((i, _)) = rest.char_indices().nth_back(2)
        && bracketed(&rest[i..])
        && has_word(&rest[..i])
    {
        rest = &rest[..i];
    }
    rest
}

/// Removes legal forms from both ends of a name's words, repeatedly, while a word is left.
fn strip_forms(out: &mut String) {
    // The words' spans, found once; stripping moves the ends of the span list (and, for a form
    // written without a space, the end of its first or last span).
    let mut on_stack = [(0, 0); 16];
    let mut on_heap = Vec::new();
    let (mut count, mut start) = (0, 0);
    for word in out.split(' ') {
        let span = (start, start + word.len());
        match on_stack.get_mut(count) {
            Some(slot) => *slot = span,
            None if on_heap.is_empty() => on_heap.extend(on_stack.iter().copied().chain([span])),
            None => on_heap.push(span),
        }
        count += 1;
        start += word.len() + 1;
    }
    let spans = if count <= on_stack.len() {
        &mut on_stack[..count]
    } else {
        &mut on_heap[..]
    };
    let mut words = Words {
        name: out,
        spans,
        first: 0,
        end: count,
    };
    while words.strip_end() || words.strip_start() {}
    let (from, to) = (words.spans[words.first].0, words.spans[words.end - 1].1);
    out.truncate(to);
    out.drain(..from);
}

/// An end of a name, where legal forms are stripped.
#[derive(Clone, Copy)]
enum Side {
    End,
    Start,
}

/// The words of a name still in it: `spans[first..end]`, byte ranges of `name`.
struct Words<'a> {
    name: &'a str,
    spans: &'a mut [(usize, usize)],
    first: usize,
    end: usize,
}

impl Words<'_> {
    /// The `k`-th word from `side` (`k` ≥ 1: 1 is the last or the first).
    fn word_at(&self, side: Side, k: usize) -> &str {
        let i = match side {
            Side::End => self.end - k,
            Side::Start => self.first + k - 1,
        };
        &self.name[self.spans[i].0..self.spans[i].1]
    }

    /// The `k` words at `side` (`k` ≥ 1), as text.
    fn words_at(&self, side: Side, k: usize) -> &str {
        match side {
            Side::End => self.tail(k),
            Side::Start => self.head(k),
        }
    }

    /// The last `k` words (`k` ≥ 1), as text.
    fn tail(&self, k: usize) -> &str {
        &self.name[self.spans[self.end - k].0..self.spans[self.end - 1].1]
    }

    /// The first `k` words (`k` ≥ 1), as text.
    fn head(&self, k: usize) -> &str {
        &self.name[self.spans[self.first].0..self.spans[self.first + k - 1].1]
    }

    /// How many whole words at `side` make the longest legal form written there (never all of
    /// them; 0 for none): only as many as the forms with that outermost word have, or, dotted or
    /// spaced, words of one or two letters run together (`s p a`).
    fn form_words(&self, side: Side) -> usize {
        let more = self.end - self.first - 1;
        if more == 0 {
            return 0;
        }
        let (outer_words, flag) = match side {
            Side::End => (&LAST_WORDS, END),
            Side::Start => (&FIRST_WORDS, START),
        };
        let outer = self.words_at(side, 1);
        let mut longest = outer_words.get(outer).map_or(0, |counts| {
            (1..=most(counts).min(more))
                .rev()
                .filter(|k| counts & (1 << (k - 1)) != 0)
                .find(|&k| FORMS.get(self.words_at(side, k)).is_some_and(|f| f & flag != 0))
                .unwrap_or(0)
        });
        if is_short(outer) {
            let short = (1..=more.min(MAX_DOTTED_WORDS))
                .take_while(|&k| is_short(self.word_at(side, k)))
                .count();
            longest = (longest.max(1) + 1..=short)
                .rev()
                .find(|&k| {
                    FORMS
                        .run_together(self.words_at(side, k))
                        .is_some_and(|f| f & flag != 0)
                })
                .unwrap_or(longest);
        }
        longest
    }

    /// Removes the longest legal form the name ends with, if one does and a word is left.
    fn strip_end(&mut self) -> bool {
        let more = self.end - self.first - 1;
        let last = self.tail(1);
        let words = self.form_words(Side::End);
        if words > 0 {
            self.end -= words;
            return true;
        }
        // Written without a space: the longest attached form the last word ends with.
        if last
            .chars()
            .next_back()
            .is_some_and(|c| ATTACHED_LAST.contains(&c))
        {
            let suffixes = last.char_indices().rev().skip(1).take(ATTACHED_MAX_CHARS - 1);
            let starts: Bounds = suffixes.map(|(at, _)| at).collect();
            if let Some(at) = starts
                .into_iter()
                .rev()
                .find(|&at| ATTACHED.get(&last[at..]).is_some_and(|f| f & END != 0))
            {
                match (at, more) {
                    (0, 0) => return false,
                    (0, _) => self.end -= 1,
                    (stem, _) => self.spans[self.end - 1].1 = self.spans[self.end - 1].0 + stem,
                }
                return true;
            }
        }
        false
    }

    /// Removes the longest legal form (of a jurisdiction that writes it first) the name begins
    /// with, if one does and a word is left.
    fn strip_start(&mut self) -> bool {
        let more = self.end - self.first - 1;
        let first = self.head(1);
        let words = self.form_words(Side::Start);
        if words > 0 {
            self.first += words;
            return true;
        }
        if first.chars().next().is_some_and(|c| ATTACHED_FIRST.contains(&c)) {
            let prefixes = first
                .char_indices()
                .map(|(at, _)| at)
                .skip(2)
                .chain([first.len()]);
            let ends: Bounds = prefixes.take(ATTACHED_MAX_CHARS - 1).collect();
            if let Some(at) = ends
                .into_iter()
                .rev()
                .find(|&at| ATTACHED.get(&first[..at]).is_some_and(|f| f & START != 0))
            {
                match (at == first.len(), more) {
                    (true, 0) => return false,
                    (true, _) => self.first += 1,
                    (false, _) => self.spans[self.first].0 += at,
                }
                return true;
            }
        }
        false
    }
}

/// The most words of a form, from the word counts a first or last word's forms have.
fn most(counts: u8) -> usize {
    (u8::BITS - counts.leading_zeros()) as usize
}

/// Up to sixteen positions in a word, nearest first; few enough to need no allocation.
#[derive(Default)]
struct Bounds {
    at: [usize; 16],
    len: usize,
}

impl FromIterator<usize> for Bounds {
    fn from_iter<I: IntoIterator<Item = usize>>(iter: I) -> Self {
        let mut found = Bounds::default();
        for at in iter.into_iter().take(found.at.len()) {
            found.at[found.len] = at;
            found.len += 1;
        }
        found
    }
}

impl IntoIterator for Bounds {
    type Item = usize;
    type IntoIter = std::iter::Take<std::array::IntoIter<usize, 16>>;
    fn into_iter(self) -> Self::IntoIter {
        self.at.into_iter().take(self.len)
    }
}

/// A word of one or two characters: a piece of a dotted or spaced form (`S.p.A.`, `A G`).
fn is_short(word: &str) -> bool {
    word.len() <= 2 || (word.len() <= 8 && word.chars().nth(2).is_none())
}

#[cfg(test)]
mod tests {
    use super::{is_legal_form, normalise};

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
        assert_eq!(normalise("株式会社"), "株式会社");
        assert_eq!(normalise("(株)"), "株");
        assert_eq!(normalise("ООО"), "ооо");
        // The end is stripped first, then the start, while a word is left.
        assert_eq!(normalise("PT Tbk"), "pt");
    }

    #[test]
    fn idempotent() {
        for name in [
            "Lumina Co., Ltd.",
            "苏州卢米纳有限公司",
            "Ａｃｍｅ Ｉｎｃ．",
            "x  y  z",
            "Co Ltd",
            "㈱ULVAC",
            "(주) 주식회사",
            "薴",
        ] {
            let once = normalise(name);
            assert_eq!(normalise(&once), once, "{name}");
        }
    }

    /// One pair (or more) per class of variant that issue 16 found missed.
    #[test]
    fn variants_of_one_company_are_one_key() {
        for (variants, key) in [
            // Long forms.
            (
                &["Solar AG", "Solar Aktiengesellschaft", "Solar A.G."][..],
                "solar",
            ),
            (
                &["Vakuum GmbH", "Vakuum Gesellschaft mit beschränkter Haftung"],
                "vakuum",
            ),
            // Dotted and spaced abbreviations.
            (
                &["Meccanica S.p.A.", "Meccanica SpA", "Meccanica S P A"],
                "meccanica",
            ),
            (
                &["Szkło sp. z o.o.", "Szkło spółka z o.o.", "SZKŁO SP Z OO"],
                "szkło",
            ),
            // Forms written before the name.
            (
                &[
                    "株式会社ULVAC",
                    "ULVAC株式会社",
                    "ULVAC K.K.",
                    "ULVAC Kabushiki Kaisha",
                ],
                "ulvac",
            ),
            (&["㈱ULVAC", "ULVAC(株)", "ULVAC, Inc."], "ulvac"),
            (
                &[
                    "ООО Ромашка",
                    "Ромашка ООО",
                    "Общество с ограниченной ответственностью Ромашка",
                ],
                "ромашка",
            ),
            (&["OOO Romashka", "Romashka LLC"], "romashka"),
            (
                &["PT Astra International Tbk", "Astra International"],
                "astra international",
            ),
            (&["Công ty TNHH Minh Phát", "Minh Phát Co., Ltd."], "minh phát"),
            // Korean forms.
            (
                &[
                    "(주)한빛솔라",
                    "㈜한빛솔라",
                    "한빛솔라 주식회사",
                    "주식회사 한빛솔라",
                    "한빛솔라주식회사",
                ],
                "한빛솔라",
            ),
            // Traditional and Simplified Chinese.
            (
                &[
                    "台灣積體電路製造股份有限公司",
                    "台湾积体电路制造股份有限公司",
                    "台湾积体电路制造",
                ],
                "台湾积体电路制造",
            ),
            (&["東京電機株式會社", "东京电机株式会社"], "东京电机"),
        ] {
            for name in variants {
                assert_eq!(normalise(name), key, "{name}");
            }
        }
    }

    #[test]
    fn different_companies_stay_apart() {
        for (one, other) in [
            ("Limited Edition Coatings", "Edition Coatings"),
            ("Solar AG", "Solar AGT"),
            ("Nordic Glass Works AB", "Nordic Works AB"),
            ("A.O. Smith Corp", "Smith Corp"),
            ("Company Coatings", "Coatings"),
            ("卢米纳企业有限公司", "卢米纳有限公司"),
            ("Spa Resort Equipment", "Resort Equipment"),
        ] {
            assert_ne!(normalise(one), normalise(other), "{one} / {other}");
        }
        assert_eq!(normalise("Limited Edition Coatings"), "limited edition coatings");
        assert_eq!(normalise("Solar AGT"), "solar agt");
    }

    /// The build script's tables are what the lookups assume: every entry found where
    /// `fold::slot` says, the sorted ones sorted, forms spelt as `normalise` spells words, and
    /// every form stable alone and around a name.
    #[test]
    fn generated_tables_hold_together() {
        use super::{ATTACHED, BRACKETED, FIRST_WORDS, FORMS, LAST_WORDS, SIMPLIFIED, fold, simplified};
        for table in [&FORMS, &LAST_WORDS, &FIRST_WORDS, &ATTACHED] {
            assert!(table.entries.len().is_power_of_two());
            assert_eq!(table.homes.len() * 64, table.entries.len());
            for &(key, value) in table.entries.iter().filter(|(key, _)| !key.is_empty()) {
                assert_eq!(table.get(key), Some(value), "{key}");
            }
        }
        assert!(BRACKETED.is_sorted());
        assert!(SIMPLIFIED.windows(2).all(|w| w[0].0 < w[1].0));
        for &(_, simple) in &SIMPLIFIED {
            assert_eq!(simplified(simple), simple, "{simple} folds on");
        }
        for &(form, _) in FORMS.entries.iter().filter(|(form, _)| !form.is_empty()) {
            assert_eq!(fold::words(&fold::fold(form, simplified)), form);
            for name in [form.to_string(), format!("acme {form}"), format!("{form} acme")] {
                let once = normalise(&name);
                assert!(!once.is_empty(), "{name:?}");
                assert_eq!(normalise(&once), once, "{name:?}");
            }
        }
    }

    #[test]
    fn only_forms_of_unspaced_scripts_are_no_name() {
        for form in ["有限公司", "株式会社", "주식회사", "集团"] {
            assert!(is_legal_form(&normalise(form)), "{form}");
        }
        for name in ["Co", "AG", "Limited", "3M"] {
            assert!(!is_legal_form(&normalise(name)), "{name}");
        }
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::normalise;

    /// Names as they come: mixed scripts, full-width forms, punctuation, legal forms of every
    /// class (long, dotted, before the name, Korean, Japanese, both Chinese scripts).
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
            "Aktiengesellschaft",
            "Gesellschaft mit beschränkter Haftung",
            "S.p.A.",
            "s p a",
            "sp. z o.o.",
            "spółka",
            "A.G.",
            "ООО",
            "PT",
            "Công ty",
            "TNHH",
            "㈱",
            "(株)",
            "㈜",
            "(주)",
            "주식회사",
            "K.K.",
            "Kabushiki Kaisha",
            "台灣積體電路製造",
            "薴",
            "(",
            ")",
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
