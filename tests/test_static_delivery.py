"""Pages for slow phones (issue 13): compressed text, hashed static URLs cached for a year."""

from __future__ import annotations

import gzip
import re


def test_hashed_static_urls_are_immutable_and_text_is_compressed(client):
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.data).decode()
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{10})"', html).group(1)
    hashed = client.get(css, headers={"Accept-Encoding": "br, gzip"})
    assert hashed.status_code == 200
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    if len(client.get(css).data) >= 500:
        assert hashed.headers["Content-Encoding"] == "br"
    plain = client.get(css.split("?")[0])
    assert "immutable" not in plain.headers.get("Cache-Control", "")
    missing = client.get("/static/css/nope.css?v=0123456789")
    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("Cache-Control", "")


def test_small_json_is_not_compressed(client):
    r = client.get("/api/v1/episodes", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers.get("Content-Encoding") in (None, "gzip")  # only above 500 bytes


def test_a_compressed_static_file_is_closed_when_its_answer_is(client):
    """Flask-Compress swaps a streamed file for its compressing generator; the file itself
    must still be closed with the answer, not left to the garbage collector."""
    import gc
    import warnings

    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        response = client.get("/static/css/app.css", headers={"Accept-Encoding": "br"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "br"
        assert response.data
        response.close()
        del response
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
