"""Discrete image codes: the k-means codebook (training, encoding, decoding, files, pickling)
and FSQ / LFQ of DCT features, checked against an independent numpy/scipy computation."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy.fft import dctn

from omnitok import vision


def smooth_image(seed: int, height: int = 96, width: int = 128) -> np.ndarray:
    """Blurry colour blobs: photograph-like content whose patches repeat with variations."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    image = np.zeros((height, width, 3))
    for _ in range(6):
        cy, cx, radius = rng.uniform(0, height), rng.uniform(0, width), rng.uniform(8, 40)
        blob = np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * radius**2))
        image += blob[..., None] * rng.uniform(0, 255, 3)
    return np.clip(image, 0, 255).astype(np.uint8)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255**2 / mse)


def test_codebook_learns_and_reconstructs():
    training = [smooth_image(seed) for seed in range(4)]
    held_out = smooth_image(99, height=90, width=100)  # not a multiple of the patch size
    small = vision.Codebook.train(training, size=16, patch_size=8, epochs=3, seed=1)
    large = vision.Codebook.train(training, size=256, patch_size=8, epochs=3, seed=1)
    assert (large.size, large.patch_size) == (256, 8)
    ids = large.encode(held_out)
    assert ids.shape == (12, 13) and ids.dtype == np.int64
    assert ids.min() >= 0 and ids.max() < 256
    back = large.decode(ids, held_out.shape[:2])
    assert back.shape == held_out.shape and back.dtype == np.uint8
    assert large.decode(ids).shape == (96, 104, 3)
    # More codes reconstruct better, and both do far better than a flat grey image.
    coarse = psnr(held_out, small.decode(small.encode(held_out), held_out.shape[:2]))
    fine = psnr(held_out, back)
    flat = psnr(held_out, np.full_like(held_out, 128))
    assert fine > coarse + 1 > flat + 5, (fine, coarse, flat)
    # Each code is the nearest of all codes to its patch (checked by brute force).
    codes = np.stack([large.decode(np.array([[k]])) for k in range(256)]).reshape(256, -1)
    patch = held_out[16:24, 40:48].reshape(-1).astype(np.float64)
    distances = ((codes.astype(np.float64) - patch) ** 2).sum(axis=1)
    assert distances[ids[2, 5]] <= distances.min() + 8 * 8 * 3  # codes are rounded to bytes here


def test_codebook_training_is_seeded_files_and_pickles(tmp_path):
    training = [smooth_image(seed) for seed in range(2)]
    one = vision.Codebook.train(training, size=32, patch_size=4, epochs=2, seed=5)
    two = vision.Codebook.train(training, size=32, patch_size=4, epochs=2, seed=5)
    other = vision.Codebook.train(training, size=32, patch_size=4, epochs=2, seed=6)
    assert one._inner.to_bytes() == two._inner.to_bytes() != other._inner.to_bytes()
    path = tmp_path / "book.safetensors"
    one.save(path)
    image = smooth_image(7)
    assert np.array_equal(vision.Codebook.load(path).encode(image), one.encode(image))
    copy = pickle.loads(pickle.dumps(one))
    assert np.array_equal(copy.encode(image), one.encode(image))
    video = np.stack([image, image[::-1]])
    assert np.array_equal(one.encode(video)[1], one.encode(image[::-1]))


def test_codebook_errors():
    flat = np.zeros((16, 16, 3), np.uint8)
    with pytest.raises(ValueError, match="distinct patches"):
        vision.Codebook.train([flat], size=4, patch_size=4)
    book = vision.Codebook.train([smooth_image(0)], size=8, patch_size=8, epochs=1)
    with pytest.raises(ValueError, match="index 8 at position 1"):
        book.decode(np.array([[0, 8]]))
    with pytest.raises(ValueError, match="negative"):
        book.decode(np.array([[-1]]))
    with pytest.raises(ValueError, match="cannot fill"):
        book.decode(np.array([[0]]), (9, 8))

def test_codebook_file_errors(tmp_path):
    path = tmp_path / "not-a-codebook.safetensors"
    path.write_bytes(b"nonsense")
    with pytest.raises(ValueError, match="not a safetensors file"):
        vision.Codebook.load(path)


def reference_latents(image: np.ndarray, patch: int, dims: int) -> np.ndarray:
    """The documented DCT features, computed independently in float64 with scipy."""
    h, w = image.shape[:2]
    padded = np.pad(image, ((0, -h % patch), (0, -w % patch), (0, 0)), mode="edge") / 255.0
    r, g, b = padded[..., 0], padded[..., 1], padded[..., 2]
    planes = [0.299 * r + 0.587 * g + 0.114 * b - 0.5,
              -0.168736 * r - 0.331264 * g + 0.5 * b,
              0.5 * r - 0.418688 * g - 0.081312 * b]
    order = [(0, 0, 0), (1, 0, 0), (2, 0, 0)]
    order += [(0, s - v, v) for s in range(1, 2 * patch - 1) for v in range(s + 1)
              if s - v < patch and v < patch]
    rows = []
    for y in range(0, padded.shape[0], patch):
        for x in range(0, padded.shape[1], patch):
            coefficients = [dctn(p[y:y + patch, x:x + patch], norm="ortho") for p in planes]
            # dctn's axis 0 is vertical (v), axis 1 horizontal (u).
            rows.append([coefficients[plane][v, u] for plane, u, v in order[:dims]])
    values = np.array(rows) * (2.0 / patch)
    return np.arctanh(np.clip(values, -0.999, 0.999)).astype(np.float32)


@pytest.mark.parametrize("spec, patch", [("fsq:8,8,8,5,5,5", 16), ("lfq:18", 16), ("fsq:4,4,4,4", 5)])
def test_fsq_and_lfq_of_dct_features_agree_with_the_reference_on_99_percent(spec, patch):
    image = smooth_image(3, height=100, width=130)
    image = np.clip(image.astype(int) + np.random.default_rng(0).integers(-20, 20, image.shape), 0, 255).astype(np.uint8)
    quantizer = vision.Quantizer(spec)
    ids = vision.tokenize(image, spec, patch_size=patch)
    assert ids.shape == (-(-100 // patch), -(-130 // patch))
    expected = quantizer.indices(reference_latents(image, patch, quantizer.dim)).reshape(ids.shape)
    # float32 features against the float64 reference: a value on a rounding boundary may land
    # either side, so equality is of at least 99% of the codes, not all (the quantizers
    # themselves are checked for exact equality on the reference's own latents).
    assert np.mean(ids == expected) >= 0.99, np.mean(ids == expected)
    video = np.stack([image, image])
    assert np.array_equal(vision.tokenize(video, spec, patch_size=patch)[1], ids)


def test_scalar_tokenize_errors():
    with pytest.raises(ValueError, match="DCT features"):
        vision.tokenize(np.zeros((8, 8, 3), np.uint8), "lfq:7", patch_size=2)
    with pytest.raises(ValueError, match="unknown quantizer"):
        vision.tokenize(np.zeros((8, 8, 3), np.uint8), "vq:3")
