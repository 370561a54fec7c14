"""One deploy at a time per prefix: a lock object in the bucket, `.sitegen/deploy.lock` under the prefix.

Taking it: the lock is written with `If-None-Match: *`, which S3, R2 and MinIO refuse when the object exists; a
store that ignores the condition (rclone's server does) is covered by reading the lock back after a short pause and
giving up unless it is still ours. What the lock says: who holds it (host, process, a random id) and since when.

Stale locks (a deploy that was killed holds it for ever): a lock is stale when
- it was written on this host by a process that no longer runs, or
- it has not been refreshed for `lock_timeout_minutes` (a running deploy rewrites it at every checkpoint, every few
  seconds), measured by the store's clock (its Date header against the object's Last-Modified), not ours.
A stale lock is taken over, and the deploy says so; the deploy it belonged to is completed by this one (upload.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sitegen.deploy.config import Target
from sitegen.deploy.remote import STATE_DIR
from sitegen.deploy.store import error_code, server_time_of, translate
from sitegen.errors import UsageError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

LOCK_KEY = STATE_DIR + "deploy.lock"
_SETTLE_SECONDS = 0.5  # between writing the lock and reading it back: another deploy's write lands in between


@dataclass
class DeployLock:
    client: S3Client
    target: Target
    timeout_seconds: float
    owner: dict[str, object]
    notes: list[str]

    @classmethod
    def take(cls, client: S3Client, target: Target, timeout_minutes: int) -> DeployLock:
        owner: dict[str, object] = {"host": socket.gethostname(), "pid": os.getpid(), "id": uuid.uuid4().hex}
        lock = cls(client, target, timeout_minutes * 60.0, owner, [])
        lock._acquire()
        return lock

    @property
    def key(self) -> str:
        return self.target.key(LOCK_KEY)

    def _acquire(self) -> None:
        held = self._read()
        conditional = True
        if held is not None:
            holder, age = held
            if not self._stale(holder, age):
                raise UsageError(f"deploy: {self.target}: another deploy holds the lock ({_who(holder)}, refreshed "
                                 f"{age:.0f} s ago); it is stale after {self.timeout_seconds / 60:.0f} minutes "
                                 "without a refresh")  # fmt: skip
            self.notes.append(f"took over a stale deploy lock ({_who(holder)}, {age:.0f} s old)")
            conditional = False
        self._write(conditional)
        time.sleep(_SETTLE_SECONDS)
        now = self._read()
        if now is None or now[0].get("id") != self.owner["id"]:
            raise UsageError(f"deploy: {self.target}: another deploy took the lock at the same moment; try again")

    def _read(self) -> tuple[dict[str, object], float] | None:
        try:
            response = self.client.get_object(Bucket=self.target.bucket, Key=self.key)
            holder = json.loads(response["Body"].read().decode("utf-8"))
        except ClientError as exc:
            if error_code(exc) in ("NoSuchKey", "404"):
                return None
            raise translate(exc, self.target, "reading the deploy lock") from exc
        except BotoCoreError as exc:
            raise translate(exc, self.target, "reading the deploy lock") from exc
        except ValueError:
            return {"host": "?", "pid": -1, "id": "?"}, float("inf")  # unreadable: a write cut short
        return holder if isinstance(holder, dict) else {}, _age(response.get("LastModified"), server_time_of(response))

    def _stale(self, holder: dict[str, object], age: float) -> bool:
        if age >= self.timeout_seconds:
            return True
        pid = holder.get("pid")
        if holder.get("host") == self.owner["host"] and isinstance(pid, int) and pid > 0:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                return False  # runs, as another user
        return False

    def _write(self, conditional: bool) -> None:
        body = json.dumps(self.owner).encode("utf-8")
        extra = {"IfNoneMatch": "*"} if conditional else {}
        try:
            self.client.put_object(Bucket=self.target.bucket, Key=self.key, Body=body, CacheControl="no-store",
                                   ContentType="application/json", **extra)  # type: ignore[arg-type]  # fmt: skip
        except ClientError as exc:
            if error_code(exc) in ("PreconditionFailed", "412", "ConditionalRequestConflict", "409"):
                raise UsageError(f"deploy: {self.target}: another deploy took the lock at the same moment; try "
                                 "again") from exc  # fmt: skip
            raise translate(exc, self.target, "writing the deploy lock") from exc
        except BotoCoreError as exc:
            raise translate(exc, self.target, "writing the deploy lock") from exc

    def refresh(self) -> None:
        """Show that this deploy is alive (its Last-Modified is what ages it); stop if another deploy took the lock
        over meanwhile (this one stalled past the timeout): two deploys must not interleave."""
        held = self._read()
        if held is None or held[0].get("id") != self.owner["id"]:
            raise UsageError(f"deploy: {self.target}: this deploy lost its lock (stalled past the timeout?): "
                             "nothing deleted; run it again")  # fmt: skip
        self._write(conditional=False)

    def release(self) -> None:
        """Remove the lock if it is still ours (a deploy that took it over as stale keeps it)."""
        with contextlib.suppress(ClientError, BotoCoreError, UsageError):
            held = self._read()
            if held is not None and held[0].get("id") == self.owner["id"]:
                self.client.delete_object(Bucket=self.target.bucket, Key=self.key)


def _who(holder: dict[str, object]) -> str:
    return f"host {holder.get('host', '?')}, process {holder.get('pid', '?')}"


def _age(modified: datetime | None, server_date: str) -> float:
    if modified is None:
        return float("inf")
    try:
        now = parsedate_to_datetime(server_date) if server_date else None
    except (TypeError, ValueError):
        now = None
    if now is None:
        return max(0.0, time.time() - modified.timestamp())
    return max(0.0, (now - modified).total_seconds())
