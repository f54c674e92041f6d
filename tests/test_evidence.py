"""Evidence files: what is accepted, who may download them, and what the audit trail keeps."""

from __future__ import annotations

import io
import socket
import threading
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.accounts.models import User
from survey.assessments import services
from survey.assessments.models import Assessment, Status
from survey.audit.models import AuditEvent
from survey.evidence.models import EvidenceFile
from survey.extensions import db
from tests.conftest import Auth

CODE = "legal.substantive_offences"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def office(entries: dict[str, bytes], stored_first: str | None = None) -> bytes:
    """A ZIP archive with these entries (the first one stored uncompressed, as ODT requires)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), entries.pop(stored_first), zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ACCEPTED = {
    "pdf": ("cybercrime-act.pdf", PDF),
    "png": ("gazette.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
    "jpeg": ("decree.jpg", b"\xff\xd8\xff\xe0\0\x10JFIF" + b"\0" * 64),
    "docx": ("decree.docx", office({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})),
    "xlsx": ("budget.xlsx", office({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})),
    "odt": (
        "strategy.odt",
        office(
            {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document-content/>"},
            stored_first="mimetype",
        ),
    ),
}


@pytest.fixture
def ghana(app, demo, tmp_path, monkeypatch) -> int:
    """Ghana's 2026 assessment, started, with evidence stored in a temporary folder."""
    monkeypatch.setitem(app.config, "EVIDENCE_DIR", str(tmp_path / "evidence"))
    coordinator = db.session.scalar(sa.select(User).where(User.username == "gh-coordinator"))
    assessment = services.start_assessment(coordinator, services.current_cycle())
    db.session.commit()
    return assessment.id


def upload(client, assessment_id: int, name: str, data: bytes, lang: str = "en"):
    return client.post(
        f"/assessments/{assessment_id}/evidence/{CODE}?lang={lang}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored_blobs(app) -> list[Path]:
    return [p for p in Path(app.config["EVIDENCE_DIR"]).rglob("*") if p.is_file()]


def audit(action: str, outcome: str = "ok") -> list[AuditEvent]:
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == outcome))
    )


def attached(client, auth, ghana, name="cybercrime-act.pdf", data=PDF, user="gh-contributor") -> EvidenceFile:
    auth.login(user)
    assert upload(client, ghana, name, data).status_code == 302
    auth.logout()
    return db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.filename == name)).one()


@pytest.mark.parametrize("kind", sorted(ACCEPTED))
def test_each_accepted_kind_is_attached_and_listed_under_the_answer(app, client, auth, ghana, kind):
    name, data = ACCEPTED[kind]
    auth.login("gh-contributor")
    response = upload(client, ghana, name, data)
    assert response.status_code == 302
    file = db.session.scalars(sa.select(EvidenceFile)).one()
    assert (file.kind, file.size, file.scan, file.is_public) == (kind, len(data), "not_scanned", False)
    assert stored_blobs(app)[0].read_bytes() == data
    assert name in client.get(f"/assessments/{ghana}/pillars/legal").get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    assert name in page and "Not scanned" in page
    [event] = audit("evidence.upload")
    assert event.indicator_code == CODE and event.new_value["file"] == name


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("scan.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("decree.docx", b"MZ\x90\0\x03\0\0\0" + b"\0" * 100),
        ("fake.docx", office({"evil.html": b"<html></html>"})),
    ],
    ids=["html-as-pdf", "svg-as-png", "program-as-docx", "zip-without-word-as-docx"],
)  # zips carry a time: stable ids
def test_a_renamed_page_image_or_program_is_refused_with_a_translated_message(app, client, auth, ghana, name, data):
    auth.login("gh-contributor")
    response = upload(client, ghana, name, data, lang="fr")
    assert response.status_code == 415
    assert "Ce type de fichier n’est pas accepté" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))) == 0
    assert stored_blobs(app) == [] if Path(app.config["EVIDENCE_DIR"]).exists() else True
    assert [e.detail for e in audit("evidence.upload", "refused")] == ["bad_type"]


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "C:\\secret\\act.pdf", "act\x07.pdf"])
def test_a_name_with_a_path_or_control_characters_is_refused(client, auth, ghana, name):
    auth.login("gh-contributor")
    response = upload(client, ghana, name, PDF)
    assert response.status_code in {400, 422}
    assert db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))) == 0


