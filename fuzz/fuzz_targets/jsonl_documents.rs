//! The JSON Lines reader of `omnitok tokenize`, `stats` and `train`, with a nested text field
//! and a language field, under each error policy.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_corpus::read::documents::{
    dotted_path, read_jsonl, Context, ErrorLog, OnError, ReadOptions, Split,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, data)) = data.split_first() else {
        return;
    };
    let options = ReadOptions {
        split: if selector & 1 == 0 {
            Split::Doc
        } else {
            Split::Line
        },
        on_error: match (selector >> 1) % 3 {
            0 => OnError::Fail,
            1 => OnError::Skip,
            _ => OnError::Replace,
        },
        field: dotted_path(if selector & 8 == 0 {
            "text"
        } else {
            "meta.body"
        }),
        lang_field: (selector & 16 != 0).then(|| dotted_path("lang")),
        max_document_bytes: 1 << 12,
        ..ReadOptions::default()
    };
    let mut errors = ErrorLog::default();
    let mut context = Context {
        path: "fuzz.jsonl",
        options: &options,
        errors: &mut errors,
    };
    let mut emitted = 0usize;
    let mut emit = |text: &str, _line: u64, _lang: Option<&str>| {
        assert!(
            text.len() <= options.max_document_bytes,
            "a document over the limit"
        );
        emitted += 1;
        Ok(())
    };
    let _ = read_jsonl(&mut &data[..], &mut context, &mut emit);
});
