#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/seeds/<target>/.

Seeds are small valid inputs (and a few broken ones) that the fuzzers mutate: media files from
fixtures/, inputs written here, and runs made by the omnitok binary. Run from anywhere, after
`cargo build --release -p omnitok-cli`:

    python3 fuzz/make_seeds.py [--omnitok target/release/omnitok]

Standard library only. The output is the same on every run with the same omnitok build.
"""

import argparse
import base64
import json
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
FIXTURES = ROOT / "fixtures"
SEEDS = FUZZ / "seeds"
PART_SEPARATOR = b"\n=====\n"  # omnitok_fuzz::PART_SEPARATOR


def write(target, name, data):
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def copy_fixtures(target, names):
    for name in names:
        write(target, Path(name).name, (FIXTURES / name).read_bytes())


def byte_level_alphabet():
    """The printable character GPT-2's byte-level BPE gives each byte."""
    kept = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    shifted = 0
    alphabet = {}
    for byte in range(256):
        if byte in kept:
            alphabet[byte] = chr(byte)
        else:
            alphabet[byte] = chr(256 + shifted)
            shifted += 1
    return alphabet


def rank_files():
    merges = [b"he", b"ll", b"hel", b"hell", b"hello", b" w", b"or", b"ld", b" wor", b" world"]
    tokens = [bytes([b]) for b in range(256)] + merges
    lines = [f"{base64.b64encode(t).decode()} {rank}" for rank, t in enumerate(tokens)]
    write("rank_file", "bytes-and-merges.tiktoken", "\n".join(lines) + "\n")
    write("rank_file", "two.tiktoken", "aGU= 0\nbGw= 1\n")


def tokenizer_json():
    alphabet = byte_level_alphabet()
    vocab = {alphabet[b]: b for b in range(256)}
    merges = [("h", "e"), ("l", "l"), ("he", "ll"), ("Ġ", "w"), ("o", "r"), ("Ġw", "or")]
    for left, right in merges:
        vocab[left + right] = len(vocab)
    eot = len(vocab)
    document = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": eot, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
             "rstrip": False, "normalized": False, "special": True}
        ],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                          "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [f"{l} {r}" for l, r in merges]},
    }
    write("tokenizer_json", "byte-level-bpe.json", json.dumps(document, ensure_ascii=False))
    # The general pipeline: normalizers, pre-tokenizers, the three word models, decoders.
    specials = [{"id": 0, "content": "[UNK]", "special": True, "normalized": False},
                {"id": 1, "content": "<mask>", "special": True, "lstrip": True, "normalized": False},
                {"id": 2, "content": "hi", "special": False, "single_word": True}]
    wordpiece = {
        "added_tokens": specials,
        "normalizer": {"type": "BertNormalizer", "lowercase": True},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "BertPreTokenizer"}, {"type": "Digits", "individual_digits": True}]},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "max_input_chars_per_word": 20,
                  "vocab": {"[UNK]": 0, "<mask>": 1, "hi": 2, "hel": 3, "##lo": 4, "w": 5, "##or": 6,
                            "##ld": 7, "1": 8, ",": 9}},
    }
    write("tokenizer_json", "wordpiece.json", json.dumps(wordpiece, ensure_ascii=False))
    pieces = [["<unk>", 0.0], ["<mask>", 0.0], ["hi", -1.0], ["▁", -2.0], ["▁hel", -3.0], ["lo", -3.5],
              ["w", -4.0], ["or", -4.5], ["ld", -5.0]] + [[f"<0x{b:02X}>", -9.0] for b in range(256)]
    unigram = {
        "added_tokens": specials[:2],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            {"type": "Strip", "strip_left": False, "strip_right": True}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": True},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "ByteFallback"}, {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first"}]},
        "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": True, "vocab": pieces},
    }
    write("tokenizer_json", "unigram.json", json.dumps(unigram, ensure_ascii=False))
    vocab = {"<unk>": 0, "▁": 1, "h": 2, "e": 3, "l": 4, "o": 5, "▁h": 6, "ll": 7, "▁he": 8, "▁hell": 9}
    vocab.update({f"<0x{b:02X}>": 10 + b for b in range(256)})
    llama = {
        "added_tokens": [{"id": 0, "content": "<unk>", "special": True}],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
            {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": True, "byte_fallback": True,
                  "vocab": vocab, "merges": ["▁ h", "l l", "▁h e", "▁he ll"]},
    }
    write("tokenizer_json", "sentencepiece-bpe.json", json.dumps(llama, ensure_ascii=False))


