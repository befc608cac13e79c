//! Pretty JSON for a report whose last field is a long list (a status report over 100,000
//! suppliers is some 45 MB), with the list's elements serialised in parts on every core (rayon).
//!
//! The bytes are exactly `serde_json::to_writer_pretty`'s for the whole report: the report is
//! written with an empty list, and the elements, pretty-printed by serde_json's pretty layout
//! starting two levels deep (`Nested`: serde_json's own formatter always starts at the left
//! margin), are put in its place.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;

/// What the empty list looks like at the end of the pretty report.
const EMPTY_LIST_END: &[u8] = b"[]\n}";
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
    let mut out = Vec::new();
    for (i, element) in chunk.iter().enumerate() {
        Nested::new().new_line(&mut out, starts_list && i == 0)?;
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, Nested::new());
        element.serialize(&mut serializer)?;
    }
    Ok(out)
}

/// Spaces to indent with, a slice at a time.
const INDENT: &[u8; 64] = &[b' '; 64];
/// serde_json's pretty indent: two spaces a level.
const LEVEL: usize = 2;
/// A top-level field's list elements sit two levels deep.
const LIST_DEPTH: usize = 2;

/// serde_json's `PrettyFormatter`, starting `LIST_DEPTH` levels deep (which it cannot).
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn new() -> Nested {
        Nested {
            depth: LIST_DEPTH,
            has_value: false,
        }
    }

    fn new_line<W: ?Sized + Write>(&self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        let mut spaces = self.depth * LEVEL;
        while spaces > 0 {
            let n = spaces.min(INDENT.len());
            out.write_all(&INDENT[..n])?;
            spaces -= n;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.new_line(out, true)?;
        }
        out.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.new_line(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.new_line(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
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
            counts: match i % 2 {
                0 => [("a".to_string(), i as u64), ("b".to_string(), 0)].into(),
                _ => BTreeMap::new(),
            },
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
