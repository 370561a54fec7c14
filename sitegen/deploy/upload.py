"""Carrying out a plan: uploads in order over a thread pool, then deletes, with the manifest kept true throughout.

Interrupted deploys: before the first upload, every key the deploy may write is recorded in the bucket's manifest as
unfinished (remote.py), so that a deploy killed at any moment leaves keys that are known to be sitegen's. While it
runs, the manifest is rewritten every few seconds with the uploads done so far (a checkpoint, which also refreshes
the lock). The next deploy re-sends only the unfinished keys and whatever changed: it completes the one that died.

Safety: a step (order.py's rank) starts only when every upload of the one before succeeded, so a page never goes
live before an asset it needs failed to. Any failure stops the deploy before the deletes: nothing is deleted unless
every upload succeeded.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sitegen.deploy.config import Target
from sitegen.deploy.headers import s3_params, stored_bytes
from sitegen.deploy.lock import DeployLock
from sitegen.deploy.plan import COPY, Plan, Upload
from sitegen.deploy.remote import UNFINISHED, Entry, Manifest, write_manifest
from sitegen.deploy.store import StoreError, error_code

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CopySourceTypeDef

CHECKPOINT_SECONDS = 5.0
DELETE_BATCH = 1000  # DeleteObjects' limit
TEST_STEP_ENV = "SITEGEN_TEST_DEPLOY_STEP"


@dataclass
class Outcome:
    uploaded: int = 0  # objects whose body was sent
    copied: int = 0  # objects whose headers alone were replaced
    bytes_sent: int = 0
    deleted: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # output path, why


@dataclass
class Deployer:
    client: S3Client
    target: Target
    output: Path
    manifest: Manifest
    lock: DeployLock
    workers: int
    outcome: Outcome = field(default_factory=Outcome)
    _last_checkpoint: float = 0.0

    def run(self, plan: Plan) -> Outcome:
        if plan.uploads:
            for upload in plan.uploads:
                self.manifest.files[upload.rel] = UNFINISHED
            self._checkpoint()
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="sitegen-deploy") as pool:
            try:
                for step in plan.steps():
                    self._run_step(pool, step)
                    if self.outcome.failed:
                        break
            except BaseException:
                # The deploy is over (it lost its lock, a checkpoint failed, Ctrl-C): the uploads still queued must
                # not go on sending this deploy's bytes under another deploy's manifest.
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        if self.outcome.failed:
            self._checkpoint()
            rel, why = self.outcome.failed[0]
            count = len(self.outcome.failed)
            raise StoreError(f"deploy: {self.target}: {count} upload{'s' if count > 1 else ''} failed (first: {rel}: "
                             f"{why}); nothing deleted, run the deploy again to finish")  # fmt: skip
        self._delete(plan.deletes)
        for rel in plan.forgotten:
            self.manifest.files.pop(rel, None)
        return self.outcome

    def _run_step(self, pool: ThreadPoolExecutor, step: list[Upload]) -> None:
        hook = _test_step_hook()
        running: dict[Future[int], Upload] = {pool.submit(self._send, u, hook): u for u in step}
        while running:
            done, _ = wait(running, timeout=CHECKPOINT_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                upload = running.pop(future)
                try:
                    sent = future.result()
                except (ClientError, BotoCoreError, OSError) as exc:
                    code = error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
                    self.outcome.failed.append((upload.rel, code))
                    continue
                self.manifest.files[upload.rel] = Entry(upload.sha256, upload.size, upload.headers)
                if upload.action == COPY:
                    self.outcome.copied += 1
                else:
                    self.outcome.uploaded += 1
                    self.outcome.bytes_sent += sent
            if time.monotonic() - self._last_checkpoint >= CHECKPOINT_SECONDS:
                self._checkpoint()

    def _send(self, upload: Upload, hook: Callable[[str], None] | None) -> int:
        """One object (in a worker thread): its bytes and headers, or its headers alone; the bytes sent."""
        key = self.target.key(upload.rel)
        params = s3_params(upload.headers)
        if upload.action == COPY:
            source: CopySourceTypeDef = {"Bucket": self.target.bucket, "Key": key}
            self.client.copy_object(Bucket=self.target.bucket, Key=key, CopySource=source,
                                    MetadataDirective="REPLACE", **params)  # fmt: skip
            sent = 0
        else:
            body = stored_bytes((self.output / upload.rel).read_bytes(), upload.headers)
            self.client.put_object(Bucket=self.target.bucket, Key=key, Body=body, **params)
            sent = len(body)
        if hook is not None:
            hook(upload.rel)
        return sent

    def _checkpoint(self) -> None:
        self.lock.refresh()
        write_manifest(self.client, self.target, self.manifest)
        self._last_checkpoint = time.monotonic()

    def _delete(self, rels: list[str]) -> None:
        """Delete what the new build no longer has (every key in the manifest: sitegen's own), in batches."""
        for batch in _batches(rels, DELETE_BATCH):
            objects = [{"Key": self.target.key(rel)} for rel in batch]
            try:
                answer = self.client.delete_objects(Bucket=self.target.bucket,
                                                    Delete={"Objects": objects, "Quiet": True})  # type: ignore[typeddict-item]  # fmt: skip
            except (ClientError, BotoCoreError) as exc:
                code = error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
                raise StoreError(f"deploy: {self.target}: deleting old files failed ({code}); every upload is done, "
                                 "run the deploy again to finish the deletes") from exc  # fmt: skip
            refused = {item.get("Key", "")[len(self.target.prefix) :] for item in answer.get("Errors", [])}
            for rel in batch:
                if rel not in refused:
                    self.manifest.files.pop(rel, None)  # a refused key stays ours: the next deploy tries again
                    self.outcome.deleted += 1


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _test_step_hook() -> Callable[[str], None] | None:
    """TEST HOOK, for tests only, never set in use: with SITEGEN_TEST_DEPLOY_STEP=SECONDS in the environment, each
    finished upload prints `sitegen-test-deploy PATH` to stderr, then its worker sleeps SECONDS.
    tests/commands/test_deploy.py uses it to SIGKILL a real `sitegen deploy` halfway through its uploads."""
    seconds = os.environ.get(TEST_STEP_ENV)
    if not seconds:
        return None
    delay = float(seconds)

    def step(rel: str) -> None:
        sys.stderr.write(f"sitegen-test-deploy {rel}\n")
        sys.stderr.flush()
        time.sleep(delay)

    return step
