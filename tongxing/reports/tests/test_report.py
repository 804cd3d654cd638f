"""The annual report on the needs board's hand-built records: the three languages, the four
formats (the Word file read back, and converted to PDF by LibreOffice where it is
installed), the parts whose records are not kept, an office's own wording, bad input, and
the page within the caller's scope."""

import datetime
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from conftest import CITY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, client_for
from tongxing.commerce.tests.test_fair import stalls  # noqa: F401 (the fixture)
from tongxing.indicators import engine
from tongxing.jobs.models import Job
from tongxing.jobs.tasks import run_background_job
from tongxing.needs.tests.test_figures import board  # noqa: F401 (the fixture)
from tongxing.regions.models import Region
from tongxing.reports import document, wording
from tongxing.reports.generate import generate

YEAR = timezone.localdate().year
START = datetime.date(YEAR, 1, 1)
NOT_KEPT = {
    "zh-hans": "这部分工作的记录还没有在同行平台登记，本年度暂不报告数字。",
    "en": "The records of this work are not kept in Tongxing yet",
}


def report(code: str, lang: str, format: str) -> bytes:
    region = Region.objects.get(code=code)
    content, _name = generate(
        region=region, year=YEAR, lang=lang, format=format, today=timezone.localdate()
    )
    return content


def as_json(code: str, lang: str) -> dict:
    return json.loads(report(code, lang, "json"))


def section(data: dict, starts: str) -> dict:
    return next(part for part in data["sections"] if part["heading"].startswith(starts))


# --- The languages ---------------------------------------------------------------------------


def test_the_simplified_report_fills_the_figures_in_the_reports_units(board):  # noqa: F811
    text = report(CITY, "zh-hans", "md").decode()
    assert text.startswith(f"# 青禾市{YEAR}年度社会帮扶工作总结")
    assert "平台累计发布物品需求3条，已对接1条，对接率33.33%。" in text
    assert "累计发布资金需求1条，已对接1条，对接率100.00%。" in text
    assert "筹集微心愿善款0.01万元" in text
    assert "登记的困难户和脱贫户共3户" in text
    day = timezone.localdate()
    assert f"截至{day.year}年{day.month}月{day.day}日，" in text
    # Every part's records are kept now: none says it is not, and no figure is "not recorded".
    assert text.count(NOT_KEPT["zh-hans"]) == 0
    assert "not recorded" not in text and "尚未记录" not in text
    assert "None" not in text and "{{" not in text


def test_the_traditional_report_is_made_from_the_simplified_one(board, settings):  # noqa: F811
    text = report(CITY, "zh-hant", "md").decode()
    assert "社會幫扶工作總結" in text
    assert "0.01萬元" in text
    assert "對接率33.33%" in text
    assert "帮扶" not in text
    settings.TONGXING_TRADITIONAL = "hk"
    assert wording.traditional("软件") == "軟件"
    settings.TONGXING_TRADITIONAL = "tw"
    assert wording.traditional("软件") == "軟體"


def test_the_english_report_has_its_own_wording(board):  # noqa: F811
    text = report(CITY, "en", "md").decode()
    assert "3 needs for goods were posted and 1 matched: a match rate of 33.33%." in text
    assert "raised 80 yuan for the micro-wishes" in text
    assert text.count(NOT_KEPT["en"]) == 0
    assert "万元" not in text and "not recorded yet" not in text
    # Words agree with their figure: one need, three needs; never "1 needs".
    assert "1 funding need was posted and 1 matched" in text
    assert not wording.PLURAL.search(text)


def test_english_counts_have_thousands_separators_and_years_do_not():
    def shown(code, value, lang="en"):
        figure = engine.Figure(value, engine.COMPUTED)
        return document.figure_ref(code, figure, lang, CITY, START, START).shown

    assert shown("platform.donors_registered", 2_000_001) == "2,000,001"
    assert shown("platform.donors_registered", 2_000_001, "zh-hans") == "2000001"
    assert shown("policy.compendium_year", YEAR) == str(YEAR)
    assert shown("pairing.program_start_month", 3) == "3"
    assert shown("wishes.raised_fen", 123_456_78) == "123,457 yuan"


