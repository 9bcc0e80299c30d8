"""The associated data every sealed value is bound to: its bytes may never change, or nothing stored opens."""

from __future__ import annotations

import uuid

from journal.vault.primitives import context

# Written down once from the encoding: "jrnl:v1", then each field as a 4-byte length and its bytes (UUIDs as
# their 16 bytes, integers and booleans as 8 bytes big-endian, text as UTF-8).
KNOWN = bytes.fromhex(
    "6a726e6c3a7631"
    "00000003" + "64656b"
    "00000007" + "7265636f726473"
    "00000010" + "00000000000000000000000000000007"
    "00000010" + "ffffffffffffffffffffffffffffffff"
    "00000005" + "656e747279"
    "00000008" + "0000000000000003"
    "00000004" + "00726177"
    "00000008" + "0000000000000001"
)


def test_the_encoding_of_every_kind_of_field_is_as_stored():
    parts = ("dek", "records", uuid.UUID(int=7), uuid.UUID(int=2**128 - 1), "entry", 3, b"\x00raw", True)
    assert context(*parts) == KNOWN


def test_fields_cannot_run_together():
    assert context("ab", "c") != context("a", "bc")
    assert context("é") != context("e")
    assert context(uuid.UUID(int=1)) != context(uuid.UUID(int=1).bytes[:15])
