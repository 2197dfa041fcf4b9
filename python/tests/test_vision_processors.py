"""omnitok.vision.patchify against transformers' PIL image processors (Qwen2-VL, SigLIP, CLIP)
(its PIL backend, no torch), run live: pixel values identical (max abs difference 0) and the
same grid, on images of many sizes and aspect ratios, with the default and with custom pixel
budgets."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from omnitok import vision

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from transformers import Qwen2VLImageProcessorPil


def reference(pixels: np.ndarray, **kwargs):
    processor = Qwen2VLImageProcessorPil(**kwargs)
    out = processor(images=[pixels], return_tensors="np")
    return out["pixel_values"], tuple(int(v) for v in out["image_grid_thw"][0])


SIZES = [(1024, 768), (640, 480), (37, 23), (300, 900), (28, 28), (57, 113), (2000, 1000)]


@pytest.mark.parametrize("width,height", SIZES)
def test_qwen2_vl_patches_equal_the_reference(width, height):
    rng = np.random.default_rng(width * 7 + height)
    pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    expected, expected_grid = reference(pixels)
    ours, grid = vision.patchify(pixels, preset="qwen2-vl")
    assert grid == expected_grid
    assert ours.shape == expected.shape and ours.dtype == np.float32
    assert float(np.abs(ours - expected).max()) == 0.0


JPEG = Path(__file__).resolve().parents[2] / "fixtures" / "vision" / "jpeg"


@pytest.mark.parametrize("case", ["subsampled-420", "progressive", "grey", "odd-size-q50", "cmyk"])
def test_patches_of_a_jpeg_file_equal_the_reference_on_pillows_decode(case):
    # From the file to patches: omnitok decodes the JPEG as Pillow does (libjpeg-turbo), so the
    # patches equal the processor's on Image.open(file).
    from PIL import Image

    path = JPEG / f"{case}.jpg"
    with Image.open(path) as image:
        expected, expected_grid = reference(np.asarray(image.convert("RGB")))
    ours, grid = vision.patchify(vision.load(path), preset="qwen2-vl")
    assert grid == expected_grid
    assert float(np.abs(ours - expected).max()) == 0.0


def test_pixel_budgets_reach_the_reference():
    pixels = np.random.default_rng(1).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    budget = dict(min_pixels=128 * 28 * 28, max_pixels=256 * 28 * 28)
    expected, expected_grid = reference(pixels, **budget)
    ours, grid = vision.patchify(pixels, preset="qwen2-vl", **budget)
    assert grid == expected_grid
    np.testing.assert_array_equal(ours, expected)


def test_bad_requests_are_clear_errors():
    pixels = np.zeros((30, 40, 3), np.uint8)
    with pytest.raises(ValueError, match="unknown preset"):
        vision.patchify(pixels, preset="llava")
    with pytest.raises(ValueError, match="unknown setting"):
        vision.patchify(pixels, patch=14)
    with pytest.raises(ValueError, match="aspect ratio"):
        vision.patchify(np.zeros((1, 300, 3), np.uint8))


def test_videos_equal_the_goldens_of_the_pil_video_path():
    """Frame pairs, the last frame repeated for an odd count: goldens from transformers 4.57's
    Qwen2VLImageProcessor (fixtures/vision/qwen2_vl/make_goldens.py), whose PIL path took
    videos; the processor that replaced it needs torch."""
    import json

    from conftest import FIXTURES

    folder = FIXTURES / "vision" / "qwen2_vl"
    meta = json.loads((folder / "goldens.json").read_text())
    for name, case in meta["cases"].items():
        video = np.load(folder / f"{name}.frames.npy")
        expected = np.load(folder / f"{name}.pixel_values.npy")
        ours, grid = vision.patchify(video, preset="qwen2-vl")
        assert list(grid) == case["grid_thw"], name
        assert float(np.abs(ours - expected).max()) == 0.0, name


@pytest.mark.parametrize("preset", ["siglip", "clip-vit-b16"])
@pytest.mark.parametrize("width,height", [(1024, 768), (200, 300), (224, 224), (100, 50), (31, 700)])
def test_fixed_size_presets_equal_the_reference(preset, width, height):
    """SigLIP and CLIP (transformers' PIL processors, run live): their pixel values cut into
    row-major 16 x 16 patches, each channel, row, column."""
    from transformers import CLIPImageProcessorPil, SiglipImageProcessorPil

    processor = SiglipImageProcessorPil() if preset == "siglip" else CLIPImageProcessorPil()
    pixels = np.random.default_rng(width + 3 * height).integers(0, 256, (height, width, 3), dtype=np.uint8)
    values = processor(images=[pixels], return_tensors="np")["pixel_values"][0]  # [3, 224, 224]
    expected = values.reshape(3, 14, 16, 14, 16).transpose(1, 3, 0, 2, 4).reshape(196, 768)
    ours, grid = vision.patchify(pixels, preset=preset)
    assert grid == (1, 14, 14)
    assert ours.shape == (196, 768)
    assert float(np.abs(ours - expected).max()) == 0.0


@pytest.mark.parametrize("preset", ["qwen2-vl", "siglip"])
def test_float16_output_and_a_reused_out_buffer_give_the_same_values(preset):
    pixels = np.random.default_rng(5).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    expected, grid = vision.patchify(pixels, preset=preset)
    assert vision.patch_shape(300, 400, preset) == expected.shape
    half, half_grid = vision.patchify(pixels, preset=preset, dtype=np.float16)
    assert half_grid == grid and half.dtype == np.float16
    np.testing.assert_array_equal(half, expected.astype(np.float16))
    for dtype in (np.float32, np.float16):
        out = np.full(expected.shape, np.nan, dtype)
        for _ in range(2):
            values, out_grid = vision.patchify(pixels, preset=preset, out=out)
            assert values is out and out_grid == grid
            np.testing.assert_array_equal(out, expected.astype(dtype))


def test_a_wrong_out_buffer_is_refused_before_anything_is_written():
    pixels = np.zeros((56, 56, 3), np.uint8)
    shape = vision.patch_shape(56, 56, "qwen2-vl")
    for out in [np.zeros((shape[0] + 1, shape[1]), np.float32), np.zeros(shape, np.float64),
                np.zeros((shape[1], shape[0]), np.float32).T]:
        with pytest.raises(ValueError, match="out must be"):
            vision.patchify(pixels, out=out)
    frozen = np.zeros(shape, np.float32)
    frozen.setflags(write=False)
    with pytest.raises(ValueError, match="out must be"):
        vision.patchify(pixels, out=frozen)
    with pytest.raises(ValueError, match="dtype"):
        vision.patchify(pixels, dtype=np.float64)


def test_a_list_of_images_is_a_batch_as_the_processor_takes_it():
    rng = np.random.default_rng(5)
    images = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in ((480, 640), (300, 200))]
    processor = Qwen2VLImageProcessorPil()
    expected = processor(images=images, return_tensors="np")
    ours, grids = vision.patchify(images, preset="qwen2-vl")
    assert grids == [tuple(int(v) for v in grid) for grid in expected["image_grid_thw"]]
    assert ours.shape == expected["pixel_values"].shape
    assert float(np.abs(ours - expected["pixel_values"]).max()) == 0.0
    # Two same-sized images in a list stay two images; as one 4-D array they are a video.
    pair = [images[0], images[0]]
    pair_values, pair_grids = vision.patchify(pair, preset="qwen2-vl")
    video_values, video_grid = vision.patchify(np.stack(pair), preset="qwen2-vl")
    assert pair_grids == [video_grid, video_grid] and len(pair_values) == 2 * len(video_values)
    with pytest.raises(ValueError, match="out= takes the patches of one image"):
        vision.patchify(pair, out=np.zeros((1, 1), np.float32))
