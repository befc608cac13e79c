//! Pretty JSON for a report whose last field is a long list (a status report over 100,000
//! suppliers is some 45 MB), with the list's elements serialised in parts on every core (rayon).
//!
//! The bytes are exactly `serde_json::to_writer_pretty`'s for the whole report: the report is
//! written with an empty list, and the elements, each pretty-printed and indented two levels, are
//! put in its place. Splicing is safe because pretty JSON has a raw newline only between tokens
//! (a newline inside a string is written `\n`).

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;

/// What the empty list looks like at the end of the pretty report.
const EMPTY_LIST_END: &[u8] = b"[]\n}";
/// Elements of a top-level field's list sit two levels (of two spaces) deep.
const ELEMENT_INDENT: &[u8] = b"    ";
/// Elements serialised by one task.
const ELEMENTS_PER_PART: usize = 5_000;

/// Writes `shell` with `list` in place of its last field (which `shell` serialises as an empty
/// list), then a final newline.
pub fn write_pretty<S, E>(shell: &S, list: &[E], out: &mut dyn Write) -> Result<()>
where
    S: Serialize,
    E: Serialize + Sync,
{
    write_in_parts(shell, list, ELEMENTS_PER_PART, out)
}

fn write_in_parts<S, E>(shell: &S, list: &[E], part: usize, out: &mut dyn Write) -> Result<()>
where
    S: Serialize,
    E: Serialize + Sync,
{
    let mut head = serde_json::to_vec_pretty(shell)?;
    assert!(
        head.ends_with(EMPTY_LIST_END),
        "the list must be the report's last field, serialised empty"
    );
    if list.is_empty() {
        out.write_all(&head)?;
        out.write_all(b"\n")?;
        return Ok(());
    }
    head.truncate(head.len() - EMPTY_LIST_END.len());
    head.push(b'[');
    out.write_all(&head)?;
    let rendered: Vec<Result<Vec<u8>>> = list
        .par_chunks(part)
        .enumerate()
        .map(|(i, chunk)| elements(chunk, i == 0))
        .collect();
    for part in rendered {
        out.write_all(&part?)?;
    }
    out.write_all(b"\n  ]\n}\n")?;
    Ok(())
}

/// The elements as the list's pretty printer writes them: each on a new line after a comma
/// (none before the list's first), indented.
fn elements<E: Serialize>(chunk: &[E], starts_list: bool) -> Result<Vec<u8>> {
    let mut out = Indented(Vec::new());
    for (i, element) in chunk.iter().enumerate() {
        out.0
            .extend_from_slice(if starts_list && i == 0 { b"\n" } else { b",\n" });
        out.0.extend_from_slice(ELEMENT_INDENT);
        serde_json::to_writer_pretty(&mut out, element)?;
    }
    Ok(out.0)
}

/// A buffer that indents every line after the first.
struct Indented(Vec<u8>);

impl Write for Indented {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        // The pretty printer writes its line breaks on their own, and strings hold none.
        match bytes {
            b"\n" | b",\n" => {
                self.0.extend_from_slice(bytes);
                self.0.extend_from_slice(ELEMENT_INDENT);
                return Ok(bytes.len());
            }
            _ if !bytes.contains(&b'\n') => {
                self.0.extend_from_slice(bytes);
                return Ok(bytes.len());
            }
            _ => {}
        }
        let mut lines = bytes.split(|&b| b == b'\n');
        if let Some(first) = lines.next() {
            self.0.extend_from_slice(first);
        }
        for line in lines {
            self.0.push(b'\n');
            self.0.extend_from_slice(ELEMENT_INDENT);
            self.0.extend_from_slice(line);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[derive(Serialize, Clone)]
    struct Item {
        name: String,
        tags: Vec<String>,
        counts: BTreeMap<String, u64>,
        none: Option<u8>,
    }

    #[derive(Serialize)]
    struct Report<'a, L: Serialize> {
        title: &'a str,
        nested: BTreeMap<&'a str, Vec<u8>>,
        items: L,
    }

    fn item(i: usize) -> Item {
        Item {
            name: format!("line one\nline \"two\" {i}\t—"),
            tags: (0..i % 3).map(|t| format!("t{t}")).collect(),
            counts: [("a".to_string(), i as u64), ("b".to_string(), 0)].into(),
            none: None,
        }
    }

    fn spliced(items: &[Item], part: usize) -> String {
        let shell = Report {
            title: "t",
            nested: [("k", vec![1, 2])].into(),
            items: [(); 0],
        };
        let mut out = Vec::new();
        write_in_parts(&shell, items, part, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn whole(items: &[Item]) -> String {
        let report = Report {
            title: "t",
            nested: [("k", vec![1, 2])].into(),
            items,
        };
        format!("{}\n", serde_json::to_string_pretty(&report).unwrap())
    }

    #[test]
    fn spliced_output_is_byte_for_byte_what_serde_json_writes() {
        for n in [0, 1, 2, 7] {
            let items: Vec<Item> = (0..n).map(item).collect();
            for part in [1, 2, 3, 8] {
                assert_eq!(spliced(&items, part), whole(&items), "{n} items, {part} a part");
            }
        }
    }
}