def test_a_zip_bomb_dressed_as_a_word_document_is_refused(client, auth, ghana):
    bomb = office({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    auth.login("gh-contributor")
    assert upload(client, ghana, "law.docx", bomb).status_code == 415
    assert db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))) == 0


def test_a_file_larger_than_the_site_form_limit_but_within_the_evidence_limit_is_accepted(app, client, auth, ghana):
    assert app.config["MAX_CONTENT_LENGTH"] < 3 * 1024 * 1024 < app.config["EVIDENCE_MAX_BYTES"]
    auth.login("gh-contributor")
    # Encoded in memory: the test client would spool a large form to a temporary file it never closes.
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(PDF + b"\0" * (3 * 1024 * 1024)), filename="big.pdf")}
    )
    response = client.post(
        f"/assessments/{ghana}/evidence/{CODE}", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 302


def test_a_file_over_the_limit_is_refused(app, client, auth, ghana, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 300_000)  # the app is shared: undone after the test
    auth.login("gh-contributor")
    response = upload(client, ghana, "big.pdf", PDF + b"\0" * 300_000, lang="pt")
    assert response.status_code == 413
    assert "0,3 MB" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))) == 0


class CountingStream(io.BytesIO):
    """A request body that counts how much of it the server read."""

    read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readinto(self, buffer) -> int:
        n = super().readinto(buffer)
        self.read_bytes += n
        return n


def test_a_body_announced_over_the_limit_is_refused_before_it_is_read(app, client, auth, ghana, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 1024 * 1024)  # the app is shared: undone after the test
    auth.login("gh-contributor")
    size = 30 * 1024 * 1024
    body = CountingStream(b"\0" * size)
    response = client.post(
        f"/assessments/{ghana}/evidence/{CODE}",
        input_stream=body,
        content_length=size,
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    assert "larger than 1 MB" in response.get_data(as_text=True)
    assert body.read_bytes < 2 * 1024 * 1024
    assert [e.detail for e in audit("evidence.upload", "refused")] == ["too_large"]


def test_the_download_is_an_attachment_never_shown_inline(client, auth, ghana):
    file = attached(client, auth, ghana)
    auth.login("gh-validator")
    response = client.get(f"/assessments/evidence/{file.id}")
    assert response.status_code == 200 and response.data == PDF
    response.close()
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "cybercrime-act.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert audit("evidence.download") == []  # Ghana's own team: not an outside reader


@pytest.mark.parametrize("reader", ["ng-contributor", "donor", None])
def test_nobody_outside_ghana_can_fetch_the_file_of_an_unreleased_assessment(client, auth, ghana, reader):
    file = attached(client, auth, ghana)
    if reader:
        auth.login(reader)
    assert client.get(f"/assessments/evidence/{file.id}").status_code == 404
    assert client.get(f"/assessments/{ghana}/evidence/{CODE}").status_code in {302, 404}
    if reader:
        assert any(e.detail == f"evidence file {file.id}" for e in audit("access.denied", "refused"))


def test_a_file_is_public_only_when_marked_public_and_the_results_are_released_publicly(app, client, auth, ghana):
    shared = attached(client, auth, ghana)
    kept = attached(client, auth, ghana, name="internal-memo.pdf", data=PDF + b"% memo\n")
    auth.login("gh-coordinator")
    assert client.post(f"/assessments/evidence/{shared.id}/share", data={"public": "1"}).status_code == 302
    auth.logout()
    assessment = db.session.get(Assessment, ghana)
    anonymous, donor = app.test_client(), app.test_client()
    Auth(donor).login("donor")

    def fetch(who, file) -> int:
        with who.get(f"/assessments/evidence/{file.id}") as response:
            return response.status_code

    assert (fetch(anonymous, shared), fetch(donor, shared)) == (404, 404)  # marked public, not released
    assessment.status, assessment.visibility = Status.VALIDATED, "donors"
    db.session.commit()
    assert (fetch(anonymous, shared), fetch(donor, shared)) == (404, 404)  # released, but not publicly
    assessment.visibility = "public"
    db.session.commit()
    assert (fetch(anonymous, shared), fetch(donor, shared)) == (200, 200)
    assert (fetch(anonymous, kept), fetch(donor, kept)) == (404, 404)  # released publicly, not marked
    assert len(audit("evidence.download")) == 2  # outside readers are audited
    assert audit("evidence.share")[0].new_value == {"file": "cybercrime-act.pdf", "public": True}


def test_removing_a_file_deletes_its_bytes_and_is_audited(app, client, auth, ghana):
    file = attached(client, auth, ghana)
    auth.login("gh-contributor")
    assert client.post(f"/assessments/evidence/{file.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))) == 0
    assert stored_blobs(app) == []
    assert audit("evidence.delete")[0].old_value["file"] == "cybercrime-act.pdf"


def test_a_contributor_cannot_attach_to_a_pillar_not_assigned_to_them(client, auth, ghana):
    auth.login("gh-contributor2")
    assert upload(client, ghana, "act.pdf", PDF).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))) == 0


