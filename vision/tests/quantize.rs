//! FSQ and LFQ against vector-quantize-pytorch on the goldens of `fixtures/vision/quantizers/`
//! (made by `make_goldens.py` there): every index and every decoded code identical.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use omnitok_vision::quantize::Quantizer;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/vision/quantizers")
        .join(name)
}

fn npy_data(name: &str) -> Vec<u8> {
    let bytes = std::fs::read(fixture(name)).unwrap();
    let header = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    bytes[10 + header..].to_vec()
}

#[test]
fn indices_and_codes_equal_the_package() {
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("goldens.json")).unwrap()).unwrap();
    for (name, case) in meta["cases"].as_object().unwrap() {
        let spec = match case["kind"].as_str().unwrap() {
            "fsq" => format!(
                "fsq:{}",
                case["levels"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            _ => format!("lfq:{}", case["bits"]),
        };
        let quantizer = Quantizer::parse(&spec).unwrap();
        let f32s = |file: &str| -> Vec<f32> {
            npy_data(file)
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                .collect()
        };
        let latents = f32s(&format!("{name}.latents.npy"));
        let expected: Vec<u32> = npy_data(&format!("{name}.indices.npy"))
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().unwrap()) as u32)
            .collect();
        let ours = quantizer.indices(&latents).unwrap();
        assert_eq!(ours.len(), expected.len(), "{name}: number of indices");
        let differing = ours.iter().zip(&expected).filter(|(a, b)| a != b).count();
        assert_eq!(
            differing,
            0,
            "{name}: {differing} of {} indices differ",
            expected.len()
        );
        let codes = f32s(&format!("{name}.codes.npy"));
        let ours: Vec<f32> = expected
            .iter()
            .flat_map(|&i| quantizer.code(i).unwrap())
            .collect();
        assert_eq!(ours, codes, "{name}: codes");
    }
}
