//! One JSON line's string fields, parsed once: only the values at the wanted paths are
//! deserialized (a string is borrowed from the line where it has no escapes), the rest is
//! skipped. Both corpus readers use it: documents' text and language fields
//! ([`super::documents`]) and a compression report's language, text and reference fields
//! ([`crate::report`]).

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use super::documents::ErrorKind;

/// Why a JSON line has no fields.
#[derive(Debug, thiserror::Error)]
pub enum JsonLineError {
    #[error("malformed JSON: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("not a JSON object")]
    NotAnObject,
}

/// What is at each of `paths` (each a path of keys into nested objects: `["meta", "body"]`) in
/// the JSON object on line `number` of its input. A byte-order mark before the first line is
/// not part of the JSON.
pub fn fields<'a, const N: usize>(
    line: &'a str,
    number: u64,
    paths: [&[String]; N],
) -> Result<[JsonField<'a>; N], JsonLineError> {
    let json = without_bom(line, number);
    let mut found = std::array::from_fn(|_| JsonField::Missing);
    let mut deserializer = serde_json::Deserializer::from_str(json);
    FieldsSeed {
        paths: &paths,
        active: (1 << N) - 1,
        depth: 0,
        found: &mut found,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    if !json.trim_start().starts_with('{') {
        return Err(JsonLineError::NotAnObject);
    }
    Ok(found)
}

/// Line `number` without the byte-order mark some editors write before the first line.
pub fn without_bom(line: &str, number: u64) -> &str {
    match number {
        1 => line.strip_prefix('\u{feff}').unwrap_or(line),
        _ => line,
    }
}

impl<'a> JsonField<'a> {
    /// The string, or the kind of input error and a message naming `path`.
    pub fn string(self, path: &[String]) -> Result<Cow<'a, str>, (ErrorKind, String)> {
        let dotted = || path.join(".");
        match self {
            JsonField::Text(text) => Ok(text),
            JsonField::Missing => {
                Err((ErrorKind::MissingField, format!("no field {:?}", dotted())))
            }
            JsonField::Other(kind) => Err((
                ErrorKind::NotAString,
                format!("field {:?} is {kind}, not a string", dotted()),
            )),
        }
    }
}

/// Whether `key` is written in JSON exactly as it is (no quote, backslash or control
/// character to escape), so that [`flat_string_field`] can compare it byte for byte.
pub(crate) fn is_plain_key(key: &str) -> bool {
    key.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// The value of `key` when `line` is exactly `{"key": "value"}`, with JSON whitespace allowed
/// around each part, and the value has no escape or control character: the usual shape of a
/// corpus line, read without the JSON parser. `None` for anything else (other keys, escapes,
/// nesting, malformed JSON), which the parser then reads, so the result is always the parser's.
pub(crate) fn flat_string_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    fn skip_space(bytes: &[u8]) -> &[u8] {
        let n = bytes
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        &bytes[n..]
    }
    let rest = skip_space(line.as_bytes()).strip_prefix(b"{")?;
    let rest = skip_space(rest).strip_prefix(b"\"")?;
    let rest = rest.strip_prefix(key.as_bytes())?.strip_prefix(b"\"")?;
    let rest = skip_space(rest).strip_prefix(b":")?;
    let value = skip_space(rest).strip_prefix(b"\"")?;
    let end = memchr::memchr2(b'"', b'\\', value)?;
    // Without an early exit, so that the check runs on whole vectors.
    let control = value[..end]
        .iter()
        .fold(false, |seen, &b| seen | (b < 0x20));
    if value[end] != b'"' || control {
        return None;
    }
    let after = skip_space(&value[end + 1..]).strip_prefix(b"}")?;
    if !skip_space(after).is_empty() {
        return None;
    }
    // The value lies between two ASCII quotes, so on character boundaries.
    let start = line.len() - value.len();
    line.get(start..start + end)
}

/// Which of the `active` paths continue through a JSON object key at `depth` (a bit per path),
/// found without allocating.
struct KeyIn<'k> {
    paths: &'k [&'k [String]],
    active: u64,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for KeyIn<'_> {
    type Value = u64;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIn<'_> {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<u64, E> {
        Ok(self
            .paths
            .iter()
            .enumerate()
            .filter(|&(i, path)| {
                self.active >> i & 1 == 1 && path.get(self.depth).is_some_and(|step| step == key)
            })
            .fold(0, |bits, (i, _)| bits | 1 << i))
    }
}

/// What was at a field's path: a string is borrowed from the line unless it holds escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonField<'a> {
    Text(Cow<'a, str>),
    Missing,
    /// Something other than a string: its JSON kind.
    Other(&'static str),
}

/// Deserializes only the values at the `active` paths (bits of `paths`, at most 64) of a JSON
/// value reached after `depth` steps of each, skipping everything else; what each path leads to
/// goes in its slot of `found`, which starts all [`JsonField::Missing`].
struct FieldsSeed<'p, 'f, 'de> {
    paths: &'p [&'p [String]],
    active: u64,
    depth: usize,
    found: &'f mut [JsonField<'de>],
}

