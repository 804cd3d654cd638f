"""Personal data at rest: authenticated encryption and keyed hashes for exact lookup.

ID and phone numbers are sensitive personal information (PIPL art. 28). They are stored
encrypted with AES-256-GCM, found by an HMAC-SHA256 "blind index" (so a search by ID needs
no decryption and the database never holds the number in clear), and shown masked.

The key is TONGXING_DATA_KEY (32 bytes, URL-safe base64; `tongxing datakey new` makes one).
Without it, a local key is created in var/ so a fresh clone runs; `check --deploy` warns.
Rotation: put the old key in TONGXING_DATA_OLD_KEYS, the new one in TONGXING_DATA_KEY, and
run `tongxing datakey rotate`: every value is decrypted with whichever key wrote it,
encrypted and hashed again with the new one.
"""

import base64
import hashlib
import hmac
import os
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

VERSION = "v1"
LOCAL_KEY_FILE = "data.key"


class DataKeyError(RuntimeError):
    pass


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _decode(key_text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(key_text.strip().encode())
    except ValueError as exc:
        raise DataKeyError("TONGXING_DATA_KEY is not URL-safe base64.") from exc
    if len(key) != 32:
        raise DataKeyError("TONGXING_DATA_KEY must hold 32 bytes (44 base64 characters).")
    return key


def _local_key() -> str:
    """Return the key of a local installation, kept in var/ (created on first use)."""
    path = settings.BASE_DIR / "var" / LOCAL_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key())
    return path.read_text().strip()


@lru_cache(maxsize=8)
def _keys(current: str, old: str) -> tuple[bytes, dict[str, bytes], bytes]:
    primary = _decode(current or _local_key())
    by_id = {key_id(primary): primary}
    for text in filter(None, (part.strip() for part in old.split(","))):
        key = _decode(text)
        by_id[key_id(key)] = key
    # A key of its own for hashing, derived from the data key, so the two uses never mix.
    hash_key = hmac.new(primary, b"tongxing blind index", hashlib.sha256).digest()
    return primary, by_id, hash_key


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def keys() -> tuple[bytes, dict[str, bytes], bytes]:
    return _keys(settings.TONGXING_DATA_KEY, settings.TONGXING_DATA_OLD_KEYS)


def encrypt(plaintext: str) -> str:
    """Return `v1.<key id>.<nonce + ciphertext>`; empty text stays empty."""
    if not plaintext:
        return ""
    primary = keys()[0]
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(primary).encrypt(nonce, plaintext.encode(), None)
    payload = base64.urlsafe_b64encode(nonce + sealed).decode()
    return f"{VERSION}.{key_id(primary)}.{payload}"


def decrypt(token: str) -> str:
    if not token:
        return ""
    version, kid, payload = token.split(".", 2)
    if version != VERSION:
        raise DataKeyError(f"Unknown encryption version {version}.")
    by_id = keys()[1]
    if kid not in by_id:
        raise DataKeyError(f"No key {kid}: add the old key to TONGXING_DATA_OLD_KEYS.")
    raw = base64.urlsafe_b64decode(payload.encode())
    return AESGCM(by_id[kid]).decrypt(raw[:12], raw[12:], None).decode()


def blind_index(kind: str, value: str) -> str:
    """Return the keyed hash that finds a value without storing it: HMAC-SHA256."""
    if not value:
        return ""
    hash_key = keys()[2]
    return hmac.new(hash_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def is_current(token: str) -> bool:
    """Return whether a value was written with the current key."""
    primary = keys()[0]
    return not token or token.split(".", 2)[1] == key_id(primary)
