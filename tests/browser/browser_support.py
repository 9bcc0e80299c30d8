"""Helpers for the Playwright tests: launching Debian Chromium, screenshots, and setting up data quickly."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from ..support import CSRF_RE, OUTPUT, PASSWORD, TOTP_SECRETS, enable_two_factor, one_time_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = OUTPUT / "screenshots"

# Like an iPhone 13, and like the narrowest phones still in use.
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
NARROW = {"viewport": {"width": 320, "height": 640}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
COMMON = {"locale": "en-GB", "timezone_id": "Europe/Berlin"}

CLIENT_KEY_RE = re.compile(r'name="client_key" value="([^"]+)"')


def launch(playwright):
    """Debian's Chromium, never a downloaded one."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_email(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}@example.org"


class Shots:
    """Numbered full-page screenshots into test-output/screenshots/<folder>/NN-name.png."""

    def __init__(self, folder: str):
        self.folder = SCREENSHOTS / folder
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def take(self, page, name: str, full_page: bool = True) -> Path:
        """The whole page; `full_page=False`: what the viewport shows (a sticky bar where it sits)."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


def sign_up(page, base: str, email: str, password: str = PASSWORD) -> str:
    """Sign up as a client through the form, confirm the recovery code; returns the code. Ends on the journal."""
    page.goto(base + "/signup")
    page.get_by_label("A client, writing my own journal").check()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Create account").click()
    code = page.locator("[data-recovery-code]").inner_text().strip()
    page.get_by_label("I have saved my recovery code somewhere safe").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(base + "/")
    return code


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """On the sign-in page: fill and send the form; for an account with two-step sign-in, then the code step."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    secret = TOTP_SECRETS.get(email.strip().lower())
    if secret:
        page.wait_for_url(re.compile(r"/signin/code"))
        page.get_by_label("6-digit code").fill(one_time_code(secret))
        page.get_by_role("button", name="Sign in").click()


def make_invite(desk, base: str) -> str:
    """On a therapist's desk: make an invite through the invites page; returns its code as shown."""
    desk.goto(base + "/desk/invites")
    desk.get_by_role("button", name="Make an invite").click()
    return desk.locator("[data-invite-code]").inner_text().strip()


def client_links(phone, base: str, code: str, name: str, therapist: str, shares: tuple[str, ...] = ()) -> None:
    """A client signs up on a phone under `name` and links with `therapist` by the invite's code, ticking the
    standing shares named (e.g. "Share all my questionnaires automatically"). Ends on /clinicians."""
    phone.goto(base + "/signup")
    phone.get_by_label("A client, writing my own journal").check()
    phone.get_by_label("Your name").fill(name)
    phone.get_by_label("Email").fill(new_email("linked-client"))
    phone.get_by_label("Password", exact=True).fill(PASSWORD)
    phone.get_by_label("Password again").fill(PASSWORD)
    phone.get_by_role("button", name="Create account").click()
    phone.get_by_label("I have saved my recovery code somewhere safe").check()
    phone.get_by_role("button", name="Continue").click()
    phone.wait_for_url(base + "/")
    phone.goto(f"{base}/link#{code}")
    for label in shares:
        phone.get_by_label(label).check()
    phone.get_by_role("button", name=f"Link with {therapist}").click()
    expect(phone).to_have_url(base + "/clinicians")


def set_up_two_factor(api, base: str, email: str) -> str:
    """Two-step sign-in on for the account signed in in a browser context (`page.request` or `context.request`),
    through the one helper every test uses (support.enable_two_factor). Returns the secret."""
    return enable_two_factor(
        lambda path: api.get(base + path).text(),
        lambda path, fields: api.post(base + path, form=fields, max_redirects=0).status,
        email,
    )


def _form_tokens(page, base: str) -> tuple[str, str]:
    html = page.request.get(base + "/entries/new").text()
    return CSRF_RE.search(html).group(1), CLIENT_KEY_RE.search(html).group(1)


def create_entry(page, base: str, title: str, body: str) -> str:
    """Save an entry with the page's own cookies (the same browser session), skipping the typing."""
    csrf, client_key = _form_tokens(page, base)
    response = page.request.post(
        base + "/entries",
        form={"csrf_token": csrf, "client_key": client_key, "title": title, "body": body},
        max_redirects=0,
    )
    assert response.status == 303, response.status
    return response.headers["location"].rsplit("/", 1)[1]


