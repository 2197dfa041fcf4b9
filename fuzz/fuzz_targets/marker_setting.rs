//! A `--marker KIND=TOKEN[@ID]` setting of `omnitok layout build`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_corpus::multimodal::MarkerSetting;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(setting) = text.parse::<MarkerSetting>() {
        assert!(
            setting.token.is_some() || setting.id.is_some(),
            "a setting that sets nothing"
        );
        assert_ne!(setting.token.as_deref(), Some(""), "an empty marker token");
    }
});
