"""Capturing right after a dose: Today's first actions on day 0 and day 1, and the camera upload they open."""

from __future__ import annotations

import re
from datetime import timedelta

from journal.db import utcnow

from .test_course_pages import log_dose

CAMERA = "/art/new?camera=1"


def _main(web) -> str:
    page = web.get("/").get_data(as_text=True)
    return page[page.index('<main id="main"') : page.index("</main>")]


def _links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"', html)


def test_on_the_day_of_a_dose_today_opens_with_photograph_and_write(web):
    web.sign_up("ana@example.org")
    log_dose(web, utcnow() - timedelta(minutes=30))
    main = _main(web)
    assert "Day 0 after session 1" in main
    # The first two things to tap on the screen, before the prompt and the check-in.
    assert _links(main)[:2] == [CAMERA, "/entries/new"]
    assert main.index("Photograph what you made") < main.index("Write") < main.index("Today’s prompt")


def test_on_the_day_after_a_dose_they_still_come_first(web):
    web.sign_up("ana@example.org")
    log_dose(web, utcnow() - timedelta(days=1))
    main = _main(web)
    assert "Day 1 after session 1" in main
    assert _links(main)[:2] == [CAMERA, "/entries/new"]


def test_from_day_3_and_before_any_dose_today_is_as_it_was(web):
    web.sign_up("ana@example.org")
    main = _main(web)
    assert "Preparing" in main and "Photograph what you made" not in main and CAMERA not in main
    log_dose(web, utcnow() - timedelta(days=3))
    main = _main(web)
    assert "Day 3 after session 1" in main
    assert "Photograph what you made" not in main and CAMERA not in main
    assert _links(main)[0].startswith("/entries/new?prompt=")  # the prompt's "Answer this" leads again


def test_the_camera_upload_asks_the_phone_for_its_camera_and_the_plain_one_for_the_library(web):
    web.sign_up("ana@example.org")
    camera = web.get(CAMERA).get_data(as_text=True)
    field = re.search(r'<input id="photos"[^>]*>', camera).group(0)
    assert 'accept="image/*"' in field and 'capture="environment"' in field and "multiple" not in field
    assert "Choose from your library instead" in camera
    plain = re.search(r'<input id="photos"[^>]*>', web.get("/art/new").get_data(as_text=True)).group(0)
    assert 'accept="image/*"' in plain and "capture" not in plain and "multiple" in plain
