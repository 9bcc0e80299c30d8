"""A client of the real server over HTTP, as a browser or the phone's outbox talks to it.

Sign-up and sign-in through the forms (CSRF token from the page, the session cookie kept), entries and
photos written with a client-made id, and everything read back from the pages a person sees.
"""

from __future__ import annotations

import html
import io
import random
import re
import uuid
from dataclasses import dataclass

import requests

PASSWORD = "a calm lake at dawn, faults"
TIMEOUT = 30
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
ENTRY_LINK_RE = re.compile(r'<a href="/entries/([0-9a-f-]{36})">\s*<span class="entry-title">(.*?)</span>', re.S)
OLDER_RE = re.compile(r'<a class="button" href="(/entries\?before=[^"]+)">Older entries</a>')
ENTRY_TITLE_RE = re.compile(r'<article class="card entry">\s*<h1>(.*?)</h1>', re.S)
ENTRY_BODY_RE = re.compile(r'<div class="entry-body">(.*?)</div>', re.S)
ART_TILE_RE = re.compile(r'<a class="art-tile" href="/art/([0-9a-f-]{36})">(.*?)</a>', re.S)
ART_CAPTION_SHORT_RE = re.compile(r'<span class="art-caption-short">(.*?)</span>', re.S)
ART_CAPTION_RE = re.compile(r'<figcaption class="pre-line art-caption">(.*?)</figcaption>', re.S)
TAG_RE = re.compile(r"<[^>]+>")
WORDS = (
    "quiet",
    "river",
    "stone",
    "light",
    "open",
    "breath",
    "window",
    "morning",
    "warm",
    "field",
    "slow",
    "listen",
    "garden",
    "return",
    "gentle",
    "rain",
    "colour",
    "safe",
    "held",
    "wave",
)


def page_text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags gone, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(TAG_RE.sub(" ", fragment)).split())


def words(count: int, rng: random.Random | None = None) -> str:
    rng = rng or random
    return " ".join(rng.choice(WORDS) for _ in range(count))


class Failed(Exception):
    """A request that did not get the answer it needed (setup steps only)."""


@dataclass
class Answer:
    """What one attempt got: an HTTP status, or the name of the connection error."""

    status: int | None
    error: str | None = None
    location: str = ""
    body: str = ""
    retry_after: int | None = None

    @property
    def label(self) -> str:
        return str(self.status) if self.status is not None else self.error or "error"


