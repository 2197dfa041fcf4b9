//! The built-in encodings give tiktoken's IDs: goldens from `fixtures/tiktoken/make_goldens.py`
//! (tiktoken built from the same rank files with its own constructors), on the first line of
//! every bundled locale and on the pre-tokenization edge cases, as ordinary text and with every
//! special token allowed.

mod common;

use common::{goldens, ids};
use omnitok_tokenizer::{get_encoding, SpecialPolicy};

#[test]
fn built_in_encodings_give_tiktokens_ids() {
    let goldens = goldens("tiktoken");
    let cases = goldens["cases"].as_object().expect("cases");
    let encodings = goldens["encodings"].as_object().expect("encodings");
    assert_eq!(encodings.len(), 6);
    assert!(cases.len() > 100, "{} cases", cases.len());
    for (name, expected) in encodings {
        let encoding = get_encoding(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut failures = Vec::new();
        let mut checked = 0;
        for (policy_name, policy) in [
            ("ordinary", SpecialPolicy::as_text()),
            ("all_special", SpecialPolicy::allow_all()),
        ] {
            for (case, want) in expected[policy_name]
                .as_object()
                .expect("cases of a policy")
            {
                let text = cases[case].as_str().expect("case text");
                let got = encoding
                    .encode_with_policy(text, &policy)
                    .unwrap_or_else(|e| panic!("{name} {case}: {e}"));
                if got != ids(want) {
                    failures.push(format!("{policy_name} {case} {text:?}"));
                }
                checked += 1;
            }
        }
        assert!(checked > cases.len(), "{name}: {checked} checks");
        assert!(
            failures.is_empty(),
            "{name}: {} differ from tiktoken: {:?}",
            failures.len(),
            &failures[..failures.len().min(8)]
        );
    }
}
