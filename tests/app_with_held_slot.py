"""The real app for gunicorn, whose photo slot a browser test can keep busy: "someone else's photos are being
prepared". While the file named by ART_SLOT_HOLD_FILE exists, a thread of the worker holds a slot, and a file
beside it ending in ".held" says so. Nothing in the app is replaced: uploads meet a slot that is really taken.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from journal.art.service import Busy
from wsgi import app

FLAG = Path(os.environ["ART_SLOT_HOLD_FILE"])
HELD = FLAG.with_name(FLAG.name + ".held")


def _hold_while_asked() -> None:
    slots = app.extensions["art_slots"]
    while True:
        if FLAG.exists():
            try:
                with slots.hold():
                    HELD.touch()
                    while FLAG.exists():
                        time.sleep(0.05)
                    HELD.unlink()
            except Busy:
                pass
        time.sleep(0.05)


threading.Thread(target=_hold_while_asked, name="test-held-art-slot", daemon=True).start()
