"""The one boto3 S3 client a deploy shares between its threads, and what the store's failures mean to a user.

Retries: botocore's "standard" mode, 6 attempts (AWS_MAX_ATTEMPTS can say otherwise), exponential backoff with
jitter, for throttling (SlowDown, 503), 5xx answers and dropped connections. What still fails after that becomes one
line and an exit code: 2 for what the user must fix (credentials, the bucket's name, the configuration), 1 for the
store or the network failing. Messages name the bucket and the error code, never a secret.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from sitegen.config import DeployConfig
from sitegen.deploy.config import Target
from sitegen.errors import ContentError, SitegenError, UsageError

if TYPE_CHECKING:
    from mypy_boto3_cloudfront import CloudFrontClient
    from mypy_boto3_s3 import S3Client

MAX_ATTEMPTS = 6
_CREDENTIAL_CODES = {
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "ExpiredToken", "InvalidToken", "403",
    "InvalidClientTokenId", "AuthFailure", "Forbidden",
}  # fmt: skip
_MISSING_BUCKET_CODES = {"NoSuchBucket", "404", "NotFound"}


class StoreError(ContentError):
    """The store or the network failed (exit 1): running the deploy again may succeed."""


def session(deploy: DeployConfig) -> boto3.session.Session:
    try:
        return boto3.session.Session(profile_name=deploy.profile or None)
    except ProfileNotFound as exc:
        raise UsageError(f"deploy: AWS profile {deploy.profile!r} is not in the AWS configuration files") from exc


def s3_client(deploy: DeployConfig, boto: boto3.session.Session) -> S3Client:
    custom = bool(deploy.endpoint)
    config = BotoConfig(
        retries={"mode": "standard", "max_attempts": max_attempts()},
        max_pool_connections=deploy.workers + 2,  # every worker, the checkpoint writer and the lock
        connect_timeout=10,
        read_timeout=60,
        # S3-compatible stores reject or mis-handle the newer default checksums (CRC trailers): only when required.
        request_checksum_calculation="when_required" if custom else "when_supported",
        response_checksum_validation="when_required" if custom else "when_supported",
        s3={"addressing_style": "path"} if custom else {},
    )
    return boto.client("s3", endpoint_url=deploy.endpoint or None, region_name=deploy.region, config=config)


def max_attempts() -> int:
    """MAX_ATTEMPTS, unless AWS_MAX_ATTEMPTS (the AWS tools' own setting) says otherwise."""
    try:
        return max(1, int(os.environ.get("AWS_MAX_ATTEMPTS", MAX_ATTEMPTS)))
    except ValueError:
        return MAX_ATTEMPTS


def cloudfront_client(boto: boto3.session.Session) -> CloudFrontClient:
    config = BotoConfig(retries={"mode": "standard", "max_attempts": max_attempts()})
    return boto.client("cloudfront", region_name="us-east-1", config=config)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "")) or str(
        exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
    )


def translate(exc: Exception, target: Target, doing: str) -> SitegenError:
    """The one-line error for a failure of boto3 while `doing` something to `target`."""
    where = f"deploy: {target}"
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return UsageError(f"{where}: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a "
                          "profile (AWS_PROFILE or deploy.profile)")  # fmt: skip
    if isinstance(exc, ClientError):
        code = error_code(exc)
        if code in _CREDENTIAL_CODES:
            return UsageError(f"{where}: the store refused the credentials while {doing} ({code})")
        if code in _MISSING_BUCKET_CODES and doing == "opening the bucket":
            return UsageError(f"{where}: bucket {target.bucket!r} does not exist ({code})")
        if code == "NoSuchBucket":
            return UsageError(f"{where}: bucket {target.bucket!r} does not exist ({code})")
        return StoreError(f"{where}: the store answered {code or 'an error'} while {doing}")
    if isinstance(exc, BotoConnectionError):
        return StoreError(f"{where}: cannot reach the store while {doing} ({type(exc).__name__})")
    if isinstance(exc, BotoCoreError):
        return StoreError(f"{where}: {doing} failed ({type(exc).__name__})")
    return StoreError(f"{where}: {doing} failed ({type(exc).__name__})")


def check_bucket(client: S3Client, target: Target) -> None:
    """Fail early, with the reason, when the bucket is missing or the credentials are wrong."""
    try:
        client.head_bucket(Bucket=target.bucket)
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, target, "opening the bucket") from exc


def server_time_of(response: Any) -> str:
    """The Date header of a boto3 response: the store's clock, for ages that don't depend on ours."""
    return str(response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date", ""))
