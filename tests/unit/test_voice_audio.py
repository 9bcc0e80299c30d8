"""A voice note's file is read, not trusted: only Opus (WebM, Ogg) and AAC (M4A) are kept, without their tags."""

from __future__ import annotations

import io

import av
import pytest
from PIL import Image

from journal.voice import audio
from tests.voice_files import TAGS, aac_m4a, opus_webm, sound_file, tags_of


def test_opus_in_webm_is_kept_as_webm_without_its_tags():
    sent = opus_webm(2.0, TAGS)
    assert b"Walk by the river" in sent and b"Pixel 7" in sent  # the file as the phone made it
    kept = audio.check(sent)
    assert (kept.content_type, kept.extension) == ("audio/webm", "webm")
    assert 1.9 < kept.seconds < 2.2
    for word in (b"Walk by the river", b"Pixel 7", b"52.3676", b"Lavf6"):
        assert word not in kept.data
    tags = {key.lower(): value for key, value in tags_of(kept.data).items()}
    assert not {"title", "location", "artist", "comment"} & set(tags)
    assert tags.get("encoder", "Lavf") == "Lavf"  # the muxer's bare name, the same for everyone
    with av.open(io.BytesIO(kept.data)) as again:
        assert [stream.codec_context.name for stream in again.streams] == ["opus"]


def test_opus_in_ogg_is_kept_as_webm():
    kept = audio.check(sound_file("ogg", "libopus", 1.0, TAGS))
    assert kept.content_type == "audio/webm" and b"Walk by the river" not in kept.data


def test_aac_in_m4a_is_kept_as_m4a_without_its_tags():
    kept = audio.check(aac_m4a(2.0, TAGS))
    assert (kept.content_type, kept.extension) == ("audio/mp4", "m4a")
    assert 1.9 < kept.seconds < 2.2
    assert b"Walk by the river" not in kept.data and b"Pixel 7" not in kept.data
    assert "title" not in tags_of(kept.data)


def test_a_picture_named_webm_is_refused_with_a_reason():
    picture = io.BytesIO()
    Image.new("RGB", (8, 8)).save(picture, "PNG")
    with pytest.raises(audio.AudioRefused) as refused:
        audio.check(picture.getvalue())
    assert refused.value.reason.startswith("This file isn't a sound recording we can keep: ")
    assert "WebM, Ogg or M4A" in refused.value.reason


def test_another_codec_in_an_allowed_container_is_refused():
    with pytest.raises(audio.AudioRefused) as refused:
        audio.check(sound_file("ogg", "flac", 1.0))
    assert "FLAC" in refused.value.reason


def test_a_cut_file_is_refused_not_kept_in_part():
    whole = opus_webm(2.0)
    with pytest.raises(audio.AudioRefused):
        audio.check(whole[:40])


def test_longer_than_the_limit_is_refused():
    with pytest.raises(audio.AudioRefused) as refused:
        audio.check(opus_webm(9.0), max_seconds=3)
    assert "longer than 0:03" in refused.value.reason
    assert audio.check(opus_webm(2.0), max_seconds=3).seconds < 3


def test_ten_minutes_are_kept_and_a_few_seconds_more_are_refused():
    assert 599 < audio.check(sound_file("ipod", "aac", 600, rate=8000)).seconds <= 601
    with pytest.raises(audio.AudioRefused) as refused:
        audio.check(sound_file("ipod", "aac", 612, rate=8000))
    assert refused.value.reason.endswith("it is longer than 10 minutes, the most a voice note keeps.")


def test_empty_is_refused():
    with pytest.raises(audio.AudioRefused):
        audio.check(b"")


def test_minutes():
    assert audio.minutes(65.4) == "1:05" and audio.minutes(600) == "10:00"