class Browser:
    """One signed-in browser (or the outbox of one phone): its cookies and CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.token: str | None = None

    def clone(self, base: str | None = None) -> Browser:
        """Another connection of the same signed-in browser (each writer thread has its own)."""
        other = Browser(base or self.base)
        other.http.cookies.update(self.http.cookies)
        other.http.verify = self.http.verify
        other.token = self.token
        return other

    def get(self, path: str, timeout: float = TIMEOUT) -> requests.Response:
        response = self.http.get(self.base + path, allow_redirects=False, timeout=timeout, verify=self.http.verify)
        found = CSRF_RE.search(response.text) if "text/html" in response.headers.get("Content-Type", "") else None
        if found:
            self.token = found.group(1) or found.group(2)
        return response

    def post(
        self, path: str, data: dict, files=None, headers: dict | None = None, timeout: float = TIMEOUT
    ) -> requests.Response:
        if self.token is None:
            self.get("/help")  # any page carries the token; this one whether signed in or not
        response = self.http.post(
            self.base + path,
            data={"csrf_token": self.token, **data},
            files=files,
            headers=headers or {},
            allow_redirects=False,
            timeout=timeout,
            verify=self.http.verify,
        )
        if response.status_code in (302, 303) and path in ("/signup", "/signin", "/signin/code", "/recover"):
            self.token = None  # the token is renewed at each step of signing in: the next post fetches it again
        else:
            found = CSRF_RE.search(response.text)
            if found:
                self.token = found.group(1) or found.group(2)
        return response

    def attempt(self, method, *args, **kwargs) -> Answer:
        """A request whose failure is a result, not an exception."""
        try:
            response = method(*args, **kwargs)
        except requests.Timeout:
            return Answer(None, "timeout")
        except requests.ConnectionError as error:
            return Answer(None, _connection_error(error))
        retry = response.headers.get("Retry-After", "")
        return Answer(
            response.status_code,
            location=response.headers.get("Location", ""),
            body=response.text,
            retry_after=int(retry) if retry.isdigit() else None,
        )

    # Accounts -------------------------------------------------------------------------------------------

    def sign_up(self, email: str) -> None:
        self.get("/signup")
        response = self.post(
            "/signup",
            {
                "email": email,
                "password": PASSWORD,
                "confirm": PASSWORD,
                "role": "client",
                "display_name": "",
                "time_zone": "UTC",
            },
        )
        if response.status_code != 200:
            raise Failed(f"sign-up answered {response.status_code}")
        if self.post("/recovery-code/saved", {"saved": "yes"}).status_code != 302:
            raise Failed("confirming the recovery code failed")
        self.get("/")

    def sign_in(self, email: str) -> None:
        self.get("/signin")
        response = self.post("/signin", {"email": email, "password": PASSWORD, "next": "/"})
        if response.status_code not in (302, 303):
            raise Failed(f"sign-in answered {response.status_code}")
        self.get("/")

    @property
    def session_cookie(self) -> str | None:
        return self.http.cookies.get("sid")

    # Entries --------------------------------------------------------------------------------------------

    def create_entry(self, client_key: str, title: str, body: str, outbox: bool) -> Answer:
        """A new entry: from the outbox (201 naming it) or as a form post (303 to it, then that page)."""
        headers = {"X-Outbox": "later"} if outbox else {}
        answer = self.attempt(
            self.post, "/entries", {"client_key": client_key, "title": title, "body": body}, headers=headers
        )
        if answer.status == 303 and "/entries/" in answer.location:
            self.attempt(self.get, answer.location)  # as a browser follows it (and reads the flash)
        return answer

    def edit_form(self, entry_id: str) -> int:
        response = self.get(f"/entries/{entry_id}/edit")
        if response.status_code != 200:
            raise Failed(f"edit form answered {response.status_code}")
        return int(VERSION_RE.search(response.text).group(1))

    def edit_entry(self, entry_id: str, version: int, title: str, body: str) -> Answer:
        return self.attempt(
            self.post,
            f"/entries/{entry_id}/edit",
            {"version": str(version), "title": title, "body": body, "client_key": uuid.uuid4().hex},
        )

    def all_entries(self) -> list[tuple[str, str]]:
        """(id, title) of every entry in the journal list, following "Older entries" to the end."""
        found: list[tuple[str, str]] = []
        path: str | None = "/entries"
        while path:
            response = self.get(path)
            if response.status_code != 200:
                raise Failed(f"journal list answered {response.status_code}")
            found += [(entry_id, html.unescape(title)) for entry_id, title in ENTRY_LINK_RE.findall(response.text)]
            older = OLDER_RE.search(response.text)
            path = html.unescape(older.group(1)) if older else None
        return found

    def read_entry(self, entry_id: str) -> tuple[int, str, str]:
        """(status, title, body as read) of an entry's page."""
        response = self.get(f"/entries/{entry_id}")
        if response.status_code != 200:
            return response.status_code, "", ""
        title = ENTRY_TITLE_RE.search(response.text)
        body = ENTRY_BODY_RE.search(response.text)
        return 200, page_text(title.group(1)) if title else "", page_text(body.group(1)) if body else ""

    # Photos of art --------------------------------------------------------------------------------------

    def upload(self, client_key: str, caption: str, photos: list[bytes], timeout: float = 120) -> Answer:
        files = [("photos", (f"art-{n}.jpg", data, "image/jpeg")) for n, data in enumerate(photos)]
        return self.attempt(
            self.post,
            "/art",
            {"client_key": client_key, "caption": caption, "dose_id": "none"},
            files=files,
            timeout=timeout,
        )

    def art_version(self, art_id: str) -> int:
        response = self.get(f"/art/{art_id}/edit")
        if response.status_code != 200:
            raise Failed(f"photo edit form answered {response.status_code}")
        return int(VERSION_RE.search(response.text).group(1))

    def edit_caption(self, art_id: str, version: int, caption: str) -> Answer:
        return self.attempt(
            self.post, f"/art/{art_id}/edit", {"version": str(version), "caption": caption, "dose_id": "none"}
        )

    def gallery(self) -> list[tuple[str, str]]:
        """(id, caption) of every photo in the gallery."""
        response = self.get("/art")
        if response.status_code != 200:
            raise Failed(f"gallery answered {response.status_code}")
        tiles = []
        for art_id, inner in ART_TILE_RE.findall(response.text):
            caption = ART_CAPTION_SHORT_RE.search(inner)
            tiles.append((art_id, page_text(caption.group(1)) if caption else ""))
        return tiles

    def read_art(self, art_id: str) -> tuple[int, str, bool]:
        """(status, caption as read, whether the full picture opens as an image)."""
        response = self.get(f"/art/{art_id}")
        if response.status_code != 200:
            return response.status_code, "", False
        caption = ART_CAPTION_RE.search(response.text)
        return 200, page_text(caption.group(1)) if caption else "", self.picture_opens(art_id)

    def picture_opens(self, art_id: str) -> bool:
        from PIL import Image

        try:
            response = self.http.get(f"{self.base}/art/{art_id}/full.jpg", timeout=TIMEOUT, verify=self.http.verify)
            if response.status_code != 200:
                return False
            with Image.open(io.BytesIO(response.content)) as image:
                image.load()
            return True
        except Exception:  # noqa: BLE001 - any failure to fetch or decode is the finding
            return False


def _connection_error(error: Exception) -> str:
    text = repr(error)
    if "RemoteDisconnected" in text or "ProtocolError" in text or "BadStatusLine" in text:
        return "dropped"
    if "Connection refused" in text or "ConnectionRefused" in text:
        return "refused-conn"
    if "reset" in text.lower():
        return "reset"
    return "conn-error"


def jpeg(megabytes: float, seed: int = 0) -> bytes:
    """A real JPEG of about this size: noise over a gradient, which compresses poorly, like a photo of grain."""
    from PIL import Image

    rng = random.Random(seed)
    side = max(64, int((megabytes * 1024 * 1024 * 1.45) ** 0.5))
    width, height = int(side * 1.25), int(side * 0.8)
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=85)
    return out.getvalue()
