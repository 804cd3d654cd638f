"""A delivery's photo reaches the donor without where it was taken, when, or with what."""

import importlib
import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from conftest import api_client_for, client_for
from tongxing.accounts.models import User
from tongxing.needs.actions import delivery, pledges
from tongxing.needs.models import PledgeStatus
from tongxing.needs.tests import factories as f

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def delivered(tree, dora, vera):
    need = f.published(f.goods_data(f.household()))
    pledge = pledges.pledge_goods(need=need, by=dora, quantity=1).pledge
    return delivery.deliver_pledge(pledge=pledge, by=dora)


def phone_photo(*, orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: 40×20 pixels, left half red, with the camera's make, the
    place (27.123° N, 113.456° E) and the orientation in its EXIF."""
    image = Image.new("RGB", (40, 20), "white")
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (27.0, 7.0, 22.8), 3: "E", 4: (113.0, 27.0, 21.6)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"Zhu Yang's house")
    return out.getvalue()


def confirm(pledge, content: bytes, name: str = "IMG_0001.jpg"):
    """The village admin confirms the delivery for the household, with the photo."""
    photo = SimpleUploadedFile(name, content, content_type="image/jpeg")
    vera = User.objects.get(username="vera")
    return api_client_for(vera).post(f"/api/v1/pledges/{pledge.pk}/confirm", {"evidence": photo})


def test_the_photo_the_donor_downloads_has_no_place_no_device_no_comment(delivered, dora, media):
    original = phone_photo()
    with Image.open(io.BytesIO(original)) as image:  # the upload does carry them
        assert image.getexif().get_ifd(GPS_IFD) and b"PhoneMaker" in original
    assert confirm(delivered, original).status_code == 200
    delivered.refresh_from_db()
    assert delivered.status == PledgeStatus.CONFIRMED
    # Stored under a name of its own, not the upload's.
    assert delivered.evidence.name.startswith("evidence/") and "IMG_0001" not in (
        delivered.evidence.name
    )
    response = client_for(dora).get(f"/needs/pledges/{delivered.pk}/photo/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    served = b"".join(response.streaming_content)
    assert b"PhoneMaker" not in served and b"Zhu Yang" not in served and b"Exif" not in served
    with Image.open(io.BytesIO(served)) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (40, 20)
        assert image.getpixel((5, 10))[0] > 200 and image.getpixel((35, 10))[1] > 200


def test_the_cameras_orientation_is_applied_before_it_is_dropped(delivered, media):
    # Orientation 6: the camera was held upright, the pixels lie on their side.
    assert confirm(delivered, phone_photo(orientation=6)).status_code == 200
    delivered.refresh_from_db()
    with Image.open(media / delivered.evidence.name) as image:
        assert image.size == (20, 40)
        assert dict(image.getexif()) == {}


def test_a_pngs_text_chunks_are_dropped(delivered, media):
    image = Image.new("RGB", (4, 4), "blue")
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "户主朱阳 13812345678")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    assert confirm(delivered, out.getvalue(), "photo.png").status_code == 200
    delivered.refresh_from_db()
    stored = (media / delivered.evidence.name).read_bytes()
    assert b"13812345678" not in stored and b"tEXt" not in stored and b"iTXt" not in stored


def png_claiming(width: int, height: int) -> bytes:
    """A few bytes of PNG whose header claims a huge image: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (png_claiming(100_000, 100_000), "The photo has too many pixels."),
        (phone_photo()[:200], "Upload a photo (JPEG, PNG, WebP or GIF)."),
        (b"%PDF-1.7 not a photo", "Upload a photo (JPEG, PNG, WebP or GIF)."),
    ],
)
def test_a_bad_photo_is_refused_and_nothing_is_kept(delivered, media, content, message):
    response = confirm(delivered, content)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "evidence", "message": message}]
    delivered.refresh_from_db()
    assert (delivered.status, delivered.evidence.name) == (PledgeStatus.DELIVERED, "")
    assert list(media.iterdir()) == []


def test_photos_stored_before_the_rule_are_stripped_by_the_migration(delivered, media):
    from django.apps import apps
    from django.core.files.base import ContentFile

    migration = importlib.import_module("tongxing.needs.migrations.0007_strip_photo_metadata")
    # As a photo was kept before: byte for byte, under its upload's name.
    delivered.evidence.save("IMG_0001.jpg", ContentFile(phone_photo()), save=True)
    old = media / delivered.evidence.name
    assert b"PhoneMaker" in old.read_bytes()

    migration.strip_metadata(apps, None)

    delivered.refresh_from_db()
    stored = (media / delivered.evidence.name).read_bytes()
    assert b"PhoneMaker" not in stored and b"Zhu Yang" not in stored and b"Exif" not in stored
    assert not old.exists() and "IMG_0001" not in delivered.evidence.name
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (40, 20) and dict(image.getexif()) == {}
