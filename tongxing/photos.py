"""Photos people upload (a delivery's evidence, later a visit's): checked, then re-encoded.

A phone's photo carries its metadata: EXIF holds where it was taken (GPS), when, and with
which device, and a donor who is shown the photo of a delivery would be shown the
household's coordinates. Re-encoding the pixels alone is the one sure way to drop all of it
(EXIF, XMP, IPTC, comments, thumbnails that keep the uncropped picture): nothing of the
upload is stored but its image.
"""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
# A phone's photo is 12 to 50 million pixels; beyond this a small file may be a
# decompression bomb (a few kilobytes that unpack to gigabytes).
MAX_PIXELS = 64_000_000
# What is kept: large enough to read a receipt on it, a few hundred kilobytes on disk.
LONGEST_SIDE = 2560
# Pillow's name of each format a phone or a browser sends, to what is stored.
FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "png"}


def clean_photo(upload: UploadedFile | None, *, field: str = "photo") -> ContentFile | None:
    """Return the photo re-encoded without any metadata, or raise a ValidationError on the
    field. Its size is checked before a byte is read, its dimensions before it is decoded."""
    if upload is None:
        return None
    wrong = ValidationError({field: [_("Upload a photo (JPEG, PNG, WebP or GIF).")]})
    if upload.size > MAX_BYTES:
        raise ValidationError({field: [_("The photo is larger than 10 MB.")]})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise wrong
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError({field: [_("The photo has too many pixels.")]})
            stored = FORMATS[image.format]
            image.load()
            # The camera's orientation is in EXIF: apply it to the pixels before dropping it.
            image = ImageOps.exif_transpose(image)
            image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            # Pillow writes what `info` holds (a JPEG's comment, EXIF, XMP, ICC) back out:
            # keep only what the pixels need.
            kept = (
                {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
            )
            image.info = kept
            return _encoded(image, stored)
    except Image.DecompressionBombError:  # Pillow's own limit, met before ours
        raise ValidationError({field: [_("The photo has too many pixels.")]}) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise wrong from None
    finally:
        upload.seek(0)


def _encoded(image: Image.Image, stored: str) -> ContentFile:
    out = io.BytesIO()
    if stored == "jpeg":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif stored == "webp":
        image.save(out, "WEBP", quality=88)
    else:  # PNG, and a GIF's first frame
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    # Not the upload's name, which may be a person's: storage makes this one unique.
    return ContentFile(out.getvalue(), name=f"photo.{'jpg' if stored == 'jpeg' else stored}")


def content_type(head: bytes) -> str | None:
    """The type of a stored photo, from its first bytes (what `clean_photo` writes)."""
    for magic, kind in ((b"\xff\xd8\xff", "jpeg"), (b"\x89PNG", "png"), (b"RIFF", "webp")):
        if head.startswith(magic):
            return f"image/{kind}"
    return None
