"""Fixtures of the HTTP tests: a client and a clinician, and the two of them linked (the sharing tests use both)."""

from __future__ import annotations

import pytest

from .test_sharing_client import DOC, _consent, _invite, _link_id


@pytest.fixture
def people(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("doc@example.org", role="therapist", name=DOC)
    return web, other_web


@pytest.fixture
def linked(app, people):
    web, _ = people
    response = _consent(web, _invite(app))
    assert response.status_code == 303 and response.headers["Location"] == "/clinicians"
    return _link_id(app)
