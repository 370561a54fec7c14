"""`sitegen deploy` against `hugo deploy`: the same built public/ folder to the same local S3 server.

    python3 benchmarks/deploy.py SITE_DIR            (SITE_DIR built already; hugo 0.168 "withdeploy" on PATH)

Starts `rclone serve s3` on a free port over a fresh folder, one bucket per tool, then times for each tool a first
deploy, a no-op deploy and, after one article's body is edited and the site rebuilt (not timed), a deploy of that
change. Objects and bytes uploaded come from each tool's own report: sitegen's JSON, Hugo's "Identified N file(s)
to upload, totaling B bytes" line. Prints a JSON document and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

KEY, SECRET = "BENCHACCESSKEY000001", "bench-secret-key-000000000001"
EPOCH = "1766995200"
REPO = Path(__file__).resolve().parents[1]
_HUGO_PLAN = re.compile(
    r"Identified (\d+) file\(s\) to upload, totaling ([\d.]+ ?[kMG]?i?B)?.*?(\d+) file\(s\) to delete", re.S
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    args = parser.parse_args()
    site: Path = args.site.resolve()
    work = site.parent / "deploy-bench-s3"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    port = _free_port()
    rclone = shutil.which("rclone") or str(Path(sysconfig.get_path("scripts")) / "rclone")
    server = subprocess.Popen([rclone, "serve", "s3", "--addr", f"127.0.0.1:{port}", "--auth-key", f"{KEY},{SECRET}",
                               "--config", "/dev/null", str(work)], stderr=subprocess.DEVNULL)  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": "us-east-1",
           "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": EPOCH}  # fmt: skip
    try:
        client = _client(endpoint)
        _wait(client)
        for bucket in ("sitegen-bench", "hugo-bench"):
            client.create_bucket(Bucket=bucket)
        _configure(site, endpoint, port)
        results: dict[str, Any] = {"files": _count_files(site / "public")}
        for run in ("first", "noop"):
            results[f"sitegen {run}"] = _sitegen(site, env)
            results[f"hugo {run}"] = _hugo(site, env)
        _edit_one_article(site, env)
        results["sitegen one article"] = _sitegen(site, env)
        results["hugo one article"] = _hugo(site, env)
        results["objects"] = {b: _count_objects(client, b) for b in ("sitegen-bench", "hugo-bench")}
    finally:
        server.terminate()
        server.wait()
    print(json.dumps(results, indent=2))
    print(_table(results))


def _client(endpoint: str) -> Any:
    config = Config(request_checksum_calculation="when_required", s3={"addressing_style": "path"})
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=KEY,
                        aws_secret_access_key=SECRET, config=config)  # fmt: skip


def _wait(client: Any) -> None:
    for _ in range(300):
        try:
            client.list_buckets()
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit("rclone serve s3 did not start")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _configure(site: Path, endpoint: str, port: int) -> None:
    """A [deploy] table for sitegen (outside the build's digest: nothing re-renders), a hugo.toml for Hugo."""
    config = site / "sitegen.toml"
    text = re.sub(r"\n\[deploy\][^\[]*", "\n", config.read_text(encoding="utf-8"))
    config.write_text(text + f'\n[deploy]\nurl = "s3://sitegen-bench"\nendpoint = "{endpoint}"\n', encoding="utf-8")
    hugo = site.parent / "hugo-deploy"
    hugo.mkdir(exist_ok=True)
    url = f"s3://hugo-bench?endpoint=http://127.0.0.1:{port}&use_path_style=true&region=us-east-1"
    (hugo / "hugo.toml").write_text(f'publishDir = "{site / "public"}"\n\n[deployment]\n[[deployment.targets]]\n'
                                    f'name = "bench"\nurl = "{url}"\n', encoding="utf-8")  # fmt: skip


def _count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def _count_objects(client: Any, bucket: str) -> int:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sum(len(page.get("Contents", [])) for page in pages)


def _sitegen(site: Path, env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sitegen", "deploy", str(site), "--format", "json"], env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    wall = time.perf_counter() - started
    if done.returncode != 0:
        return {"wall_s": round(wall, 2), "error": done.stderr.strip()}
    report = json.loads(done.stdout)["done"]
    return {"wall_s": round(wall, 2), "uploaded": report["uploaded"] + report["copied"], "bytes": report["bytes"],
            "deleted": report["deleted"]}  # fmt: skip


def _hugo(site: Path, env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(["hugo", "deploy", "--source", str(site.parent / "hugo-deploy"), "--target", "bench",
                           "--maxDeletes", "-1"], env=env, capture_output=True, text=True, check=False)  # fmt: skip
    wall = time.perf_counter() - started
    output = done.stdout + done.stderr
    if done.returncode != 0:
        return {"wall_s": round(wall, 2), "error": output.strip().splitlines()[-1] if output.strip() else "failed"}
    found = _HUGO_PLAN.search(output)
    if found is None:
        return {"wall_s": round(wall, 2), "uploaded": 0, "bytes": "0 B", "note": output.strip().splitlines()[-1:]}
    return {"wall_s": round(wall, 2), "uploaded": int(found[1]), "bytes": found[2] or "0 B", "deleted": int(found[3])}


def _edit_one_article(site: Path, env: dict[str, str]) -> None:
    articles = sorted(p for p in (site / "content").rglob("*.md") if p.name != "_index.md")
    article = articles[len(articles) // 2]
    text = article.read_text(encoding="utf-8")
    article.write_text(text.rstrip("\n") + "\n\nA correction was appended to this article.\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "sitegen", "build", "-q", str(site)], env=env, check=True)


def _table(results: dict[str, Any]) -> str:
    rows = ["| deploy | tool | wall s | objects uploaded | bytes uploaded |", "|---|---|---:|---:|---:|"]
    for run in ("first", "noop", "one article"):
        for tool in ("sitegen", "hugo"):
            r = results[f"{tool} {run}"]
            if "error" in r:
                rows.append(f"| {run} | {tool} | {r['wall_s']} | failed: {r['error']} | |")
                continue
            size = f"{r['bytes'] / 1e6:.1f} MB" if isinstance(r["bytes"], int) else r["bytes"]
            rows.append(f"| {run} | {tool} | {r['wall_s']} | {r['uploaded']:,} | {size} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
