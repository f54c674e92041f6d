"""Answer workbooks: download, fill in offline, upload, preview, apply; and every bad workbook refused."""

from __future__ import annotations

import gc
import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from survey.accounts.models import User
from survey.assessments import services
from survey.assessments.models import Assessment, Status
from survey.audit.models import AuditEvent
from survey.extensions import db
from survey.workbooks import layout


def senegal() -> Assessment:
    return db.session.scalar(sa.select(Assessment).join(Assessment.country).where(Assessment.status == Status.DRAFT))


def download(client, assessment: Assessment, lang: str = "en") -> openpyxl.Workbook:
    client.post("/language", data={"lang": lang})
    response = client.get(f"/assessments/{assessment.id}/workbook/download")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


def save(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, assessment: Assessment, data: bytes, name: str = "filled.xlsx"):
    return client.post(
        f"/assessments/{assessment.id}/workbook/upload",
        data={"workbook": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def row_of(book: openpyxl.Workbook, code: str):
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=3):
            if row[0].value == code:
                return sheet, row[0].row
    raise AssertionError(code)


def apply(client, assessment: Assessment, preview: str, keep=None):
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview).group(1)
    filename = re.search(r'name="filename" value="([^"]*)"', preview).group(1)
    kept = keep if keep is not None else re.findall(r'name="keep" value="([^"]+)"[^>]*checked', preview)
    versions = dict(re.findall(r'name="version-([^"]+)" value="(\d+)"', preview))
    data = {
        "token": token,
        "filename": filename,
        "keep": kept,
        "apply": "1",
        **{f"version-{code}": versions[code] for code in kept},
    }
    return client.post(f"/assessments/{assessment.id}/workbook/apply", data=data)


def indicator_codes(assessment: Assessment) -> dict[str, str]:
    """One indicator code of each kind in the framework: maturity and each fact type."""
    found = {}
    for indicator in assessment.framework_version.definition.all_indicators():
        found.setdefault(indicator.fact_type or "maturity", indicator.code)
    return found


# How a user types each answer in each language: a level from the drop-down, a number their way.
TYPED = {
    "en": {
        "maturity": "4. Strategic",
        "money": "1,500,000.75",
        "count": 12,
        "percent": 0.35,
        "boolean": "Yes",
        "date": date(2021, 5, 31),
    },
    "fr": {
        "maturity": 4,
        "money": "1 500 000,75",
        "count": "12",
        "percent": "35 %",
        "boolean": "Oui",
        "date": "31/05/2021",
    },
    "pt": {
        "maturity": 4,
        "money": "1500000,75",
        "count": 12,
        "percent": 0.35,
        "boolean": "Sim",
        "date": date(2021, 5, 31),
    },
    "ar": {
        "maturity": 4,
        "money": 1500000.75,
        "count": "١٢",
        "percent": 0.35,
        "boolean": "نعم",
        "date": date(2021, 5, 31),
    },
}


@pytest.mark.parametrize("lang", ["en", "fr", "pt", "ar"])
def test_round_trip_in_every_language(app, client, demo, auth, lang):
    assessment = senegal()
    auth.login("sn-coordinator")
    book = download(client, assessment, lang)
    codes = indicator_codes(assessment)
    for kind, typed in TYPED[lang].items():
        sheet, row = row_of(book, codes[kind])
        sheet.cell(row, layout.VALUE, typed)
        if kind == "money":
            sheet.cell(row, layout.EXTRA, "XOF")
        if kind == "maturity":
            sheet.cell(row, layout.URLS, "https://example.org/law")
            sheet.cell(row, layout.COMMENT, "Checked offline")
    response = upload(client, assessment, save(book))
    assert response.status_code == 200, response.text
    assert len(re.findall(r'name="keep"', response.text)) == len(TYPED[lang])
    assert apply(client, assessment, response.text).status_code == 302
    answers = services.answers_by_code(assessment)
    assert answers[codes["maturity"]].level == 4
    assert answers[codes["maturity"]].evidence_urls == "https://example.org/law"
    assert answers[codes["maturity"]].comment == "Checked offline"
    assert answers[codes["money"]].number_value == Decimal("1500000.75")
    assert answers[codes["money"]].currency == "XOF"
    assert answers[codes["count"]].number_value == 12
    assert answers[codes["percent"]].number_value == 35
    assert answers[codes["boolean"]].bool_value is True
    assert answers[codes["date"]].date_value == date(2021, 5, 31)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.indicator_code == codes["count"]).order_by(AuditEvent.id.desc())
    )
    assert event.detail.startswith("via workbook filled.xlsx (sha256 ")


