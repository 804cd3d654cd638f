"""Recording a visit: the position held that day, the lines of what was delivered, the
checks field by field, a form sent twice, who may record, change and delete, the photo, and
raising a need from a visit.

Cleo is the cadre of township A assigned to 张建国's household (village A1); Cody a cadre of
township A helping no one; Tina township A's station, Tom township B's; Vera the village
point of A1; Victor a viewer of township A (root conftest).
"""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.needs.models import Need, Status
from tongxing.needs.tests import factories as nf
from tongxing.registry.models import Person
from tongxing.registry.tests.factories import assign
from tongxing.visits import actions
from tongxing.visits.actions import DeliveryLine
from tongxing.visits.models import Visit, VisitDelivery
from tongxing.visits.tests import factories as f


@pytest.fixture
def home(tree):
    return nf.household(head="张建国")


@pytest.fixture
def cleo(home):
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(account, home)
    return account


@pytest.fixture
def cleo_person(cleo):
    return Person.objects.get(account=cleo)


def test_it_keeps_the_position_the_visitor_held_that_day(home):
    secretary = f.visitor(position="township_party_secretary", region=TOWNSHIP_A)
    visit = f.visit(secretary, household=home, on=f.days_ago(3))
    # The secretary moves on; the directory has no action for it yet, so the row is changed.
    Person.objects.filter(pk=secretary.pk).update(position="volunteer", region_id=VILLAGE_A2)
    visit.refresh_from_db()
    assert (visit.position, visit.visitor_region_id) == ("township_party_secretary", TOWNSHIP_A)
    assert visit.village_id == VILLAGE_A1  # the household's village


def test_it_records_what_a_visit_delivered_line_by_line(home):
    visit = f.visit(
        f.visitor(),
        household=home,
        lines=[("clothing", 5), ("grain_oil", 20), ("cash", 500_00), ("other", 2, "药箱")],
    )
    lines = sorted(
        VisitDelivery.objects.filter(visit=visit).values_list("kind", "quantity", "description")
    )
    assert lines == [
        ("cash", 50000, ""),
        ("clothing", 5, ""),
        ("grain_oil", 20, ""),
        ("other", 2, "药箱"),
    ]
    event = AuditEvent.objects.get(action="visit.recorded")
    assert event.after["deliveries"][1] == {"kind": "grain_oil", "quantity": 20, "description": ""}


def test_it_names_every_fault_and_saves_nothing(home):
    data = f.visit_data(
        f.visitor(),
        household=home,
        on=f.days_ago(-1),
        purpose="party",
        notes="电话 13812345678",
    )
    data.deliveries = [
        DeliveryLine("clothing", 0),
        DeliveryLine("gold", 1),
        DeliveryLine("other", 3, ""),
        DeliveryLine("grain_oil", 100_001),
    ]
    with pytest.raises(ValidationError) as refused:
        actions.record_visit(data=data, by=None)
    assert sorted(refused.value.message_dict) == [
        "deliveries.0.quantity",
        "deliveries.1.kind",
        "deliveries.2.description",
        "deliveries.3.quantity",
        "notes",
        "purpose",
        "visited_on",
    ]
    assert refused.value.message_dict["visited_on"] == [
        "The day of a visit cannot be in the future."
    ]
    assert Visit.objects.count() == 0 and VisitDelivery.objects.count() == 0


def test_a_visit_needs_a_household_or_a_village(tree):
    data = f.visit_data(f.visitor(), village=TOWNSHIP_A)
    with pytest.raises(ValidationError) as refused:
        actions.record_visit(data=data, by=None)
    assert list(refused.value.message_dict) == ["household"]


def test_a_village_visit_is_recorded_without_a_household(tree):
    visit = f.visit(
        f.visitor(position="city_party_secretary", region="590100000000"), village=VILLAGE_A2
    )
    assert (visit.household_id, visit.village_id) == (None, VILLAGE_A2)


