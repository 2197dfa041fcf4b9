#!/usr/bin/env python3
"""How many tubelets static-patch removal (RLT, omnitok.vision.remove_static) drops, on
kinds of video made here (16 x 16 patches, tubelets of 2 frames, thresholds 0.01, 0.02, 0.05):

- photographs: scikit-image's bundled photos (astronaut, coffee, chelsea), each shown for 2 s
  of a slow pan and zoom (a moving crop resized with Pillow bicubic), then a 1 s hold, at 24 fps;
- the same photographs panned and zoomed by ffmpeg (its zoompan filter, 2 s each then a 1 s
  hold), encoded as H.264 (libx264, crf 23, yuv420p) and decoded by omnitok.vision.load through
  ffmpeg: real compression noise on every frame (when ffmpeg is installed);
- a screen recording: a 640 x 480 "editor" with lines of text typed one character per frame, a
  blinking cursor, a scroll every 3 s and a menu opened once, 10 s at 24 fps.

    .venv/bin/pip install scikit-image    # the photos
    .venv/bin/python benches/rlt_reduction.py
"""

import os
import shutil
import subprocess
import tempfile

import numpy as np
from PIL import Image, ImageDraw
from skimage import data

from omnitok import vision

FPS = 24
SIZE = (384, 288)  # width, height: multiples of 16


def photo_video() -> np.ndarray:
    frames = []
    for photo in (data.astronaut(), data.coffee(), data.chelsea()):
        image = Image.fromarray(photo)
        w, h = image.size
        for k in range(2 * FPS):  # pan and zoom: the crop shrinks and slides
            s = 1.0 - 0.25 * k / (2 * FPS)
            cw, ch = int(w * s), int(h * s)
            x0 = int((w - cw) * k / (2 * FPS))
            y0 = int((h - ch) * 0.5)
            frames.append(np.asarray(image.crop((x0, y0, x0 + cw, y0 + ch)).resize(SIZE, Image.BICUBIC)))
        frames.extend([frames[-1]] * FPS)  # hold
    return np.stack(frames)


def ffmpeg_photo_video(work: str) -> np.ndarray:
    """Pan and zoom by ffmpeg's zoompan over each photograph, H.264, decoded by omnitok."""
    parts = []
    for name, photo in (("astronaut", data.astronaut()), ("coffee", data.coffee()), ("chelsea", data.chelsea())):
        still = os.path.join(work, f"{name}.png")
        Image.fromarray(photo).save(still)
        part = os.path.join(work, f"{name}.mp4")
        # 2 s moving, then the last moving frame held for 1 s.
        subprocess.run(["ffmpeg", "-y", "-v", "error", "-loop", "1", "-i", still, "-vf",
                        f"zoompan=z='1+0.25*min(on,{2 * FPS})/{2 * FPS}'"
                        f":x='(iw-iw/zoom)*min(on,{2 * FPS})/{2 * FPS}':y='(ih-ih/zoom)/2'"
                        f":d={3 * FPS}:s={SIZE[0]}x{SIZE[1]}:fps={FPS}",
                        "-frames:v", str(3 * FPS), "-c:v", "libx264", "-crf", "23",
                        "-pix_fmt", "yuv420p", part], check=True)
        parts.append(vision.load(part))
    return np.concatenate(parts)


def screen_video() -> np.ndarray:
    rng = np.random.default_rng(0)
    words = ["let", "mut", "tokens", "=", "omnitok", "::", "encode", "(", "text", ")", ";", "fn",
             "main", "{", "}", "for", "frame", "in", "video", "patches"]
    lines = [" ".join(rng.choice(words, 8)) for _ in range(60)]
    frames = []
    typed = 0
    scroll = 0
    for k in range(10 * FPS):
        image = Image.new("RGB", (640, 480), (30, 30, 36))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 640, 24), fill=(50, 50, 60))  # title bar
        draw.text((8, 6), "main.rs - editor", fill=(200, 200, 200))
        if k % (3 * FPS) == 0 and k > 0:
            scroll += 3
        typed += 1
        text = "\n".join(lines)
        shown = text[: typed]
        visible = shown.split("\n")[scroll: scroll + 28]
        for row, line in enumerate(visible):
            draw.text((12, 32 + row * 16), line, fill=(220, 220, 210))
        if (k // 12) % 2 == 0:  # cursor blink
            row = len(visible) - 1
            col = len(visible[-1]) if visible else 0
            draw.rectangle((12 + 6 * col, 32 + row * 16, 14 + 6 * col, 44 + row * 16), fill=(255, 255, 255))
        if 5 * FPS <= k < 6 * FPS:  # a menu open for a second
            draw.rectangle((400, 24, 600, 200), fill=(70, 70, 80))
        frames.append(np.asarray(image))
    return np.stack(frames)


def main() -> None:
    videos = [("photographs (pan, zoom, hold)", photo_video())]
    if shutil.which("ffmpeg"):
        with tempfile.TemporaryDirectory() as work:
            videos.append(("photographs by ffmpeg zoompan, H.264", ffmpeg_photo_video(work)))
    else:
        print("ffmpeg is not installed: the H.264 video is skipped")
    videos.append(("screen recording", screen_video()))
    for name, video in videos:
        for threshold in (0.01, 0.02, 0.05):
            kept, (t, h, w) = vision.remove_static(video, threshold=threshold)
            total = t * h * w
            print(f"{name}, threshold {threshold}: {video.shape[0]} frames of "
                  f"{video.shape[2]}x{video.shape[1]}, {total} tubelets, {len(kept)} kept, "
                  f"{1 - len(kept) / total:.1%} removed")


if __name__ == "__main__":
    main()
