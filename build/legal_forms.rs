//! Build-time tables for the name normaliser (`src/domain/names.rs`): the legal forms of the
//! ISO 20275 Entity Legal Forms code list (`data/iso-20275/`, see its README) and the
//! Traditional → Simplified Chinese character table, written to `OUT_DIR` as Rust source that
//! `names.rs` includes. Every form is spelt with the normaliser's own fold (`#[path]`-included
//! below), so a form in the tables matches a name exactly as `normalise` spells it.
//!
//! Which rows are a supplier's legal form, which of their spellings are used, where they are
//! stripped, and the short supplementary list: see `data/iso-20275/README.md` (kept in step with
//! the constants here).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

#[path = "../src/domain/names/fold.rs"]
mod fold;

/// Flags of a form: where in a name it is stripped (the same constants are in `names.rs`).
const END: u8 = 1;
const START: u8 = 2;

/// A form of more words than this is a description, not something written after a name.
const MAX_WORDS: usize = 8;

/// Jurisdictions whose names are written with the legal form first (`ООО Ромашка`, `PT Astra`,
/// `Công ty TNHH …`, `株式会社ULVAC`, `주식회사 …`); their forms are stripped at the start of a
/// name as well as at the end.
const START_COUNTRIES: &[&str] = &["JP", "KR", "ID", "VN", "RU", "BY", "UA", "KZ", "KG", "UZ", "TJ"];

/// Short Latin forms strong enough to strip at the start of a name: a name does not begin with
/// `PT` or `CV` by chance in the jurisdictions that write them first. Other Latin forms of fewer
/// than three letters are stripped only at the end (`A.O. Smith` keeps its `a o`).
const SHORT_START_FORMS: &[&str] = &["pt", "cv"];

