"""Importing sales through the page as a background job: a large file goes to the jobs'
worker and the page follows it; its faults are listed by row and nothing is written; the
owner's rights are checked again when the job runs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from conftest import client_for
from tongxing.audit.models import AuditEvent
from tongxing.commerce import jobs as sales_jobs
from tongxing.commerce.models import Sale
from tongxing.commerce.tests.factories import rep_of, supplier
from tongxing.jobs import actions as jobs_actions
from tongxing.jobs.models import Job, JobStatus
from tongxing.registry.models import Person

HEADER = "销售日期,销售主体,销售渠道,销售金额,订单号\n"
GOOD = (
    HEADER
    + "2025-05-01,青禾农业合作社,线上,12.50,A-1\n"
    + "2025-05-02,青禾农业合作社,线下,7,A-2\n"
    + "2025-05-03,青禾农业合作社,线上,0.5,A-3\n"
).encode()
# Row 3 names a seller no one has registered, row 4 an amount in words.
BAD = (
    HEADER
    + "2025-05-01,青禾农业合作社,线上,12.50,B-1\n"
    + "2025-05-02,无名商行,线下,7,B-2\n"
    + "2025-05-03,青禾农业合作社,线上,十元,B-3\n"
).encode()


def post(client, content: bytes, name: str):
    return client.post("/commerce/sales/import/", {"file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_imported_by_the_worker_while_the_page_follows_it(tina, settings):
    settings.TONGXING_BACKGROUND_ROWS = 2  # three rows: the worker's
    supplier()  # 青禾农业合作社 of village A1, in Tina's township A
    client = client_for(tina)
    response = post(client, GOOD, "good.csv")
    job = Job.objects.get(kind=sales_jobs.IMPORT)
    assert response.status_code == 302
    assert response["Location"] == f"/commerce/sales/import/{job.pk}/"
    # Before a worker takes it: the page says it waits, and nothing is written.
    waiting = client.get(response["Location"], headers={"HX-Request": "true"})
    assert waiting.status_code == 200 and "Waiting its turn" in waiting.content.decode()
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert not Sale.objects.exists()
    # What `tongxing db_worker` does beside the server, here until the queue is empty.
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.result["rows_read"], job.result["rows_imported"], job.result["rows_on_file"]) == (
        3,
        3,
        0,
    )
    assert job.result["amount_fen"] == 12_50 + 7_00 + 50
    assert sorted(Sale.objects.values_list("amount_fen", flat=True)) == [50, 7_00, 12_50]
    assert AuditEvent.objects.filter(action="sale.import", actor=tina).count() == 3
    done = client.get(response["Location"]).content.decode()
    assert "3 rows read: 3 sales imported, 0 already on file." in done
    assert "every 2s" not in done
    # The same file again, through the worker: every row is on file already.
    again = post(client, GOOD, "good.csv")
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    text = client.get(again["Location"]).content.decode()
    assert "3 rows read: 0 sales imported, 3 already on file." in text
    assert Sale.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_bad_file_run_by_the_worker_lists_its_faults_row_by_row_and_writes_nothing(
    tina, settings
):
    settings.TONGXING_BACKGROUND_ROWS = 2
    supplier()
    client = client_for(tina)
    response = post(client, BAD, "bad.csv")
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    job = Job.objects.get(kind=sales_jobs.IMPORT)
    assert job.status == JobStatus.DONE, job.error
    assert not job.result["ok"]
    assert [(e["row"], e["header"], e["message"]) for e in job.result["errors"]] == [
        (3, "销售主体", "No supplier “无名商行” in your region."),
        (4, "销售金额", "“十元” is not an amount in yuan."),
    ]
    assert (job.result["error_count"], job.result["error_rows"]) == (2, 2)
    text = client.get(response["Location"]).content.decode()
    assert "2 faults found: nothing was imported." in text
    assert "“十元” is not an amount in yuan." in text
    assert not Sale.objects.exists()
    assert not AuditEvent.objects.filter(action="sale.import").exists()


def test_a_small_file_is_imported_in_the_request_through_a_job(tina):
    supplier()
    response = post(client_for(tina), GOOD, "good.csv")
    assert response.status_code == 200
    assert "3 rows read: 3 sales imported, 0 already on file." in response.content.decode()
    assert Job.objects.get().status == JobStatus.DONE
    bad = post(client_for(tina), BAD, "bad.csv")
    assert bad.status_code == 400 and "2 faults found" in bad.content.decode()
    assert Sale.objects.count() == 3


def test_a_check_only_import_saves_nothing(tina):
    supplier()
    response = client_for(tina).post(
        "/commerce/sales/import/",
        {"file": SimpleUploadedFile("good.csv", GOOD), "dry_run": "on"},
    )
    assert response.status_code == 200
    assert "Only checked: nothing was saved." in response.content.decode()
    assert not Sale.objects.exists()


def test_an_org_rep_who_no_longer_speaks_for_the_seller_when_the_job_runs_imports_nothing(
    tree, olga, settings
):
    settings.TONGXING_BACKGROUND_ROWS = 0  # queued, as for the worker
    coop = supplier()
    rep_of(olga, coop.organisation)
    response = post(client_for(olga), GOOD, "good.csv")
    assert response.status_code == 302
    job = Job.objects.get()
    # Before the worker runs it, Olga's person record leaves the cooperative.
    Person.objects.filter(account=olga).update(organisation=None)
    job = jobs_actions.run_job(job=job)
    assert job.status == JobStatus.DONE
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [
        (2, "seller"),
        (3, "seller"),
        (4, "seller"),
    ]
    assert not Sale.objects.exists()


def test_no_one_but_its_owner_follows_a_sales_import(tina, alice, settings):
    settings.TONGXING_BACKGROUND_ROWS = 0
    supplier()
    response = post(client_for(tina), GOOD, "good.csv")
    assert client_for(alice).get(response["Location"]).status_code == 404
    assert client_for(tina).get(response["Location"]).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_api_hands_a_large_file_to_the_worker_and_answers_with_the_job(tina, settings):
    settings.TONGXING_BACKGROUND_ROWS = 2  # three rows: the worker's
    supplier()
    client = client_for(tina)
    response = client.post(
        "/api/v1/commerce/sales/import", {"file": SimpleUploadedFile("good.csv", GOOD)}
    )
    assert response.status_code == 202
    job = Job.objects.get(kind=sales_jobs.IMPORT)
    assert response.json()["id"] == job.pk
    assert not Sale.objects.exists()
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    followed = client.get(f"/api/v1/jobs/{job.pk}")
    assert followed.status_code == 200 and followed.json()["status"] == "done"
    assert Sale.objects.count() == 3


def test_the_api_imports_a_small_file_at_once_and_lists_bad_rows(tina):
    supplier()
    response = client_for(tina).post(
        "/api/v1/commerce/sales/import", {"file": SimpleUploadedFile("bad.csv", BAD)}
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["ok"], body["rows_imported"], body["error_count"]) == (False, 0, 2)
    assert [error["row"] for error in body["errors"]] == [3, 4]
    assert not Sale.objects.exists()
