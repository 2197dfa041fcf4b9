"""omnitok.audio: decoding against libsndfile's output, features against the librosa and
Whisper goldens committed under fixtures/audio (their scripts sit beside them), streaming equal
to offline, resampling lengths, and clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import FIXTURES
from omnitok import audio

AUDIO = FIXTURES / "audio"


def test_load_matches_libsndfile_and_mixes_down():
    samples, sr = audio.load(AUDIO / "formats" / "stereo.pcm_24.wav", mono=False)
    expected = np.load(AUDIO / "formats" / "stereo.pcm_24.wav.npy")
    # [channels, frames], as librosa.load(mono=False) gives them.
    assert sr == 22050 and samples.dtype == np.float32 and samples.shape == expected.T.shape
    np.testing.assert_allclose(samples, expected.T, atol=1e-7, rtol=0)
    mono, _ = audio.load(AUDIO / "formats" / "stereo.pcm_24.wav")
    np.testing.assert_allclose(mono, expected.mean(axis=1), atol=1e-7, rtol=0)


@pytest.mark.parametrize("name", ["stereo.mp3", "stereo.ogg"])
def test_lossy_files_decode_gapless_to_libsndfiles_samples(name):
    # libsndfile (mpg123, libvorbis) trims the encoder's delay and padding; so does omnitok.
    expected = np.load(AUDIO / "formats" / f"{name}.npy").T
    samples, sr = audio.load(AUDIO / "formats" / name, mono=False)
    assert sr == 22050 and samples.shape == expected.shape == (2, 2205)
    # Measured: 8.5e-7 (MP3), 2.4e-7 (Ogg); the decoders differ in float rounding.
    np.testing.assert_allclose(samples, expected, atol=2e-6, rtol=0)


LOAD_CASES = json.loads((AUDIO / "librosa" / "load_cases.json").read_text())["cases"]


@pytest.mark.parametrize("case", sorted(LOAD_CASES))
def test_load_equals_librosa_load(case):
    # Resampling (libsoxr's high quality, as librosa's soxr_hq), excerpts and channel layout.
    # Measured: at most 4e-7 apart (libsoxr built with another FFT than python-soxr's).
    spec = LOAD_CASES[case]
    expected = np.load(AUDIO / "librosa" / f"load.{case}.npy")
    samples, sr = audio.load(AUDIO / spec["file"], **spec["kwargs"])
    assert samples.shape == expected.shape and samples.dtype == np.float32
    np.testing.assert_allclose(samples, expected, atol=1e-5, rtol=0)


def test_load_reads_open_files_and_gives_float64_on_request():
    path = AUDIO / "formats" / "stereo.flac"
    from_path, sr = audio.load(path, offset=0.01, duration=0.02)
    with open(path, "rb") as file:
        from_file, sr2 = audio.load(file, offset=0.01, duration=0.02, dtype=np.float64)
    assert (sr, sr2) == (22050, 22050) and from_file.dtype == np.float64
    assert from_path.shape == (441,)
    np.testing.assert_array_equal(from_file, from_path.astype(np.float64))
    with open(path, "rb") as file, pytest.raises(ValueError, match="over the limit"):
        audio.load(file, max_file_bytes=100)
    with open(path, "r", encoding="latin-1") as text, pytest.raises(TypeError, match="binary"):
        audio.load(text)
    with pytest.raises(ValueError, match="dtype"):
        audio.load(path, dtype=np.int16)
    with pytest.raises(ValueError, match="offset"):
        audio.load(path, offset=-1)


def test_load_limits_are_keyword_arguments():
    path = AUDIO / "sweep_16k.wav"
    samples, _ = audio.load(path, max_seconds=1.5)
    assert samples.shape == (24000,)
    with pytest.raises(ValueError, match="over the limit of 1 s"):
        audio.load(path, max_seconds=1)
    with pytest.raises(ValueError, match="sweep_16k.wav"):
        audio.load(path, max_file_bytes=100)


def test_load_resamples_to_librosas_length():
    samples, sr = audio.load(AUDIO / "noise_22k.wav", sr=16000)
    assert sr == 16000 and len(samples) == int(np.ceil(22050 * 16000 / 22050))


@pytest.mark.parametrize("signal", ["sweep_16k", "noise_22k", "clipped_16k"])
def test_librosa_presets_match_the_goldens(signal):
    y, sr = audio.load(AUDIO / f"{signal}.wav")
    for preset, case in [("librosa-mel", "defaults"), ("librosa-mfcc", "mfcc-defaults")]:
        expected = np.load(AUDIO / "librosa" / f"{case}.{signal}.npy")
        ours = audio.features(y, sr, preset=preset)
        assert ours.shape == expected.shape
        np.testing.assert_allclose(ours, expected, atol=1e-4, rtol=0)
    # Keyword overrides reach the extractor (40 bins, 13 coefficients, lifter 22); 1e-3 as the
    # lifter magnifies librosa's own float32 DCT rounding (audio/tests/librosa_goldens.rs).
    expected = np.load(AUDIO / "librosa" / f"mfcc-lifter.{signal}.npy")
    ours = audio.features(y, sr, preset="librosa-mfcc", n_fft=400, hop_length=160, n_mels=40, n_mfcc=13, lifter=22)
    np.testing.assert_allclose(ours, expected, atol=1e-3, rtol=0)


@pytest.mark.parametrize("signal", ["sweep_16k", "speech_16k"])
def test_torchaudio_and_kaldi_presets_match_the_goldens(signal):
    """Against torchaudio run in double precision (see fixtures/audio/torchaudio/make_goldens.py);
    the same keyword names as the reference's."""
    y, sr = audio.load(AUDIO / f"{signal}.wav")
    golden = AUDIO / "torchaudio"
    cases = [
        ("torchaudio-mfcc", "mfcc-13-of-40", {"n_mfcc": 13, "n_fft": 512, "hop_length": 160, "n_mels": 40}),
        ("kaldi-fbank", "fbank-defaults", {}),
        ("kaldi-mfcc", "kaldi-mfcc-energy", {"use_energy": True, "num_ceps": 20, "num_mel_bins": 30,
                                             "cepstral_lifter": 0.0, "snip_edges": False}),
    ]
    for preset, case, settings in cases:
        expected = np.load(golden / f"{case}.{signal}.f64.npy")
        ours = audio.features(y, sr, preset=preset, **settings)
        assert ours.shape == expected.shape, case
        np.testing.assert_allclose(ours, expected, atol=1e-4, rtol=0, err_msg=case)
    # torchaudio's defaults leave 4 of its 128 filters empty at 16 kHz, and it warns of them.
    with pytest.warns(UserWarning, match="4 of the 128 mel filters cover no frequency bin"):
        mel = audio.features(y, sr, preset="torchaudio-mel")
    expected = np.load(golden / f"mel-defaults.{signal}.f64.npy")
    # Every bin in decibels, the faintest included (no floor below the maximum).
    to_db = lambda x: 10 * np.log10(np.maximum(x, 1e-10))
    np.testing.assert_allclose(to_db(mel), to_db(expected), atol=1e-4, rtol=0)
    with pytest.raises(ValueError, match="Kaldi presets only"):
        audio.features(y, sr, preset="torchaudio-mel", snip_edges=False)
    with pytest.raises(ValueError, match="16000 Hz"):
        audio.features(y, 8000, preset="kaldi-fbank")


