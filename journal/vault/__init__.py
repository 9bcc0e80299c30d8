"""The one door to keys. Services call it; views never import it."""

from flask import Flask

from .accounts import (
    NewAccount,
    PreparedRotation,
    begin_prepared_rotation,
    create_account_keys,
    format_recovery_code,
    parse_recovery_code,
    prepare_rotation,
    replace_recovery_code,
    set_new_password,
    unlock_with_password,
    unlock_with_recovery_code,
)
from .asks import open_ask, seal_ask
from .envelope import open_attachment, open_payload, seal_payload
from .invites import (
    client_signing_key_matches,
    client_signing_tag,
    invite_code_hash,
    open_invite_code,
    own_public_key,
    pin_client_signing_key,
    pinned_client_signing_key,
    seal_invite_code,
    therapist_key_matches,
    therapist_key_tag,
)
from .kdf import KdfPolicy
from .keyring import Keyring, PreviousKey
from .next_key import begin as begin_rotation
from .next_key import with_rotation
from .notes import FLAG_MARKS, open_note_sent_to_me, open_own_note, seal_note_to, seal_own_note
from .primitives import VaultError
from .rotation import ENVELOPES, UNDER_USER_KEY, SealedColumn, unseen_recovery_code
from .rotation import finish as finish_rotation
from .second_factor import open_totp_secret, seal_totp_secret
from .sessions import (
    Resumed,
    end_all_sessions,
    end_other_sessions,
    end_session,
    open_session,
    purge_stale_sessions,
    resume_session,
    rewrap_session,
    session_handle,
    user_sessions,
)
from .sharing import KeyChanged, open_shared, open_shared_attachment, pin_key, pinned_key, wrap_for
from .signing import fingerprint, share_verifies, sign_share, signing_public_key
from .user_key_seals import ASK_COPY, SEALED_UNDER_USER_KEY, SESSION_NOTE, SESSION_NOTE_ABOUT

__all__ = [
    "ASK_COPY",
    "open_ask",
    "seal_ask",
    "KeyChanged",
    "Keyring",
    "NewAccount",
    "VaultError",
    "open_shared",
    "open_shared_attachment",
    "pin_key",
    "pinned_key",
    "wrap_for",
    "create_account_keys",
    "end_all_sessions",
    "end_session",
    "format_recovery_code",
    "init_app",
    "open_attachment",
    "open_payload",
    "open_session",
    "parse_recovery_code",
    "purge_stale_sessions",
    "replace_recovery_code",
    "resume_session",
    "seal_payload",
    "set_new_password",
    "unlock_with_password",
    "unlock_with_recovery_code",
    "SEALED_UNDER_USER_KEY",
    "SESSION_NOTE",
    "SESSION_NOTE_ABOUT",
    "client_signing_key_matches",
    "client_signing_tag",
    "fingerprint",
    "invite_code_hash",
    "open_invite_code",
    "own_public_key",
    "pin_client_signing_key",
    "pinned_client_signing_key",
    "seal_invite_code",
    "share_verifies",
    "sign_share",
    "signing_public_key",
    "therapist_key_matches",
    "therapist_key_tag",
    "Resumed",
    "end_other_sessions",
    "FLAG_MARKS",
    "PreviousKey",
    "begin_rotation",
    "ENVELOPES",
    "UNDER_USER_KEY",
    "SealedColumn",
    "unseen_recovery_code",
    "finish_rotation",
    "rewrap_session",
    "PreparedRotation",
    "begin_prepared_rotation",
    "prepare_rotation",
    "with_rotation",
    "open_note_sent_to_me",
    "open_own_note",
    "seal_note_to",
    "seal_own_note",
    "open_totp_secret",
    "seal_totp_secret",
    "session_handle",
    "user_sessions",
]


def init_app(app: Flask) -> None:
    app.extensions["vault_kdf_policy"] = KdfPolicy(app.config)
