"""`sitegen deploy`: publish the built output folder to object storage and a CDN, sending only what changed.

    sitegen deploy [SITE_DIR] [--dry-run] [--yes] [--force] [--format json]

The plan is made under the bucket's deploy lock from three things: the build's manifest (what the site is now), the
deploy manifest in the bucket (what sitegen put there last) and a listing of the bucket (what is there at all). See
sitegen/deploy/ for each stage. The JSON output (`--format json`), for CI:

    {"format": "sitegen-deploy", "version": 1, "target": "s3://bucket/prefix/", "dry_run": false,
     "uploads": [{"path": "news/x/index.html", "key": "prefix/news/x/index.html", "action": "put", "reason":
                  "changed", "size": 5120, "headers": {"Content-Type": "text/html; charset=utf-8", ...}}],
     "deletes": ["old/index.html"], "invalidations": ["/news/x/", ...], "unchanged": 120,
     "done": {"uploaded": 1, "copied": 0, "bytes": 5120, "deleted": 1, "invalidation": "I2J0..."}, "seconds": 0.4}

`reason` is new, changed, headers (a header-only change: action "copy"), encoding, missing (gone from the bucket),
unfinished (an interrupted deploy's), forced or foreign (replaces an object sitegen did not upload). `done` is null
for a dry run. New keys may be added; existing keys keep their meaning while `version` is 1.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.config import DeployConfig, load_config
from sitegen.deploy.cdn import collapse, invalidate
from sitegen.deploy.config import Target, check_deploy, target_of
from sitegen.deploy.local import LocalFile, local_files
from sitegen.deploy.lock import DeployLock
from sitegen.deploy.plan import COPY, DELETE_GUARD_KEYS, Plan, make_plan
from sitegen.deploy.remote import Manifest, list_keys, read_manifest, write_manifest
from sitegen.deploy.store import check_bucket, cloudfront_client, s3_client, session
from sitegen.deploy.upload import Deployer, Outcome
from sitegen.errors import UsageError
from sitegen.paths import CONFIG_FILE, OUTPUT_DIR


@dataclass(frozen=True)
class DeployOptions:
    root: Path
    output: Path | None = None
    dry_run: bool = False
    yes: bool = False  # go ahead past the delete guard, and over objects sitegen did not upload
    force: bool = False  # upload every file, changed or not


@dataclass
class DeployReport:
    target: Target
    plan: Plan
    invalidations: list[str]  # as sent to the CDN (collapsed)
    dry_run: bool
    outcome: Outcome | None = None
    invalidation_id: str = ""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> str:
        uploads = [{"path": u.rel, "key": self.target.key(u.rel), "action": u.action, "reason": u.reason,
                    "size": u.size, "headers": u.headers} for u in self.plan.uploads]  # fmt: skip
        done = None
        if self.outcome is not None:
            done = {"uploaded": self.outcome.uploaded, "copied": self.outcome.copied, "bytes": self.outcome.bytes_sent,
                    "deleted": self.outcome.deleted, "invalidation": self.invalidation_id or None}  # fmt: skip
        data = {"format": "sitegen-deploy", "version": 1, "target": str(self.target), "dry_run": self.dry_run,
                "uploads": uploads, "deletes": self.plan.deletes, "invalidations": self.invalidations,
                "unchanged": self.plan.unchanged, "notes": self.notes, "done": done,
                "seconds": round(self.seconds, 3)}  # fmt: skip
        return json.dumps(data, ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        lines = [f"note: {note}" for note in self.notes]
        puts = sum(1 for u in self.plan.uploads if u.action != COPY)
        copies = len(self.plan.uploads) - puts
        if self.dry_run:
            for u in self.plan.uploads:
                headers = "; ".join(f"{k}: {v}" for k, v in sorted(u.headers.items()))
                lines.append(f"{u.action:6} {u.rel}  ({u.reason})  {headers}")
            lines += [f"delete {rel}" for rel in self.plan.deletes]
            lines += [f"invalidate {path}" for path in self.invalidations]
            size = _size(sum(u.size for u in self.plan.uploads if u.action != COPY))
            lines.append(f"Dry run for {self.target}: {puts} to upload ({size}), {copies} header updates, "
                         f"{len(self.plan.deletes)} to delete, "
                         f"{len(self.invalidations)} invalidation paths, {self.plan.unchanged} unchanged; nothing "
                         "changed")  # fmt: skip
            return "\n".join(lines)
        done = self.outcome or Outcome()
        cdn = f", {len(self.invalidations)} CDN paths invalidated" if self.invalidation_id else ""
        lines.append(f"Deployed to {self.target}: {done.uploaded} uploaded ({_size(done.bytes_sent)}), {done.copied} "
                     f"headers updated, {done.deleted} deleted{cdn}, {self.plan.unchanged} unchanged in "
                     f"{self.seconds:.2f} s")  # fmt: skip
        return "\n".join(lines)


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count / 1000:.1f} kB"


def deploy(options: DeployOptions) -> DeployReport:
    started = time.monotonic()
    loaded = load_config(options.root)
    settings = loaded.config.deploy
    problems = check_deploy(settings, loaded.path.name if loaded.path else CONFIG_FILE)
    if problems:
        raise UsageError(problems)
    target = target_of(settings.url)
    if target is None:
        raise UsageError(f'deploy: {options.root / CONFIG_FILE} has no [deploy] url (url = "s3://bucket/prefix")')
    output = options.output if options.output is not None else options.root / OUTPUT_DIR
    local = local_files(output, settings)
    boto = session(settings)
    client = s3_client(settings, boto)
    check_bucket(client, target)
    if options.dry_run:
        manifest = read_manifest(client, target)
        plan = _plan(local, manifest, list_keys(client, target), options, settings)
        report = DeployReport(target, plan, _collapsed(plan, settings), dry_run=True, notes=_warnings(plan, manifest))
        report.seconds = time.monotonic() - started
        return report
    lock = DeployLock.take(client, target, settings.lock_timeout_minutes)
    try:
        manifest = read_manifest(client, target)
        plan = _plan(local, manifest, list_keys(client, target), options, settings)
        _refuse_unconfirmed(plan, manifest, target, options)
        report = DeployReport(target, plan, _collapsed(plan, settings), dry_run=False, notes=lock.notes)
        if plan.empty:
            report.outcome = Outcome()
        else:
            # Kept until the CDN has them, from the first checkpoint on: a deploy that fails or is killed after
            # replacing pages leaves them owed, and the next deploy (which sees those pages as unchanged) asks.
            manifest.invalidations = list(plan.invalidations)
            report.outcome = Deployer(client, target, output, manifest, lock, settings.workers).run(plan)
            write_manifest(client, target, manifest)
            if report.invalidations:
                report.invalidation_id = invalidate(cloudfront_client(boto), settings.cloudfront_distribution,
                                                    report.invalidations)  # fmt: skip
                manifest.invalidations = []
                write_manifest(client, target, manifest)
    finally:
        lock.release()
    report.seconds = time.monotonic() - started
    return report


def _plan(local: dict[str, LocalFile], manifest: Manifest, listing: set[str], options: DeployOptions,
          settings: DeployConfig) -> Plan:  # fmt: skip
    plan = make_plan(local, manifest, listing, force=options.force)
    if not settings.cloudfront_distribution:
        plan.invalidations = []  # no CDN: nothing to invalidate, nothing to keep for later
    return plan


def _collapsed(plan: Plan, settings: DeployConfig) -> list[str]:
    return collapse(plan.invalidations, settings.invalidation_limit) if plan.invalidations else []


def _warnings(plan: Plan, manifest: Manifest) -> list[str]:
    """What a real deploy would refuse without --yes, said in the dry run."""
    notes = []
    if plan.foreign():
        notes.append(f"{len(plan.foreign())} objects sitegen did not upload would be replaced (needs --yes)")
    if plan.guarded(len(manifest.files)):
        notes.append(f"{len(plan.deletes)} deletes is past the delete guard (needs --yes)")
    return notes


def _refuse_unconfirmed(plan: Plan, manifest: Manifest, target: Target, options: DeployOptions) -> None:
    if options.yes:
        return
    foreign = plan.foreign()
    if foreign:
        raise UsageError(f"deploy: {target}: {len(foreign)} objects in the bucket were not uploaded by sitegen and "
                         f"would be replaced (first: {foreign[0]}); pass --yes to replace them")  # fmt: skip
    if plan.guarded(len(manifest.files)):
        share = len(plan.deletes) / max(1, len(manifest.files))
        raise UsageError(f"deploy: {target}: {len(plan.deletes)} files to delete ({share:.0%} of the site; the "
                         f"guard is {DELETE_GUARD_KEYS} or 10 %): check the build, then pass --yes")  # fmt: skip