def test_a_form_sent_twice_with_one_client_key_is_saved_once(cleo, cleo_person, home):
    data = f.visit_data(cleo_person, household=home)
    data.deliveries = [DeliveryLine("clothing", 2)]
    first = actions.record_visit(data=data, by=cleo, client_key="k-123")
    again = actions.record_visit(data=data, by=cleo, client_key="k-123")
    assert again.pk == first.pk and (first.replayed, again.replayed) == (False, True)
    assert Visit.objects.count() == 1 and VisitDelivery.objects.count() == 1
    assert AuditEvent.objects.filter(action="visit.recorded").count() == 1


def test_a_client_key_someone_else_used_is_refused(cleo, cleo_person, home, vera):
    actions.record_visit(data=f.visit_data(cleo_person, household=home), by=cleo, client_key="k-1")
    with pytest.raises(ValidationError) as refused:
        actions.record_visit(
            data=f.visit_data(cleo_person, household=home), by=vera, client_key="k-1"
        )
    assert list(refused.value.message_dict) == ["client_key"]
    assert Visit.objects.count() == 1


def test_a_cadre_records_visits_to_their_own_households_only(cleo, cleo_person, cody, home, tree):
    other = nf.household(head="李四")
    assert actions.record_visit(data=f.visit_data(cleo_person, household=home), by=cleo).pk
    with pytest.raises(PermissionDenied):
        actions.record_visit(data=f.visit_data(cleo_person, household=other), by=cleo)
    assign(cody, other)
    cody_person = Person.objects.get(account=cody)
    with pytest.raises(PermissionDenied):
        actions.record_visit(data=f.visit_data(cody_person, household=home), by=cody)
    assert Visit.objects.count() == 1


def test_a_cadre_records_their_own_visits_not_another_persons(cleo, home):
    someone = f.visitor()
    with pytest.raises(ValidationError) as refused:
        actions.record_visit(data=f.visit_data(someone, household=home), by=cleo)
    assert list(refused.value.message_dict) == ["visitor"]
    assert Visit.objects.count() == 0


def test_an_assignment_ended_yesterday_records_nothing(cleo, cleo_person, home):
    assignment = cleo_person.assignments.get()
    assignment.until = f.days_ago(1)
    assignment.save()
    with pytest.raises(PermissionDenied):
        actions.record_visit(data=f.visit_data(cleo_person, household=home), by=cleo)


def test_offices_record_in_their_region_only(home, tina, tom, vera, victor):
    secretary = f.visitor(position="township_party_secretary", region=TOWNSHIP_A)
    assert actions.record_visit(data=f.visit_data(secretary, household=home), by=tina).pk
    assert actions.record_visit(data=f.visit_data(secretary, household=home), by=vera).pk
    for outsider in (tom, victor):
        with pytest.raises(PermissionDenied):
            actions.record_visit(data=f.visit_data(secretary, household=home), by=outsider)
    assert Visit.objects.count() == 2


def test_an_office_names_no_visitor_of_another_region(home, tina):
    elsewhere = f.visitor(region=TOWNSHIP_B)
    with pytest.raises(ValidationError) as refused:
        actions.record_visit(data=f.visit_data(elsewhere, household=home), by=tina)
    assert refused.value.message_dict == {"visitor": ["Choose a visitor of your region."]}


def test_the_recorder_changes_a_visit_within_a_week_and_the_township_later(
    cleo, cleo_person, home, tina
):
    visit = actions.record_visit(data=f.visit_data(cleo_person, household=home), by=cleo)
    changed = f.visit_data(cleo_person, household=home, purpose="survey", findings="屋顶漏雨")
    changed.deliveries = [DeliveryLine("grain_oil", 10)]
    actions.update_visit(visit=visit, data=changed, by=cleo)
    visit.refresh_from_db()
    assert (visit.purpose, visit.findings) == ("survey", "屋顶漏雨")
    assert list(visit.deliveries.values_list("kind", "quantity")) == [("grain_oil", 10)]
    Visit.objects.filter(pk=visit.pk).update(
        recorded_at=visit.recorded_at - datetime.timedelta(days=8)
    )
    visit.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.update_visit(visit=visit, data=f.visit_data(cleo_person, household=home), by=cleo)
    with pytest.raises(PermissionDenied):
        actions.delete_visit(visit=visit, by=cleo)
    actions.update_visit(
        visit=visit, data=f.visit_data(cleo_person, household=home, purpose="other"), by=tina
    )
    visit.refresh_from_db()
    assert visit.purpose == "other"
    event = AuditEvent.objects.filter(action="visit.changed").order_by("id").first()
    assert (event.before["purpose"], event.after["purpose"]) == ("condolence", "survey")


