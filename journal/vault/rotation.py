"""Rotating a user key: a new key, and everything the old one sealed sealed again under it.

How a rotation runs (account_security/rotation.py drives it, records/rotation.py re-keys the rows):

1. `next_key.begin`: a fresh key for the next `uk_version`, wrapped under the current key on the
   user's row, and under the password (`accounts.wrap_next_key_for_password`) or, after recovery,
   the new password. From then on every unlock of the account gives a keyring with both keys: it
   seals under the new one and opens under either, so every page reads every record.
2. The rows in ENVELOPES get a new data key under the new user key, a batch per transaction, each
   with its version bumped and its shares re-made. A crash between batches loses nothing: what is
   done opens with the new key, the rest with the old one, and both stay reachable.
3. One last transaction, refused unless no row of the user is left under the old version and every
   share is of its record's current version: the values in UNDER_USER_KEY are sealed again, `finish`
   replaces the wraps OF the key (password, recovery code) and drops the old key's wraps and the
   rotation's own; the caller ends every other session and re-makes this one's.

Everything sealed under a user key is in ENVELOPES or UNDER_USER_KEY. A new value sealed under it
belongs in one of them, or a rotation would leave it under a key that is gone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..models import Ask, Draft, Invite, Link, Record, SessionNote, User
from .accounts import RECOVERY_CODE_BYTES, _set_recovery_code, format_recovery_code, parse_recovery_code
from .keyring import Keyring
from .notes import FLAG_MARKS, reseal_own_note
from .primitives import VaultError, context, open_sealed, open_under_user_key, seal, unwrap_key, wrap_key
from .second_factor import reseal_totp_secret
from .sharing import reseal_pin
from .user_key_seals import (
    ASK_COPY,
    SESSION_NOTE,
    SESSION_NOTE_ABOUT,
    client_signing_pin_context,
    invite_code_context,
    signing_key_context,
)


@dataclass(frozen=True)
class SealedColumn:
    """A column whose value is sealed under the user key of the user that `owner` names."""

    model: type
    column: str
    owner: str
    reseal: Callable[[Keyring, Any], None]  # seal the row's value again under the keyring's new key


def _private_key(keyring: Keyring, user: User) -> None:
    old = keyring.previous
    if old is None:
        raise VaultError("no rotation of this keyring under way")
    private = unwrap_key(old.user_key, user.x25519_priv_wrap, context("x25519-priv", user.id, old.uk_version))
    user.x25519_priv_wrap = wrap_key(keyring.user_key, private, context("x25519-priv", user.id, keyring.uk_version))


def _signing_key(keyring: Keyring, user: User) -> None:
    if user.ed25519_priv_wrap is None:
        return  # an account from before signing keys gets one at its next unlock
    old = keyring.previous
    if old is None:
        raise VaultError("no rotation of this keyring under way")
    raw = unwrap_key(old.user_key, user.ed25519_priv_wrap, signing_key_context(user.id, old.uk_version))
    user.ed25519_priv_wrap = wrap_key(keyring.user_key, raw, signing_key_context(user.id, keyring.uk_version))


def _totp_secret(keyring: Keyring, user: User) -> None:
    reseal_totp_secret(user, keyring)


def _pin(keyring: Keyring, link: Link) -> None:
    link.pinned_key_ciphertext = reseal_pin(keyring, link.therapist_id, bytes(link.pinned_key_ciphertext))


def _flag_marks(keyring: Keyring, link: Link) -> None:
    if link.flag_marks_ciphertext is None:
        raise VaultError("no flag marks to seal again")  # the rows come filtered on the column being set
    link.flag_marks_ciphertext = reseal_own_note(keyring, FLAG_MARKS, link.id, bytes(link.flag_marks_ciphertext))


def _client_signing_pin(keyring: Keyring, link: Link) -> None:
    if link.client_sign_pin is not None:
        ctx = client_signing_pin_context(link.therapist_id, link.id, link.client_id)
        link.client_sign_pin = seal(
            keyring.user_key, open_under_user_key(keyring, bytes(link.client_sign_pin), ctx), ctx
        )


def _invite_code(keyring: Keyring, invite: Invite) -> None:
    if invite.code_sealed is not None:
        ctx = invite_code_context(invite.therapist_id, invite.id)
        invite.code_sealed = seal(keyring.user_key, open_under_user_key(keyring, bytes(invite.code_sealed), ctx), ctx)


def _session_note(keyring: Keyring, note: SessionNote) -> None:
    note.ciphertext = reseal_own_note(keyring, SESSION_NOTE, note.id, bytes(note.ciphertext))


def _session_note_about(keyring: Keyring, note: SessionNote) -> None:
    note.about_ciphertext = reseal_own_note(keyring, SESSION_NOTE_ABOUT, note.id, bytes(note.about_ciphertext))


def _ask_copy(keyring: Keyring, ask: Ask) -> None:
    # The client's copy is sealed to their X25519 key, which a rotation keeps (only its wrap changes): it opens.
    ask.own_ciphertext = reseal_own_note(keyring, ASK_COPY, ask.id, bytes(ask.own_ciphertext))


# Small values, sealed again in the last transaction of a rotation.
UNDER_USER_KEY: tuple[SealedColumn, ...] = (
    SealedColumn(User, "x25519_priv_wrap", "id", _private_key),
    SealedColumn(User, "ed25519_priv_wrap", "id", _signing_key),
    SealedColumn(User, "totp_secret_ciphertext", "id", _totp_secret),
    SealedColumn(Link, "pinned_key_ciphertext", "client_id", _pin),  # a client's pins of clinicians' keys
    SealedColumn(Link, "flag_marks_ciphertext", "therapist_id", _flag_marks),  # a clinician's "seen" marks
    SealedColumn(Link, "client_sign_pin", "therapist_id", _client_signing_pin),  # a clinician's pins of clients' keys
    SealedColumn(Invite, "code_sealed", "therapist_id", _invite_code),  # a clinician's open invites
    SealedColumn(SessionNote, "ciphertext", "therapist_id", _session_note),  # a clinician's private notes
    SealedColumn(SessionNote, "about_ciphertext", "therapist_id", _session_note_about),  # whom each is about
    SealedColumn(Ask, "own_ciphertext", "therapist_id", _ask_copy),  # a clinician's copy of what they asked
)
# Rows with their own data key wrapped under the user key (`dek_wrap`, `uk_version`): re-keyed in batches.
ENVELOPES: tuple[type[Record] | type[Draft], ...] = (Record, Draft)
# Not sealed again but replaced by `finish`: the wraps OF the user key (users.uk_wrap_pw, uk_wrap_recovery,
# the rotation_* columns), users.unseen_recovery_code_ciphertext (the new code, or nothing), and the session
# rows' uk_wrap and priv_wrap (other sessions end; the caller re-makes its own with rewrap_session).


def finish(user: User, keyring: Keyring) -> tuple[Keyring, str | None]:
    """The wraps of the new key replace those of the old one; returns the plain keyring and a new recovery code.

    Call with the user's row already at the new `uk_version` and every value above sealed again.
    The code is None when one was made during the rotation (recovery makes one): it stands.
    """
    if (
        keyring.user_id != user.id
        or not keyring.rotating
        or user.uk_version != keyring.uk_version
        or user.rotation_uk_wrap is None
        or user.rotation_uk_wrap_pw is None
    ):
        raise VaultError("no rotation of this keyring to finish")
    final = Keyring(user.id, keyring.uk_version, keyring.user_key, keyring.private_key, keyring.signing_key)
    user.uk_wrap_pw = user.rotation_uk_wrap_pw
    code = None
    if user.rotation_uk_wrap_recovery is not None:
        user.uk_wrap_recovery = user.rotation_uk_wrap_recovery
        user.unseen_recovery_code_ciphertext = None
    else:
        code = _set_recovery_code(user, final)
        raw_code = parse_recovery_code(code)
        if raw_code is None:
            raise VaultError("the new recovery code does not parse")
        user.unseen_recovery_code_ciphertext = seal(final.user_key, raw_code, _unseen_ctx(user))
    user.rotation_uk_wrap = user.rotation_uk_wrap_pw = user.rotation_uk_wrap_recovery = None
    user.rotation_started_at = None
    return final, code


def unseen_recovery_code(user: User, keyring: Keyring) -> str | None:
    """The recovery code a rotation made, while it waits to be shown; None when there is none."""
    if user.unseen_recovery_code_ciphertext is None or keyring.user_id != user.id:
        return None
    try:
        raw = open_sealed(
            keyring.key_for(user.uk_version), bytes(user.unseen_recovery_code_ciphertext), _unseen_ctx(user)
        )
    except VaultError:
        return None
    return format_recovery_code(raw) if len(raw) == RECOVERY_CODE_BYTES else None


def _unseen_ctx(user: User) -> bytes:
    return context("unseen-recovery-code", _uid(user), user.uk_version)


def _uid(user: User) -> uuid.UUID:
    if user.id is None:
        raise VaultError("user needs an id")
    return user.id
