"""omnitok.vision.resize against Pillow 12 itself, run live: every filter, up- and
down-scaling, odd aspect ratios and sizes, on noise and on smooth gradients (decoded pixel
arrays, not compressed files). The bar: identical bytes."""

from __future__ import annotations

import numpy as np
import PIL
import pytest
from PIL import Image

from omnitok import vision

FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "box": Image.Resampling.BOX,
    "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}

SIZES = [
    ((37, 23), (16, 16)),
    ((64, 48), (224, 224)),
    ((101, 33), (33, 101)),
    ((640, 480), (448, 336)),
    ((1024, 768), (224, 224)),
    ((5, 3), (1, 1)),
    ((1, 1), (7, 9)),
    ((300, 200), (300, 57)),
    ((300, 200), (41, 200)),
    ((17, 999), (16, 64)),
]


def images(width: int, height: int):
    rng = np.random.default_rng(width * 1000 + height)
    yield rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    y, x = np.mgrid[0:height, 0:width]
    smooth = np.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1),
                       (x + y) * 127 // max(width + height - 2, 1)], axis=-1)
    yield smooth.astype(np.uint8)


def test_pillow_is_the_pinned_major_version():
    assert PIL.__version__.startswith("12.")


@pytest.mark.parametrize("filter_name", list(FILTERS))
@pytest.mark.parametrize("source,target", SIZES)
def test_resize_equals_pillow(filter_name, source, target):
    for pixels in images(*source):
        expected = np.asarray(Image.fromarray(pixels).resize(target, FILTERS[filter_name]))
        ours = vision.resize(pixels, target, filter_name)
        assert ours.shape == expected.shape
        mismatched = int((ours != expected).sum())
        assert mismatched == 0, f"{mismatched} bytes differ"


def test_bad_arguments_are_clear_errors():
    pixels = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(ValueError, match="unknown filter"):
        vision.resize(pixels, (2, 2), "gaussian")
    with pytest.raises(ValueError, match="at least 1"):
        vision.resize(pixels, (0, 2))
    with pytest.raises(ValueError, match=r"\[height, width, 3\]"):
        vision.resize(np.zeros((4, 4), np.uint8), (2, 2))
    # Targets go through the pixel limit decoding has; nothing is allocated for them.
    with pytest.raises(ValueError, match="over the limit of 100000000 pixels"):
        vision.resize(pixels, (100000, 100000))
    with pytest.raises(ValueError, match="over the limit of 15 pixels"):
        vision.resize(pixels, (4, 4), max_pixels=15)
    # Pixels are uint8: other dtypes are refused, never cast.
    for image in (np.full((28, 28, 3), 0.5), np.full((28, 28, 3), 1000, np.int64)):
        with pytest.raises(TypeError, match="uint8"):
            vision.patchify(image, "siglip")
        with pytest.raises(TypeError, match="uint8"):
            vision.resize(image, (2, 2))


def test_load_decodes_images_and_animations():
    from conftest import FIXTURES

    formats = FIXTURES / "vision" / "formats"
    still = np.load(formats / "still.npy")
    for name in ["still.png", "still.bmp", "still.tiff", "still.webp"]:
        np.testing.assert_array_equal(vision.load(formats / name), still)
    frames, fps = vision.load(formats / "anim.gif", with_fps=True)
    assert frames.shape == (3, 8, 12, 3) and fps == pytest.approx(10.0)
    np.testing.assert_array_equal(frames, np.load(formats / "anim.npy"))
    with pytest.raises(ValueError, match="100000 x 100000"):
        vision.load(formats / "bad.huge.png")
    with pytest.raises(OSError):
        vision.load(formats / "missing.png")


def test_quantizers_equal_vector_quantize_pytorch():
    """Goldens from vector-quantize-pytorch (fixtures/vision/quantizers/make_goldens.py)."""
    import json

    from conftest import FIXTURES

    folder = FIXTURES / "vision" / "quantizers"
    for name, case in json.loads((folder / "goldens.json").read_text())["cases"].items():
        spec = f"fsq:{','.join(map(str, case['levels']))}" if case["kind"] == "fsq" else f"lfq:{case['bits']}"
        quantizer = vision.Quantizer(spec)
        indices = quantizer.indices(np.load(folder / f"{name}.latents.npy"))
        np.testing.assert_array_equal(indices, np.load(folder / f"{name}.indices.npy"))
        np.testing.assert_array_equal(quantizer.codes(indices), np.load(folder / f"{name}.codes.npy"))
    fsq = vision.Quantizer("fsq:8,8,8,5,5,5")
    assert (fsq.dim, fsq.codebook_size) == (6, 64000)
    with pytest.raises(ValueError, match="position 1"):
        fsq.codes(np.array([0, 64000]))
    with pytest.raises(ValueError, match="takes 6"):
        fsq.indices(np.zeros((2, 5), np.float32))


def test_remove_static_keeps_changes_and_counts_runs():
    video = np.zeros((8, 32, 48, 3), np.uint8)
    video[4:6, :16, :16] = 255  # one patch changes in tubelet 2, back in tubelet 3
    kept, grid = vision.remove_static(video)
    assert grid == (4, 2, 3)
    assert kept[:, 3].sum() == 4 * 2 * 3  # every tubelet is kept or counted in a run
    changed = kept[(kept[:, 1] == 0) & (kept[:, 2] == 0)]
    np.testing.assert_array_equal(changed[:, [0, 3]], [[0, 2], [2, 1], [3, 1]])
    assert len(kept) == 6 + 2
    with pytest.raises(ValueError, match="divide"):
        vision.remove_static(np.zeros((2, 20, 32, 3), np.uint8))
