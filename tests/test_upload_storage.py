"""Uploads when the disk fails: a clear message, nothing half-written left behind."""

from __future__ import annotations

import errno
import io

import pytest
from sqlalchemy import func, select

from asnbelajar import uploads
from asnbelajar.speakers.models import Material
from asnbelajar.uploads import StorageUnavailable, store_bytes


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n" + b"0" * 4096 + b"\n%%EOF\n"


def files_under(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class FullDisk:
    """open() whose file takes half the bytes and then reports a full disk."""

    def __init__(self, real_open):
        self.real_open = real_open

    def __call__(self, path, mode="r", *args, **kwargs):
        handle = self.real_open(path, mode, *args, **kwargs)
        real_write = handle.write

        def write(data):
            real_write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

        handle.write = write
        return handle


def test_full_disk_leaves_no_partial_file(app, tmp_path, monkeypatch):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    monkeypatch.setattr(uploads, "open", FullDisk(open), raising=False)
    with pytest.raises(StorageUnavailable) as caught:
        store_bytes(pdf_bytes(), folder="materials", original_name="a.pdf",
                    content_type="application/pdf", ext="pdf")
    assert caught.value.status == 503
    assert "penuh" in str(caught.value.message)
    assert files_under(tmp_path / "uploads") == []  # neither the partial nor a 0-byte file


def test_a_write_that_succeeds_appears_only_under_its_final_name(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    stored = store_bytes(pdf_bytes(), folder="materials", original_name="a.pdf",
                         content_type="application/pdf", ext="pdf")
    assert files_under(tmp_path / "uploads") == [tmp_path / "uploads" / stored.stored_name]
    assert (tmp_path / "uploads" / stored.stored_name).read_bytes() == pdf_bytes()


@pytest.mark.parametrize("failure", ["unwritable", "read_only"])
def test_material_upload_to_a_broken_folder_answers_clearly_and_keeps_nothing(
        app, client, db, login, organizer, make_episode, tmp_path, monkeypatch, failure):
    if failure == "unwritable":
        # Root ignores permission bits, so make the folder impossible to create instead.
        (tmp_path / "blocker").write_text("not a folder")
        app.config["UPLOAD_FOLDER"] = str(tmp_path / "blocker" / "uploads")
    else:
        app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")

        def read_only(*_a, **_k):
            raise OSError(errno.EROFS, "Read-only file system")

        monkeypatch.setattr(uploads, "open", read_only, raising=False)
    episode = make_episode()
    login(organizer)
    response = client.post(f"/speaker/episodes/{episode.id}/materials",
                           data={"title": "Slide", "file": (io.BytesIO(pdf_bytes()), "m.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code in (422, 503)
    assert "Penyimpanan berkas di server" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0
    assert files_under(tmp_path / "uploads") == []