def test_a_file_counts_as_evidence_and_the_validator_sees_it(client, auth, ghana):
    coordinator = db.session.scalar(sa.select(User).where(User.username == "gh-coordinator"))
    assessment = db.session.get(Assessment, ghana)
    services.save_answers(assessment, {CODE: services.AnswerValues("level", level=4)}, coordinator)
    db.session.commit()
    auth.login("gh-coordinator")
    title = "Substantive cybercrime offences"
    assert title in client.get(f"/assessments/{ghana}/review").get_data(as_text=True).split("Facts not given")[0]
    assert upload(client, ghana, "cybercrime-act.pdf", PDF).status_code == 302
    assert title not in client.get(f"/assessments/{ghana}/review").get_data(as_text=True).split("Facts not given")[0]
    assessment.status = Status.SUBMITTED
    db.session.commit()
    auth.logout()
    auth.login("gh-validator")
    assert "cybercrime-act.pdf" in client.get(f"/assessments/{ghana}/validation").get_data(as_text=True)


def fake_clamd(reply: bytes) -> tuple[int, threading.Thread]:
    """A one-connection clamd that reads an INSTREAM and answers `reply`."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        connection, _ = server.accept()
        with connection, server:
            data = b""
            while not data.endswith(b"\0\0\0\0"):
                data += connection.recv(65536)
            assert data.startswith(b"zINSTREAM\0")
            connection.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server.getsockname()[1], thread


@pytest.mark.parametrize(
    ("reply", "status", "scan"),
    [
        (b"stream: OK\0", 302, "clean"),
        (b"stream: Eicar-Test-Signature FOUND\0", 422, None),
    ],
)
def test_a_configured_clamd_scans_each_upload(app, client, auth, ghana, reply, status, scan, monkeypatch):
    port, thread = fake_clamd(reply)
    # The app is shared by the session's tests: the setting is undone after this one.
    monkeypatch.setitem(app.config, "CLAMD_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "CLAMD_PORT", port)
    auth.login("gh-contributor")
    assert upload(client, ghana, "act.pdf", PDF).status_code == status
    thread.join(5)
    assert db.session.scalars(sa.select(EvidenceFile.scan)).all() == ([scan] if scan else [])
