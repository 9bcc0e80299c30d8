"""Capturing right after a dose: Today's first actions on day 0 and day 1, the camera upload they open, and photos
of art kept with journal entries (who can attach, see and share what)."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from journal.db import get_db, utcnow
from journal.models import Record

from .. import art_images
from ..support import earlier_today, new_marker
from .test_art import art_ids, client_key_of, upload
from .test_course_pages import log_dose

CAMERA = "/art/new?camera=1"


def _main(web) -> str:
    page = web.get("/").get_data(as_text=True)
    return page[page.index('<main id="main"') : page.index("</main>")]


def _links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"', html)


def test_on_the_day_of_a_dose_today_opens_with_photograph_and_write(web):
    web.sign_up("ana@example.org")
    log_dose(web, earlier_today(timedelta(minutes=30)))
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


# ---- photos with entries ----------------------------------------------------------------------------------------


def _photo(web, caption: str = "") -> str:
    """Upload one photo through the form; returns its id."""
    before = set(art_ids(web))
    response = upload(web, [("made.jpg", art_images.jpeg())], caption=caption)
    assert response.status_code == 303, response.status_code
    (added,) = set(art_ids(web)) - before
    return added


def _entry(web, title: str, photo_ids=(), body: str = "words") -> str:
    page = web.get("/entries/new").get_data(as_text=True)
    fields = {"client_key": client_key_of(page), "title": title, "body": body, "photo_field": "1"}
    response = web.post("/entries", {**fields, "photo_ids": list(photo_ids)})
    assert response.status_code == 303, response.status_code
    return response.headers["Location"].rsplit("/", 1)[1]


def _thumb(art_id: str) -> str:
    return f"/art/{art_id}/thumb.jpg"


def _row(app, record_id: str) -> dict:
    with app.app_context():
        row = get_db().get(Record, uuid.UUID(record_id))
        return {column.name: getattr(row, column.name) for column in Record.__table__.columns}


def test_a_photo_attached_to_a_new_entry_shows_on_the_entry_and_the_entry_on_the_photo(app, web):
    web.sign_up("ana@example.org")
    art = _photo(web, caption="the spiral")
    form = web.get("/entries/new").get_data(as_text=True)
    assert "Add a photo of your art" in form and f'name="photo_ids" value="{art}"' in form and _thumb(art) in form
    title = new_marker("WITHPHOTO")
    entry = _entry(web, title, [art])
    read = web.get(f"/entries/{entry}").get_data(as_text=True)
    assert _thumb(art) in read and f'href="/art/{art}"' in read and 'alt="the spiral"' in read
    photo_page = web.get(f"/art/{art}").get_data(as_text=True)
    assert "In your journal" in photo_page and f'href="/entries/{entry}"' in photo_page and title in photo_page
    # The link is kept only inside the two sealed payloads: no column of either row names the other.
    entry_row, art_row = _row(app, entry), _row(app, art)
    assert not any(art in str(value) or uuid.UUID(art).bytes in _bytes(value) for value in entry_row.values())
    assert not any(entry in str(value) or uuid.UUID(entry).bytes in _bytes(value) for value in art_row.values())
    # Attaching is not an edit of the photo.
    assert art_row["updated_at"] == art_row["created_at"] and art_row["version"] == 2


def _bytes(value) -> bytes:
    return value if isinstance(value, bytes) else b""


def test_write_about_this_opens_a_new_entry_with_the_photo_ticked(web):
    web.sign_up("ana@example.org")
    art = _photo(web)
    photo_page = web.get(f"/art/{art}").get_data(as_text=True)
    assert f'href="/entries/new?photo={art}"' in photo_page and "Write about this" in photo_page
    form = web.get(f"/entries/new?photo={art}").get_data(as_text=True)
    assert re.search(rf'name="photo_ids" value="{art}"\s+checked', form)


def test_link_to_an_entry_from_the_photo_and_untick_it_again_on_the_entry(web):
    web.sign_up("ana@example.org")
    art = _photo(web)
    entry = _entry(web, "Written first")
    choose = web.get(f"/entries/link-photo/{art}").get_data(as_text=True)
    assert "Link this photo to an entry" in choose and f'value="{entry}"' in choose
    assert web.post(f"/entries/link-photo/{art}", {}).status_code == 422  # nothing chosen: said, not guessed
    response = web.post(f"/entries/link-photo/{art}", {"entry_id": entry})
    assert response.status_code == 303 and response.headers["Location"] == f"/art/{art}"
    assert f'href="/entries/{entry}"' in web.get(f"/art/{art}").get_data(as_text=True)
    assert _thumb(art) in web.get(f"/entries/{entry}").get_data(as_text=True)
    # The edit form shows it ticked; saving with it unticked lets it go on both sides.
    edit = web.get(f"/entries/{entry}/edit").get_data(as_text=True)
    assert re.search(rf'name="photo_ids" value="{art}"\s+checked', edit)
    version = re.search(r'name="version" value="(\d+)"', edit).group(1)
    fields = {"title": "Written first", "body": "words", "version": version, "photo_field": "1"}
    assert web.post(f"/entries/{entry}/edit", fields).status_code == 303
    assert _thumb(art) not in web.get(f"/entries/{entry}").get_data(as_text=True)
    assert f'href="/entries/{entry}"' not in web.get(f"/art/{art}").get_data(as_text=True)


def test_a_form_that_does_not_show_the_photos_keeps_them(web):
    web.sign_up("ana@example.org")
    art = _photo(web)
    entry = _entry(web, "Kept", [art])
    version = re.search(r'name="version" value="(\d+)"', web.get(f"/entries/{entry}/edit").get_data(as_text=True))
    fields = {"title": "Kept, edited", "body": "more words", "version": version.group(1)}  # no photo_field
    assert web.post(f"/entries/{entry}/edit", fields).status_code == 303
    assert _thumb(art) in web.get(f"/entries/{entry}").get_data(as_text=True)


def test_deleting_a_photo_takes_it_out_of_its_entries_and_deleting_an_entry_out_of_its_photo(app, web):
    web.sign_up("ana@example.org")
    gone, stays = _photo(web), _photo(web)
    entry = _entry(web, "Two photos", [gone, stays])
    assert "taken out of the entry it goes with" in web.get(f"/art/{gone}/delete").get_data(as_text=True)
    assert web.post(f"/art/{gone}/delete").status_code == 303
    read = web.get(f"/entries/{entry}").get_data(as_text=True)
    assert _thumb(gone) not in read and _thumb(stays) in read and "data-photo-deleted" not in read
    assert "edited" not in read  # the person did not edit the entry
    assert _row(app, entry)["updated_at"] == _row(app, entry)["created_at"]
    assert web.post(f"/entries/{entry}/delete").status_code == 303
    assert "No entry holds this photo yet." in web.get(f"/art/{stays}").get_data(as_text=True)


def test_another_persons_photo_cannot_be_attached_seen_or_linked(app, web, other_web):
    """An attacker who learns the id of someone's photo gets nothing from it: not in their entry, not its
    thumbnail, not a link to it, not a link of their photo into the other's entry."""
    other_web.sign_up("bo@example.org")
    theirs = _photo(other_web, caption=new_marker("THEIRCAPTION"))
    their_entry = _entry(other_web, "Theirs")
    web.sign_up("ana@example.org")
    mine = _photo(web)
    entry = _entry(web, "Attacker's", [theirs, mine])
    read = web.get(f"/entries/{entry}").get_data(as_text=True)
    assert theirs not in read and _thumb(mine) in read and "data-photo-deleted" not in read
    assert web.get(_thumb(theirs)).status_code == 404
    assert theirs not in web.get(f"/entries/new?photo={theirs}").get_data(as_text=True)
    assert web.get(f"/entries/link-photo/{theirs}").status_code == 404
    assert web.post(f"/entries/link-photo/{theirs}", {"entry_id": entry}).status_code == 404
    assert web.post(f"/entries/link-photo/{mine}", {"entry_id": their_entry}).status_code == 404
    # Nothing of the attempt reached the photo's owner: their photo lists no entry, their entry holds no photo.
    assert "No entry holds this photo yet." in other_web.get(f"/art/{theirs}").get_data(as_text=True)
    assert "/thumb.jpg" not in other_web.get(f"/entries/{their_entry}").get_data(as_text=True)
    assert _row(app, theirs)["version"] == 1