/// A row whose local or transliterated name holds one of these (lower case) names no supplier:
/// funds, foundations, associations, public bodies, churches, banks, insurers, branches,
/// non-profits, foreign-entity and catch-all rows. Matched as substrings, so a stem excludes
/// every word it begins.
#[rustfmt::skip]
const NOT_A_SUPPLIER: &[&str] = &[
    // funds and foundations
    "fund", "fond", "фонд", "stiftung", "stiftelse", "stichting", "foundation", "fondation",
    "fundación", "fundacion", "fundação", "fundacja", "fondazione", "säätiö", "nadác", "nadace",
    "alapítvány", "vakıf", "基金", "财团", "財團", "財団", "재단", "펀드",
    // associations, unions, chambers, parties
    "verein", "association", "asociación", "asociacion", "associação", "associazione", "vereniging",
    "forening", "förening", "yhdistys", "stowarzysz", "sdružení", "združenie", "egyesület",
    "dernek", "ассоциац", "союз", "社團", "社团", "团体", "團體", "団体", "협회", "사단", "union", "syndicat",
    "gewerkschaft", "профсоюз", "工会", "chamber", "chambre", "kammer", "kammare", "kamari", "палат",
    "rūmai", "politi", "partei", "partido", "партии", "party", "erakond", "asocia", "zrzesz",
    "spolek", "udrug", "liit", "birlik", "sindica", "szövetség", "sąjung", "σωματεί", "guvern",
    "объединени", "obedinenie", "общественн", "obshchestvenn", "правительствен", "pravitel",
    "саморегулир", "samoregul", "общины", "obshchiny", "advokat", "адвокат", "notari", "нотари",
    "коллеги", "kollegii", "verband",
    // public bodies
    "public body", "public law", "public administration", "public authority", "public institution",
    "public entity", "öffentlich", "offentlig", "publique", "pubblic", "público", "pública",
    "publico", "publica", "publiek", "publiczn", "government", "gouvern", "gobierno", "governo",
    "государ", "муницип", "державн", "комунальн", "municipal", "communal", "federal", "cantonal",
    "canton", "county", "district", "city", "state", "embassy", "ambassade", "court", "tribunal",
    "суд", "机构", "機構", "机关", "機關", "機関", "事业", "事業", "委员会", "公证", "法律", "中心", "单位", "公共", "国の",
    "공공", "국가", "法例", "administr", "amministra", "commune", "comune", "municip", "gemeinde",
    "kommun", "region", "région", "bezirk", "kanton", "estado", "minist", "métropol", "départe",
    "metropol", "obec", "kraj", "confédér", "confeder", "distrett", "önkormányzat", "hallinto", "förvaltning",
    "verwaltung", "savivald", "valstyb", "biudžet", "įstaig", "δημοσίου", "publike", "stats",
    "институт", "institu", "istituto", "instytut", "instelling", "établissement", "etablissement",
    "establishment", "anstalt", "einrichtung", "ustanov", "ústav", "uczelnia", "учрежд", "uchrezhd",
    "органы", "organy", "территориальн", "territorial", "организационно", "organizatsionno",
    "подраздел", "podrazdel", "казенн", "kazenn", "agent", "centr",
    // churches, schools, hospitals, cemeteries, housing
    "church", "kirch", "kirk", "religio", "ecclesi", "parish", "paroisse", "église", "iglesia",
    "chiesa", "церк", "kerk", "congr", "宗教", "school", "universit", "hospital", "college",
    "cemetery", "condomin", "housing", "жилищ", "társasház", "hooneühistu", "korteriühistu",
    "sameie", "bolig", "borett", "садовод", "sadovod", "гараж", "garazh", "sodinink", "comunidad",
    "ejido", "konkurs", "dödsbo", "kuolinpesä", "verotus", "beskattning",
    // banks, insurers, pensions, investment, credit
    "bank", "kasse", "spar", "insurance", "versicherung", "assurance", "assicura", "seguro",
    "reasekur", "ubezpiecz", "страх", "vakuut", "försäkring", "forsikring", "pojišť", "poisť", "보험",
    "pension", "invest", "financ", "credit", "kredit", "loan", "savings", "mutual", "mutua",
    "trust", "fiduci", "fideicomis", "treuh", "受託", "crédit", "inversi", "infheist", "kassa",
    "pankki", "sporiteľ", "nyugdíj", "alap", "takarék", "hitel", "mutuel",
    // branches and representative offices
    "branch", "filial", "филиал", "oddział", "zweig", "niederlassung", "succursale", "sucursal",
    "представител", "pobočka", "podružnic", "sivuliike", "procur", "prokur", "reprezent",
    // non-profits and charities
    "non-profit", "nonprofit", "not-for-profit", "not for profit", "gemeinnützig", "некоммерч",
    "sin fines", "sans but", "non lucrat", "senza scopo", "winstoogmerk", "nonstock", "non-stock",
    "charit", "közhasznú", "mittetulundus", "yayasan", "sihtasutus", "zaklad", "ιδρύμα", "vakif",
    // foreign entities and catch-all rows (not a form a name is written with)
    "foreign", "ausländ", "étrang", "estero", "extranj", "estrangeir", "иностран", "чуждестран",
    "utenlandsk", "外国", "other", "sonstig", "autre", "altre", "otros", "outros", "прочие", "其他",
    "その他", "기타", "组织", "組織", "muu ", "muut ", "övriga", "annan ", "annat ", "λοιπ", "lipa",
    "ulkomai",
    // Finnish and Swedish public and communal bodies the stems above miss.
    "maakunta", "valtio", "julkisoikeu", "paikallis", "ylioppilas", "uskonn", "kyrk", "sklad",
];

/// Spellings that are ordinary words (or a generic noun in a script written without spaces): a
/// name may end or begin with them, so they are never stripped even though a kept row lists them.
#[rustfmt::skip]
const ORDINARY_WORDS: &[&str] = &[
    "a", "an", "and", "at", "be", "by", "de", "do", "en", "et", "eu", "for", "go", "he", "if", "in",
    "is", "it", "me", "my", "no", "of", "on", "or", "so", "the", "to", "up", "us", "we", "firma",
    "business", "chartered", "artisan", "cooperation", "coopération", "association", "ente", "bund",
    "kunta", "企业", "qi ye", "qiye",
    // Three letters that are words, names or well-known acronyms more often than forms.
    "ans", "apb", "arl", "ccc", "cdc", "clf", "cra", "crc", "ctr", "dba", "edo", "emc", "eog",
    "gar", "gen", "iap", "ibc", "icc", "iic", "ike", "ips", "kbe", "mpo", "nsh", "oba", "ong",
    "pac", "pdb", "per", "psa", "sab", "sac", "sal", "sam", "sap", "sat", "scm", "sci", "sec",
    "sha", "sie", "smc", "spr", "src", "ste", "teo", "tub", "zoo",
];

