"""Attaching a photo to a visit through the API (multipart): the photo stored without its
EXIF (no place, no camera, the visit's own `place` field kept), who may attach one, and
bad files refused with a 400 on `photo`, changing nothing.

Cleo is the cadre of township A assigned to 张建国's household (village A1), who made the
visit; Cole another cadre assigned to the same household; Cody a cadre helping no one;
Alice the city office, Tina township A's station, Tom township B's; Vera village A1's point;
Victor a viewer of township A; Dora a caring person.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import TOWNSHIP_A, api_client_for, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.needs.tests import factories as nf
from tongxing.photos import MAX_BYTES
from tongxing.registry.models import Person
from tongxing.registry.tests.factories import assign
from tongxing.visits.models import Visit
from tongxing.visits.tests import factories as f

# Where the photo was taken, as a phone's GPS writes it: 27°7'22.8"N 113°27'21.6"E.
LATITUDE = (27.0, 7.0, 22.8)
LONGITUDE = (113.0, 27.0, 21.6)


@pytest.fixture
def home(tree):
    return nf.household(head="张建国")


@pytest.fixture
def cleo(home):
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(account, home)
    return account


@pytest.fixture
def visit(cleo, home):
    """Cleo's visit to 张建国's household, with the place written on purpose."""
    cleo_person = Person.objects.get(account=cleo)
    return f.visit(cleo_person, by=cleo, household=home, on=f.days_ago(1), place="村委会门口")


def phone_photo(size=(64, 48)) -> bytes:
    """A JPEG as a phone writes it: the camera's make and model and the GPS place in EXIF."""
    image = Image.new("RGB", size, "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X9"  # Model
    exif.get_ifd(0x8825).update({1: "N", 2: LATITUDE, 3: "E", 4: LONGITUDE})  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    raw = out.getvalue()
    with Image.open(io.BytesIO(raw)) as check:  # the test's own premise: the EXIF is there
        assert check.getexif().get_ifd(0x8825)[2] == LATITUDE
    return raw


def upload(raw: bytes, name="IMG_0001.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, raw, content_type=content_type)


def attach(user, visit_id, body):
    return api_client_for(user).post(f"/api/v1/visits/{visit_id}/photo", body)


def fields(response) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in response.json()["errors"]:
        out.setdefault(error["field"], []).append(error["message"])
    return out


def test_the_visitor_attaches_a_photo_stored_without_its_place_or_camera(cleo, visit):
    response = attach(cleo, visit.pk, {"photo": upload(phone_photo())})
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["has_photo"]) == (visit.pk, True)
    visit.refresh_from_db()
    stored = visit.photo.read()
    assert b"PhoneMaker" not in stored and b"Model X9" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size, dict(image.getexif())) == ("JPEG", (64, 48), {})
        assert image.getexif().get_ifd(0x8825) == {}
    # The upload's name may be a person's: the stored one is the platform's own.
    assert "IMG_0001" not in visit.photo.name
    # What the office wrote on purpose stays: the one place the visit keeps.
    assert visit.place == "村委会门口"
    event = AuditEvent.objects.get(action="visit.photo_attached")
    assert (event.actor, event.before, event.after) == (cleo, {"photo": False}, {"photo": True})


def test_a_second_photo_replaces_the_first_and_its_file(
    cleo, visit, django_capture_on_commit_callbacks
):
    attach(cleo, visit.pk, {"photo": upload(phone_photo())})
    visit.refresh_from_db()
    first = visit.photo.name
    storage = visit.photo.storage
    # The old file is removed once the new one is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = attach(cleo, visit.pk, {"photo": upload(phone_photo(size=(30, 40)))})
    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.photo.name != first and not storage.exists(first)
    with Image.open(visit.photo) as image:
        assert image.size == (30, 40)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("cleo", 200),  # the visitor
        ("alice", 200),  # the city office, over the visit's village
        ("tina", 200),  # the township's station
        ("vera", 200),  # the village's point
        ("cole", 403),  # a cadre of the household, who sees the visit but did not make it
        ("victor", 403),  # a viewer reads, and changes nothing
        ("tom", 404),  # another township: the visit is not named to it
        ("cody", 404),  # a cadre of the township helping no one: not his to see
        ("dora", 403),  # a caring person
        ("nobody", 401),
    ],
)
def test_who_may_attach_a_photo(who, status, request, home, visit):
    if who == "cole":
        user = make_user("cole", Role.CADRE, TOWNSHIP_A)
        assign(user, home)
    elif who == "nobody":
        user = None
    else:
        user = request.getfixturevalue(who)
    response = attach(user, visit.pk, {"photo": upload(phone_photo())})
    assert response.status_code == status, response.content
    visit.refresh_from_db()
    assert bool(visit.photo) is (status == 200)
    assert AuditEvent.objects.filter(action="visit.photo_attached").count() == (status == 200)


def test_an_unknown_visit_is_a_404(cleo, visit):
    assert attach(cleo, visit.pk + 1000, {"photo": upload(phone_photo())}).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Choose a photo to upload."),
        (
            {"photo": upload(b"%PDF-1.4 not a photo", "scan.pdf", "application/pdf")},
            "Upload a photo (JPEG, PNG, WebP or GIF).",
        ),
        (
            # A JPEG's name and type on a file that is none: its bytes decide.
            {"photo": upload(b"\xff\xd8\xff\xe0 broken", "IMG_2.jpg")},
            "Upload a photo (JPEG, PNG, WebP or GIF).",
        ),
        (
            {"photo": upload(b"\0" * (MAX_BYTES + 1), "IMG_3.jpg")},
            "The photo is larger than 10 MB.",
        ),
    ],
    ids=["no file", "not an image", "a broken jpeg", "over 10 MB"],
)
def test_a_bad_file_is_a_400_on_the_photo_and_changes_nothing(cleo, visit, body, message):
    response = attach(cleo, visit.pk, body)
    assert response.status_code == 400
    assert fields(response) == {"photo": [message]}
    visit.refresh_from_db()
    assert not visit.photo
    assert not AuditEvent.objects.filter(action="visit.photo_attached").exists()


def test_a_bmp_is_refused_though_pillow_reads_it(cleo, visit):
    raw = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(raw, "BMP")
    response = attach(cleo, visit.pk, {"photo": upload(raw.getvalue(), "a.bmp", "image/bmp")})
    assert (response.status_code, fields(response)) == (
        400,
        {"photo": ["Upload a photo (JPEG, PNG, WebP or GIF)."]},
    )
    assert not Visit.objects.get(pk=visit.pk).photo
