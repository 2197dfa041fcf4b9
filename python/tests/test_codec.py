"""omnitok.audio.Codec against transformers' EncodecModel on the goldens committed under
fixtures/audio/encodec (made by make_goldens.py there): codes identical, audio within 5e-7 (the README's bar; measured 3.0e-7 to 4.2e-7)."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from conftest import FIXTURES
from omnitok import audio

ENCODEC = FIXTURES / "audio" / "encodec"


def test_a_causal_mono_model_matches_the_goldens():
    codec = audio.Codec.from_pretrained(ENCODEC / "causal-24k")
    assert (codec.sample_rate, codec.channels, codec.codebook_size) == (24000, 1, 64)
    assert codec.n_codebooks == 4 and codec.frame_rate == 750
    assert codec.bandwidths == [4.5, 9.0, 18.0]
    x = np.load(ENCODEC / "causal-24k" / "input.npy")
    for bandwidth in codec.bandwidths:
        codes = codec.encode(x, 24000, bandwidth=bandwidth)
        expected = np.load(ENCODEC / "causal-24k" / f"codes.{bandwidth}.npy")[0]
        assert codes.dtype == np.int64
        np.testing.assert_array_equal(codes, expected)
        decoded = codec.decode(codes, length=x.shape[1])
        golden = np.load(ENCODEC / "causal-24k" / f"decoded.{bandwidth}.npy")
        assert decoded.shape == golden.shape
        np.testing.assert_allclose(decoded, golden, atol=5e-7, rtol=0)


def test_the_built_in_speech_codec_matches_the_goldens():
    codec = audio.Codec.default()
    assert (codec.sample_rate, codec.channels, codec.codebook_size) == (16000, 1, 1024)
    meta = json.loads((ENCODEC / "speech-16k.json").read_text())["models"]["speech-16k"]
    assert [str(b) for b in codec.bandwidths] == list(meta["bandwidths"])
    x = np.load(ENCODEC / "speech-16k" / "input.npy")
    for bandwidth in codec.bandwidths:
        codes = codec.encode(x, 16000, bandwidth=bandwidth)
        np.testing.assert_array_equal(codes, np.load(ENCODEC / "speech-16k" / f"codes.{bandwidth}.npy")[0])
        golden = np.load(ENCODEC / "speech-16k" / f"decoded.{bandwidth}.npy")
        np.testing.assert_allclose(codec.decode(codes, length=x.shape[1]), golden, atol=5e-7, rtol=0)
    # A layout of the built-in codec names it, so that the CLI's mux finds it.
    from omnitok import Layout

    layout = Layout.build("o200k_base", codec=codec)
    assert json.loads(layout.to_json())["audio"]["name"] == "omnitok-speech-16k"


def test_a_chunked_stereo_model_needs_and_uses_its_scales():
    codec = audio.Codec.from_pretrained(ENCODEC / "noncausal-48k")
    meta = json.loads((ENCODEC / "goldens.json").read_text())["models"]["noncausal-48k"]
    x = np.load(ENCODEC / "noncausal-48k" / "input.npy")
    codes, info = codec.encode(x, 48000, bandwidth=18.0, return_info=True)
    expected = np.load(ENCODEC / "noncausal-48k" / "codes.18.0.npy")
    np.testing.assert_array_equal(codes, expected)
    golden = meta["bandwidths"]["18.0"]
    np.testing.assert_allclose(info["scales"], golden["scales"], rtol=1e-6)
    assert info["last_frame_pad_length"] == golden["last_frame_pad_length"]
    assert info["length"] == x.shape[1]
    decoded = codec.decode(codes, **info)
    reference = np.load(ENCODEC / "noncausal-48k" / "decoded.18.0.npy")
    np.testing.assert_allclose(decoded, reference, atol=5e-7, rtol=0)
    with pytest.raises(ValueError, match="return_info"):
        codec.decode(codes)


def test_bad_inputs_are_clear_errors():
    codec = audio.Codec.from_pretrained(ENCODEC / "causal-24k")
    with pytest.raises(ValueError, match="no bandwidth 5"):
        codec.encode(np.zeros(2400, np.float32), 24000, bandwidth=5.0)
    codes = codec.encode(np.zeros(2400, np.float32), 24000)
    codes[0, 3] = 99
    with pytest.raises(ValueError, match="code 99 of codebook 0 at frame 3"):
        codec.decode(codes)
    with pytest.raises(OSError, match="config.json"):
        audio.Codec.from_pretrained(ENCODEC / "missing")


def test_arrays_in_any_memory_order_read_the_same():
    """Samples and codes are read in their logical order, whatever numpy's memory layout."""
    codec = audio.Codec.default()
    rng = np.random.default_rng(0)
    samples = (rng.standard_normal((2, 3200)) * 0.1).astype(np.float32)
    codes = codec.encode(samples, 16000)
    assert np.array_equal(codec.encode(np.asfortranarray(samples), 16000), codes)
    assert np.array_equal(codec.encode(samples[:, ::-1][:, ::-1], 16000), codes)
    assert np.array_equal(codec.decode(np.asfortranarray(codes)), codec.decode(codes))
    with pytest.raises(ValueError, match=r"\[codebooks, frames\] or \[chunks, codebooks, frames\]"):
        codec.decode(codes[None, None])


