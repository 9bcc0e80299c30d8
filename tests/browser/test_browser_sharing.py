"""Sharing in a real browser (Debian Chromium via Playwright) against the real server under gunicorn:
a therapist at a desk invites, a client on a phone links and consents, shares an entry and a photo;
the therapist reads them and the brief; the client sees each read, then revokes the entry, and it is gone
from the desk (its page answers 404).

Screenshots of every step go to test-output/screenshots/sharing-<database>/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .. import art_images
from ..support import PASSWORD, new_marker
from .browser_support import PHONE, Shots, new_email, set_up_two_factor, sign_up

pytestmark = pytest.mark.browser

UUID = r"[0-9a-f-]{36}"
DESK = {"viewport": {"width": 1280, "height": 900}}


def kind_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def sign_up_therapist(page, base: str, email: str, name: str) -> None:
    """Sign up as a clinician through the form, with two-step sign-in; ends on the desk (a therapist's home page)."""
    page.goto(base + "/signup")
    page.get_by_label("A therapist or clinician").check()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("[data-recovery-code]")).to_be_visible()
    page.get_by_label("I have saved my recovery code somewhere safe").check()
    page.get_by_role("button", name="Continue").click()
    # The desk opens only with two-step sign-in: the therapist is sent to set it up first.
    page.wait_for_url(base + "/account/two-step?required=1")
    set_up_two_factor(page.request, base, email)
    page.goto(base + "/")


def share_with(page, name: str) -> None:
    """On a record's page: its share page, tick the clinician, save; ends on the share page, shared."""
    page.get_by_role("link", name=re.compile(r"^Share with my clinician")).click()
    expect(page).to_have_url(re.compile(rf"/share/{UUID}$"))
    box = page.get_by_role("checkbox", name=name)
    expect(box).not_to_be_checked()
    box.check()
    page.get_by_role("button", name="Save sharing").click()
    expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    expect(page.locator(".share-state").first).to_contain_text("Shared")
    expect(page.locator(".share-state").first).to_contain_text("not opened yet")