def test_another_township_neither_changes_nor_deletes_a_visit(home, tom, victor):
    visit = f.visit(f.visitor(), household=home)
    for outsider in (tom, victor):
        with pytest.raises(PermissionDenied):
            actions.delete_visit(visit=visit, by=outsider)
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_a_deleted_visit_lives_on_in_the_audit_log(home, tina):
    visit = f.visit(f.visitor(), household=home, lines=[("clothing", 3)])
    actions.delete_visit(visit=visit, by=tina)
    assert not Visit.objects.exists() and not VisitDelivery.objects.exists()
    event = AuditEvent.objects.get(action="visit.deleted")
    assert event.before["deliveries"] == [{"kind": "clothing", "quantity": 3, "description": ""}]


def phone_photo() -> bytes:
    """A JPEG with the camera's make and the place in its EXIF, as a phone writes it."""
    image = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (27.0, 7.0, 22.8), 3: "E", 4: (113.0, 27.0, 21.6)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_visits_photo_loses_its_place_and_camera_but_the_place_field_is_kept(home):
    upload = SimpleUploadedFile("IMG_1.jpg", phone_photo(), content_type="image/jpeg")
    data = f.visit_data(f.visitor(), household=home, place="村委会门口")
    visit = actions.record_visit(data=data, by=None, photo=upload)
    stored = visit.photo.read()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size, dict(image.getexif())) == ("JPEG", (40, 20), {})
    assert visit.place == "村委会门口"


def test_a_file_that_is_no_photo_is_refused_on_its_field(home):
    upload = SimpleUploadedFile("notes.txt", b"not a photo", content_type="text/plain")
    with pytest.raises(ValidationError) as refused:
        actions.record_visit(data=f.visit_data(f.visitor(), household=home), by=None, photo=upload)
    assert list(refused.value.message_dict) == ["photo"]
    assert Visit.objects.count() == 0


def test_raising_a_need_from_a_visit_records_both_and_sends_the_need_to_review(
    cleo, cleo_person, home
):
    data = f.visit_data(cleo_person, household=home, findings="冬天缺棉被")
    need = nf.goods_data(None, household=None)
    visit, posted = actions.raise_need(data=data, need=need, by=cleo, client_key="raise-1")
    assert (posted.household_id, posted.village_id, posted.status) == (
        home.pk,
        VILLAGE_A1,
        Status.SUBMITTED,
    )
    assert posted.posted_by == cleo and visit.need_id == posted.pk
    again, same = actions.raise_need(data=data, need=need, by=cleo, client_key="raise-1")
    assert (again.pk, same.pk) == (visit.pk, posted.pk)
    assert Visit.objects.count() == 1 and Need.objects.count() == 1


def test_a_need_refused_saves_neither_it_nor_the_visit(cleo, cleo_person, home):
    data = f.visit_data(cleo_person, household=home)
    need = nf.goods_data(None, household=None, title="", quantity=0)
    with pytest.raises(ValidationError) as refused:
        actions.raise_need(data=data, need=need, by=cleo)
    assert sorted(refused.value.message_dict) == ["need.quantity", "need.title"]
    assert Visit.objects.count() == 0 and Need.objects.count() == 0


def test_a_need_is_raised_for_a_household_not_a_village(tree):
    data = f.visit_data(f.visitor(), village=VILLAGE_A1)
    with pytest.raises(ValidationError) as refused:
        actions.raise_need(data=data, need=nf.goods_data(None), by=None)
    assert list(refused.value.message_dict) == ["household"]