def json_lines():
    # The first byte selects the reading options (see jsonl_documents.rs).
    plain = '{"text": "Hello"}\n{"text": "wörld\\nline two"}\n\n{"text": ""}\n'
    nested = '{"meta": {"body": "nested"}, "lang": "en"}\n{"meta": {"body": "x"}, "lang": "fr"}\n'
    write("jsonl_documents", "plain", b"\x00" + plain.encode())
    write("jsonl_documents", "plain-lines-skip", b"\x03" + plain.encode())
    write("jsonl_documents", "nested-lang", bytes([8 | 16]) + nested.encode())
    write("jsonl_documents", "bom-and-bad", b"\x04\xef\xbb\xbf" + b'{"text": "a"}\n{"text": 5}\n\xff\n')


def mux_documents():
    documents = [
        {"parts": [{"text": "A cat:"}, {"image": "img/cat.png"}, {"audio": "a/b/../meow.wav"}]},
        {"parts": [{"ids": [1, 2, 3]}, {"audio_codes": "codes.npy"}, {"image_codes": "grid.npy"}]},
        {"id": 7, "parts": [{"video": "clip.y4m"}, {"video_codes": "v.npy"}]},
        {"parts": [{"image": "../outside.png"}]},
    ]
    for index, document in enumerate(documents):
        write("mux_document", f"document-{index}.json", json.dumps(document))


def audio_files():
    copy_fixtures("audio_file", [
        "audio/short_16k.wav", "audio/formats/stereo.mp3", "audio/formats/stereo.flac",
        "audio/formats/stereo.ogg", "audio/formats/stereo.pcm_u8.wav",
        "audio/formats/stereo.wavex.wav", "audio/formats/bad.random.wav",
    ])


def image_files():
    copy_fixtures("image_file", [
        f"vision/formats/{name}" for name in [
            "still.png", "still.jpg", "still.gif", "still.webp", "anim.png", "anim.gif",
            "anim.webp", "bad.huge.png", "bad.truncated.png",
        ]
    ])
    copy_fixtures("y4m_video", ["vision/formats/clip.y4m", "vision/formats/bad.truncated.y4m"])


def npy(descr, shape, values, fmt):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join(f"{d}, " for d in shape) if len(shape) != 1 else f"{shape[0]},")
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
            + b"".join(struct.pack(fmt, v) for v in values))


def npy_arrays():
    write("npy_array", "u4-1d.npy", npy("<u4", [5], [0, 1, 199999, 200019, 7], "<I"))
    write("npy_array", "i8-2d.npy", npy("<i8", [2, 3], [0, 1, 2, 1023, 4, 5], "<q"))
    write("npy_array", "u2-3d.npy", npy("<u2", [1, 2, 2], [1, 2, 3, 65535], "<H"))


def marker_settings():
    for index, text in enumerate(["row=<|newline|>", "audio_start=<|audio|>@250000", "frame=@5",
                                  "image_end=<|/image|>"]):
        write("marker_setting", f"setting-{index}", text)


def codebook():
    size, patch = 2, 2
    values = [float((i * 37) % 256) for i in range(size * patch * patch * 3)]
    data = struct.pack(f"<{len(values)}f", *values)
    header = {"__metadata__": {"format": "omnitok-vq-codebook/1"},
              "codes": {"dtype": "F32", "shape": [size, patch, patch, 3],
                        "data_offsets": [0, len(data)]}}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    write("image_codebook", "two-codes.safetensors", struct.pack("<Q", len(text)) + text + data)


