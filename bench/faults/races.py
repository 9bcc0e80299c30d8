"""Requests that race: the same create sent several times at once, two edits of one version at once.

Same create: one client-made id sent by 4 connections at the same moment (a threading.Barrier), round after
round; each must make exactly one record, and every answer that says saved names that one record.

Concurrent edits: an entry (or a photo's caption) opened at version N, then two edits of version N sent at
the same moment. The right outcome is one saved and one conflict (409, the page showing both texts). Two
"saved" answers mean one text was overwritten without a word: counted lost.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

from .base import Context, describe_answers, running, signed_in, signed_up
from .ledger import SAVED, Ledger, Row, Write, verify_entries
from .photos import new_upload, photo, send_upload, verify_photos
from .web import Answer, Browser, page_text, words

SENDERS = 4
CREATE_ROUNDS = 20
PHOTO_ROUNDS = 3
EDIT_ROUNDS = 30
CAPTION_ROUNDS = 10


def at_once(clients: list[Browser], send) -> list[Answer]:
    """`send(client, n)` on every client at the same moment; the answers in order."""
    barrier = threading.Barrier(len(clients))
    answers: list[Answer | None] = [None] * len(clients)

    def one(n: int) -> None:
        barrier.wait()
        answers[n] = send(clients[n], n)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers  # type: ignore[return-value]


def same_create(ctx: Context) -> list[Row]:
    row = Row("concurrent identical creates", ctx.kind)
    server = ctx.server("samecreate", ctx.database("samecreate"))
    entries, uploads = Ledger("samecreate"), Ledger("samephoto")
    named_apart = 0
    with running(server):
        email = ctx.email("samecreate")
        client = signed_up(server, email)
        clients = [client.clone() for _ in range(SENDERS)]
        for _round in range(CREATE_ROUNDS):
            write = entries.new(60)
            answers = at_once(clients, lambda c, n, write=write: _create(c, entries, write, outbox=n % 2 == 0))
            places = {_entry_id(answer.location) for answer in answers if answer.status in SAVED}
            named_apart += len(places) > 1
            if places:
                write.acknowledged = time.monotonic()
        for _round in range(PHOTO_ROUNDS):
            write = new_upload(uploads, 1)
            # Each sender keeps trying (as the outbox does) while the photo slots are busy.
            at_once(clients, lambda c, n, write=write: send_upload(c, uploads, write, [photo(0.3, 7)], give_up=20))
        reader = signed_in(server, email)
        verify_entries(reader, entries, row)
        verify_photos(reader, uploads, row)
        describe_answers(entries, row)
        row.notes.insert(1, "photos: " + uploads.answer_summary())
    row.notes.append(f"{CREATE_ROUNDS} entries and {PHOTO_ROUNDS} photos, each sent {SENDERS} times at once")
    if named_apart:
        row.problems.append(f"{named_apart} rounds answered 'saved' naming different entries")
    return [row]


def _create(client: Browser, ledger: Ledger, write: Write, outbox: bool) -> Answer:
    started = time.monotonic()
    answer = client.create_entry(write.key, write.title, write.body, outbox)
    ledger.note_answer(write, answer, time.monotonic() - started)
    return answer


def _entry_id(location: str) -> str:
    return location.rstrip("/").rsplit("/", 1)[-1]


def edits(ctx: Context) -> list[Row]:
    entry_row = Row("concurrent edits (entries)", ctx.kind)
    caption_row = Row("concurrent edits (captions)", ctx.kind)
    server = ctx.server("edits", ctx.database("edits"))
    with running(server):
        email = ctx.email("edits")
        client = signed_up(server, email)
        pair = [client.clone(), client.clone()]
        outcomes: Counter[str] = Counter()
        for _round in range(EDIT_ROUNDS):
            _edit_round(client, pair, entry_row, outcomes)
        _describe(entry_row, outcomes, EDIT_ROUNDS)
        outcomes = Counter()
        uploads = Ledger("edits")
        upload = new_upload(uploads, 1)
        send_upload(client, uploads, upload, [photo(0.3, 8)], give_up=20)
        art_id = client.gallery()[0][0]
        for _round in range(CAPTION_ROUNDS):
            _caption_round(client, pair, art_id, caption_row, outcomes)
        _describe(caption_row, outcomes, CAPTION_ROUNDS)
    return [entry_row, caption_row]


def _edit_round(client: Browser, pair: list[Browser], row: Row, outcomes: Counter) -> None:
    title = f"edits {uuid.uuid4().hex}"
    created = client.create_entry(uuid.uuid4().hex, title, words(30), outbox=True)
    entry_id = _entry_id(created.location)
    version = client.edit_form(entry_id)
    texts = [f"A {uuid.uuid4().hex} {words(40)}", f"B {uuid.uuid4().hex} {words(40)}"]
    answers = at_once(pair, lambda c, n: c.edit_entry(entry_id, version, title, texts[n]))
    status, shown_title, shown = client.read_entry(entry_id)
    final = shown if status == 200 and shown_title == title else None
    _judge(row, outcomes, answers, texts, final)


def _caption_round(client: Browser, pair: list[Browser], art_id: str, row: Row, outcomes: Counter) -> None:
    version = client.art_version(art_id)
    texts = [f"A {uuid.uuid4().hex} {words(12)}", f"B {uuid.uuid4().hex} {words(12)}"]
    answers = at_once(pair, lambda c, n: c.edit_caption(art_id, version, texts[n]))
    status, caption, opens = client.read_art(art_id)
    _judge(row, outcomes, answers, texts, caption if status == 200 and opens else None)


def _judge(row: Row, outcomes: Counter, answers: list[Answer], texts: list[str], final: str | None) -> None:
    """Count one round: acknowledged edits, whether their text is what is there now, and the conflict page."""
    saved = [n for n, answer in enumerate(answers) if answer.status == 303]
    conflicts = [n for n, answer in enumerate(answers) if answer.status == 409]
    outcomes[" + ".join(sorted(answer.label for answer in answers))] += 1
    row.acknowledged += len(saved)
    row.refused += len(answers) - len(saved)
    if final is None or final not in texts:
        row.partial += 1  # the record does not open, or holds neither text
    row.lost += sum(1 for n in saved if texts[n] != final)
    for n in conflicts:
        page = page_text(answers[n].body)
        if texts[n] not in page or texts[1 - n] not in page:
            row.problems.append("a 409 page did not show both texts")


def _describe(row: Row, outcomes: Counter, rounds: int) -> None:
    row.notes.append(f"{rounds} rounds: " + ", ".join(f"{label} ×{count}" for label, count in outcomes.most_common()))
    if row.lost:
        row.notes.append("both answered saved and one text is gone (lost update)")
    row.problems = list(dict.fromkeys(row.problems))
