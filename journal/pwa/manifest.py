"""The web app manifest: how the app looks once installed on a home screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LIGHT = {"theme_color": "#f6f3ee", "background_color": "#f6f3ee"}
DARK = {"theme_color": "#15171c", "background_color": "#15171c"}


def manifest(asset: Callable[[str], str]) -> dict[str, Any]:
    """`asset` maps a static file name to its versioned URL."""

    def icon(name: str, size: int, purpose: str) -> dict[str, str]:
        return {"src": asset(f"icons/{name}"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}

    return {
        "id": "/",
        "name": "Integration journal",
        "short_name": "Journal",
        "description": "A private journal for the weeks around ketamine-assisted therapy: "
        "write, check in, keep your art, and share what you choose with your therapist.",
        "lang": "en",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "categories": ["health", "medical", "lifestyle"],
        **LIGHT,
        # Chromium reads the dark-scheme colours from here; the pages' theme-color meta tags do the rest.
        "user_preferences": {"color_scheme_dark": DARK},
        "icons": [
            icon("icon-192.png", 192, "any"),
            icon("icon-512.png", 512, "any"),
            icon("maskable-192.png", 192, "maskable"),
            icon("maskable-512.png", 512, "maskable"),
        ],
        "shortcuts": [
            {
                "name": "New entry",
                "short_name": "Write",
                "description": "Write a journal entry",
                "url": "/entries/new",
                "icons": [icon("shortcut-entry-96.png", 96, "any")],
            },
            {
                "name": "Check in",
                "short_name": "Check in",
                "description": "Log how you are right now",
                "url": "/checkins/new",
                "icons": [icon("shortcut-checkin-96.png", 96, "any")],
            },
        ],
    }
