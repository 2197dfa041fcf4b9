"""Audio front-end: decoding, resampling and spectral features that match librosa, torchaudio,
Kaldi and Whisper.

    from omnitok import audio
    y, sr = audio.load("speech.flac", sr=16000)          # float32 [frames], as librosa.load
    mel = audio.features(y, sr, preset="whisper-80")     # float32 [80, frames]
    stream = audio.StreamingFeatures("whisper-80", 16000)
    frames = stream.push(chunk)                          # float32 [80, new frames], as offline
    codec = audio.Codec.default()                        # omnitok-speech-16k, built in
    codes = codec.encode(y, sr, bandwidth=6.0)           # int64 [codebooks, frames]
    y2 = codec.decode(codes, length=len(y))              # float32 [1, samples] at 16 kHz
    codec = audio.Codec.from_pretrained("encodec_24khz")  # a transformers EncodecModel directory

Presets: ``librosa-mel`` and ``librosa-mfcc`` (librosa's defaults), ``torchaudio-mel`` and
``torchaudio-mfcc`` (torchaudio.transforms.MelSpectrogram / MFCC defaults; the mel preset returns
linear power), ``kaldi-fbank`` and ``kaldi-mfcc`` (torchaudio.compliance.kaldi.fbank / mfcc
defaults with dither 0, 16 kHz, shape ``[frames, rows]`` as Kaldi's), ``whisper-80`` and
``whisper-128`` (Whisper's log-mel at 16 kHz; ``pad_to_samples=480000`` pads to 30 s as the
models see it).

Keyword overrides use the reference's own names, so a call translates word for word: librosa's
(n_fft, hop_length, win_length, window, center, pad_mode, power, n_mels, fmin, fmax, htk, n_mfcc,
lifter, top_db), torchaudio's (f_min, f_max, mel_scale, norm, log_mels) and Kaldi's (frame_length and
frame_shift in ms, num_mel_bins, low_freq, high_freq, num_ceps, cepstral_lifter,
preemphasis_coefficient, remove_dc_offset, raw_energy, use_energy, energy_floor, snip_edges,
round_to_power_of_two, window_type); dither must be 0.

``Codec`` is neural audio codec inference, EnCodec, DAC or SNAC (equal to transformers'
EncodecModel and DacModel and to the snac package's SNAC), on a checkpoint directory
(``config.json`` + ``model.safetensors``; its config.json's ``model_type``, or SNAC's own keys,
names the family), or on the built-in speech codec (``Codec.default()``):
``encode(samples, sr, bandwidth=None, return_info=False, *, codebooks=None)`` resamples to the
model's rate and returns int64 codes ``[codebooks, frames]`` (``[chunks, codebooks, frames]`` for
48 kHz EnCodec models, whose decoding needs the per-chunk scales: ``codes, info =
encode(..., return_info=True)`` then ``decode(codes, **info)``); ``family``, ``n_codebooks``,
``codebook_size``, ``frame_rate``, ``sample_rate``, ``channels``, ``bandwidths`` and
``can_stream`` describe the model. Causal models stream: ``streaming_encoder(bandwidth=None, *,
codebooks=None)`` and ``streaming_decoder()`` give objects whose ``push`` takes pieces of any
size (samples at the model's rate, or code frames) and returns what is now determined, and
whose ``flush`` ends the stream; together they equal ``encode`` and ``decode`` of the whole.
SNAC's codes come at several rates: ``encode`` returns a list of int64 arrays, one per level
(coarse to fine, every level; ``level_strides`` gives each level's frames per code), and
``decode`` takes that list (with ``length`` from ``return_info`` to trim the padding), decoding
without the reference's random noise.
"""

from __future__ import annotations

import os
from typing import BinaryIO, Optional, Tuple, Union

import numpy as np

from . import _arrays
from ._omnitok import Codec, CodecDecoderStream, CodecEncoderStream, StreamingFeatures
from ._omnitok import _audio_features, _audio_load, _audio_presets
from ._omnitok import _defaults
from .errors import ArgumentTypeError, InputError

_DEFAULTS = _defaults()

__all__ = ["PRESETS", "Codec", "CodecDecoderStream", "CodecEncoderStream", "StreamingFeatures", "features", "load"]

PRESETS = tuple(_audio_presets())


def load(
    path: Union[str, "os.PathLike[str]", BinaryIO], sr: Optional[int] = None, mono: bool = True,
    offset: float = 0.0, duration: Optional[float] = None, dtype: "np.typing.DTypeLike" = np.float32,
    *, max_file_bytes: Optional[int] = None, max_seconds: Optional[float] = None,
    max_channels: Optional[int] = None,
) -> Tuple[np.ndarray, int]:
    """Decodes WAV, FLAC, MP3 or Ogg Vorbis as ``librosa.load`` does: ``(samples,
    sample_rate)``, ``[frames]`` for one channel (``mono``: the channels averaged), else
    ``[channels, frames]``.

    ``path`` is a path or an open binary file (anything with ``read``). ``offset`` and
    ``duration`` (seconds) take an excerpt at the file's own rate (frame ``int(offset * rate)``
    on, ``int(duration * rate)`` frames), before the channels are averaged and the excerpt is
    resampled to ``sr`` Hz (libsoxr's high quality, librosa's default). MP3 and Ogg are decoded
    gapless, to libsndfile's lengths. ``dtype``: float32 (the default) or float64.

    A file over a limit is a ``ValueError``: ``max_file_bytes``, ``max_seconds``,
    ``max_channels``; each left as None keeps its default (``omnitok audio features --help``
    shows them). The whole file is decoded, then the excerpt taken: the limits apply to it."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise InputError(f"dtype must be float32 or float64, not {dtype}")
    if hasattr(path, "read"):
        limit = _DEFAULTS["audio_max_file_bytes"] if max_file_bytes is None else max_file_bytes
        # One byte more than the limit, so that a larger file is refused, not cut.
        data = path.read(limit + 1)
        if not isinstance(data, bytes):
            raise ArgumentTypeError(f"{path!r} is not opened in binary mode ('rb')")
        name = str(getattr(path, "name", "<file object>"))
        source = data
    else:
        source = os.fspath(path)
        name = str(source)
    samples, rate = _audio_load(source, name, sr, mono, float(offset), duration, max_file_bytes,
                                max_seconds, max_channels)
    return samples.astype(dtype, copy=False), rate


def features(samples: np.ndarray, sr: float, preset: str = _DEFAULTS["audio_preset"], **overrides) -> np.ndarray:
    """Features of mono ``samples`` at ``sr`` Hz by ``preset``: float32 ``[rows, frames]``
    (mel bins or coefficients first, as librosa, torchaudio and Whisper lay them out), or
    ``[frames, rows]`` for the Kaldi presets."""
    samples = _arrays.samples(samples)
    if samples.ndim != 1:
        raise InputError(f"samples must be one channel, shape [frames], not {samples.shape}")
    return _audio_features(samples, float(sr), preset, **overrides)