def test_codes_and_samples_the_model_cannot_take_are_refused():
    codec = audio.Codec.default()
    with pytest.raises(ValueError, match="overflows 32-bit floats"):
        codec.encode(np.full(3200, 3e38, np.float32), 16000)
    with pytest.raises(ValueError, match="must be finite"):
        codec.encode(np.full(3200, np.nan, np.float32), 16000)
    codes = codec.encode(np.zeros(3200, np.float32), 16000)
    with pytest.raises(ValueError, match="does not encode in chunks"):
        codec.decode(np.stack([codes, codes]))
    assert codec.decode(codes[None]).shape == codec.decode(codes).shape


def test_samples_laid_out_frames_first_are_refused_with_the_fix():
    codec = audio.Codec.default()
    stereo = np.zeros((33075, 2), np.float32)
    with pytest.raises(ValueError, match=r"33075 channels.*\[samples, channels\]\? pass samples\.T"):
        codec.encode(stereo, 16000)
    assert codec.encode(stereo.T, 16000).shape[0] > 0


def test_codecs_and_quantizers_pickle_by_reference(tmp_path):
    import shutil

    from omnitok import vision

    builtin = pickle.loads(pickle.dumps(audio.Codec.default()))
    assert builtin.checksum == audio.Codec.default().checksum
    folder = tmp_path / "codec"
    shutil.copytree(ENCODEC / "causal-24k", folder)
    codec = audio.Codec.from_pretrained(folder)
    data = pickle.dumps(codec)
    assert len(data) < 1000
    again = pickle.loads(data)
    x = np.sin(np.arange(4800, dtype=np.float32) * 0.05)
    assert np.array_equal(again.encode(x, 24000), codec.encode(x, 24000))
    # Weights that changed since the pickle was made are refused, not used.
    config = folder / "config.json"
    config.write_text(config.read_text().replace("{", "{\n", 1))
    with pytest.raises(ValueError, match="changed since it was pickled"):
        pickle.loads(data)
    quantizer = vision.Quantizer("fsq:8,5,5,5")
    latents = np.random.default_rng(0).standard_normal((10, 4)).astype(np.float32)
    assert np.array_equal(pickle.loads(pickle.dumps(quantizer)).indices(latents), quantizer.indices(latents))


DAC = FIXTURES / "audio" / "dac"


@pytest.mark.parametrize("name", ["dac-16k", "dac-44k", "dac-44k-weight-norm"])
def test_dac_checkpoints_match_the_goldens(name):
    """DacModel's goldens (fixtures/audio/dac/make_goldens.py): codes identical with every
    codebook and with the first, and the reference's codes decoded within 1e-5 of the decoded
    audio's spread (measured 2.1e-6 to 2.8e-6 in the Rust tests)."""
    golden = DAC / name.replace("-weight-norm", "")
    meta = json.loads((DAC / "goldens.json").read_text())["models"][golden.name]
    codec = audio.Codec.from_pretrained(DAC / name)
    assert codec.family == "dac" and codec.channels == 1 and not codec.can_stream
    x = np.load(golden / "input.npy")
    expected = np.load(golden / "codes.npy")
    rate = codec.sample_rate
    assert codec.frame_rate == pytest.approx(rate / {16000: 320, 44100: 512}[rate])
    codes = codec.encode(x, rate, codebooks=codec.n_codebooks)
    np.testing.assert_array_equal(codes, expected)
    np.testing.assert_array_equal(codec.encode(x, rate, codebooks=1), expected[:1])
    np.testing.assert_array_equal(codec.encode(x, rate, bandwidth=codec.bandwidths[0]), expected[:1])
    for n in meta["decoded"]:
        decoded = codec.decode(expected[:n])
        reference = np.load(golden / f"decoded.{n}.npy")
        assert decoded.shape == reference.shape
        assert np.abs(decoded - reference).max() <= 1e-5 * meta["decoded_std"][str(n)]
    with pytest.raises(TypeError, match="not both"):
        codec.encode(x, rate, bandwidth=codec.bandwidths[0], codebooks=1)
    with pytest.raises(ValueError, match="no bandwidth with 9 codebooks"):
        codec.encode(x, rate, codebooks=9)


SNAC = FIXTURES / "audio" / "snac"