def test_a_word_agrees_with_the_figure_before_it(board, settings, tmp_path):  # noqa: F811
    settings.TONGXING_REPORT_WORDING = tmp_path
    (tmp_path / "en.md").write_text(
        "title: {{ region }} {{ year }}\n"
        "not-kept: Not kept.\n"
        "figures: Figures\nfigure-column: What\nvalue-column: How many\n\n"
        "## Needs\n"
        "{{ needs.goods.posted }} [need was|needs were] posted, "
        "{{ needs.funds.posted }} [fund|funds].\n",
        encoding="utf-8",
    )
    assert section(as_json(CITY, "en"), "Needs")["paragraphs"] == ["3 needs were posted, 1 fund."]
    assert section(as_json(TOWNSHIP_B, "en"), "Needs")["paragraphs"] == [
        "1 need was posted, 0 funds."
    ]
    (tmp_path / "en.md").write_text(
        "title: {{ region }}\nnot-kept: No.\nfigures: F\nfigure-column: W\nvalue-column: V\n\n"
        "[One|Many] needs: {{ needs.goods.posted }}.\n",
        encoding="utf-8",
    )
    with pytest.raises(wording.WordingError, match="line 7: no figure before \\[One\\|Many\\]"):
        wording.load("en")


def test_every_packaged_wording_parses_and_names_only_known_figures():
    for lang in wording.LANGUAGES:
        loaded = wording.load(lang)
        assert [part.level for part in loaded.parts].count(2) == 4


# --- Parts not kept, and an office's own wording ---------------------------------------------


def test_a_sentence_with_a_figure_not_kept_or_of_nothing_is_left_out(
    board,  # noqa: F811
    settings,
    tmp_path,
):
    settings.TONGXING_REPORT_WORDING = tmp_path
    (tmp_path / "en.md").write_text(
        "title: {{ region }} {{ year }}\n"
        "not-kept: Not kept.\n"
        "figures: Figures\nfigure-column: What\nvalue-column: How many\n\n"
        "## Mixed\n"
        "The plans were met at {{ plans.target_attainment }}.\n"
        "{{ needs.goods.posted }} goods needs were posted.\n"
        "{{ needs.funds.posted }} funding needs, matched at {{ needs.funds.match_rate }}.\n",
        encoding="utf-8",
    )
    data = as_json(TOWNSHIP_B, "en")
    mixed = section(data, "Mixed")
    # The plans are not kept and B's funding needs have no rate: both sentences go.
    assert mixed["kept"] is True
    assert mixed["paragraphs"] == ["1 goods needs were posted."]
    # The table shows the figures the part keeps, as they stand; never "not recorded".
    shown = {code: figure["display"] for code, figure in mixed["figures"].items()}
    assert shown == {
        "needs.goods.posted": "1",
        "needs.funds.posted": "0",
        "needs.funds.match_rate": "—",
    }


def test_a_part_whose_records_are_not_kept_says_one_sentence(
    board,  # noqa: F811
    settings,
    tmp_path,
):
    # Every part of the packaged wording is kept now; an office's own part on the units'
    # plans (not recorded yet) shows how a part without records reads.
    settings.TONGXING_REPORT_WORDING = tmp_path
    (tmp_path / "zh-hans.md").write_text(
        "title: {{ region }}{{ year }}年度总结\n"
        f"not-kept: {NOT_KEPT['zh-hans']}\n"
        "figures: 本部分主要数据\nfigure-column: 指标\nvalue-column: 数值\n\n"
        "## 一、计划\n"
        "各单位年度计划完成{{ plans.target_attainment }}。\n\n"
        "## 二、平台\n"
        "平台累计发布物品需求{{ needs.goods.posted }}条。\n",
        encoding="utf-8",
    )
    data = as_json(CITY, "zh-hans")
    assert section(data, "一、计划") == {
        "level": 1,
        "heading": "一、计划",
        "kept": False,
        "paragraphs": [NOT_KEPT["zh-hans"]],
        "figures": {},
    }
    platform = section(data, "二、平台")
    assert platform["kept"] is True
    assert platform["figures"]["needs.goods.posted"]["value"] == 3
    html = report(CITY, "zh-hans", "html").decode()
    today = timezone.localdate().isoformat()
    link = (
        f'href="/indicators/needs.goods.posted/records/?region={CITY}'
        f'&amp;from={START.isoformat()}&amp;to={today}"'
    )
    assert link in html
    assert "<h2>一、计划</h2>" in html
    # Only computed figures link: the not-kept one does not.
    assert "/indicators/plans." not in html