/// The only forms of two letters that are stripped (whole or dotted: `AG`, `A.G.`): the ones
/// written after (or, for `pt` and `cv`, before) company names widely enough to be evidence.
/// The code list has some seventy more (`bc`, `ca`, `ii`, `vi`, `cn`, `jp`, `ok`, …) that are
/// far more often a place, a numeral or a word.
#[rustfmt::skip]
const TWO_LETTER_FORMS: &[&str] = &[
    "ab", "ad", "ag", "as", "bv", "co", "cv", "dd", "eg", "ek", "hb", "hf", "kd", "kg", "kk", "ks", "ky",
    "lp", "nv", "og", "oy", "oü", "pt", "sa", "se", "ад", "ао", "ат", "ет", "ип", "кд",
];

/// Spellings used in practice that the code list lacks (or lists only for a jurisdiction that
/// writes them elsewhere in a name), with where they are stripped. Today's suffixes are all here,
/// so no name loses a suffix the normaliser stripped before.
#[rustfmt::skip]
const SUPPLEMENTARY: &[(&str, u8)] = &[
    // The Latin suffixes the normaliser has always stripped.
    ("co", END), ("ltd", END), ("limited", END), ("inc", END), ("incorporated", END), ("corp", END),
    ("corporation", END), ("company", END), ("llc", END), ("llp", END), ("lp", END), ("gmbh", END),
    ("ag", END), ("kg", END), ("sa", END), ("sas", END), ("sarl", END), ("srl", END), ("spa", END),
    ("bv", END), ("nv", END), ("plc", END), ("pte", END), ("pty", END), ("oy", END), ("ab", END),
    ("as", END), ("kk", END), ("jsc", END), ("pvt", END), ("sdn", END), ("bhd", END), ("tbk", END),
    ("mbh", END), ("private limited", END), ("berhad", END),
    // Czech and Slovak (the code list spells Czech forms out only), the Swedish `AB (publ)`.
    ("s r o", END), ("spol s r o", END), ("v o s", END), ("publ", END),
    // The Chinese suffixes it has always stripped (Traditional spellings fold to these).
    ("股份有限公司", END), ("有限责任公司", END), ("集团有限公司", END), ("有限公司", END),
    ("集团", END), ("公司", END), ("株式会社", END | START),
    // Polish: the long word with the short tail, as often written as either.
    ("spółka z o o", END), ("spółka z ograniczoną odpowiedzialnością", END),
    // Japanese in Hepburn romanisation (the code list has Kunrei-shiki, `kabusikigaisya`).
    ("kabushiki kaisha", END | START), ("kabushiki gaisha", END | START),
    ("yugen kaisha", END | START), ("godo kaisha", END | START), ("gomei kaisha", END | START),
    ("goshi kaisha", END | START),
    // Russian, Ukrainian and Kazakh forms (the code list has Russia's only as plural category
    // names, and no Ukraine or Kazakhstan), written first and sometimes last.
    ("ооо", END | START), ("оао", END | START), ("зао", END | START), ("пао", END | START),
    ("ао", END | START), ("нао", END | START), ("тоо", END | START), ("тов", END | START),
    ("пат", END | START), ("прат", END | START), ("ат", END | START), ("ип", END | START),
    ("ooo", END | START), ("oao", END | START), ("zao", END | START), ("pao", END | START),
    ("общество с ограниченной ответственностью", END | START),
    ("акционерное общество", END | START), ("публичное акционерное общество", END | START),
    ("непубличное акционерное общество", END | START),
    ("закрытое акционерное общество", END | START), ("открытое акционерное общество", END | START),
    ("товарищество с ограниченной ответственностью", END | START),
    ("товариство з обмеженою відповідальністю", END | START),
    ("акціонерне товариство", END | START), ("приватне акціонерне товариство", END | START),
    ("публічне акціонерне товариство", END | START),
    // Vietnamese: `Công ty TNHH …`, `Công ty CP …` (the code list spells the forms out only).
    ("công ty", END | START), ("cty", END | START), ("công ty tnhh", END | START),
    ("cty tnhh", END | START), ("công ty cp", END | START), ("cty cp", END | START),
    ("tnhh", END | START),
];

/// One spelling of a form, before folding, with where it is stripped.
struct Spelling {
    text: String,
    flags: u8,
}

/// Reads the code list and writes `legal_forms.rs` and `simplified_chinese.rs` into `out_dir`.
pub fn generate(csv_path: &Path, out_dir: &Path) {
    println!("cargo::rerun-if-changed={}", csv_path.display());
    let simplified = simplified_chinese();
    let supplementary = SUPPLEMENTARY.iter().map(|&(text, flags)| Spelling {
        text: text.to_string(),
        flags,
    });
    let mut forms = Forms::default();
    for spelling in code_list_spellings(csv_path).chain(supplementary) {
        forms.add(spelling, |c| {
            simplified
                .binary_search_by_key(&c, |&(from, _)| from)
                .map_or(c, |i| simplified[i].1)
        });
    }
    write(&out_dir.join("legal_forms.rs"), &forms.source());
    write(
        &out_dir.join("simplified_chinese.rs"),
        &simplified_source(&simplified),
    );
}

