"""What is in the bucket: the deploy manifest sitegen keeps there, and a listing of the keys under the prefix.

The manifest (`.sitegen/deploy-manifest.json` under the prefix) holds, for every key sitegen uploaded, the sha256 and
size of the file it came from and the headers it was stored with. It is the only record of what is sitegen's: keys
in the listing but not in the manifest belong to someone else and are never deleted. Header sets are stored once
and referred to by number (a site has a handful), which keeps a 100,000-file manifest a few megabytes.

An entry whose digest is empty is a key a deploy was about to write when it stopped (see upload.py): it is sitegen's,
but what it holds is unknown, so the next deploy writes it again.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sitegen.deploy.config import Target
from sitegen.deploy.headers import Headers
from sitegen.deploy.store import error_code, translate
from sitegen.errors import UsageError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

STATE_DIR = ".sitegen/"  # under the prefix: a hidden name, which no build ever publishes
MANIFEST_KEY = STATE_DIR + "deploy-manifest.json.gz"
_FORMAT, _VERSION = "sitegen-deploy", 1


@dataclass(frozen=True)
class Entry:
    sha256: str  # of the file the object was made from; "" when a deploy stopped before it was known
    size: int
    headers: Headers

    @property
    def known(self) -> bool:
        return bool(self.sha256)


UNFINISHED = Entry("", -1, {})


@dataclass
class Manifest:
    files: dict[str, Entry] = field(default_factory=dict)  # output path → what its object was made from
    invalidations: list[str] = field(default_factory=list)  # CDN paths a deploy could not invalidate yet

    def to_bytes(self) -> bytes:
        sets: dict[str, int] = {}
        files: dict[str, list[object]] = {}
        for rel in sorted(self.files):
            entry = self.files[rel]
            key = json.dumps(entry.headers, sort_keys=True)
            files[rel] = [entry.sha256, entry.size, sets.setdefault(key, len(sets))]
        data = {"format": _FORMAT, "version": _VERSION, "headers": [json.loads(k) for k in sets], "files": files,
                "invalidations": sorted(set(self.invalidations))}  # fmt: skip
        return gzip.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), mtime=0)

    @classmethod
    def from_bytes(cls, raw: bytes, where: str) -> Manifest:
        try:
            data = json.loads(gzip.decompress(raw).decode("utf-8"))
            if data.get("format") != _FORMAT or data.get("version") != _VERSION:
                raise ValueError("unknown format")
            sets = [{str(k): str(v) for k, v in h.items()} for h in data["headers"]]
            files = {str(rel): Entry(str(e[0]), int(e[1]), sets[e[2]] if e[0] else {}) for rel, e in
                     data["files"].items()}  # fmt: skip
            return cls(files, [str(p) for p in data.get("invalidations", [])])
        except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            # Without a manifest nothing in the bucket is known to be ours: refuse rather than guess.
            raise UsageError(
                f"deploy: {where}: the deploy manifest cannot be read ({type(exc).__name__}); move it "
                "away to start over (every file is then uploaded again, nothing deleted)"
            ) from exc


def read_manifest(client: S3Client, target: Target) -> Manifest:
    key = target.key(MANIFEST_KEY)
    try:
        raw = client.get_object(Bucket=target.bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if error_code(exc) in ("NoSuchKey", "404"):
            return Manifest()  # the first deploy
        raise translate(exc, target, "reading the deploy manifest") from exc
    except BotoCoreError as exc:
        raise translate(exc, target, "reading the deploy manifest") from exc
    return Manifest.from_bytes(raw, f"s3://{target.bucket}/{key}")


def write_manifest(client: S3Client, target: Target, manifest: Manifest) -> None:
    try:
        client.put_object(Bucket=target.bucket, Key=target.key(MANIFEST_KEY), Body=manifest.to_bytes(),
                          ContentType="application/gzip", CacheControl="no-store")  # fmt: skip
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, target, "writing the deploy manifest") from exc


def list_keys(client: S3Client, target: Target) -> set[str]:
    """The output paths of every object under the prefix, sitegen's or not (its own state left out)."""
    found: set[str] = set()
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=target.bucket, Prefix=target.prefix):
            for item in page.get("Contents", []):
                rel = item["Key"][len(target.prefix) :]
                if not rel.startswith(STATE_DIR):
                    found.add(rel)
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, target, "listing the bucket") from exc
    return found
