"""The entry renderer is kept per thread: nothing of one text reaches the next, in any thread."""

from __future__ import annotations

import threading

from journal.entries.render import plain_text, render_markdown


def test_a_link_reference_defined_in_one_entry_does_not_resolve_in_the_next():
    first = render_markdown("[river][r]\n\n[r]: https://example.org/one")
    assert 'href="https://example.org/one"' in first
    second = render_markdown("[river][r]")
    assert "example.org" not in second
    assert "[river][r]" in second


def test_raw_html_is_shown_as_text_every_time():
    for _ in range(3):
        html = render_markdown("<script>alert(1)</script> *calm*")
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        assert "<em>calm</em>" in html


def test_threads_render_their_own_texts_at_once():
    results: dict[int, list[str]] = {}

    def render(number: int) -> None:
        results[number] = [str(render_markdown(f"**entry {number} line {n}**")) for n in range(200)]

    threads = [threading.Thread(target=render, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for number, rendered in results.items():
        assert rendered == [f"<p><strong>entry {number} line {n}</strong></p>" for n in range(200)]


def test_plain_text_is_the_words_a_reader_sees_without_the_marks():
    source = (
        "# After the lake\n"
        "It was **so** _quiet_, ***really*** quiet, and `still`.\n"
        "> A line I kept\n"
        "- one thing\n"
        "2. another\n"
        "See [the river](https://example.org/river) and ~~not this~~ that.\n"
        "2 * 3 * 4 and snake_case_names stay."
    )
    assert plain_text(source) == (
        "After the lake\n"
        "It was so quiet, really quiet, and still.\n"
        "A line I kept\n"
        "one thing\n"
        "another\n"
        "See the river and not this that.\n"
        "2 * 3 * 4 and snake_case_names stay."
    )