def codec_checkpoints():
    """A checkpoint of each codec family, and one with its tensors' bytes cut off."""
    for name in ["encodec/causal-24k", "dac/dac-44k", "snac/snac-24k"]:
        folder = FIXTURES / "audio" / name
        config = (folder / "config.json").read_bytes()
        weights = (folder / "model.safetensors").read_bytes()
        write("codec_checkpoint", folder.name, config + PART_SEPARATOR + weights)
        header_length = struct.unpack("<Q", weights[:8])[0]
        write("codec_checkpoint", f"{folder.name}-header-only",
              config + PART_SEPARATOR + weights[: 8 + header_length])


def runs(omnitok):
    """Runs of `omnitok tokenize` and `omnitok mux`, as shard_run seeds, and muxed IDs as
    id_stream seeds."""
    layout = FUZZ / "data/layout.json"
    write("layout_json", "every-component.json", layout.read_bytes())
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        run = lambda *arguments: subprocess.run([omnitok, *arguments], cwd=scratch, check=True)
        run("layout", "build", "-o", "text.json")
        write("layout_json", "text-only.json", (scratch / "text.json").read_bytes())

        documents = scratch / "docs.jsonl"
        documents.write_text('{"text": "hello world"}\n{"text": "second document"}\n')
        for output_format in ["bin", "npy", "jsonl"]:
            out = scratch / f"run-{output_format}"
            run("tokenize", "--quiet", "--format", output_format, "docs.jsonl", "-o", out.name)
            shard = next(out.glob("shard-00000.[bnj]*"))
            index = out / "shard-00000.idx"
            write("shard_run", f"tokenize-{output_format}",
                  (out / "manifest.json").read_bytes() + PART_SEPARATOR + shard.read_bytes()
                  + PART_SEPARATOR + (index.read_bytes() if index.exists() else b""))

        shutil.copy(FIXTURES / "audio/short_16k.wav", scratch / "short.wav")
        shutil.copy(FIXTURES / "vision/formats/still.png", scratch / "still.png")
        shutil.copy(FIXTURES / "vision/formats/anim.gif", scratch / "anim.gif")
        muxed = scratch / "muxed.jsonl"
        muxed.write_text("\n".join(json.dumps(d) for d in [
            {"parts": [{"text": "A picture:"}, {"image": "still.png"}]},
            {"parts": [{"audio": "short.wav"}, {"text": " and a clip "}, {"video": "anim.gif"}]},
        ]) + "\n")
        out = scratch / "run-mux"
        shutil.copy(layout, scratch / "layout.json")
        run("mux", "--quiet", "--layout", "layout.json", "muxed.jsonl", "-o", out.name)
        ids = (out / "shard-00000.bin").read_bytes()
        write("shard_run", "mux-bin", (out / "manifest.json").read_bytes() + PART_SEPARATOR + ids
              + PART_SEPARATOR + (out / "shard-00000.idx").read_bytes())
        offsets = (out / "shard-00000.idx").read_bytes()
        bounds = [struct.unpack_from("<Q", offsets, at)[0] for at in range(0, len(offsets), 8)]
        for number, (start, end) in enumerate(zip(bounds, bounds[1:])):
            write("id_stream", f"muxed-{number}", ids[4 * start: 4 * end])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--omnitok", default=str(ROOT / "target/release/omnitok"))
    arguments = parser.parse_args()
    shutil.rmtree(SEEDS, ignore_errors=True)
    rank_files()
    tokenizer_json()
    copy_fixtures("sentencepiece_model", ["sentencepiece/bpe_byte_fallback.model", "sentencepiece/bpe_gemma_style.model"])
    json_lines()
    mux_documents()
    audio_files()
    image_files()
    npy_arrays()
    marker_settings()
    codebook()
    codec_checkpoints()
    runs(arguments.omnitok)
    for folder in sorted(SEEDS.iterdir()):
        files = list(folder.iterdir())
        print(f"{folder.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
