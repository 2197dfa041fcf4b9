//! A finished tokenize or mux run read back (`omnitok demux`, `Dataset`): its manifest.json,
//! shard and index (the input's three parts, see `omnitok_fuzz::parts`). What reads has the
//! documents the manifest counts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_corpus::tokenize::read_run;

fuzz_target!(|data: &[u8]| {
    let [manifest, shard, index] = omnitok_fuzz::parts::<3>(data);
    omnitok_fuzz::scratch_file("manifest.json", manifest);
    for extension in ["bin", "npy", "jsonl"] {
        omnitok_fuzz::scratch_file(&format!("shard-00000.{extension}"), shard);
    }
    let path = omnitok_fuzz::scratch_file("shard-00000.idx", index);
    let dir = path.parent().expect("the scratch folder");
    let Ok(run) = read_run(dir) else {
        return;
    };
    let Ok(documents) = run.documents() else {
        return;
    };
    let counted: u64 = run.manifest.shards.iter().map(|s| s.documents).sum();
    assert_eq!(
        documents.len() as u64,
        counted,
        "documents read differ from those counted"
    );
});