def test_the_packaged_report_links_its_figures_under_its_headings(board):  # noqa: F811
    html = report(CITY, "zh-hans", "html").decode()
    assert "<h2>一、宣传发动与典型选树</h2>" in html
    assert "<h3>（一）微心愿</h3>" in html
    assert 'href="/indicators/pairing.pledged_fen/records/?region=' in html


def test_the_json_keeps_each_figure_with_its_state_and_records(board):  # noqa: F811
    data = as_json(CITY, "en")
    assert (data["region"], data["year"], data["lang"]) == (CITY, YEAR, "en")
    figure = section(data, "3.2")["figures"]["needs.goods.match_rate"]
    assert figure["value"] == 33.33 and figure["display"] == "33.33%"
    assert figure["state"] == "computed"
    assert figure["records"].startswith("/indicators/needs.goods.match_rate/records/?region=")


def read_docx(content: bytes):
    from docx import Document

    return Document(io.BytesIO(content))


def test_the_word_file_has_headings_tables_and_page_numbers(board):  # noqa: F811
    document = read_docx(report(CITY, "zh-hans", "docx"))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name != "Normal"]
    assert ("Title", f"青禾市{YEAR}年度社会帮扶工作总结") in headings
    assert ("Heading 1", "一、宣传发动与典型选树") in headings
    assert ("Heading 2", "（二）“互联网+”社会帮扶平台") in headings
    # A table of the key figures for each part with figures: every part but the last.
    parts = [part for part in as_json(CITY, "zh-hans")["sections"] if part["figures"]]
    assert len(document.tables) == len(parts) == 10
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]
    assert all(rows[0] == ["指标", "数值"] for rows in tables)
    assert any(["物品需求对接率", "33.33%"] in rows for rows in tables)
    footer = document.sections[0].footer._element.xml
    assert 'w:fldCharType="begin"' in footer and " PAGE " in footer


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_word_file_opens_in_libreoffice(board, tmp_path):  # noqa: F811
    source = tmp_path / "report.docx"
    source.write_bytes(report(CITY, "en", "docx"))
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000


# --- The command and its bad input -----------------------------------------------------------