def test_whisper_presets_match_the_goldens():
    y, sr = audio.load(AUDIO / "sweep_16k.wav")
    for n_mels in (80, 128):
        expected = np.load(AUDIO / "whisper" / f"whisper-{n_mels}.sweep_16k.npy")
        np.testing.assert_allclose(audio.features(y, sr, preset=f"whisper-{n_mels}"), expected, atol=1e-4, rtol=0)
        padded = audio.features(y, sr, preset=f"whisper-{n_mels}", pad_to_samples=480000)
        assert padded.shape == (n_mels, 3000)
        first = np.load(AUDIO / "whisper" / f"whisper-{n_mels}.sweep_16k.padded.npy")
        np.testing.assert_allclose(padded[:, : first.shape[1]], first, atol=1e-4, rtol=0)


def test_streaming_equals_offline_without_the_global_floor():
    y, sr = audio.load(AUDIO / "sweep_16k.wav")
    stream = audio.StreamingFeatures("librosa-mel", sr, top_db=None)
    assert stream.latency_samples == 1024
    parts = [stream.push(y[i : i + 777]) for i in range(0, len(y), 777)]
    parts.append(stream.flush())
    streamed = np.concatenate(parts, axis=1)
    np.testing.assert_array_equal(streamed, audio.features(y, sr, preset="librosa-mel", top_db=None))