@pytest.mark.parametrize("name", ["snac-24k", "snac-32k", "snac-32k-weight-g", "snac-plain"])
def test_snac_checkpoints_match_the_goldens(name):
    """The snac package's goldens (fixtures/audio/snac/make_goldens.py, noise off): every level's
    codes identical, and the reference's codes decoded within 1e-5 of the decoded audio's spread
    (measured 2.4e-6 to 3.2e-6 in the Rust tests)."""
    golden = SNAC / name.replace("-weight-g", "")
    meta = json.loads((SNAC / "goldens.json").read_text())["models"][golden.name]
    codec = audio.Codec.from_pretrained(SNAC / name)
    assert codec.family == "snac" and codec.channels == 1 and not codec.can_stream
    config = json.loads((golden / "config.json").read_text())
    assert codec.level_strides == config["vq_strides"]
    assert codec.n_codebooks == len(config["vq_strides"]) and len(codec.bandwidths) == 1
    x = np.load(golden / "input.npy")
    with np.load(golden / "codes.npz") as archive:
        expected = [archive[f"level_{i}"] for i in range(len(archive.files))]
    levels, info = codec.encode(x, codec.sample_rate, return_info=True)
    assert info == {"length": x.shape[1]}
    assert [level.dtype for level in levels] == [np.int64] * len(expected)
    for level, wanted in zip(levels, expected):
        np.testing.assert_array_equal(level, wanted)
    decoded = codec.decode(expected)
    reference = np.load(golden / "decoded.npy")
    assert decoded.shape == reference.shape == (1, meta["padded_samples"])
    assert np.abs(decoded - reference).max() <= 1e-5 * meta["decoded_std"]
    # The encoder's padding trimmed away, as decode(codes, **info).
    assert codec.decode(levels, **info).shape == x.shape


def test_snac_codes_are_levels_and_bad_ones_are_named():
    codec = audio.Codec.from_pretrained(SNAC / "snac-32k")
    with np.load(SNAC / "snac-32k" / "codes.npz") as archive:
        levels = [archive[f"level_{i}"] for i in range(4)]
    with pytest.raises(ValueError, match="3 levels of codes; this SNAC model has 4"):
        codec.decode(levels[:3])
    with pytest.raises(ValueError, match="level 2 has shape"):
        codec.decode(levels[:2] + [levels[2][None]] + levels[3:])
    with pytest.raises(TypeError, match="list of int64 arrays"):
        codec.decode(5)
    # A 2-D array is its rows: levels of equal lengths, which these strides do not have.
    with pytest.raises(ValueError, match="level 1 has 16 codes"):
        codec.decode(np.zeros((4, 16), dtype=np.int64))
    wrong = [level.copy() for level in levels]
    wrong[0][3] = 99
    with pytest.raises(ValueError, match="code 99 of level 0 at position 3"):
        codec.decode(wrong)
    with pytest.raises(ValueError, match="snac models cannot stream"):
        codec.streaming_encoder()
    # Pickled by folder, as the other families.
    again = pickle.loads(pickle.dumps(codec))
    assert again.family == "snac" and again.checksum == codec.checksum


def test_causal_models_stream_as_they_encode_and_decode_offline():
    codec = audio.Codec.from_pretrained(ENCODEC / "causal-24k")
    assert codec.can_stream
    x = np.load(ENCODEC / "causal-24k" / "input.npy")[0]
    offline = codec.encode(x, 24000, bandwidth=9.0)
    encoder = codec.streaming_encoder(9.0)
    assert encoder.latency_samples > 0
    pieces = [encoder.push(x[at:at + size]) for at, size in zip(range(0, len(x), 333), [333] * len(x))]
    pieces.append(encoder.flush())
    assert all(p.dtype == np.int64 and p.shape[0] == offline.shape[0] for p in pieces)
    np.testing.assert_array_equal(np.concatenate(pieces, axis=1), offline)
    with pytest.raises(ValueError, match="ended"):
        encoder.push(x[:10])
    # Asked by codebooks, the same stream.
    by_codebooks = codec.streaming_encoder(codebooks=offline.shape[0])
    codes = np.concatenate([by_codebooks.push(x), by_codebooks.flush()], axis=1)
    np.testing.assert_array_equal(codes, offline)

    decoder = codec.streaming_decoder()
    sound = [decoder.push(offline[:, t:t + 5]) for t in range(0, offline.shape[1], 5)]
    sound.append(decoder.flush())
    np.testing.assert_array_equal(np.concatenate(sound, axis=1), codec.decode(offline))


def test_models_that_look_ahead_refuse_to_stream():
    dac = audio.Codec.from_pretrained(DAC / "dac-16k")
    with pytest.raises(ValueError, match="dac models cannot stream"):
        dac.streaming_encoder()
    with pytest.raises(ValueError, match="cannot stream"):
        dac.streaming_decoder()
    chunked = audio.Codec.from_pretrained(ENCODEC / "noncausal-48k")
    assert not chunked.can_stream
    with pytest.raises(ValueError, match="cannot stream"):
        chunked.streaming_encoder()
