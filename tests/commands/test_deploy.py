"""`sitegen deploy` end to end against a real S3-compatible server (`rclone serve s3`, tests/s3server.py): sites
built by the CLI, deployed, changed, deployed again, with the bucket read back after each deploy.

rclone's server stores Content-Type, Cache-Control, Content-Encoding and the website-redirect header and supports
CopyObject with REPLACE, so headers are checked on the objects themselves; it ignores If-None-Match on PUT (the
deploy lock's read-back covers that) and serves no website (a redirect is checked as the stored header). CloudFront
is a mock (moto), labelled as such below.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sitegen.deploy.lock import LOCK_KEY
from sitegen.deploy.remote import MANIFEST_KEY
from sitegen.deploy.upload import TEST_STEP_ENV
from sitegen.paths import MANIFEST_FILE
from tests.conftest import BASIC_CONFIG, Run, SiteWriter, article
from tests.s3server import ACCESS_KEY, SECRET_KEY, S3Server, free_port, s3_server

if TYPE_CHECKING:
    from mypy_boto3_cloudfront.type_defs import DistributionConfigTypeDef, OriginTypeDef
    from mypy_boto3_s3 import S3Client

__all__ = ["s3_server"]  # the session's server, a fixture of these tests
Cli = Callable[..., Run]
REPO = Path(__file__).resolve().parents[2]
PREFIX = "www"


def _articles(count: int) -> dict[str, str]:
    files = {
        f"content/news/story-{n:02}.md": article(
            f"Story {n}", f"2025-09-{1 + n % 9:02}T10:00:00+04:00", f"Story number {n}. " * 20, tags="[Politics]"
        )
        for n in range(count)
    }
    files["content/news/moved.md"] = article(
        "Moved Story", "2025-09-05T10:00:00+04:00", "Moved.", aliases='["/old/moved-story/"]'
    )
    return files


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials the standard way (the environment); nothing from this machine's ~/.aws."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")


@pytest.fixture
def bucket(s3_server: S3Server, aws_env: None) -> str:
    return s3_server.new_bucket()


def deploy_config(s3: S3Server, bucket: str, extra: str = "", endpoint: str = "") -> str:
    return (
        BASIC_CONFIG + "\n[search]\nenabled = false\n\n[deploy]\n"
        f'url = "s3://{bucket}/{PREFIX}"\nendpoint = "{endpoint or s3.endpoint}"\n{extra}'
    )


def built_site(write_site: SiteWriter, cli: Cli, config: str, files: dict[str, str]) -> Path:
    root = write_site({"sitegen.toml": config, **files})
    build(cli, root)
    return root


def build(cli: Cli, root: Path) -> None:
    result = cli("build", root, "-q")
    assert result.code == 0, result.err


def deploy(cli: Cli, root: Path, *args: str, code: int = 0) -> dict[str, Any]:
    result = cli("deploy", root, "--format", "json", *args)
    assert result.code == code, result.err
    data: dict[str, Any] = json.loads(result.out) if code == 0 else {"err": result.err}
    return data


def objects(client: S3Client, bucket: str) -> dict[str, str]:
    """Every key in the bucket → its ETag."""
    found: dict[str, str] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        found.update({item["Key"]: item["ETag"] for item in page.get("Contents", [])})
    return found


def site_keys(client: S3Client, bucket: str) -> set[str]:
    return {key.removeprefix(f"{PREFIX}/") for key in objects(client, bucket) if not key.startswith(f"{PREFIX}/.")}


def built_files(root: Path) -> dict[str, str]:
    files = json.loads((root / "public" / MANIFEST_FILE).read_text(encoding="utf-8"))["files"]
    return {rel: entry[0] for rel, entry in files.items()}


@pytest.fixture
def site(write_site: SiteWriter, cli: Cli, s3_server: S3Server, bucket: str) -> Iterator[Path]:
    yield built_site(write_site, cli, deploy_config(s3_server, bucket), _articles(12))


def test_first_deploy_uploads_the_site_with_headers_a_news_site_needs(
    site: Path, cli: Cli, s3_server: S3Server, bucket: str
) -> None:
    report = deploy(cli, site)
    client = s3_server.client()
    assert site_keys(client, bucket) == set(built_files(site))
    assert report["done"]["uploaded"] == len(built_files(site)) and {u["reason"] for u in report["uploads"]} == {"new"}
    keys = objects(client, bucket)
    assert f"{PREFIX}/{MANIFEST_KEY}" in keys and f"{PREFIX}/{LOCK_KEY}" not in keys  # the lock was released

    def head(rel: str) -> dict[str, Any]:
        return dict(client.head_object(Bucket=bucket, Key=f"{PREFIX}/{rel}"))

    page = head("news/story-01/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "public, max-age=60, stale-while-revalidate=600"
    css = next(rel for rel in built_files(site) if rel.startswith("css/site.") and rel != "css/site.css")
    assert head(css)["CacheControl"] == "public, max-age=31536000, immutable"
    assert head(css)["ContentType"] == "text/css; charset=utf-8"
    assert head("css/site.css")["CacheControl"] == "public, max-age=3600"  # its name stays when it changes
    assert head("feed.xml")["ContentType"] == "application/rss+xml; charset=utf-8"
    redirect = head("old/moved-story/index.html")
    assert redirect["WebsiteRedirectLocation"] == "https://news.example.org/news/moved/"
    assert "WebsiteRedirectLocation" not in page
    assert all(u["headers"]["Content-Type"] for u in report["uploads"])


def test_a_deploy_with_nothing_changed_uploads_nothing(site: Path, cli: Cli, s3_server: S3Server, bucket: str) -> None:
    deploy(cli, site)
    before = objects(s3_server.client(), bucket)
    build(cli, site)  # a rebuild of the same site writes the same bytes
    report = deploy(cli, site)
    assert report["uploads"] == [] and report["deletes"] == []
    assert report["done"] == {"uploaded": 0, "copied": 0, "bytes": 0, "deleted": 0, "invalidation": None}
    assert objects(s3_server.client(), bucket) == before


def test_an_edited_article_uploads_exactly_the_files_that_changed(
    site: Path, cli: Cli, s3_server: S3Server, bucket: str
) -> None:
    deploy(cli, site)
    before = built_files(site)
    source = site / "content/news/story-03.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("Story number 3.", "Story number three."), encoding="utf-8"
    )
    build(cli, site)
    after = built_files(site)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert "news/story-03/index.html" in changed and len(changed) < len(after) / 2
    report = deploy(cli, site)
    assert {u["path"] for u in report["uploads"]} == changed
    assert {u["reason"] for u in report["uploads"]} == {"changed"}
    body = s3_server.client().get_object(Bucket=bucket, Key=f"{PREFIX}/news/story-03/index.html")["Body"].read()
    assert b"Story number three." in body
    assert deploy(cli, site)["uploads"] == []


def test_a_changed_header_rule_updates_headers_without_sending_bodies(
    write_site: SiteWriter, cli: Cli, s3_server: S3Server, bucket: str
) -> None:
    root = built_site(write_site, cli, deploy_config(s3_server, bucket), _articles(4))
    deploy(cli, root)
    client = s3_server.client()
    before = objects(client, bucket)
    rule = 'headers = ["fragments/* Cache-Control: public, max-age=15"]\n'
    (root / "sitegen.toml").write_text(deploy_config(s3_server, bucket, rule), encoding="utf-8")
    report = deploy(cli, root)
    fragments = {rel for rel in built_files(root) if rel.startswith("fragments/")}
    assert fragments and {u["path"] for u in report["uploads"]} == fragments
    assert {(u["action"], u["reason"]) for u in report["uploads"]} == {("copy", "headers")}
    assert report["done"]["copied"] == len(fragments) and report["done"]["bytes"] == 0
    rel = sorted(fragments)[0]
    head = client.head_object(Bucket=bucket, Key=f"{PREFIX}/{rel}")
    assert head["CacheControl"] == "public, max-age=15" and head["ContentType"] == "text/html; charset=utf-8"
    assert objects(client, bucket)[f"{PREFIX}/{rel}"] == before[f"{PREFIX}/{rel}"]  # the same bytes
    assert deploy(cli, root)["uploads"] == []


def test_gzip_is_deterministic_and_skips_what_is_compressed(
    write_site: SiteWriter, cli: Cli, s3_server: S3Server, bucket: str
) -> None:
    root = built_site(write_site, cli, deploy_config(s3_server, bucket, "gzip = true\n"), _articles(3))
    report = deploy(cli, root)
    encodings = {u["path"]: u["headers"].get("Content-Encoding") for u in report["uploads"]}
    assert encodings["index.html"] == "gzip" and encodings["feed.xml"] == "gzip"
    client = s3_server.client()
    etag = objects(client, bucket)[f"{PREFIX}/index.html"]
    assert deploy(cli, root, "--force")["done"]["uploaded"] == len(built_files(root))
    assert objects(client, bucket)[f"{PREFIX}/index.html"] == etag  # same bytes in, same object out
    import gzip

    stored = client.get_object(Bucket=bucket, Key=f"{PREFIX}/index.html")["Body"].read()
    assert gzip.decompress(stored) == (root / "public/index.html").read_bytes()


def test_a_deleted_article_is_deleted_and_foreign_objects_are_left_alone(
    site: Path, cli: Cli, s3_server: S3Server, bucket: str
) -> None:
    client = s3_server.client()
    client.put_object(Bucket=bucket, Key=f"{PREFIX}/ads.txt", Body=b"google.com, pub-1, DIRECT")
    client.put_object(Bucket=bucket, Key=f"{PREFIX}/news/story-05/extra.html", Body=b"someone else's")
    deploy(cli, site)
    (site / "content/news/story-05.md").unlink()
    build(cli, site)
    report = deploy(cli, site)
    assert "news/story-05/index.html" in report["deletes"]
    keys = site_keys(client, bucket)
    assert "news/story-05/index.html" not in keys
    assert {"ads.txt", "news/story-05/extra.html"} <= keys  # never uploaded by sitegen: never deleted
    assert keys - {"ads.txt", "news/story-05/extra.html"} == set(built_files(site))


def test_an_object_sitegen_did_not_upload_is_replaced_only_with_yes(
    site: Path, cli: Cli, s3_server: S3Server, bucket: str
) -> None:
    client = s3_server.client()
    client.put_object(Bucket=bucket, Key=f"{PREFIX}/robots.txt", Body=b"User-agent: *\nDisallow: /\n")
    refused = deploy(cli, site, code=2)["err"]
    assert "not uploaded by sitegen" in refused and "--yes" in refused and len(refused.strip().splitlines()) == 1
    assert site_keys(client, bucket) == {"robots.txt"}  # nothing changed
    report = deploy(cli, site, "--yes")
    assert next(u["reason"] for u in report["uploads"] if u["path"] == "robots.txt") == "foreign"
    assert (
        client.get_object(Bucket=bucket, Key=f"{PREFIX}/robots.txt")["Body"].read() != b"User-agent: *\nDisallow: /\n"
    )


def test_the_delete_guard_needs_yes(site: Path, cli: Cli, s3_server: S3Server, bucket: str) -> None:
    deploy(cli, site)
    client = s3_server.client()
    before = objects(client, bucket)
    for n in range(2, 12):
        (site / f"content/news/story-{n:02}.md").unlink()
    build(cli, site)
    refused = deploy(cli, site, code=2)["err"]
    assert "to delete" in refused and "--yes" in refused
    assert objects(client, bucket) == before  # refused before anything was sent
    report = deploy(cli, site, "--yes")
    assert len(report["deletes"]) >= 10 and site_keys(client, bucket) == set(built_files(site))


def test_a_dry_run_prints_the_plan_and_changes_nothing(site: Path, cli: Cli, s3_server: S3Server, bucket: str) -> None:
    client = s3_server.client()
    plan = deploy(cli, site, "--dry-run")
    assert plan["dry_run"] is True and plan["done"] is None
    assert {u["path"] for u in plan["uploads"]} == set(built_files(site)) and objects(client, bucket) == {}
    deploy(cli, site)
    before = objects(client, bucket)
    (site / "content/news/story-04.md").unlink()
    build(cli, site)
    plan = deploy(cli, site, "--dry-run")
    assert "news/story-04/index.html" in plan["deletes"]
    upload = plan["uploads"][0]
    assert set(upload) == {"path", "key", "action", "reason", "size", "headers"}
    assert upload["key"] == f"{PREFIX}/{upload['path']}"
    assert objects(client, bucket) == before
    text = cli("deploy", site, "--dry-run")
    assert text.code == 0 and "delete news/story-04/index.html" in text.out and "nothing changed" in text.out
    assert objects(client, bucket) == before


def test_a_deploy_killed_midway_is_completed_by_the_next(
    write_site: SiteWriter, cli: Cli, s3_server: S3Server, bucket: str
) -> None:
    root = built_site(write_site, cli, deploy_config(s3_server, bucket, "workers = 1\n"), _articles(12))
    total = len(built_files(root))
    env = {**os.environ, TEST_STEP_ENV: "0.25", "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "sitegen", "deploy", str(root)]
    with subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as killed:
        assert killed.stderr is not None
        done = 0
        for line in killed.stderr:
            done += line.startswith("sitegen-test-deploy ")
            if done == 30:  # past the first checkpoint (every 5 s), well before the end
                killed.send_signal(signal.SIGKILL)
                break
        killed.wait()
    assert killed.returncode == -signal.SIGKILL
    client = s3_server.client()
    assert 30 <= len(site_keys(client, bucket)) < total
    assert f"{PREFIX}/{LOCK_KEY}" in objects(client, bucket)  # the dead deploy's lock is left behind
    report = deploy(cli, root)
    assert any("stale deploy lock" in note for note in report["notes"])
    assert 0 < report["done"]["uploaded"] < total  # what the checkpoint recorded is not sent again
    assert site_keys(client, bucket) == set(built_files(root))
    assert deploy(cli, root)["uploads"] == []


def test_a_failed_upload_means_no_deletes(
    site: Path, cli: Cli, s3_server: S3Server, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault injected into one upload (the store answering 500 after botocore's retries): nothing is deleted."""
    from botocore.exceptions import ClientError

    from sitegen.deploy.upload import Deployer

    deploy(cli, site)
    source = site / "content/news/story-03.md"
    source.write_text(source.read_text(encoding="utf-8").replace("Story number 3.", "Story three."), encoding="utf-8")
    (site / "content/news/story-05.md").unlink()
    build(cli, site)
    send = Deployer._send

    def failing(self: Deployer, upload: Any, hook: Any) -> int:
        if upload.rel == "news/story-03/index.html":
            raise ClientError({"Error": {"Code": "InternalError", "Message": "injected"}}, "PutObject")
        return send(self, upload, hook)

    monkeypatch.setattr(Deployer, "_send", failing)
    result = cli("deploy", site)
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1
    assert "1 upload failed" in result.err and "nothing deleted" in result.err
    client = s3_server.client()
    assert "news/story-05/index.html" in site_keys(client, bucket)
    assert f"{PREFIX}/{LOCK_KEY}" not in objects(client, bucket)
    monkeypatch.setattr(Deployer, "_send", send)
    report = deploy(cli, site)
    assert "news/story-03/index.html" in {u["path"] for u in report["uploads"]}
    assert "news/story-05/index.html" in report["deletes"] and site_keys(client, bucket) == set(built_files(site))