def test_streaming_takes_float64_and_lays_frames_out_as_offline():
    y, sr = audio.load(AUDIO / "sweep_16k.wav", dtype=np.float64)
    for preset, frame_axis, settings in (("librosa-mel", 1, {"top_db": None}), ("kaldi-mfcc", 0, {})):
        offline = audio.features(y, sr, preset=preset, **settings)
        stream = audio.StreamingFeatures(preset, sr, **settings)
        parts = [stream.push(y[i : i + 4000]) for i in range(0, len(y), 4000)] + [stream.flush()]
        assert all(part.dtype == np.float32 for part in parts)
        streamed = np.concatenate(parts, axis=frame_axis)
        assert streamed.shape == offline.shape, preset
        np.testing.assert_allclose(streamed, offline, rtol=0, atol=1e-3, err_msg=preset)


def test_errors_name_the_file_or_setting():
    with pytest.raises(ValueError, match="bad.truncated.wav: truncated"):
        audio.load(AUDIO / "formats" / "bad.truncated.wav")
    with pytest.raises(OSError, match="missing.wav"):
        audio.load(AUDIO / "missing.wav")
    with pytest.raises(ValueError, match="unknown preset"):
        audio.features(np.zeros(1000, np.float32), 16000, preset="mel")
    with pytest.raises(ValueError, match="unknown setting"):
        audio.features(np.zeros(1000, np.float32), 16000, n_bins=3)
    with pytest.raises(ValueError, match="16000 Hz audio"):
        audio.features(np.zeros(1000, np.float32), 22050, preset="whisper-80")


def test_overflowing_samples_are_an_error_and_empty_mel_filters_a_warning():
    loud = (np.sin(np.arange(16000) * 0.1) * 1e30).astype(np.float32)
    with pytest.raises(ValueError, match="samples reach 1.000e30, and what is computed from them overflows"):
        audio.features(loud, 16000)
    with pytest.raises(ValueError, match="overflows"):
        audio.StreamingFeatures("librosa-mel", 16000).push(loud)
    y, sr = audio.load(AUDIO / "sweep_16k.wav")
    with pytest.warns(UserWarning, match="81 of the 256 mel filters cover no frequency bin"):
        mel = audio.features(y, sr, n_mels=256, n_fft=256)
    assert mel.shape[0] == 256
    with pytest.warns(UserWarning, match="mel filters cover no frequency bin"):
        audio.StreamingFeatures("librosa-mel", sr, n_mels=256, n_fft=256)


def test_sizes_and_arrays_that_cannot_be_used_are_clear_errors():
    stream = audio.StreamingFeatures("librosa-mel", 16000)
    with pytest.raises(ValueError, match=r"push takes one channel, float32 \[samples\]; this chunk is \[2, 100\]"):
        stream.push(np.zeros((2, 100), np.float32))
    with pytest.raises(TypeError, match="floating point"):
        stream.push(np.zeros(100, np.int16))
    with pytest.raises(TypeError, match="floating point"):
        audio.features(np.zeros(1600, np.int16), 16000)
    with pytest.raises(ValueError, match="n_fft 999999999 is over the limit"):
        audio.features(np.zeros(1600, np.float32), 16000, n_fft=999999999)
    with pytest.raises(ValueError, match="not within 1..=768000 Hz"):
        audio.load(AUDIO / "sweep_16k.wav", sr=10**9)
