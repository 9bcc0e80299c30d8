"""Page addresses built from a kept pattern are exactly the ones Flask's url_for builds."""

from __future__ import annotations

import uuid

import pytest
from flask import url_for as flask_url_for

from journal import create_app
from journal.web import links


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("links")
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder / 'x.sqlite3'}", "INSTANCE_PATH": folder})


def _uuid_rules(app):
    for rule in app.url_map.iter_rules():
        converters = rule._converters  # the rule's own arguments and how each is written
        if rule.arguments and all(type(c).__name__ == "UUIDConverter" for c in converters.values()):
            yield rule


def test_every_address_with_ids_matches_flask(app):
    rules = list(_uuid_rules(app))
    assert len(rules) > 20  # the records, the desk, sharing: every page named by ids
    with app.test_request_context("/"):
        for rule in rules:
            for _ in range(3):  # the first call keeps the pattern; the later ones fill it in
                values = {name: uuid.uuid4() for name in rule.arguments}
                assert links.url_for(rule.endpoint, **values) == flask_url_for(rule.endpoint, **values), rule


def test_numbers_and_text_in_the_query_string(app):
    with app.test_request_context("/"):
        for prompt in (0, 7, 8675309000, -3):
            assert links.url_for("pages.home", prompt=prompt) == flask_url_for("pages.home", prompt=prompt)
        # Text needs quoting: it goes to Flask's url_for every time.
        cursor = "2026-01-01T00:00:00+00:00_" + str(uuid.uuid4())
        assert links.url_for("timeline.show_timeline", before=cursor) == flask_url_for(
            "timeline.show_timeline", before=cursor
        )
        assert "%2B00" in links.url_for("timeline.show_timeline", before=cursor)


def test_an_address_under_a_prefix_keeps_its_own_pattern(app):
    record = uuid.uuid4()
    with app.test_request_context("/"):
        plain = links.url_for("entries.read_entry", entry_id=record)
    with app.test_request_context("/", base_url="http://localhost/journal"):
        prefixed = links.url_for("entries.read_entry", entry_id=record)
    assert prefixed == "/journal" + plain


def test_external_addresses_and_anchors_are_flasks(app):
    record = uuid.uuid4()
    with app.test_request_context("/"):
        assert links.url_for("entries.read_entry", entry_id=record, _external=True).startswith("http://")
        assert links.url_for("entries.read_entry", entry_id=record, _anchor="end").endswith("#end")