def test_thumbnails_of_an_entry_go_to_its_owner_only_and_are_never_stored(web, other_web):
    web.sign_up("ana@example.org")
    art = _photo(web)
    entry = _entry(web, "Mine", [art])
    thumb = web.raw.get(_thumb(art))
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert thumb.headers["Cache-Control"] == "private, no-store"
    other_web.sign_up("bo@example.org")
    assert other_web.get(_thumb(art)).status_code == 404
    assert other_web.get(f"/entries/{entry}").status_code == 404
    other_web.sign_out()
    assert other_web.raw.get(_thumb(art)).status_code in (302, 303, 401)


def test_a_new_photo_from_the_entry_form_comes_back_ticked_with_the_words_kept(web):
    web.sign_up("ana@example.org")
    first = _photo(web)
    key = client_key_of(web.get("/entries/new").get_data(as_text=True))
    words = new_marker("HALFWRITTEN")
    fields = {"client_key": key, "title": "", "body": words, "photo_field": "1", "photo_ids": [first]}
    response = web.post("/entries/draft?then=photo", fields)
    assert response.status_code == 303
    upload_page = response.headers["Location"]
    assert upload_page.startswith("/art/new?next=")
    form = web.get(upload_page).get_data(as_text=True)
    back = re.search(r'name="next" value="([^"]+)"', form).group(1).replace("&amp;", "&")
    assert back == f"/entries/new?draft={key}&photo={first}"
    before = set(art_ids(web))
    added = upload_with_next(web, back)
    assert added.status_code == 303
    (art,) = set(art_ids(web)) - before
    assert added.headers["Location"] == f"/entries/new?draft={key}&photo={first}&photo={art}"
    again = web.get(added.headers["Location"]).get_data(as_text=True)
    assert words in again
    for ticked in (first, art):
        assert re.search(rf'name="photo_ids" value="{ticked}"\s+checked', again), ticked


