"""Background jobs: handed to a worker after commit, seen by their owner only, found dead
when their worker died, their sealed files fetched with an audit row and swept after a
week."""

import datetime
import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import api_client_for, client_for
from tongxing.audit.models import AuditEvent
from tongxing.jobs import actions, files
from tongxing.jobs.models import Job, JobStatus
from tongxing.registry import jobs as registry_jobs
from tongxing.registry.models import Household
from tongxing.registry.tests.factories import id_number

ROSTER = (
    "户编号,所在村,姓名,与户主关系,身份证号\n"
    f"H100,桃李村,刘一,户主,{id_number(40)}\n"
    f"H100,桃李村,刘二,之子,{id_number(41)}X\n"
).encode()


def queued_import(user, settings, content=ROSTER) -> Job:
    settings.TONGXING_BACKGROUND_ROWS = 0
    return registry_jobs.import_roster(
        upload=SimpleUploadedFile("roster.csv", content),
        filename="roster.csv",
        by=user,
        partial=False,
        dry_run=False,
    )


def test_a_job_waits_sealed_until_it_runs_and_keeps_its_result_and_file(vera, settings):
    job = queued_import(vera, settings)
    assert job.status == JobStatus.QUEUED
    sealed = (files.folder(job.directory) / files.INPUT).read_bytes()
    assert sealed.startswith(files.SEALED) and id_number(40).encode() not in sealed
    job = actions.run_job(job=job)
    assert job.status == JobStatus.DONE
    assert (job.result["error_count"], job.result["errors"][0]["row"]) == (1, 3)
    assert job.has_file and job.output_name == "roster-checked.xlsx"
    assert not (files.folder(job.directory) / files.INPUT).exists()
    assert files.read_part(job, files.OUTPUT).startswith(b"PK")
    # Running it again changes nothing: a job runs once.
    assert actions.run_job(job=job).finished_at == job.finished_at


def test_only_the_owner_sees_a_job_page_api_and_file(vera, tina, alice, settings):
    job = actions.run_job(job=queued_import(vera, settings))
    for other in (tina, alice):
        assert client_for(other).get(f"/jobs/{job.pk}/download/").status_code == 404
        assert api_client_for(other).get(f"/api/v1/jobs/{job.pk}").status_code == 404
        assert api_client_for(other).get(f"/api/v1/jobs/{job.pk}/download").status_code == 404
    assert client_for(None).get(f"/jobs/{job.pk}/download/").status_code == 302
    assert not AuditEvent.objects.filter(action="job.download").exists()
    assert client_for(vera).get(f"/jobs/{job.pk}/download/").status_code == 200
    event = AuditEvent.objects.get(action="job.download")
    assert (event.actor, event.object_id, event.after["kind"]) == (
        vera,
        str(job.pk),
        "household_import",
    )


def test_a_file_that_no_longer_opens_is_not_found(vera, settings):
    job = actions.run_job(job=queued_import(vera, settings))
    path = files.folder(job.directory) / files.OUTPUT
    sealed = path.read_bytes()
    path.write_bytes(sealed[:-1] + bytes([sealed[-1] ^ 1]))  # one bit of the tag flipped
    assert client_for(vera).get(f"/jobs/{job.pk}/download/").status_code == 404
    assert not AuditEvent.objects.filter(action="job.download").exists()


def test_the_owner_who_lost_the_role_gets_no_file(vera, settings):
    job = actions.run_job(job=queued_import(vera, settings))
    vera.role = "viewer"
    vera.save(update_fields=["role"])
    assert client_for(vera).get(f"/jobs/{job.pk}/download/").status_code == 403


def claimed_by_a_worker(job: Job, *, beat_seconds_ago: float) -> Job:
    """The job as a worker left it when it died: running, its last heartbeat long ago."""
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    files.write_progress(job.directory, {"stage": "checking", "done": 1, "total": 2})
    state = json.loads((files.folder(job.directory) / files.PROGRESS).read_text())
    state["beat"] = time.time() - beat_seconds_ago
    (files.folder(job.directory) / files.PROGRESS).write_text(json.dumps(state))
    job.refresh_from_db()
    return job


def test_a_job_whose_heartbeat_stopped_is_marked_failed_when_looked_at(vera, settings):
    job = claimed_by_a_worker(queued_import(vera, settings), beat_seconds_ago=10)
    assert actions.settle_stale(job=job).status == JobStatus.RUNNING
    claimed_by_a_worker(job, beat_seconds_ago=3 * 60)  # the worker died three minutes ago
    body = api_client_for(vera).get(f"/api/v1/jobs/{job.pk}").json()
    assert (body["status"], body["error"]) == (
        "failed",
        "The server stopped before the job finished: start it again.",
    )
    assert not (files.folder(job.directory) / files.INPUT).exists()
    assert not Household.objects.exists()


def test_a_job_waiting_for_a_worker_is_not_stale_however_long_it_waits(vera, settings):
    job = queued_import(vera, settings)
    later = timezone.now() + datetime.timedelta(hours=5)
    assert actions.settle_stale(job=job, now=later).status == JobStatus.QUEUED
    assert api_client_for(vera).get(f"/api/v1/jobs/{job.pk}").json()["status"] == "queued"


def test_the_daily_sweep_deletes_week_old_jobs_with_their_files(vera, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    legacy = tmp_path / "var" / "import-reports"
    legacy.mkdir(parents=True)
    (legacy / "3-abc.xlsx").write_bytes(b"an old copy with full numbers")
    old = actions.run_job(job=queued_import(vera, settings))
    new = actions.run_job(job=queued_import(vera, settings))
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    dead = claimed_by_a_worker(queued_import(vera, settings), beat_seconds_ago=600)
    assert actions.sweep_jobs() == (1, 1)
    assert set(Job.objects.values_list("pk", "status")) == {
        (new.pk, JobStatus.DONE),
        (dead.pk, JobStatus.FAILED),
    }
    assert not files.folder(old.directory).exists()
    assert files.folder(new.directory).exists()
    assert list(legacy.iterdir()) == []
    assert AuditEvent.objects.get(action="job.delete_old").after == {"jobs": 1, "days": 7}
    assert actions.sweep_jobs() == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_started_job_is_handed_to_the_worker_after_commit_and_run_there(settings):
    from conftest import TREE, VILLAGE_A1, make_user
    from tongxing.regions.actions import import_regions

    import_regions(rows=list(enumerate(TREE, start=2)), by=None)
    vera = make_user("vera", "village_admin", VILLAGE_A1)
    good = ROSTER.replace(f"{id_number(41)}X".encode(), id_number(41).encode())
    job = queued_import(vera, settings, good)
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == (
        "tongxing.jobs.tasks.run_background_job",
        [job.pk],
    )
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # no worker has taken it yet
    # What `tongxing db_worker` does beside the server, here until the queue is empty.
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.result["members_created"] == 2
    assert Household.objects.get().registry_number == "H100"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
