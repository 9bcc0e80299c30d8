"""Writing, reading, editing and deleting entries, as a client on a phone would."""

from __future__ import annotations

import re
import threading

from ..support import WebClient


def _client_key(web) -> str:
    page = web.get("/entries/new").get_data(as_text=True)
    return re.search(r'name="client_key" value="([^"]+)"', page).group(1)


def test_same_create_sent_twice_makes_one_entry(web):
    web.sign_up("ana@example.org")
    key = _client_key(web)
    first = web.post("/entries", {"client_key": key, "title": "once", "body": "only once"})
    second = web.post("/entries", {"client_key": key, "title": "once", "body": "only once"})
    assert first.headers["Location"] == second.headers["Location"]
    assert web.get("/entries").get_data(as_text=True).count('class="entry-item"') == 1


def test_same_create_sent_at_once_from_two_connections_makes_one_entry(app, web):
    web.sign_up("ana@example.org")
    key = _client_key(web)
    cookie, token = web.cookie("sid"), web.token
    results = []

    def send():
        client = app.test_client()
        client.set_cookie("sid", cookie)
        with client.session_transaction() as session:
            session["csrf"] = token
        results.append(client.post("/entries", data={"csrf_token": token, "client_key": key, "body": "race"}))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.status_code for r in results} == {303}
    assert len({r.headers["Location"] for r in results}) == 1
    assert web.get("/entries").get_data(as_text=True).count('class="entry-item"') == 1


