"""A request may carry MAX_FORM_PARTS (200) fields, url-encoded or multipart; beyond, a plain 413 and nothing saved.
The largest real forms still go through."""

from __future__ import annotations

import io
import re

from werkzeug.datastructures import MultiDict

from ..support import WebClient


def _entry_fields(web, count: int) -> MultiDict:
    """A new entry's form with extra fields, `count` in all (the entry form ignores fields it does not know)."""
    page = web.get("/entries/new").get_data(as_text=True)
    client_key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
    fields = [("csrf_token", web.token), ("client_key", client_key), ("title", "many"), ("body", "fields")]
    return MultiDict(fields + [(f"extra{n}", "x") for n in range(count - len(fields))])


def _entries(web) -> int:
    return web.get("/entries").get_data(as_text=True).count('href="/entries/') - 1  # less "New entry"


def test_200_fields_go_through_and_201_are_refused_with_a_plain_413(web):
    web.sign_up("ana@example.org")
    before = _entries(web)
    assert web.raw.post("/entries", data=_entry_fields(web, 200)).status_code == 303
    too_many = web.raw.post("/entries", data=_entry_fields(web, 201))
    assert too_many.status_code == 413
    page = too_many.get_data(as_text=True)
    assert "Too large" in page and "Nothing was saved" in page and "Traceback" not in page
    assert _entries(web) == before + 1


def test_empty_pieces_are_not_fields(web):
    web.sign_up("ana@example.org")
    fields = _entry_fields(web, 200)
    body = "&&".join(
        f"{name}={value}" for name, value in fields.items(multi=True)
    )  # what parse_qsl reads as 200 fields
    response = web.raw.post("/entries", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303


def test_a_multipart_form_with_too_many_parts_is_refused(web):
    web.sign_up("ana@example.org")
    fields = _entry_fields(web, 199)
    fields.add("photos", (io.BytesIO(b"not a photo"), "a.jpg"))
    fields.add("another", "x")
    response = web.raw.post("/entries", data=fields, content_type="multipart/form-data")
    assert response.status_code == 413


def test_the_pcl5_form_goes_through(web):
    web.sign_up("ana@example.org")
    response = web.answer("pcl5", {number: 2 for number in range(1, 21)})
    assert response.status_code == 303
    assert "PCL-5" in web.get(response.headers["Location"]).get_data(as_text=True)


def test_a_form_that_takes_a_long_list_takes_it(make_app):
    app = make_app()
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    web.get("/share/prepare")
    items = MultiDict([("csrf_token", web.token)] + [("items", f"not-a-link:{n}") for n in range(600)])
    response = web.raw.post("/share/prepare", data=items)
    assert response.status_code == 303  # read whole, and answered (none of those items are this client's)
    items = MultiDict([("csrf_token", web.token)] + [("items", f"not-a-link:{n}") for n in range(2001)])
    assert web.raw.post("/share/prepare", data=items).status_code == 413
