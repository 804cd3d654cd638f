"""Personal data at rest: authenticated encryption and keyed hashes for exact lookup.

ID and phone numbers are sensitive personal information (PIPL art. 28). They are stored
encrypted with AES-256-GCM, found by an HMAC-SHA256 "blind index" (so a search by ID needs
no decryption and the database never holds the number in clear), and shown masked.

Two keys, each 32 bytes in URL-safe base64 (`tongxing datakey new` makes one):

- TONGXING_DATA_KEY encrypts. It may be rotated: put the old key in TONGXING_DATA_OLD_KEYS,
  the new one in TONGXING_DATA_KEY, and run `tongxing datakey rotate`; every value is
  decrypted with whichever key wrote it and encrypted again with the new one.
- TONGXING_INDEX_KEY makes the keyed hashes. It lives as long as the data: a hash is what
  keeps one person to one registry entry, so rotating the data key never changes it.

Without a key in the environment, a local key file in var/ is used so a fresh clone runs
(`check --deploy` refuses both). The local index key, made on first use, is derived from
the data key of that moment exactly as earlier versions derived their hashing key from the
data key, so an installation upgraded from a version without an index key keeps its hashes;
`tongxing datakey index-key` prints it for the environment.
"""

import base64
import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

VERSION = "v1"
LOCAL_KEY_FILE = "data.key"
LOCAL_INDEX_KEY_FILE = "index.key"


class DataKeyError(RuntimeError):
    pass


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _encode(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def _decode(key_text: str, name: str = "TONGXING_DATA_KEY") -> bytes:
    try:
        key = base64.urlsafe_b64decode(key_text.strip().encode())
    except ValueError as exc:
        raise DataKeyError(f"{name} is not URL-safe base64.") from exc
    if len(key) != 32:
        raise DataKeyError(f"{name} must hold 32 bytes (44 base64 characters).")
    return key


def _local_file(path: Path, make) -> str:
    """Return the content of a local key file in var/, written once on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(make())
    return path.read_text().strip()


def derived_index_key(data_key: bytes) -> bytes:
    """The hashing key derived from a data key: what versions before the index key used."""
    return hmac.new(data_key, b"tongxing blind index", hashlib.sha256).digest()


@lru_cache(maxsize=8)
def _keys(current: str, old: str, index: str, base_dir: str) -> tuple[bytes, dict, bytes]:
    var = Path(base_dir) / "var"
    primary = _decode(current or _local_file(var / LOCAL_KEY_FILE, new_key))
    by_id = {key_id(primary): primary}
    for text in filter(None, (part.strip() for part in old.split(","))):
        key = _decode(text, "TONGXING_DATA_OLD_KEYS")
        by_id[key_id(key)] = key
    if not index:
        # Pinned on first use to the data key of that moment, and kept after it rotates.
        index = _local_file(var / LOCAL_INDEX_KEY_FILE, lambda: _encode(derived_index_key(primary)))
    return primary, by_id, _decode(index, "TONGXING_INDEX_KEY")


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def keys() -> tuple[bytes, dict[str, bytes], bytes]:
    """Return the current data key, every readable data key by its id, and the index key."""
    return _keys(
        settings.TONGXING_DATA_KEY,
        settings.TONGXING_DATA_OLD_KEYS,
        settings.TONGXING_INDEX_KEY,
        str(settings.BASE_DIR),
    )


def current_key_id() -> str:
    return key_id(keys()[0])


def readable_key_ids() -> set[str]:
    return set(keys()[1])


def index_key_text() -> str:
    """The index key in use, as TONGXING_INDEX_KEY would hold it."""
    return _encode(keys()[2])


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
    index_key = keys()[2]
    return hmac.new(index_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def token_prefix(kid: str) -> str:
    """The start of every value written with the key `kid`."""
    return f"{VERSION}.{kid}."


def is_current(token: str) -> bool:
    """Return whether a value was written with the current key."""
    return not token or token.startswith(token_prefix(current_key_id()))