def keep_draft(page, base: str, title: str, body: str) -> None:
    """Leave an unsaved draft, as autosave would."""
    csrf, client_key = _form_tokens(page, base)
    response = page.request.post(
        base + "/entries/draft",
        form={"client_key": client_key, "title": title, "body": body},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert response.status == 200, response.status
    assert "Draft kept" in response.text()


def end_sessions(database_url: str, email: str) -> int:
    """What the idle lock does on the server: the session rows (and the key wraps in them) are gone."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            return connection.execute(
                text("DELETE FROM auth_sessions WHERE user_id IN (SELECT id FROM users WHERE email = :email)"),
                {"email": email.lower()},
            ).rowcount
    finally:
        engine.dispose()


# Every visible control a thumb has to hit; inline links in running text are exempt (WCAG 2.5.8 allows them).
SMALL_TARGETS_JS = """
(minimum) => {
  const found = [];
  const describe = (el) => {
    const text = (el.getAttribute('aria-label') || el.textContent || el.value || el.name || '').trim().replace(/\\s+/g, ' ');
    return `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : ''}` +
      `${el.type ? '[type=' + el.type + ']' : ''} "${text.slice(0, 40)}"`;
  };
  for (const el of document.querySelectorAll('a, button, input, textarea, select, summary, label.choice')) {
    if (el.type === 'hidden') continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right <= 0 || box.bottom <= 0) continue;  // parked off-screen (the skip link until focused)
    if (box.height >= minimum - 0.5) continue;
    if (el.tagName === 'A' && style.display === 'inline' && !el.classList.contains('button') &&
        el.closest('p, .entry-body')) continue;
    if (el.tagName === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio')) {
      const label = el.closest('label.choice');
      if (label && label.getBoundingClientRect().height >= minimum - 0.5) continue;
    }
    found.push(`${describe(el)} is ${Math.round(box.height * 10) / 10}px tall`);
  }
  return found;
}
"""

WIDER_THAN_VIEWPORT_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) found.push(`${el.tagName.toLowerCase()}.${el.className} right=${box.right}`);
  }
  return found.slice(0, 10);
}
"""


# Ordinary words (letters only, up to 20) split across two lines: a box squeezed narrower than a word.
# Long unbroken strings a user typed may wrap anywhere; those are not counted.
BROKEN_WORDS_JS = """
() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const word = /(?<![\\w@.])[A-Za-z]{2,20}(?![\\w@])/g;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('textarea, script, style, .visually-hidden')) continue;
    if (!parent.getClientRects().length) continue;
    for (const match of node.data.matchAll(word)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) found.push(`"${match[0]}" in ${parent.tagName.toLowerCase()}.${parent.className}`);
    }
  }
  return found;
}
"""

# Labels that must sit on one line (the tab bar's words: a client's each under its icon, in a span).
WRAPPED_LABELS_JS = """
(selector) => [...document.querySelectorAll(selector)].filter(el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const middles = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top + r.height / 2);
  return middles.length > 0 && Math.max(...middles) - Math.min(...middles) > 10;
}).map(el => el.textContent.trim().replace(/\\s+/g, ' '))
"""


def luminance(css_color: str) -> float:
    """Relative luminance (WCAG) of an rgb()/rgba() computed colour."""
    red, green, blue = (round(float(part)) for part in re.findall(r"[\d.]+", css_color)[:3])

    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def narrow_problems(page, name: str, width: int = 320) -> list[str]:
    """What is wrong with the current page on a narrow phone: sideways scroll, small targets, broken words,
    tab labels on two lines. Each line starts with `name`."""
    problems: list[str] = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        problems.append(f"{name}: page is {scroll_width}px wide; sticking out: {page.evaluate(WIDER_THAN_VIEWPORT_JS)}")
    problems.extend(f"{name}: {small}" for small in page.evaluate(SMALL_TARGETS_JS, 44))
    problems.extend(f"{name}: word broken across lines: {word}" for word in page.evaluate(BROKEN_WORDS_JS))
    problems.extend(
        f"{name}: tab label on two lines: {label}"
        for label in page.evaluate(WRAPPED_LABELS_JS, ".tabbar a > span, .tabbar a:not(:has(> span))")
    )
    return problems


def contrast(first_css_color: str, second_css_color: str) -> float:
    """WCAG contrast ratio of two computed colours (1 to 21)."""
    lighter, darker = sorted((luminance(first_css_color), luminance(second_css_color)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