/// The legal forms as the normaliser's tables hold them: normalised words with their flags,
/// those of the scripts written without spaces, and the one-character ones.
#[derive(Default)]
struct Forms {
    words: BTreeMap<String, u8>,
    attached: BTreeMap<String, u8>,
    bracketed: BTreeSet<char>,
}

impl Forms {
    /// Folds a spelling as `normalise` folds a name and keeps it, unless it is too weak to
    /// strip (see `ORDINARY_WORDS`, `TWO_LETTER_FORMS`, `SHORT_START_FORMS`).
    fn add(&mut self, Spelling { text, flags }: Spelling, simplified: impl Fn(char) -> char) {
        let folded = fold::fold(&text, simplified);
        let key = fold::words(&folded);
        if key.is_empty() || key.split(' ').count() > MAX_WORDS {
            return;
        }
        let mut chars = key.chars();
        if let (Some(only), None) = (chars.next(), chars.next()) {
            // One character (`株` for 株式会社, `㈜` = `(주)` for 주식회사): a form only when
            // written in brackets; a bare Latin letter never is.
            if !only.is_ascii() {
                self.bracketed.insert(only);
            }
            return;
        }
        let trimmed = folded.trim();
        if trimmed.starts_with('(') && trimmed.ends_with(')') {
            // `(유)`, `(Ju)`: only ever written in brackets; a one-character one is kept above,
            // a Latin one is too weak as a bare word.
            return;
        }
        let joined = compact(&key);
        let unspaced = joined.chars().all(written_without_spaces);
        if ORDINARY_WORDS.contains(&key.as_str())
            || ORDINARY_WORDS.contains(&joined.as_str())
            || (joined.chars().count() == 2 && !unspaced && !TWO_LETTER_FORMS.contains(&joined.as_str()))
        {
            return;
        }
        let flags = if key.is_ascii() && joined.len() < 3 && !SHORT_START_FORMS.contains(&&*key) {
            flags & !START
        } else {
            flags
        };
        if unspaced && !key.contains(' ') {
            *self.attached.entry(key.clone()).or_default() |= flags;
        }
        // Dotted and spaced spellings (`S.p.A.`, `s p a`, `Sp. z o.o.`) are matched by their
        // letters run together, so a form of short words is also kept run together (`spa`,
        // `spzoo`), which also matches it written as one word (`SpA`).
        if key.contains(' ') && key.split(' ').all(|w| w.chars().count() <= 3) {
            *self.words.entry(joined).or_default() |= flags;
        }
        *self.words.entry(key).or_default() |= flags;
    }

    /// The tables as Rust source for `names.rs` to include.
    fn source(&self) -> String {
        // For each first and last word, which word counts its forms have (bit k - 1 for k
        // words), so that only those ends of a name are looked up.
        let mut last_words: BTreeMap<String, u8> = BTreeMap::new();
        let mut first_words: BTreeMap<String, u8> = BTreeMap::new();
        for (form, &flags) in &self.words {
            let count = form.split(' ').count();
            let (first, last) = (form.split(' ').next(), form.rsplit(' ').next());
            for (side, flag, word) in [(&mut last_words, END, last), (&mut first_words, START, first)] {
                if flags & flag != 0 {
                    let word = word.expect("a form has a word").to_string();
                    *side.entry(word).or_default() |= 1 << (count - 1);
                }
            }
        }
        let edge = |flag: u8, edge: fn(&str) -> Option<char>| {
            let chars: BTreeSet<char> = (self.attached.iter())
                .filter(|&(_, &f)| f & flag != 0)
                .filter_map(|(form, _)| edge(form))
                .collect();
            chars.into_iter().map(|c| format!("{c:?}"))
        };
        let most_chars = self.attached.keys().map(|f| f.chars().count()).max();

        let mut out =
            String::from("// Generated by build/legal_forms.rs from data/iso-20275/: do not edit.\n\n");
        out.push_str("/// Every legal form as normalised words, with where it is stripped.\n");
        write_slots(&mut out, "FORMS", &self.words);
        out.push_str("/// The last word of every form stripped at the end: its forms' word counts.\n");
        write_slots(&mut out, "LAST_WORDS", &last_words);
        out.push_str("/// The first word of every form stripped at the start: its forms' word counts.\n");
        write_slots(&mut out, "FIRST_WORDS", &first_words);
        out.push_str("/// Forms of scripts written without spaces, stripped from inside a word too.\n");
        write_slots(&mut out, "ATTACHED", &self.attached);
        let _ = writeln!(
            out,
            "/// The most characters an attached form has.\n\
             const ATTACHED_MAX_CHARS: usize = {};\n",
            most_chars.unwrap_or(0)
        );
        out.push_str("/// The characters the attached forms stripped at the end end with.\n");
        write_array(
            &mut out,
            "ATTACHED_LAST",
            "char",
            edge(END, |f| f.chars().next_back()),
        );
        out.push_str("/// The characters the attached forms stripped at the start begin with.\n");
        write_array(
            &mut out,
            "ATTACHED_FIRST",
            "char",
            edge(START, |f| f.chars().next()),
        );
        out.push_str("/// One-character forms, stripped only in brackets (`(株)`, `㈱`, `(주)`), sorted.\n");
        let bracketed = self.bracketed.iter().map(|c| format!("{c:?}"));
        write_array(&mut out, "BRACKETED", "char", bracketed);
        out
    }
}

