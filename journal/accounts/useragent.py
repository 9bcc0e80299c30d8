"""A browser's user agent in a few words ("Chrome on Android"), for the sessions and activity pages.

Only the common browsers and systems; anything else is "Unknown browser" / "unknown device". The
raw user agent is never stored: it is long, nearly unique per device, and says more than people
need to recognise their own phone.
"""

from __future__ import annotations

import re

MAX_LENGTH = 80

# Order matters: Edge, Opera and Samsung Internet say "Chrome" too; Chrome says "Safari".
_BROWSERS = (
    (re.compile(r"\bEdg(?:e|A|iOS)?/"), "Edge"),
    (re.compile(r"\b(?:OPR|Opera|OPT)/"), "Opera"),
    (re.compile(r"\bSamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"\bVivaldi/"), "Vivaldi"),
    (re.compile(r"\b(?:Firefox|FxiOS)/"), "Firefox"),
    (re.compile(r"\b(?:Chrome|CriOS|HeadlessChrome|Chromium)/"), "Chrome"),
    (re.compile(r"\bVersion/[\d.]+.*\bSafari/"), "Safari"),
    (re.compile(r"\bMobile/\w+.*\bSafari/|\bAppleWebKit/.*\(KHTML, like Gecko\)$"), "Safari"),
)

_SYSTEMS = (
    (re.compile(r"\biPhone\b"), "iPhone"),
    (re.compile(r"\biPad\b"), "iPad"),
    (re.compile(r"\biPod\b"), "iPod"),
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bWindows (?:NT|Phone)\b"), "Windows"),
    (re.compile(r"\bMacintosh\b|\bMac OS X\b"), "macOS"),
    (re.compile(r"\bLinux\b|\bX11\b"), "Linux"),
)


def describe_device(user_agent: str | None) -> str:
    """ "Firefox on Windows", "Safari on iPhone", "Chrome on Android"; "Unknown browser" when nothing fits."""
    text = (user_agent or "")[:1000]
    browser = next((name for pattern, name in _BROWSERS if pattern.search(text)), None)
    system = next((name for pattern, name in _SYSTEMS if pattern.search(text)), None)
    if browser and system:
        described = f"{browser} on {system}"
    elif browser:
        described = browser
    elif system:
        described = f"A browser on {system}"
    else:
        described = "Unknown browser"
    return described[:MAX_LENGTH]