impl<'de> DeserializeSeed<'de> for FieldsSeed<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldsSeed<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let FieldsSeed {
            paths,
            active,
            depth,
            found,
        } = self;
        Self::reset(paths, active, depth, found, || {
            JsonField::Other("an object")
        });
        while let Some(bits) = map.next_key_seed(KeyIn {
            paths,
            active,
            depth,
        })? {
            if bits == 0 {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            map.next_value_seed(FieldsSeed {
                paths,
                active: bits,
                depth: depth + 1,
                found: &mut *found,
            })?;
        }
        Ok(())
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<(), E> {
        self.leaf(|| JsonField::Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        self.leaf(|| JsonField::Text(Cow::Owned(v.to_string())))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.leaf(|| JsonField::Other("an array"))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.leaf(|| JsonField::Other("null"))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.leaf(|| JsonField::Other("a boolean"))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.leaf(|| JsonField::Other("a number"))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.leaf(|| JsonField::Other("a number"))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.leaf(|| JsonField::Other("a number"))
    }
}

impl<'de> FieldsSeed<'_, '_, 'de> {
    /// A non-object value: the answer for each active path that ends here.
    fn leaf<E>(self, value: impl Fn() -> JsonField<'de>) -> Result<(), E> {
        Self::reset(self.paths, self.active, self.depth, self.found, value);
        Ok(())
    }

    /// Sets the slot of each active path: `value()` if it ends after `depth` steps, else
    /// missing until a key further in continues it (so a repeated key counts last, as in
    /// serde_json's maps).
    fn reset(
        paths: &[&[String]],
        active: u64,
        depth: usize,
        found: &mut [JsonField<'de>],
        value: impl Fn() -> JsonField<'de>,
    ) {
        for (i, path) in paths.iter().enumerate() {
            if active >> i & 1 == 1 {
                found[i] = if path.len() == depth {
                    value()
                } else {
                    JsonField::Missing
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random lines, many of them `{"text": "..."}` with random spacing and values: wherever
    /// the fast path gives a value, the JSON parser gives the same; and it does take the
    /// common shape.
    #[test]
    fn flat_lines_read_without_the_parser_as_the_parser_reads_them() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let spaces = ["", " ", "  ", "\t", "\r", "\n", " \t"];
        let value_parts = [
            "a", "é", "漢字", " ", "\\", "\\\"", "\"", "\u{1}", "\u{7f}", "\\n", "{", "}",
        ];
        let fragments = [
            "{", "}", "\"", "text", ":", " ", ",", "\\", "[", "]", "1", "\"x\"", "é",
        ];
        let field = [String::from("text")];
        let paths: [&[String]; 1] = [&field];
        let mut fast = 0;
        for _ in 0..20_000 {
            let mut line = String::new();
            if next(4) == 0 {
                for _ in 0..next(12) {
                    line.push_str(fragments[next(fragments.len())]);
                }
            } else {
                let key = ["text", "text", "text", "txt", "text2", "te\\u0078t"][next(6)];
                let mut space = || spaces[next(spaces.len())];
                let (s1, s2, s3, s4) = (space(), space(), space(), space());
                let (s5, s6, s7) = (space(), space(), space());
                line = format!("{s1}{{{s2}\"{key}\"{s3}:{s4}\"");
                for _ in 0..next(6) {
                    line.push_str(value_parts[next(value_parts.len())]);
                }
                line.push_str(&format!("\"{s5}}}{s6}"));
                if next(10) == 0 {
                    line.push_str([",", "x", "}", "\"a\""][next(4)]);
                }
                line.push_str(s7);
            }
            let parsed = fields(&line, 2, paths);
            if let Some(value) = flat_string_field(&line, "text") {
                fast += 1;
                match parsed {
                    Ok([JsonField::Text(text)]) => assert_eq!(text, value, "{line:?}"),
                    _ => panic!("the parser disagrees on {line:?}"),
                }
            }
        }
        assert!(fast > 1_000, "the fast path took only {fast} lines");
        assert_eq!(
            flat_string_field(r#" { "text" : "plain" } "#, "text"),
            Some("plain")
        );
        assert_eq!(flat_string_field(r#"{"text": "a", "b": 1}"#, "text"), None);
        assert_eq!(flat_string_field(r#"{"text": "a\"b"}"#, "text"), None);
        assert!(!is_plain_key("a\"b") && is_plain_key("text"));
    }

    #[test]
    fn lines_that_are_not_objects_say_so() {
        let text = [String::from("text")];
        for line in ["[1, 2]", "\"text\"", " 7 "] {
            let error = fields(line, 2, [&text[..]]).expect_err(line);
            assert_eq!(error.to_string(), "not a JSON object", "{line}");
        }
        let error = fields("{\"text\": ", 2, [&text[..]]).expect_err("cut");
        assert!(
            error.to_string().starts_with("malformed JSON: EOF"),
            "{error}"
        );
        let [found] =
            fields("\u{feff}{\"text\": \"a\"}", 1, [&text[..]]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.string(&text), Ok(Cow::Borrowed("a")));
    }
}