def test_wrong_credentials_are_one_line_and_exit_2(site: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-key-at-all")
    result = cli("deploy", site)
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1 and "refused the credentials" in result.err
    assert "not-the-secret-key-at-all" not in result.err and ACCESS_KEY not in result.err


def test_no_credentials_say_where_they_come_from(site: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = cli("deploy", site)
    assert result.code == 2 and "no AWS credentials" in result.err and len(result.err.strip().splitlines()) == 1


def test_a_missing_bucket_is_one_line_and_exit_2(
    write_site: SiteWriter, cli: Cli, s3_server: S3Server, aws_env: None
) -> None:
    root = built_site(write_site, cli, deploy_config(s3_server, "no-such-bucket"), _articles(2))
    result = cli("deploy", root)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert "bucket 'no-such-bucket' does not exist" in result.err


def test_an_unreachable_store_is_one_line_and_exit_1(
    write_site: SiteWriter, cli: Cli, s3_server: S3Server, bucket: str
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    root = built_site(write_site, cli, deploy_config(s3_server, bucket, endpoint=closed), _articles(2))
    started = time.monotonic()
    result = cli("deploy", root)
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1 and "cannot reach" in result.err
    assert time.monotonic() - started < 30


def test_an_unbuilt_site_is_refused(write_site: SiteWriter, cli: Cli, s3_server: S3Server, bucket: str) -> None:
    root = write_site({"sitegen.toml": deploy_config(s3_server, bucket), **_articles(1)})
    result = cli("deploy", root)
    assert result.code == 2 and "sitegen build" in result.err


def test_a_preview_build_with_drafts_or_future_articles_is_never_deployed(
    write_site: SiteWriter, cli: Cli, s3_server: S3Server, bucket: str
) -> None:
    files = {
        **_articles(2),
        "content/news/embargoed.md": "---\ntitle: Embargoed\ndate: 2099-01-01T09:00:00Z\n---\n\nNot yet.\n",
    }
    root = write_site({"sitegen.toml": deploy_config(s3_server, bucket), **files})
    for option in ("--drafts", "--future"):
        assert cli("build", root, option, "-q").code == 0
        result = cli("deploy", root)
        assert result.code == 2 and option.lstrip("-") in result.err and len(result.err.strip().splitlines()) == 1
        assert site_keys(s3_server.client(), bucket) == set()  # nothing uploaded
    build(cli, root)  # a build without them: the embargoed article is not in it, and the deploy goes
    deploy(cli, root)
    keys = site_keys(s3_server.client(), bucket)
    assert keys and not any("embargoed" in key for key in keys)


def test_a_bad_deploy_table_is_a_config_error(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(
        {"sitegen.toml": BASIC_CONFIG + '\n[deploy]\nurl = "https://bucket"\nheaders = ["*.html X: y"]\n'}
    )
    assert cli("build", root).code == 0  # the build never reads the table
    result = cli("deploy", root)
    assert result.code == 2 and "'deploy.url' must be s3://" in result.err and "'deploy.headers' can set" in result.err


# -- CloudFront: A MOCK (moto) stands in for CloudFront; S3 calls still go to the real rclone server. ----------------


@pytest.fixture
def cloudfront_mock(aws_env: None) -> Iterator[str]:
    """MOCK: moto's CloudFront with one distribution; its id."""
    import boto3
    from moto import mock_aws

    with mock_aws(config={"core": {"mock_credentials": False, "passthrough": {"services": ["s3"]}}}):
        client = boto3.client("cloudfront", region_name="us-east-1")
        origin: OriginTypeDef = {
            "Id": "site",
            "DomainName": "site.s3.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""},
        }
        config: DistributionConfigTypeDef = {
            "CallerReference": "sitegen-test",
            "Comment": "",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "allow-all",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
        made = client.create_distribution(DistributionConfig=config)
        yield made["Distribution"]["Id"]


def invalidated(distribution: str) -> list[list[str]]:
    import boto3

    client = boto3.client("cloudfront", region_name="us-east-1")
    items = client.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items", [])
    return [
        sorted(
            client.get_invalidation(DistributionId=distribution, Id=item["Id"])["Invalidation"]["InvalidationBatch"][
                "Paths"
            ].get("Items", [])
        )
        for item in items
    ]


def test_cloudfront_gets_exactly_the_changed_paths_after_the_upload(
    write_site: SiteWriter, cli: Cli, s3_server: S3Server, bucket: str, cloudfront_mock: str
) -> None:
    config = deploy_config(s3_server, bucket, f'cloudfront_distribution = "{cloudfront_mock}"\n')
    root = built_site(write_site, cli, config, _articles(12))
    first = deploy(cli, root)
    assert first["invalidations"] == [] and invalidated(cloudfront_mock) == []  # nothing was cached before
    source = root / "content/news/story-03.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("Story number 3.", "Story 3, edited."), encoding="utf-8"
    )
    build(cli, root)
    report = deploy(cli, root)
    paths = set(report["invalidations"])
    assert {"/news/story-03/", "/news/story-03/index.html"} <= paths
    assert paths >= {f"/{u['path']}" for u in report["uploads"]}
    assert report["done"]["invalidation"] and invalidated(cloudfront_mock) == [sorted(paths)]
    assert deploy(cli, root)["done"]["invalidation"] is None  # nothing changed: nothing invalidated


def test_many_changed_paths_collapse_to_wildcards(
    write_site: SiteWriter, cli: Cli, s3_server: S3Server, bucket: str, cloudfront_mock: str
) -> None:
    config = deploy_config(
        s3_server, bucket, f'cloudfront_distribution = "{cloudfront_mock}"\ninvalidation_limit = 3\n'
    )
    root = built_site(write_site, cli, config, _articles(6))
    deploy(cli, root)
    report = deploy(cli, root, "--force")
    assert len(report["invalidations"]) <= 3 and any(p.endswith("*") for p in report["invalidations"])
    assert invalidated(cloudfront_mock) == [sorted(report["invalidations"])]


def test_a_failed_invalidation_is_asked_for_again_by_the_next_deploy(
    write_site: SiteWriter, cli: Cli, s3_server: S3Server, bucket: str, cloudfront_mock: str
) -> None:
    root = built_site(
        write_site, cli, deploy_config(s3_server, bucket, 'cloudfront_distribution = "E0NOSUCH"\n'), _articles(4)
    )
    deploy(cli, root)
    (root / "content/news/story-01.md").unlink()
    build(cli, root)
    failed = cli("deploy", root)
    assert failed.code == 1 and "invalidation failed" in failed.err and len(failed.err.strip().splitlines()) == 1
    config = deploy_config(s3_server, bucket, f'cloudfront_distribution = "{cloudfront_mock}"\n')
    (root / "sitegen.toml").write_text(config, encoding="utf-8")
    report = deploy(cli, root)
    assert report["uploads"] == [] and "/news/story-01/" in report["invalidations"]
    assert report["done"]["invalidation"] and invalidated(cloudfront_mock) == [sorted(report["invalidations"])]
