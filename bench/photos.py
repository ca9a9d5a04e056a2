"""Photos to a dossier's PDF (issue #20): ten phone photos of about 3 MB each (12 MP JPEG) through
`photo_check` (size, clamd's virus scan, type, full decode) and `photos_to_pdf` (upright, portrait,
no metadata, 2400 px, one A4 page each) in well under 10 s on one core.

The photos are generated: smooth colour shapes under fine grain, which JPEG compresses as it does
a real photo (a flat synthetic image would be a few hundred kilobytes and decode faster).
"""

from __future__ import annotations

import io
import random
import time

from bench.common import measure, report

TARGET_MS = 10_000
PHOTOS = 10
SIZE = (4000, 3000)  # 12 MP, a phone's usual photo


def make_photo(seed: int) -> bytes:
    from PIL import Image

    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not security
    width, height = SIZE
    small = Image.new("RGB", (width // 16, height // 16))
    small.putdata(
        [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(small.width * small.height)]
    )
    base = small.resize(SIZE, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(SIZE, 24).convert("RGB")
    out = io.BytesIO()
    Image.blend(base, grain, 0.22).save(out, format="JPEG", quality=85)
    return out.getvalue()


def run() -> bool:
    from onestop_tayninh.imaging.photos import photo_check, photos_to_pdf

    photos = [make_photo(seed) for seed in range(PHOTOS)]
    megabytes = sum(len(photo) for photo in photos) / PHOTOS / 1024 / 1024
    print(f"{PHOTOS} ảnh {SIZE[0]} × {SIZE[1]}, trung bình {megabytes:.1f} MB mỗi ảnh")

    runs = iter(range(1_000_000))

    def check_all() -> None:
        # clamd remembers the files it found clean: each run marks the photos with a JPEG comment of
        # its own (after the start-of-image marker), so every scan is a real one.
        mark = f"run {next(runs)}".encode()
        for photo in photos:
            photo_check(photo[:2] + b"\xff\xfe" + (len(mark) + 2).to_bytes(2, "big") + mark + photo[2:])

    def build() -> None:
        photos_to_pdf(photos)

    started = time.perf_counter()
    check_all()
    checked_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    built = photos_to_pdf(photos)
    built_ms = (time.perf_counter() - started) * 1000
    print(
        f"Kiểm tra {PHOTOS} ảnh (có quét virus): {checked_ms:.0f} ms; ghép PDF: {built_ms:.0f} ms "
        f"({built.pages} trang, {len(built.pdf) / 1024 / 1024:.1f} MB)"
    )
    return report(
        f"{PHOTOS} ảnh ~{megabytes:.0f} MB → kiểm tra + PDF A4",
        measure(lambda: (check_all(), build()), runs=5, warmup=1),
        target_ms=TARGET_MS,
        key="max_ms",
    )
