"""Responsive images at news-site scale: N articles with 3 camera photos each, built cold by sitegen.

    python benchmarks/images.py --photos DIR [--articles 200] [--jobs 2] [--workdir /tmp/imgbench]

DIR holds real camera JPEGs (the note used ianare/exif-samples' phone photos). Each article gets a lead photo and two
in its body, every one a distinct file (a source photo with its own JPEG comment), so each is decoded and encoded as
real distinct photos are. Reports the cold build's time and derivatives, a second build's, the output's image bytes
against the originals', and the bytes a browser downloads for the images of an article page and of the home page,
before (the originals) and after (the candidate the browser picks from srcset, AVIF) on a phone and a desktop.
A benchmark, not a test: it checks nothing beyond "the build exited 0".
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lxml.html

REM = 16
SCREENS = {"phone (390 px, 3×)": (390, 3.0), "desktop (1440 px, 1×)": (1440, 1.0)}


def make_site(root: Path, photos: list[Path], articles: int) -> int:
    """The site's files; the originals' total bytes."""
    (root / "static" / "img").mkdir(parents=True)
    (root / "sitegen.toml").write_text('title = "Bench"\nbase_url = "https://bench.example.org"\n[search]\n'
                                       "enabled = false\n", encoding="utf-8")  # fmt: skip
    total = 0
    for n in range(articles):
        names = []
        for k in range(3):
            source = photos[(n * 3 + k) % len(photos)].read_bytes()
            comment = f"sitegen benchmark photo {n}-{k}".encode()
            data = source[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + source[2:]
            name = f"p{n:04d}-{k}.jpg"
            (root / "static" / "img" / name).write_bytes(data)
            names.append(name)
            total += len(data)
        folder = root / "content" / "news" / f"{2025 - n // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        day = 1 + n % 28
        body = f"Story {n}.\n\n![Scene one](/img/{names[1]})\n\nMore text.\n\n![Scene two](/img/{names[2]})\n"
        (folder / f"story-{n}.md").write_text(
            f"---\ntitle: Story {n}\ndate: 2025-0{1 + n % 9}-{day:02d}\nimage:\n  src: /img/{names[0]}\n"
            f"  alt: Lead {n}\n---\n{body}", encoding="utf-8")  # fmt: skip
    return total


def build(root: Path, jobs: int) -> tuple[float, str]:
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "sitegen", "build", str(root), "--jobs", str(jobs)],
                         capture_output=True, text=True, check=False)  # fmt: skip
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"build failed:\n{run.stderr}")
    return seconds, run.stdout


def css_px(expression: str, viewport: int) -> float:
    """A `sizes` length as the theme writes them: Nrem, Npx, Nvw, calc(A - B)."""
    expression = expression.strip()
    if expression.startswith("calc("):
        left, right = expression[5:-1].split(" - ")
        return css_px(left, viewport) - css_px(right, viewport)
    number = float(re.match(r"[\d.]+", expression).group(0))  # type: ignore[union-attr]
    if expression.endswith("rem"):
        return number * REM
    if expression.endswith("vw"):
        return number * viewport / 100
    return number


def slot(sizes: str, viewport: int) -> float:
    for part in sizes.split(", "):
        found = re.match(r"\(max-width: ([\d.]+)rem\) (.+)", part)
        if found is None:
            return css_px(part, viewport)
        if viewport <= float(found.group(1)) * REM:
            return css_px(found.group(2), viewport)
    raise ValueError(sizes)


def picked(srcset: str, need: float) -> str:
    """The candidate a browser takes: the narrowest at least as wide as the slot's device pixels, else the widest."""
    candidates = sorted((int(w.rstrip("w")), url) for url, w in (c.split() for c in srcset.split(", ")))
    return next((url for width, url in candidates if width >= need), candidates[-1][1])


def page_bytes(out: Path, rel: str, root: Path, viewport: int, dpr: float) -> tuple[int, int]:
    """(after, before): image bytes of a page's pictures, AVIF as chosen from srcset; the originals they stand for."""
    doc = lxml.html.fromstring((out / rel).read_bytes())
    after = before = 0
    for picture in doc.iter("picture"):
        source = next(s for s in picture.iter("source") if s.get("type") == "image/avif")
        url = picked(source.get("srcset"), slot(source.get("sizes"), viewport) * dpr)
        after += (out / url.lstrip("/")).stat().st_size
        alt = next(picture.iter("img")).get("alt", "")
        before += original_size(root, alt, rel)
    return after, before


def original_size(root: Path, alt: str, rel: str) -> int:
    """The original behind a picture, found by the article's text (Lead N / Scene one|two of story N)."""
    found = re.match(r"Lead (\d+)|Scene (one|two)", alt)
    if found is None:
        return 0
    if found.group(1) is not None:
        return (root / "static" / "img" / f"p{int(found.group(1)):04d}-0.jpg").stat().st_size
    story = int(re.search(r"story-(\d+)", rel).group(1))  # type: ignore[union-attr]
    k = 1 if found.group(2) == "one" else 2
    return (root / "static" / "img" / f"p{story:04d}-{k}.jpg").stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--photos", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    photos = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="sitegen-images-"))
    root = work / "site"
    shutil.rmtree(root, ignore_errors=True)
    originals = make_site(root, photos, args.articles)
    cold, summary = build(root, args.jobs)
    warm, second = build(root, args.jobs)
    out = root / "public"
    derived = sum(f.stat().st_size for f in (out / "_images").iterdir())
    print(f"{args.articles} articles, {args.articles * 3} photos ({originals / 1e6:.1f} MB of originals, "
          f"{len(photos)} source photos: {', '.join(p.name for p in photos)})")  # fmt: skip
    print(f"cold build: {cold:.1f} s ({summary.strip().splitlines()[-1]})")
    print(f"second build: {warm:.2f} s ({second.strip().splitlines()[-1]})")
    print(f"derivatives published: {len(list((out / '_images').iterdir()))} files, {derived / 1e6:.1f} MB")
    story = next(p.relative_to(out).as_posix() for p in sorted(out.glob("news/story-1/index.html")))
    for screen, (viewport, dpr) in SCREENS.items():
        after, before = page_bytes(out, story, root, viewport, dpr)
        print(f"article page images, {screen}: {after / 1e3:.0f} kB (originals: {before / 1e3:.0f} kB, "
              f"{before / max(after, 1):.0f}× more)")  # fmt: skip
        home_after, home_before = page_bytes(out, "index.html", root, viewport, dpr)
        print(f"home page teaser images, {screen}: {home_after / 1e3:.0f} kB (originals: {home_before / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
