"""Search matching and marking: accents and capitals do not matter, every word is needed, and a client's own text
(markup included) is shown as text with the marks around it, never inside a tag."""

from __future__ import annotations

from journal.search import text


def test_accents_and_capitals_do_not_matter_either_way():
    words = text.terms("CAFÉ naïve")
    assert words == ("cafe", "naive")
    assert text.matches(["Un café, très naive"], words)
    assert text.matches(["CAFE", "Naïve"], text.terms("café naive"))  # across fields
    assert text.terms("Straße") == ("strasse",) and text.matches(["die STRASSE"], text.terms("straße"))


def test_every_word_must_be_there_and_a_word_finds_a_longer_one():
    assert not text.matches(["the river was calm"], text.terms("river ocean"))
    assert text.matches(["I felt calmer"], text.terms("calm"))
    assert not text.matches(["anything"], text.terms("   "))
    assert text.terms("a a A b") == ("a", "b")


def test_the_marks_sit_on_the_original_letters_with_their_accents():
    html = text.highlight("Le Café de Flore", text.terms("cafe"))
    assert str(html) == "Le <mark>Café</mark> de Flore"
    assert str(text.highlight("ÉLAN élan", text.terms("elan"))) == "<mark>ÉLAN</mark> <mark>élan</mark>"
    # A decomposed accent (e + combining acute) is marked with its letter.
    assert str(text.highlight("cafe\u0301 noir", text.terms("café"))) == "<mark>cafe\u0301</mark> noir"


def test_markup_in_the_text_is_escaped_and_never_broken_into():
    written = '<img src=x onerror="alert(1)"> <b>bold</b> & <mark>fake</mark>'
    html = str(text.highlight(written, text.terms("img onerror bold mark")))
    assert "<img" not in html and "<b>" not in html
    assert html.count("<mark>") == html.count("</mark>")
    assert "&lt;<mark>img</mark> src=x <mark>onerror</mark>=&#34;alert(1)&#34;&gt;" in html
    assert "&lt;<mark>mark</mark>&gt;fake&lt;/<mark>mark</mark>&gt;" in html
    # A word that is part of an entity's text is found in the text, not in the escaped form.
    assert str(text.highlight("fish & chips", text.terms("amp"))) == "fish &amp; chips"


def test_overlapping_words_make_one_mark():
    assert str(text.highlight("overwhelmed", text.terms("overwhelm whelmed"))) == "<mark>overwhelmed</mark>"


def test_a_snippet_is_the_words_around_the_first_match_on_one_line():
    body = "Start. " + "filler words here " * 30 + "the\nriver at dawn " + "more filler " * 30
    found = text.snippet(["title without it", body], text.terms("river"))
    assert found is not None and found.cut_before and found.cut_after
    assert "<mark>river</mark>" in str(found.html) and "\n" not in str(found.html)
    assert len(str(found.html)) < text.SNIPPET + 40
    assert text.snippet(["nothing here"], text.terms("river")) is None
    short = text.snippet(["A short caption by the river"], text.terms("river"))
    assert short is not None and not short.cut_before and not short.cut_after
