"""Exports of the registry: masked unless full numbers are asked for with a reason and a
confirmation by an office that may; large ones in the background; every text cell text."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, client_for, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.jobs import actions as jobs_actions
from tongxing.jobs import files
from tongxing.jobs.models import Job, JobStatus
from tongxing.registry import actions, records
from tongxing.registry.exports import export_members, write_marked_copy
from tongxing.registry.models import Household, Member
from tongxing.registry.tests.factories import assign, id_number, organisation, phone, register
from tongxing.tabular import RowError

URL = "/registry/households/export/"
MASKED = id_number(0)[:6] + "********" + id_number(0)[-4:]
FULL_REQUEST = {"full_numbers": "on", "reason": "年度复核", "confirm": "on"}


@pytest.fixture
def homes(tree):
    """A household in village A1 (township A) and one in village B1 (township B)."""
    register(number="H-A1", village=VILLAGE_A1)
    register(number="H-B1", village=VILLAGE_B1, head="李四", head_id=id_number(1))


@pytest.fixture
def cleo(homes):
    """The cadre of township A assigned to household H-A1."""
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(account, Household.objects.get(registry_number="H-A1"))
    return account


def persona(request, name):
    return request.getfixturevalue(name) if name else None


def workbook_rows(content: bytes) -> list[list]:
    return [[cell.value for cell in row] for row in load_workbook(io.BytesIO(content)).active]


def exported_numbers(response) -> list[tuple[str, str]]:
    """The (registry number, ID number) of each member in an exported file."""
    return [(row[0], row[5]) for row in workbook_rows(response.content)[1:]]


# --- Who may export what ------------------------------------------------------------------

MASKED_MATRIX = [
    (None, 302, None),
    ("dora", 403, None),
    ("olga", 403, None),
    ("victor", 200, [("H-A1", MASKED)]),
    ("cleo", 200, [("H-A1", MASKED)]),  # the households assigned to her, of her township
    ("cody", 200, []),  # a cadre with no household assigned: an empty roster
    ("vera", 200, [("H-A1", MASKED)]),
    ("tina", 200, [("H-A1", MASKED)]),
    ("tom", 200, [("H-B1", id_number(1)[:6] + "********" + id_number(1)[-4:])]),
    ("alice", 200, [("H-A1", MASKED), ("H-B1", id_number(1)[:6] + "********" + id_number(1)[-4:])]),
]


@pytest.mark.parametrize(("name", "status", "rows"), MASKED_MATRIX)
def test_a_masked_export_holds_the_households_of_the_exporters_region(
    request, homes, name, status, rows
):
    response = client_for(persona(request, name)).post(URL)
    assert response.status_code == status
    if rows is not None:
        assert response["Content-Disposition"] == 'attachment; filename="households.xlsx"'
        assert exported_numbers(response) == rows
    assert not AuditEvent.objects.filter(action="household.export_full").exists()


FULL_MATRIX = [
    (None, 302, None),
    ("dora", 403, None),
    ("olga", 403, None),
    ("victor", 403, None),
    ("cleo", 403, None),
    ("cody", 403, None),
    ("vera", 403, None),  # a village point sees one member's numbers at a time, not a file
    ("tina", 200, [("H-A1", id_number(0))]),
    ("tom", 200, [("H-B1", id_number(1))]),  # township B: nothing of township A
    ("alice", 200, [("H-A1", id_number(0)), ("H-B1", id_number(1))]),
]


@pytest.mark.parametrize(("name", "status", "rows"), FULL_MATRIX)
def test_only_city_and_township_offices_export_full_numbers_of_their_region(
    request, homes, name, status, rows
):
    user = persona(request, name)
    response = client_for(user).post(URL, FULL_REQUEST)
    assert response.status_code == status
    events = AuditEvent.objects.filter(action="household.export_full")
    if rows is None:
        assert not events.exists()
        return
    assert exported_numbers(response) == rows
    assert [(e.actor, e.after) for e in events] == [
        (user, {"households": len(rows), "reason": "年度复核"})
    ]


def test_the_export_page_asks_for_full_numbers_only_of_those_who_may(homes, tina, vera):
    page = client_for(tina).get(URL + "?full=1")
    assert page.status_code == 200
    assert page.context["count"] == 1
    assert page.context["form"]["full_numbers"].initial is True
    assert set(page.context["form"].fields) == {"full_numbers", "reason", "confirm"}
    page = client_for(vera).get(URL + "?full=1")
    assert page.status_code == 200 and set(page.context["form"].fields) == set()


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"full_numbers": "on", "confirm": "on"},
            {"reason": ["Say why the full ID and phone numbers are needed."]},
        ),
        (
            {"full_numbers": "on", "reason": "年度复核"},
            {"confirm": ["Confirm that you will keep the file safe."]},
        ),
        (
            {"full_numbers": "on", "reason": "   ", "confirm": "on"},
            {"reason": ["Say why the full ID and phone numbers are needed."]},
        ),
    ],
)
def test_a_full_export_needs_a_reason_and_a_confirmation(homes, tina, fields, errors):
    response = client_for(tina).post(URL, fields)
    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert not AuditEvent.objects.filter(action="household.export_full").exists()


def test_the_export_keeps_the_lists_filters(homes, alice):
    response = client_for(alice).post(URL + f"?village={VILLAGE_B1}")
    assert [row[0] for row in workbook_rows(response.content)[1:]] == ["H-B1"]


def test_the_action_refuses_full_numbers_without_a_reason_or_right(homes, tina, vera):
    from django.core.exceptions import PermissionDenied, ValidationError

    households = Household.objects.filter(village_id=VILLAGE_A1)
    with pytest.raises(ValidationError):
        actions.export_households(households=households, by=tina, full_numbers=True)
    with pytest.raises(PermissionDenied):
        actions.export_households(households=households, by=vera, full_numbers=True, reason="x")
    with pytest.raises(PermissionDenied):  # a household outside her region among them
        actions.export_households(
            households=Household.objects.all(), by=tina, full_numbers=True, reason="x"
        )
    assert not AuditEvent.objects.filter(action="household.export_full").exists()


def test_the_command_needs_a_reason_for_full_numbers_and_audits_it(homes, tmp_path):
    out = tmp_path / "all.xlsx"
    with pytest.raises(CommandError, match="--full-numbers needs --reason"):
        call_command("export_households", str(out), "--full-numbers")
    assert not out.exists()
    call_command("export_households", str(out), "--full-numbers", "--reason", "迁移到新系统")
    assert [row[5] for row in workbook_rows(out.read_bytes())[1:]] == [id_number(0), id_number(1)]
    event = AuditEvent.objects.get(action="household.export_full")
    assert (event.actor, event.after) == (None, {"households": 2, "reason": "迁移到新系统"})


# --- Large exports in the background ------------------------------------------------------


def test_a_large_export_runs_in_the_background_and_its_file_is_the_exporters(
    homes, tina, tom, settings
):
    settings.TONGXING_BACKGROUND_ROWS = 0
    client = client_for(tina)
    response = client.post(URL, FULL_REQUEST)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == f"/registry/households/export/{job.pk}/"
    assert (job.kind, job.status, job.total) == ("household_export", JobStatus.QUEUED, 1)
    assert job.params == {
        "filters": {"query": "", "village": "", "status": "", "flags": []},
        "full_numbers": True,
        "reason": "年度复核",
    }
    page = client.get(response.url)
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert not AuditEvent.objects.filter(action="household.export_full").exists()

    jobs_actions.run_job(job=job)

    page = client.get(response.url)
    assert f"/jobs/{job.pk}/download/" in page.content.decode()
    assert page.context["result"] == {"households": 1, "members": 1, "full_numbers": True}
    assert AuditEvent.objects.get(action="household.export_full").after == {
        "households": 1,
        "reason": "年度复核",
    }
    # On disk the file is sealed: no ID number, no phone number in the clear.
    assert id_number(0).encode() not in (files.folder(job.directory) / files.OUTPUT).read_bytes()
    assert client_for(tom).get(f"/jobs/{job.pk}/download/").status_code == 404
    assert client_for(tom).get(response.url).status_code == 404
    download = client.get(f"/jobs/{job.pk}/download/")
    assert exported_numbers(download) == [("H-A1", id_number(0))]
    assert AuditEvent.objects.filter(action="job.download", actor=tina).count() == 1


def test_a_background_export_runs_with_the_owners_rights_as_they_are_when_it_runs(
    homes, tina, settings
):
    settings.TONGXING_BACKGROUND_ROWS = 0
    client_for(tina).post(URL, FULL_REQUEST)
    job = Job.objects.get()
    tina.role = "village_admin"  # moved to a village information point meanwhile
    tina.save(update_fields=["role"])
    job = jobs_actions.run_job(job=job)
    assert job.status == JobStatus.FAILED
    assert job.error == "You may no longer do this: your account's role or region has changed."
    assert not job.has_file
    assert not AuditEvent.objects.filter(action="household.export_full").exists()


def test_a_background_export_may_not_be_started_by_those_who_may_not_export(homes, vera, settings):
    settings.TONGXING_BACKGROUND_ROWS = 0
    response = client_for(vera).post(URL, FULL_REQUEST)
    assert response.status_code == 403
    assert not Job.objects.exists()


# --- Formulas and characters no spreadsheet can hold --------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","点此")', "+86 1", "-1+2", "@SUM(A1)"]


def test_names_that_look_like_formulas_are_exported_as_text(tree, alice):
    from tongxing.registry.models import Relation

    others = [
        records.MemberData(name=name, relation=Relation.CHILD, id_number=id_number(10 + n))
        for n, name in enumerate(FORMULAS)
    ]
    register(number="=1+1", others=others)
    response = client_for(alice).post(URL)
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [(cell.value, cell.data_type) for cell in sheet["D"][1:]]
    assert sorted(names) == sorted([("张建国", "s")] + [(name, "s") for name in FORMULAS])
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+1", "s")


def test_a_stored_control_character_does_not_break_the_export(tree, alice):
    household = register()
    # Stored before the text cleaner existed: a BEL in a member's name.
    Member.objects.filter(household=household).update(name="张\x07建国")
    response = client_for(alice).post(URL)
    assert response.status_code == 200
    cell = load_workbook(io.BytesIO(response.content)).active["D2"]
    assert (cell.value, cell.data_type) == ("张\ufffd建国", "s")
    content = export_members(Household.objects.all(), full_numbers=True)
    assert load_workbook(io.BytesIO(content)).active["D2"].value == "张\ufffd建国"


def test_organisation_names_that_look_like_formulas_are_exported_as_text(tina):
    organisation(name="=cmd|' /C calc'!A0", serial=3)
    response = client_for(tina).get("/registry/organisations/export/")
    cell = load_workbook(io.BytesIO(response.content)).active["A2"]
    assert (cell.value, cell.data_type) == ("=cmd|' /C calc'!A0", "s")


def test_the_marked_copy_writes_formulas_as_text_and_survives_control_characters():
    content = (
        '姓名,与户主关系,备注\n=HYPERLINK("http://evil.example"),户主,@x\n+1,子,\x07铃\n'
    ).encode()
    source = io.BytesIO(content)
    source.name = "r.csv"
    errors = [RowError(2, "relation", "=1+1 is wrong")]
    copy = write_marked_copy(source, errors, {"name": "姓名", "relation": "与户主关系"})
    rows = list(load_workbook(io.BytesIO(copy)).active.iter_rows())
    assert [(c.value, c.data_type) for c in rows[1]] == [
        ('=HYPERLINK("http://evil.example")', "s"),
        ("户主", "s"),
        ("@x", "s"),
        ("与户主关系: =1+1 is wrong", "s"),
    ]
    assert rows[1][1].comment.text == "=1+1 is wrong"
    assert [(c.value, c.data_type) for c in rows[2][:3]] == [
        ("+1", "s"),
        ("子", "s"),
        ("\ufffd铃", "s"),
    ]


def test_the_export_masks_phone_numbers_too(tree, alice):
    register(head_phone=phone(7))
    response = client_for(alice).post(URL)
    assert workbook_rows(response.content)[1][8] == "138****0007"