def test_the_command_refuses_an_unknown_region(tree, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("report", "--year", str(YEAR), "--region", "599999999999")
    assert caught.value.returncode == 2
    assert str(caught.value) == "No region 599999999999."


def test_the_command_writes_each_format(board, tmp_path):  # noqa: F811
    for format in ("docx", "html", "md", "json"):
        out = tmp_path / f"r.{format}"
        call_command("report", "--year", str(YEAR), "--lang", "en", "--format", format, "-o", out)
        assert out.stat().st_size > 500
    assert json.loads((tmp_path / "r.json").read_text())["region"] == CITY


CLI = Path(sys.executable).parent / "tongxing"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--year", str(YEAR + 1)], "Give a year from 2000 to this year."),
        (["--lang", "fr"], "Give a language: zh-hans, zh-hant or en."),
        (["--format", "pdf"], "Give a format: docx, html, md or json."),
    ],
)
def test_bad_flags_exit_2_with_one_line(args, says, tmp_path):
    if "--year" not in args:
        args = ["--year", str(YEAR), *args]
    done = subprocess.run(
        [str(CLI), "report", *args, "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    with translation.override("zh-hans"):
        expected = gettext(says)
    assert expected in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not done.stdout
    assert not (tmp_path / "out").exists()


# --- The page --------------------------------------------------------------------------------


def test_a_city_admin_writes_and_downloads_the_report(board, alice):  # noqa: F811
    client = client_for(alice)
    page = client.get("/reports/")
    assert page.status_code == 200
    assert f'<option value="{TOWNSHIP_A}"' in page.content.decode()
    assert f'<option value="{VILLAGE_A1}"' not in page.content.decode()
    answer = client.post(
        "/reports/", {"region": CITY, "year": YEAR, "lang": "zh-hans", "format": "docx"}
    )
    assert answer.status_code == 200
    link = answer.context["job"]
    assert link.status == "done", link.error
    download = client.get(f"/jobs/{link.pk}/download/")
    assert download.status_code == 200
    document = read_docx(download.content)
    assert document.paragraphs[0].text == f"青禾市{YEAR}年度社会帮扶工作总结"


def test_a_township_admin_writes_for_a_region_of_theirs_only(board, tina):  # noqa: F811
    client = client_for(tina)
    data = {"year": YEAR, "lang": "en", "format": "md"}
    assert client.post("/reports/", {**data, "region": CITY}).status_code == 404
    assert client.post("/reports/", {**data, "region": TOWNSHIP_B + "000"}).status_code == 404
    assert client.post("/reports/", {**data, "region": "599999999999"}).status_code == 404
    mine = client.post("/reports/", {**data, "region": TOWNSHIP_A})
    assert mine.context["job"].status == "done"


def test_the_page_refuses_bad_fields_beside_them(board, alice):  # noqa: F811
    client = client_for(alice)
    answer = client.post(
        "/reports/", {"region": CITY, "year": YEAR + 1, "lang": "fr", "format": "pdf"}
    )
    assert answer.status_code == 400
    form = answer.context["form"]
    assert set(form.errors) == {"lang", "format"}
    answer = client.post(
        "/reports/", {"region": CITY, "year": YEAR + 1, "lang": "en", "format": "md"}
    )
    assert answer.status_code == 400
    assert answer.context["form"].errors == {"year": ["Give a year from 2000 to this year."]}
    assert answer.context["job"] is None


def test_accounts_without_a_region_may_not_open_the_page(dora):
    assert client_for(dora).get("/reports/").status_code == 403
    assert client_for(None).get("/reports/").status_code == 302


def test_a_report_larger_than_a_city_is_written_by_the_worker_with_its_progress(
    board,  # noqa: F811
    alice,
    tina,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.TONGXING_BACKGROUND_HOUSEHOLDS = 0  # every region is "larger than a city" here
    client = client_for(alice)
    data = {"region": CITY, "year": YEAR, "lang": "en", "format": "md"}
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/reports/", data, headers={"HX-Request": "true"})
    job_id = DBTaskResult.objects.get().args_kwargs["args"][0]
    assert answer.status_code == 200
    assert answer["HX-Redirect"] == f"/reports/jobs/{job_id}/"
    # Before a worker takes it, the page says it waits its turn, and polls.
    waiting = client.get(f"/reports/jobs/{job_id}/")
    assert "Waiting its turn" in waiting.content.decode()
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert "Anping" not in waiting.content.decode() and "青禾市" in waiting.content.decode()
    # Another account, even of the same city, does not see it.
    assert client_for(tina).get(f"/reports/jobs/{job_id}/").status_code == 404
    # What the worker does with the task (tongxing/jobs/tests runs a real worker on one).
    run_background_job.call(job_id)
    done = client.get(f"/reports/jobs/{job_id}/", headers={"HX-Request": "true"})
    body = done.content.decode()
    assert 'data-testid="download-report"' in body and "hx-trigger" not in body
    job = Job.objects.get(pk=job_id)
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    markdown = client.get(f"/jobs/{job_id}/download/").content.decode()
    assert (
        markdown.splitlines()[0] == f"# Social assistance in 青禾市: the annual report for {YEAR}"
    )


def test_the_report_tells_its_steps_in_order(board):  # noqa: F811
    steps = []
    generate(
        region=Region.objects.get(code=CITY),
        year=YEAR,
        lang="en",
        format="json",
        today=timezone.localdate(),
        step=steps.append,
    )
    assert steps == ["figures", "wording", "writing"]


# --- The consumption fair --------------------------------------------------------------------


def test_the_consumption_part_tells_the_fair_from_its_sales_records(stalls):  # noqa: F811
    city = Region.objects.get(code=CITY)
    content, _name = generate(
        region=city, year=2025, lang="zh-hans", format="md", today=datetime.date(2026, 1, 10)
    )
    text = content.decode()
    # test_fair.py works these out: 12,300 viewers, 110 orders worth 9,000 yuan online;
    # 3 enterprises 5,000 yuan and 2 townships 1,080 yuan offline; 15,080 yuan in all.
    assert (
        "消费帮扶赶集会以视频直播带货、网货带货为特色，累计吸引线上观看12300人次，"
        "线上销售110单，销售金额0.90万元。"
    ) in text
    assert (
        "赶集会线下3家企业销售额0.50万元，2个乡镇的展位销售额0.11万元，线上线下合计1.51万元。"
    ) in text
    english = generate(
        region=city, year=2025, lang="en", format="md", today=datetime.date(2026, 1, 10)
    )[0].decode()
    assert "At its stalls 3 enterprises sold" in english