def upload_with_next(web, back: str, next_field: str | None = None):
    page = web.get("/art/new").get_data(as_text=True)
    fields = MultiDict({"client_key": client_key_of(page), "caption": "", "csrf_token": web.token, "dose_id": "none"})
    fields.add("next", next_field if next_field is not None else back)
    fields.add("photos", FileStorage(io.BytesIO(art_images.jpeg()), filename="new.jpg", content_type="image/jpeg"))
    boundary, body = encode_multipart(fields)
    return web.raw.post("/art", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_an_upload_goes_back_only_to_a_page_of_this_site(web):
    web.sign_up("ana@example.org")
    for elsewhere in (
        "https://evil.example/",
        "//evil.example/x",
        "/\t/evil.example",
        "/\\evil.example",
        "javascript:1",
    ):
        response = upload_with_next(web, "", next_field=elsewhere)
        assert response.status_code == 303 and response.headers["Location"] == "/art", elsewhere


def test_the_share_page_says_the_photo_is_shared_separately_and_never_shares_it(app, people, linked):
    web, doc = people
    art = _photo(web)
    entry = _entry(web, "Shared words", [art])
    page = web.get(f"/share/{entry}").get_data(as_text=True)
    assert "The photo is shared separately" in page and f'href="/share/{art}"' in page
    assert web.post(f"/share/{entry}", {"link_ids": [str(linked)]}).status_code == 303
    client = _row(app, entry)["owner_id"]
    record = doc.get(f"/desk/clients/{client}/records/{entry}").get_data(as_text=True)
    assert "Shared words" in record and art not in record
    assert doc.get(f"/desk/clients/{client}/images/{art}/thumb").status_code == 404
    assert doc.get(f"/desk/clients/{client}/records/{art}").status_code == 404
    # Shared on its own, the photo is the clinician's to see.
    assert web.post(f"/share/{art}", {"link_ids": [str(linked)]}).status_code == 303
    assert doc.raw.get(f"/desk/clients/{client}/images/{art}/thumb").status_code == 200


# ---- writing kept on the phone, sent from the offline pages ----------------------------------------------------


def _owner_tag(web) -> str:
    return re.search(r'data-outbox-owner="([^"]+)"', web.get("/").get_data(as_text=True)).group(1)


def test_an_item_kept_on_the_phone_goes_only_into_the_account_it_was_written_in(app, web, other_web):
    other_web.sign_up("bo@example.org")
    theirs = _owner_tag(other_web)
    web.sign_up("ana@example.org")
    mine = _owner_tag(web)
    key = client_key_of(web.get("/entries/new").get_data(as_text=True))
    title = new_marker("WRITTENBYBO")
    fields = {"client_key": key, "title": title, "body": "kept on the phone"}
    # An offline page sends what waits without knowing who is signed in now: someone else's item is refused whole.
    refused = web.post("/entries", fields, headers={"X-Outbox": "later", "X-Outbox-Owner": theirs})
    assert refused.status_code == 409
    assert title not in web.get("/entries").get_data(as_text=True)
    sent = web.post("/entries", fields, headers={"X-Outbox": "later", "X-Outbox-Owner": mine})
    assert sent.status_code == 201 and sent.headers["Location"].startswith("/entries/")
    assert title in web.get("/entries").get_data(as_text=True)


def test_the_offline_pages_keep_the_bottom_bar_with_nothing_of_a_session(web):
    for url in ("/offline", "/offline/entry", "/offline/checkin", "/offline/voice", "/outbox"):
        page = web.get(url).get_data(as_text=True)
        bar = re.search(r'<nav class="tabbar" aria-label="Main"[^>]*>(.*?)</nav>', page, re.S)
        assert bar, url
        assert re.findall(r"<span>([^<]+)</span></a>", bar.group(1)) == ["Today", "Timeline", "Add", "Art", "Me"]
        # Shown by the phone once it keeps a client's offline writing (static/outbox.js): never a therapist's bar.
        assert "data-offline-writing hidden" in bar.group(0)
    # The offline entry form is where "Add" leads.
    entry = web.get("/offline/entry").get_data(as_text=True)
    assert re.search(r'<a class="tab-new" href="/new" aria-current="page">', entry)