def test_an_untouched_workbook_changes_nothing(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    response = upload(client, assessment, save(download(client, assessment)))
    assert response.status_code == 200
    assert 'name="keep"' not in response.text


def test_cancelled_preview_changes_nothing(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    book = download(client, assessment)
    code = indicator_codes(assessment)["count"]
    sheet, row = row_of(book, code)
    sheet.cell(row, layout.VALUE, 77)
    preview = upload(client, assessment, save(book)).text
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview).group(1)
    client.post(f"/assessments/{assessment.id}/workbook/apply", data={"token": token, "cancel": "1"})
    assert (
        code not in services.answers_by_code(assessment)
        or services.answers_by_code(assessment)[code].number_value != 77
    )


def test_a_web_save_after_download_is_a_conflict(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    book = download(client, assessment)
    code = indicator_codes(assessment)["maturity"]
    # A colleague saves the same indicator on the web after the download.
    colleague = db.session.scalar(sa.select(User).where(User.username == "sn-contributor"))
    services.save_answers(assessment, {code: services.AnswerValues(state="level", level=1)}, colleague)
    db.session.commit()
    sheet, row = row_of(book, code)
    sheet.cell(row, layout.VALUE, 5)
    preview = upload(client, assessment, save(book)).text
    assert "Conflict" in preview and "Demo contributor, Senegal" in preview
    # The conflicting change is not kept by default: applying leaves the colleague's answer.
    assert not re.search(rf'value="{re.escape(code)}"[^>]*checked', preview)
    apply(client, assessment, preview)
    assert services.answers_by_code(assessment)[code].level == 1
    # Kept on purpose, it replaces the colleague's answer, which the user saw.
    preview = upload(client, assessment, save(book)).text
    assert apply(client, assessment, preview, keep=[code]).status_code == 302
    assert services.answers_by_code(assessment)[code].level == 5


def test_a_save_between_preview_and_apply_applies_nothing(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    book = download(client, assessment)
    codes = indicator_codes(assessment)
    for kind, value in (("maturity", 5), ("count", 99)):
        sheet, row = row_of(book, codes[kind])
        sheet.cell(row, layout.VALUE, value)
    preview = upload(client, assessment, save(book)).text
    colleague = db.session.scalar(sa.select(User).where(User.username == "sn-contributor"))
    services.save_answers(assessment, {codes["maturity"]: services.AnswerValues(state="level", level=1)}, colleague)
    db.session.commit()
    response = apply(client, assessment, preview)
    assert response.status_code == 409
    answers = services.answers_by_code(assessment)
    assert answers[codes["maturity"]].level == 1
    assert codes["count"] not in answers or answers[codes["count"]].number_value != 99


def refused(client, assessment, data, name="filled.xlsx", status=422) -> str:
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "answer.update"))
    response = upload(client, assessment, data, name)
    assert response.status_code == status, response.text
    after = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "answer.update", AuditEvent.outcome == "ok")
    )
    assert after <= before
    assert 'name="keep"' not in response.text
    return response.text