/// The Traditional → Simplified table as Rust source for `names.rs` to include.
fn simplified_source(simplified: &[(char, char)]) -> String {
    let mut out = String::from(
        "// Generated by build/legal_forms.rs from the hanconv crate's copy of OpenCC's\n\
         // TSCharacters (Apache-2.0): do not edit.\n\n",
    );
    out.push_str("/// Traditional → Simplified Chinese, one character for one, sorted.\n");
    let pairs = simplified.iter().map(|(from, to)| format!("({from:?}, {to:?})"));
    write_array(&mut out, "SIMPLIFIED", "(char, char)", pairs);
    // Most Han characters have no simpler form: a bit per character of the main block says
    // which are worth looking up.
    let mut block = vec![0u64; 0x5200 / 64];
    for &(from, _) in simplified {
        if let Some(i) = (from as usize).checked_sub(0x4e00).filter(|&i| i < 0x5200) {
            block[i / 64] |= 1 << (i % 64);
        }
    }
    out.push_str("/// Which characters of U+4E00..U+9FFF are in `SIMPLIFIED`, a bit each.\n");
    let bits = block.iter().map(|bits| format!("{bits:#018x}"));
    write_array(&mut out, "TRADITIONAL_IN_BLOCK", "u64", bits);
    out
}

/// The spellings of every row that is a supplier's legal form: its local and transliterated
/// abbreviations, and (outside English, where the name is a registry category rather than
/// something written after a name) its local and transliterated names when they hold no
/// bracket, comma, slash or digit.
fn code_list_spellings(path: &Path) -> impl Iterator<Item = Spelling> {
    let shown = path.display().to_string();
    // RFC 4180, UTF-8 with a byte-order mark (the csv crate takes it off the first header).
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("reading {shown}: {e}"));
    let header: Vec<String> = reader
        .headers()
        .unwrap_or_else(|e| panic!("{shown}: {e}"))
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|row| {
            let row = row.unwrap_or_else(|e| panic!("{shown}: {e}"));
            row.iter().map(str::to_string).collect()
        })
        .collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.starts_with(name))
            .unwrap_or_else(|| panic!("{}: no column {name:?}", path.display()))
    };
    let [
        code,
        country,
        local,
        language,
        transliterated,
        local_abbr,
        transliterated_abbr,
    ] = [
        "ELF Code",
        "Country Code",
        "Entity Legal Form name Local name",
        "Language Code",
        "Entity Legal Form name Transliterated name",
        "Abbreviations Local language",
        "Abbreviations transliterated",
    ]
    .map(column);
    // The csv crate refuses a row of another width than the header's.
    rows.into_iter()
        .filter(move |row| {
            let names = format!("{} {}", row[local], row[transliterated]).to_lowercase();
            !matches!(row[code].as_str(), "8888" | "9999")
                && !row[country].is_empty()
                && !NOT_A_SUPPLIER.iter().any(|stem| names.contains(stem))
        })
        .flat_map(move |row| {
            let flags = if START_COUNTRIES.contains(&row[country].as_str()) {
                END | START
            } else {
                END
            };
            let abbreviations = [&row[local_abbr], &row[transliterated_abbr]]
                .into_iter()
                .flat_map(|cell| cell.split(';'))
                .map(str::to_string)
                .collect::<Vec<_>>();
            let names = [&row[local], &row[transliterated]]
                .into_iter()
                .filter(|name| {
                    row[language] != "en"
                        && !name.contains(['(', ')', ',', '/', ';'])
                        && !name.contains(" - ")
                        && !name.chars().any(|c| c.is_ascii_digit())
                })
                .cloned()
                .collect::<Vec<_>>();
            abbreviations
                .into_iter()
                .chain(names)
                .filter(|text| !text.trim().is_empty())
                .map(move |text| Spelling { text, flags })
        })
}

