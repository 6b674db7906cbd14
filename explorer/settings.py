"""The app's settings from the environment (README, "Settings for a classroom or a hosted Space")."""
from __future__ import annotations

import os


def whole_number_from_env(name: str, default: int, minimum: int) -> int:
    """The whole number in environment variable `name` (unset or blank: `default`); anything else, or
    a number below `minimum`, stops the app with a message that says what is allowed."""
    value = os.environ.get(name, "")
    try:
        n = int(value) if value.strip() else default
    except ValueError:
        n = None
    if n is None or n < minimum:
        raise SystemExit(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return n