def test_read_edit_delete(web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("First light", "I *noticed* the colours.")
    page = web.get(f"/entries/{entry}").get_data(as_text=True)
    assert "First light" in page and "<em>noticed</em>" in page
    form = web.get(f"/entries/{entry}/edit").get_data(as_text=True)
    assert 'name="version" value="1"' in form and "I *noticed* the colours." in form
    saved = web.post(f"/entries/{entry}/edit", {"version": "1", "title": "First light", "body": "Changed."})
    assert saved.status_code == 303
    page = web.get(f"/entries/{entry}").get_data(as_text=True)
    assert "Changed." in page and "edited" in page
    confirm = web.get(f"/entries/{entry}/delete").get_data(as_text=True)
    assert "cannot be undone" in confirm
    assert web.post(f"/entries/{entry}/delete").status_code == 303
    assert web.get(f"/entries/{entry}").status_code == 404


def test_stale_edit_is_a_conflict_that_keeps_both_texts(app, web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("shared title", "original")
    phone = WebClient(app.test_client())
    phone.sign_in("ana@example.org")
    assert (
        phone.post(
            f"/entries/{entry}/edit", {"version": "1", "title": "shared title", "body": "written on the phone"}
        ).status_code
        == 303
    )
    response = web.post(
        f"/entries/{entry}/edit", {"version": "1", "title": "shared title", "body": "written in the other tab"}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "written in the other tab" in page and "written on the phone" in page
    assert 'name="version" value="2"' in page  # saving from here is a deliberate choice
    assert "written on the phone" in web.get(f"/entries/{entry}").get_data(as_text=True)  # nothing overwritten
    assert (
        web.post(
            f"/entries/{entry}/edit", {"version": "2", "title": "shared title", "body": "written in the other tab"}
        ).status_code
        == 303
    )
    assert "written in the other tab" in web.get(f"/entries/{entry}").get_data(as_text=True)


def test_a_failed_save_keeps_the_text_in_the_form(web):
    web.sign_up("ana@example.org")
    key = _client_key(web)
    long_title = "t" * 201
    response = web.post("/entries", {"client_key": key, "title": long_title, "body": "my words stay"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "up to 200 characters" in page and "my words stay" in page and long_title in page
    response = web.post("/entries", {"client_key": key, "title": "", "body": "x" * 60_001})
    assert response.status_code == 422 and "an entry can hold 60,000" in response.get_data(as_text=True)
    response = web.post("/entries", {"client_key": key, "title": "", "body": "   "})
    assert response.status_code == 422 and "Write something first" in response.get_data(as_text=True)


def test_nul_and_control_characters_get_a_message_not_an_error(web):
    web.sign_up("ana@example.org")
    key = _client_key(web)
    response = web.post("/entries", {"client_key": key, "title": "ok", "body": "before\x00after"})
    assert response.status_code == 422
    assert "control characters" in response.get_data(as_text=True)
    response = web.post("/entries", {"client_key": key, "title": "bad\x07title", "body": "fine"})
    assert response.status_code == 422


def test_unicode_and_line_breaks_come_back_as_written(web):
    web.sign_up("ana@example.org")
    body = "Ich fühlte mich 🌊 leicht.\nZweite Zeile — 第二行"
    entry = web.new_entry("Ünïcödé 🌱", body)
    form = web.get(f"/entries/{entry}/edit").get_data(as_text=True)
    assert "Ünïcödé 🌱" in form and body in form
    page = web.get(f"/entries/{entry}").get_data(as_text=True)
    assert "leicht.<br>" in page or "leicht.<br />" in page


def test_oversized_request_is_a_413_page(make_app):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    key = _client_key(web)
    response = web.post("/entries", {"client_key": key, "body": "x" * 20_000})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Too large" in page and "<header" in page


def test_missing_or_bad_hidden_fields_are_a_400(web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("t", "b")
    assert web.post("/entries", {"client_key": "bad key!", "body": "x"}).status_code == 400
    assert web.post(f"/entries/{entry}/edit", {"version": "one", "body": "x"}).status_code == 400


def test_concurrent_writers_never_see_database_locked(app):
    errors: list[int] = []
    clients = []
    for n in range(6):
        web = WebClient(app.test_client())
        web.sign_up(f"writer{n}@example.org")
        clients.append(web)

    def write(web):
        for i in range(8):
            key = f"{web.cookie('sid')[:8]}-{i:04d}xyz"
            response = web.post("/entries", {"client_key": key, "title": f"n{i}", "body": "parallel"})
            if response.status_code != 303:
                errors.append(response.status_code)

    threads = [threading.Thread(target=write, args=(web,)) for web in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for web in clients:
        assert web.get("/entries").get_data(as_text=True).count('class="entry-item"') == 8


def test_unsaved_changes_to_an_older_version_come_back_beside_the_newer_one(app, web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("t", "original")
    assert (
        web.post(
            f"/entries/{entry}/draft", {"version": "1", "title": "t", "body": "my unsaved words"}, htmx=True
        ).status_code
        == 200
    )
    phone = WebClient(app.test_client())
    phone.sign_in("ana@example.org")
    assert (
        phone.post(f"/entries/{entry}/edit", {"version": "1", "title": "t", "body": "from the phone"}).status_code
        == 303
    )
    page = web.get(f"/entries/{entry}/edit").get_data(as_text=True)
    assert "changed somewhere else" in page
    assert "my unsaved words" in page and "from the phone" in page


def test_an_autosave_that_lands_after_the_save_leaves_no_stale_draft(web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("t", "original")
    assert web.post(f"/entries/{entry}/edit", {"version": "1", "title": "t", "body": "final"}).status_code == 303
    web.post(f"/entries/{entry}/draft", {"version": "1", "title": "t", "body": "final"}, htmx=True)
    assert "Not saved yet" in web.get("/entries").get_data(as_text=True)
    page = web.get(f"/entries/{entry}/edit").get_data(as_text=True)
    assert "changed somewhere else" not in page and 'name="version" value="2"' in page
    assert "Not saved yet" not in web.get("/entries").get_data(as_text=True)


def test_saving_an_edit_clears_its_own_draft_only(app, web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("t", "original")
    form = web.get(f"/entries/{entry}/edit").get_data(as_text=True)
    edit_key = re.search(r'name="client_key" value="([^"]+)"', form).group(1)
    web.post(
        f"/entries/{entry}/draft", {"version": "1", "client_key": edit_key, "title": "t", "body": "typing"}, htmx=True
    )
    assert (
        web.post(
            f"/entries/{entry}/edit", {"version": "1", "client_key": edit_key, "title": "t", "body": "typing, done"}
        ).status_code
        == 303
    )
    assert "Not saved yet" not in web.get("/entries").get_data(as_text=True)