def test_invite_link_share_read_and_revoke(server_on_each_database, open_context):
    base, database = server_on_each_database
    shots = Shots(f"sharing-{kind_of(database)}")
    therapist_name = f"Dr Ada Lindqvist {new_marker('THERAPIST')[-8:]}"
    client_email = new_email("sharing-client")

    # The therapist, at a desk: signs up and makes an invite.
    desk = open_context(**DESK).new_page()
    sign_up_therapist(desk, base, new_email("sharing-therapist"), therapist_name)
    expect(desk.get_by_role("heading", level=1)).to_have_text("Clients")
    shots.take(desk, "desk-empty")
    desk.get_by_role("link", name="Invite a client").first.click()
    expect(desk).to_have_url(base + "/desk/invites")
    desk.get_by_role("button", name="Make an invite").click()
    code = desk.locator("[data-invite-code]").inner_text().strip()
    assert code
    expect(desk.locator("[data-invite-link]")).to_contain_text(f"/link#{code}")
    shots.take(desk, "desk-invite")

    # The client, on a phone: signs up, opens the link, reads the consent screen, consents.
    phone = open_context(**PHONE).new_page()
    sign_up(phone, base, client_email)
    phone.goto(f"{base}/link#{code}")
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Link with {therapist_name}?")
    expect(phone.locator("[data-therapist-name]")).to_have_text(therapist_name)
    expect(phone.get_by_role("heading", name=f"What {therapist_name} will see")).to_be_visible()
    expect(phone.get_by_role("heading", name="What they will never see")).to_be_visible()
    shots.take(phone, "client-consent")
    phone.get_by_role("button", name=f"Link with {therapist_name}").click()
    expect(phone).to_have_url(base + "/clinicians")
    expect(phone.get_by_text(f"You are linked with {therapist_name}.")).to_be_visible()
    shots.take(phone, "client-linked")

    # An entry, shared.
    entry_marker = new_marker("SHAREDENTRY")
    entry_title = f"After the second session {entry_marker[-6:]}"
    phone.goto(base + "/entries/new")
    phone.get_by_label("Title").fill(entry_title)
    phone.get_by_label("What came up?").fill(f"The grief felt lighter today. {entry_marker}")
    phone.get_by_role("button", name="Save entry").click()
    expect(phone).to_have_url(re.compile(rf"/entries/{UUID}$"))
    entry_id = phone.url.rsplit("/", 1)[1]
    share_with(phone, therapist_name)
    entry_share_url = phone.url
    expect(phone.locator(".share-preview")).to_contain_text(entry_marker)
    shots.take(phone, "client-entry-shared")

    # A photo of art, shared.
    caption = f"Blue hills {new_marker('SHAREDART')}"
    phone.goto(base + "/art/new")
    phone.get_by_label("Photos", exact=True).set_input_files(
        [{"name": "hills.jpg", "mimeType": "image/jpeg", "buffer": art_images.painting((900, 700), seed=7)}]
    )
    phone.get_by_label("Caption or reflection").fill(caption)
    phone.get_by_role("button", name="Add photos").click()
    phone.wait_for_url(base + "/art", timeout=20_000)
    expect(phone.get_by_text("Photo added.")).to_be_visible()
    phone.locator("[data-art-group] img").first.click()
    expect(phone.locator("figcaption")).to_have_text(caption)
    share_with(phone, therapist_name)
    shots.take(phone, "client-photo-shared")

    # The therapist: the client on the desk, the entry and the photo's thumbnail on their page.
    desk.goto(base + "/desk")
    client_card = desk.locator(".desk-client")
    expect(client_card).to_have_count(1)
    expect(client_card).to_contain_text("2 new")
    shots.take(desk, "desk-clients")
    client_card.get_by_role("link", name=client_email).click()
    expect(desk).to_have_url(re.compile(rf"/desk/clients/{UUID}$"))
    client_url = desk.url
    expect(desk.get_by_role("heading", level=1)).to_have_text(client_email)
    entry_item = desk.locator(f'[data-record="{entry_id}"]')
    expect(entry_item).to_contain_text(entry_title)
    thumb = desk.locator(".desk-art img")
    expect(thumb).to_have_count(1)
    thumb.scroll_into_view_if_needed()
    desk.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    shots.take(desk, "desk-client")

    entry_item.get_by_role("link").click()
    expect(desk).to_have_url(f"{client_url}/records/{entry_id}")
    record_url = desk.url
    expect(desk.locator(".desk-record")).to_contain_text(entry_marker)
    shots.take(desk, "desk-entry")

    desk.get_by_role("link", name=client_email).click()
    desk.get_by_role("link", name="Session brief").click()
    expect(desk).to_have_url(f"{client_url}/brief")
    expect(desk.get_by_role("heading", level=1)).to_have_text(f"Integration session brief: {client_email}")
    expect(desk.locator(f'.brief-entry[data-record="{entry_id}"]')).to_contain_text(entry_marker)
    brief_art = desk.locator(".brief-section .desk-art img")
    expect(brief_art).to_have_count(1)
    desk.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=brief_art.element_handle())
    shots.take(desk, "desk-brief")

    # The client sees each read: "last opened" on the share page, and the access history.
    phone.goto(entry_share_url)
    state = phone.locator(".share-state").first
    expect(state).to_contain_text("last opened")
    expect(state).not_to_contain_text("not opened yet")
    shots.take(phone, "client-entry-opened")
    phone.goto(base + "/access")
    rows = phone.locator(".access-list > li")
    # One line per deliberate open (the entry's page, the brief), one for the visit's summaries (the desk's lists
    # and thumbnails): not a line per item listed.
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Read the integration session brief (2 items)")
    expect(rows.nth(1)).to_contain_text("Opened your journal entry")
    expect(rows.nth(1).locator(f'a[href="/share/{entry_id}"]')).to_have_count(1)
    expect(rows.nth(2)).to_contain_text("Saw the summaries of what you share on their desk (2 items)")
    for row in rows.all():
        expect(row).to_contain_text(therapist_name)
    shots.take(phone, "client-access")

    # The client stops sharing the entry.
    phone.goto(entry_share_url)
    phone.get_by_role("checkbox", name=therapist_name).uncheck()
    phone.get_by_role("button", name="Save sharing").click()
    expect(phone.get_by_role("checkbox", name=therapist_name)).not_to_be_checked()
    expect(phone.locator(".share-state").first).to_have_text("Not shared")
    shots.take(phone, "client-entry-revoked")

    # The therapist: the entry is gone from the client's page, and its page answers 404.
    desk.goto(client_url)
    expect(desk.locator(f'[data-record="{entry_id}"]')).to_have_count(0)
    expect(desk.get_by_text(entry_title)).to_have_count(0)
    expect(desk.locator(".desk-art img")).to_have_count(1)
    shots.take(desk, "desk-after-revoke")
    response = desk.goto(record_url)
    assert response.status == 404, response.status
    expect(desk.locator("body")).not_to_contain_text(entry_marker)
    shots.take(desk, "desk-entry-404")