def test_bad_cells_are_named_by_sheet_and_cell(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    book = download(client, assessment, "fr")
    codes = indicator_codes(assessment)
    sheet, row = row_of(book, codes["maturity"])
    sheet.cell(row, layout.VALUE, "6. Parfait")
    money_sheet, money_row = row_of(book, codes["money"])
    money_sheet.cell(money_row, layout.VALUE, "1,500.000")  # English thousands in a French workbook
    money_sheet.cell(money_row, layout.EXTRA, "XOF")
    count_sheet, count_row = row_of(book, codes["count"])
    count_sheet.cell(count_row, layout.VALUE, 10**12)
    percent_sheet, percent_row = row_of(book, codes["percent"])
    percent_sheet.cell(percent_row, layout.VALUE, "=1/2")
    client.post("/language", data={"lang": "en"})
    text = refused(client, assessment, save(book))
    for where in (
        sheet.cell(row, layout.VALUE),
        money_sheet.cell(money_row, layout.VALUE),
        count_sheet.cell(count_row, layout.VALUE),
        percent_sheet.cell(percent_row, layout.VALUE),
    ):
        assert f"<td>{where.coordinate}</td>" in text
    assert "formula" in text


def test_moved_rows_and_deleted_sheets_are_refused(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    book = download(client, assessment)
    pillar_sheet = book.worksheets[2]
    pillar_sheet.move_range("A3:O4", rows=30)
    del book[book.sheetnames[3]]
    text = refused(client, assessment, save(book))
    assert "Rows were moved" in text and "deleted or renamed" in text


def test_tampered_signature_is_refused(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    book = download(client, assessment)
    signed = book[layout.MANIFEST_SHEET]
    signed["A1"] = signed["A1"].value.replace('"versions":{', '"versions":{"x":1,')
    assert "signature" in refused(client, assessment, save(book))
    del book[layout.MANIFEST_SHEET]
    assert "signature" in refused(client, assessment, save(book))


def test_another_assessments_workbook_is_refused(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    data = save(download(client, assessment))
    book = openpyxl.load_workbook(io.BytesIO(data))
    signed = book[layout.MANIFEST_SHEET]
    manifest = layout.Manifest.from_payload(signed["A1"].value)
    forged = layout.Manifest(**{**manifest.__dict__, "assessment": assessment.id + 1000})
    signed["A1"] = forged.payload()
    signed["A2"] = layout.signature(forged.payload(), app.config["SECRET_KEY"])
    assert "another assessment" in refused(client, assessment, save(book))


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_files_that_are_not_workbooks_are_refused(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    assert "not an Excel workbook" in refused(client, assessment, b"code,level\nlegal.x,3\n", "answers.xlsx")
    assert "not an Excel workbook" in refused(client, assessment, zip_of({"readme.txt": b"hi"}))
    assert "damaged" in refused(client, assessment, b"PK\x03\x04" + b"\x00" * 100)
    data = save(download(client, assessment))
    assert "macros" in refused(client, assessment, data, "filled.xlsm")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    assert "macros" in refused(client, assessment, zip_of({**parts, "xl/vbaProject.bin": b"\x00" * 10}))


# Werkzeug's test client spools a body this large to a temporary file it leaves to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_oversized_files_and_zip_bombs_are_refused(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    big = b"PK\x03\x04" + b"\x00" * (10 * 1024 * 1024 + 1)
    assert "larger than 10 MB" in refused(client, assessment, big)
    gc.collect()  # the client's spooled body goes now, within this test's warning filter
    bomb = zip_of(
        {
            "[Content_Types].xml": b"<x/>",
            "xl/workbook.xml": b"<x/>",
            "xl/worksheets/sheet1.xml": b"\x00" * (80 * 1024 * 1024),
        }
    )
    assert len(bomb) < 1024 * 1024
    assert "too large once unpacked" in refused(client, assessment, bomb)


def test_a_submitted_assessment_refuses_uploads(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    data = save(download(client, assessment))
    assessment.status = Status.SUBMITTED
    db.session.commit()
    assert "can no longer be changed" in refused(client, assessment, data, status=409)


def test_contributor_gets_only_assigned_pillars_and_cannot_upload_others(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-contributor")
    own = download(client, assessment)
    assert len([s for s in own.sheetnames if not s.startswith("_")]) == 1 + 4  # instructions, four pillars
    auth.logout()
    auth.login("sn-coordinator")
    everything = save(download(client, assessment))
    auth.logout()
    auth.login("sn-contributor")
    response = upload(client, assessment, everything)
    assert response.status_code == 403
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.outcome == "refused").order_by(AuditEvent.id.desc())
    )
    assert "pillar not assigned" in event.detail and event.username == "sn-contributor"


def test_validators_have_no_workbook(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-validator")
    assert client.get(f"/assessments/{assessment.id}/workbook/download").status_code == 403


def test_blank_questionnaire_from_the_framework_page_in_the_readers_language(app, client, demo):
    page = client.get("/framework?lang=fr").get_data(as_text=True)
    link = re.search(r'href="(/framework/\d+/workbook)"', page).group(1)
    assert "Télécharger le questionnaire vierge (Excel)" in page
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert (
        "questionnaire" in response.headers["Content-Disposition"]
        and "-fr.xlsx" in response.headers["Content-Disposition"]
    )
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.worksheets[0].title == "Comment remplir"
    assert "questionnaire vierge" in book.worksheets[0]["A2"].value
    sheet, row = row_of(book, "legal.substantive_offences")
    assert sheet.cell(row, layout.VALUE).value is None and sheet.cell(row, layout.QUESTION).value
    assert book[layout.MANIFEST_SHEET]["A1"].value == layout.BLANK and book[layout.MANIFEST_SHEET]["A2"].value is None


def test_a_blank_questionnaire_cannot_be_uploaded(app, client, demo, auth):
    assessment = senegal()
    auth.login("sn-coordinator")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/framework/workbook").data))
    sheet, row = row_of(book, "legal.substantive_offences")
    sheet.cell(row, layout.VALUE, "4. Strategic")
    message = refused(client, assessment, save(book))
    assert "This is the blank questionnaire, for preparation only" in message