/// The Traditional → Simplified table, one character for one, from the hanconv crate's copy of
/// OpenCC's `TSCharacters` (the first choice where it offers several). Chains (`薴` → `苧` →
/// `苎`) are followed to their end so that folding twice changes nothing, and a result that
/// NFKC or lower-casing would change is left out for the same reason.
fn simplified_chinese() -> Vec<(char, char)> {
    let single = |text: &str| {
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    };
    let map: BTreeMap<char, char> = hanconv::Dictionary::TSCharacters
        .iter()
        .filter_map(|(from, to)| Some((single(from)?, single(to)?)))
        .collect();
    let stable = |c: char| {
        let text = c.to_string();
        fold::fold(&text, |c| c) == text
    };
    let mut table = Vec::new();
    for (&from, &first) in &map {
        let mut to = first;
        let mut seen = BTreeSet::from([from]);
        while let Some(&next) = map.get(&to) {
            if !seen.insert(to) {
                break;
            }
            to = next;
        }
        if to != from && stable(to) {
            table.push((from, to));
        }
    }
    table
}

/// Whether a character is of a script written without spaces between words (Han, kana,
/// Hangul), whose legal forms are stripped from inside a word: `ULVAC株式会社`, `삼성전자주식회사`.
fn written_without_spaces(c: char) -> bool {
    matches!(c,
        '\u{2e80}'..='\u{9fff}'     // CJK radicals and symbols, kana, Han
        | '\u{1100}'..='\u{11ff}'   // Hangul jamo
        | '\u{ac00}'..='\u{d7af}'   // Hangul syllables
        | '\u{f900}'..='\u{faff}'   // CJK compatibility ideographs
        | '\u{20000}'..='\u{3134f}' // Han extensions
    )
}

/// A form's letters run together: `s p a` → `spa`.
fn compact(key: &str) -> String {
    key.chars().filter(|&c| c != ' ').collect()
}

/// An open-addressed table (linear probing, at most half full) of `entries`, with the bit set
/// of the slots some key starts at (`homes`) and of its keys' `fold::sketch`es (`sketches`),
/// which answer most misses without a hash or a comparison.
fn write_slots(out: &mut String, name: &str, entries: &BTreeMap<String, u8>) {
    let slots = (entries.len() * 2).next_power_of_two().max(64);
    let mut table: Vec<Option<(&str, u8)>> = vec![None; slots];
    let mut homes = vec![0u64; slots / 64];
    let mut sketches = vec![0u64; 64];
    for (key, &value) in entries {
        let sketch = fold::sketch(key);
        sketches[sketch / 64] |= 1 << (sketch % 64);
        // The normaliser hashes a whole word at once, the run-together letters of a dotted
        // form a byte at a time: both must agree.
        let mut i = fold::slot_of(key, slots);
        assert_eq!(i, fold::slot(key.bytes(), slots), "{key}");
        homes[i / 64] |= 1 << (i % 64);
        while table[i].is_some() {
            i = (i + 1) & (slots - 1);
        }
        table[i] = Some((key, value));
    }
    let _ = writeln!(out, "static {name}: Slots = Slots {{\n    entries: &[");
    for slot in &table {
        let (key, value) = slot.unwrap_or(("", 0));
        let _ = writeln!(out, "        ({key:?}, {value}),");
    }
    for (field, bits) in [("homes", homes), ("sketches", sketches)] {
        let _ = writeln!(out, "    ],\n    {field}: &[");
        for bits in bits {
            let _ = writeln!(out, "        {bits:#018x},");
        }
    }
    out.push_str("    ],\n};\n\n");
}

fn write_array(out: &mut String, name: &str, item: &str, rows: impl Iterator<Item = String>) {
    let rows: Vec<String> = rows.collect();
    let _ = writeln!(out, "static {name}: [{item}; {}] = [", rows.len());
    for row in rows {
        let _ = writeln!(out, "    {row},");
    }
    out.push_str("];\n\n");
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}
