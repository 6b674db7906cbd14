"""Errors that carry a message for the person at the keyboard, and the checks that raise them.
Importable without gradio; the UI layer turns InputError into a gr.Error (ui.common.friendly).

Everything may arrive through the API, so the checks expect None, NaN, strings and huge values too.
"""
from __future__ import annotations

import math
import numbers


class InputError(ValueError):
    """Bad user input; the message says what was wrong and what is allowed."""


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, corrupted or inconsistent; the message names the file."""


def _real(value) -> float | None:
    """value as a finite float, or None. Numeric strings ("5") pass; bools, None, NaN do not."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        return None
    return float(value)


def check_float(value, name: str, lo: float, hi: float, hint: str = "",
                error: type[InputError] = InputError) -> float:
    """A number in [lo, hi]; hint says what the range means, e.g. ' (1 = the model itself)'."""
    x = _real(value)
    if x is None or not lo <= x <= hi:
        raise error(f"{name} must be a number from {lo:g} to {hi:g}{hint}, got {value!r}")
    return x


def check_int(value, name: str, lo: int, hi: int, hint: str = "",
              error: type[InputError] = InputError) -> int:
    """A whole number in [lo, hi] (floats with an integral value are accepted, as JSON sends them)."""
    x = _real(value)
    if x is None or x != int(x) or not lo <= x <= hi:
        raise error(f"{name} must be a whole number from {lo} to {hi}{hint}, got {value!r}")
    return int(x)


SEED_RANGE = (0, 2**31 - 1)  # every seed box in the app: a whole number that JSON and JS hold exactly


def check_seed(value, error: type[InputError] = InputError) -> int:
    return check_int(value, "seed", *SEED_RANGE, error=error)
