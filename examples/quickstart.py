"""One sequence of token IDs for a document of text, a spoken sentence and a photograph, and
the document back from it. Run from the repository root:

    .venv/bin/python examples/quickstart.py

The codec is the small EnCodec checkpoint of the tests (random weights, so its audio comes back
as noise; a trained checkpoint directory works the same way), and the photograph's codes come
from a 256-code VQ codebook learned on the photograph itself.
"""

from pathlib import Path

import numpy as np

import omnitok
from omnitok import audio, vision

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"

# The components: GPT-4o's tokenizer, an audio codec, an image codebook.
codec = audio.Codec.from_pretrained(FIXTURES / "audio" / "encodec" / "causal-24k")
photo = vision.load(FIXTURES / "vision" / "photos" / "garden.png")  # uint8 [100, 160, 3]
book = vision.Codebook.train([photo], size=256, patch_size=8, epochs=3, seed=0)

# The token space: text, then markers, then each audio codebook, then the image codes.
layout = omnitok.Layout.build("o200k_base", codec=codec, image=book)
print("ID ranges:")
for name, start, end in layout.ranges:
    print(f"  {name:<14} {start:>7} .. {end:<7} ({end - start} IDs)")

document = [
    {"text": "Listen to this sentence, then look at the garden: "},
    {"audio": FIXTURES / "audio" / "speech_16k.wav"},  # resampled to the codec's rate
    {"image": photo},
]
ids = omnitok.mux(document, layout, codec=codec, image_quantizer=book)
print(f"\n{len(ids)} IDs:", ids[:12], "...")
for name, start, end in layout.ranges:
    count = int(np.count_nonzero((ids >= start) & (ids < end)))
    if count:
        print(f"  {count:>5} in {name}")

parts = omnitok.demux(ids, layout, codec=codec, image_quantizer=book)
text, speech, picture = parts
print("\ntext back:", repr(text["text"]))
print(f"audio back: codes {speech['audio_codes'].shape}, {speech['audio'].shape[1] / speech['sr']:.2f} s at {speech['sr']} Hz")
# Decoded at the grid's size (whole 8 x 8 patches): the photo's 100 rows are 13 rows of codes.
pixels = picture["image"][: photo.shape[0], : photo.shape[1]]
mse = np.mean((pixels.astype(float) - photo.astype(float)) ** 2)
print(f"image back: codes {picture['image_codes'].shape}, pixels {picture['image'].shape}, "
      f"PSNR {10 * np.log10(255 ** 2 / mse):.1f} dB")

# The IDs of the parts as they came back are the IDs that went in.
again = omnitok.mux([{"text": text["text"]}, {"audio_codes": speech["audio_codes"]},
                     {"image_codes": picture["image_codes"]}], layout)
assert np.array_equal(again, ids)
print("\nmux(demux(ids)) == ids")
