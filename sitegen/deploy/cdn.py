"""CDN invalidation after a deploy: exactly the paths whose objects changed or went, CloudFront first.

Only paths that were live before are invalidated (a new page was never cached). Past `invalidation_limit` paths the
deepest ones are collapsed into their folder's wildcard, level by level, until the list fits, ending at `/*`:
CloudFront bills each path and each wildcard the same and allows 15 wildcards in flight, so a big deploy becomes a
few folder wildcards, not thousands of paths.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from sitegen.deploy.store import error_code
from sitegen.errors import ContentError

if TYPE_CHECKING:
    from mypy_boto3_cloudfront import CloudFrontClient


def collapse(paths: Sequence[str], limit: int) -> list[str]:
    """`paths` as at most `limit` paths and wildcards covering every one of them."""
    current = sorted(set(paths))
    while len(current) > limit:
        depth = max(_depth(p) for p in current)
        if depth <= 1:
            return ["/*"]
        current = sorted({_parent_wildcard(p) if _depth(p) == depth else p for p in current})
        current = _drop_covered(current)
    return current


def _depth(path: str) -> int:
    """How many folders deep: /a.html 1, /a/ 2, /a/b.html 2, /a/* 2."""
    return path.rstrip("/").count("/") + (1 if path.endswith("/") and path != "/" else 0)


def _parent_wildcard(path: str) -> str:
    """The wildcard of the folder `path` is in: /a/b.html and /a/ → /a/*, /a/b/* → /a/*."""
    if path.endswith("/") and not path.endswith("*"):
        return path + "*"
    return path.removesuffix("/*").rsplit("/", 1)[0] + "/*"


def _drop_covered(paths: list[str]) -> list[str]:
    """Without the paths a wildcard of the list already covers."""
    folders = [p[:-1] for p in paths if p.endswith("/*")]
    return [p for p in paths if not any(p != f + "*" and p.startswith(f) for f in folders)]


def invalidate(client: CloudFrontClient, distribution: str, paths: Sequence[str]) -> str:
    """Ask CloudFront to drop `paths`; the invalidation's id. The caller reference is new for every deploy:
    CloudFront takes a reference it has seen as the same request again and invalidates nothing (the second fix of
    one article would stay behind the first in the CDN). botocore's retries of one call resend the same reference,
    so a retried request still makes one invalidation."""
    items = [quote(p, safe="/*~!$&'()+,;=:@") for p in paths]
    reference = uuid.uuid4().hex
    try:
        answer = client.create_invalidation(
            DistributionId=distribution,
            InvalidationBatch={"Paths": {"Quantity": len(items), "Items": items}, "CallerReference": reference},
        )
    except (ClientError, BotoCoreError) as exc:
        code = error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
        raise ContentError(f"deploy: CloudFront distribution {distribution}: invalidation failed ({code}); the "
                           "paths are kept and asked for again by the next deploy") from exc  # fmt: skip
    return answer["Invalidation"]["Id"]
