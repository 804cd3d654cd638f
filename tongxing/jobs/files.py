"""The files of background jobs, each job's in MEDIA_ROOT/jobs/<its directory>/.

- `input`: the upload the job works on (a roster with full ID numbers),
- `output`: the file it makes (a marked copy, an export),
- `progress.json`: where it stands, rewritten every few seconds while it runs.

`input` and `output` are sealed with AES-256-GCM under a key of the job's own, which its
row keeps encrypted with the personal-data key: the files alone, or the database alone,
give nothing away. The daily sweep deletes them (`actions.sweep_jobs`).
"""

import base64
import json
import os
import secrets
import shutil
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from tongxing import personal_data

INPUT = "input"
OUTPUT = "output"
PROGRESS = "progress.json"
SEALED = b"TXJOB1"  # what a sealed file starts with, then the nonce, then the ciphertext


class JobFileError(RuntimeError):
    """A job's file is missing or cannot be opened (deleted, or sealed with a lost key)."""


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs"


def folder(directory: str) -> Path:
    return root() / directory


def new_directory(job_id: int) -> str:
    # The random part keeps the name from being guessed from the job's number.
    return f"{job_id}-{secrets.token_hex(8)}"


def new_key() -> str:
    """Return a fresh key for a job's files, encrypted for its row."""
    key = AESGCM.generate_key(bit_length=256)
    return personal_data.encrypt(base64.urlsafe_b64encode(key).decode())


def _key(job) -> bytes:
    try:
        return base64.urlsafe_b64decode(personal_data.decrypt(job.file_key))
    except (personal_data.DataKeyError, InvalidTag, ValueError) as exc:
        raise JobFileError("The job's key cannot be read.") from exc


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def write_part(job, part: str, data: bytes) -> None:
    """Seal `data` and keep it as the job's `part` (INPUT or OUTPUT)."""
    nonce = secrets.token_bytes(12)
    # The part's place is bound into the seal: a file cannot pass for another job's.
    sealed = AESGCM(_key(job)).encrypt(nonce, data, f"{job.directory}/{part}".encode())
    _write_atomically(folder(job.directory) / part, SEALED + nonce + sealed)


def read_part(job, part: str) -> bytes:
    path = folder(job.directory) / part
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise JobFileError("The job's file is gone.") from exc
    if not raw.startswith(SEALED):
        raise JobFileError("The job's file is not sealed.")
    nonce, sealed = raw[len(SEALED) : len(SEALED) + 12], raw[len(SEALED) + 12 :]
    try:
        return AESGCM(_key(job)).decrypt(nonce, sealed, f"{job.directory}/{part}".encode())
    except InvalidTag as exc:
        raise JobFileError("The job's file does not open with its key.") from exc


def delete_part(job, part: str) -> None:
    if job.directory:
        (folder(job.directory) / part).unlink(missing_ok=True)


def delete_all(job) -> None:
    if job.directory:
        shutil.rmtree(folder(job.directory), ignore_errors=True)


def write_progress(directory: str, state: dict) -> None:
    """Keep where a job stands, with the moment as its heartbeat."""
    data = json.dumps({**state, "beat": time.time()}).encode()
    _write_atomically(folder(directory) / PROGRESS, data)


def read_progress(directory: str) -> dict | None:
    try:
        return json.loads((folder(directory) / PROGRESS).read_bytes())
    except (OSError, ValueError):
        return None
