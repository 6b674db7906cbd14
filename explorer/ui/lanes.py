"""Short clicks take turns: the events that are answered in tens of milliseconds share one lane of
gradio's queue, `SHORT_LANE_LIMIT` at a time, instead of up to four runs of each event at once.

Why. The server is one Python process, and a handler made of many small torch operations gives up
the interpreter lock at each operation and waits to take it back (`scripts/diagnose_gil.py`: ten
generated names take 8-10 ms alone, seconds beside a thread that is busy in Python). When several
handlers run at once, each waits for the others at every operation, so all of them finish later
than if they had run one after another. With gradio's profiling (`GRADIO_PROFILING=1`) during a
45 s class of `scripts/bench_classroom.py`, the events over 40 ms of server time were 5.1 % of the
class's events with each event on its own (up to four runs of each at once), 2.9 % with one lane of
two, and 1.6 % with one lane of one, where the queue's wait at p95 grew from 2-9 ms to 10-29 ms and
the handlers themselves got faster (twelfth session; the class's figures are in the README: 1.55x and
1.58x the echo app's p95 with a lane of one, against 2.07x and 1.74x without, in turns).

Only events measured in tens of milliseconds join the lane (`SHORT`, by the handler's name: its
variants for another language or a link are the same work). The long ones keep their own places,
so that a PixelCNN sample (about a second) or an export never holds up everyone's short clicks:
`/pixel_sample`, `/pixel_complete`, `/interpolate_export`, `/probability_mass`, the live run's
controls (they wait for the trainer process), a tab's first drawing.
"""
from __future__ import annotations

import gradio as gr

from ..settings import whole_number_from_env

SHORT_LANE = "short clicks"
SHORT_LANE_LIMIT = 1

# handlers (by name) answered in tens of milliseconds (bench_clicks.py, bench_lecture.py; README)
SHORT = frozenset({
    # VAE: interpolation, prior vs posterior, reparameterisation, p(x|y) and p(y|x)
    "interpolate", "decode_at", "pick_on_manifold", "on_model", "sample_prior", "sample_posterior",
    "prior_grid", "reparameterize", "conditional_sample", "classify",
    # autoregressive: per-token probabilities, generation, PixelCNN's per-pixel view
    "token_probabilities", "compare", "attention", "generate", "generate_step", "pixel_probabilities",
    # the trained beta sweep
    "show_sweep", "show_sweep_at",
})


def limit_from_env(default: int = SHORT_LANE_LIMIT) -> int:
    """EXPLORER_SHORT_LANE: how many short clicks run at once (0: no lane, each event keeps gradio's
    own places, up to four runs of each at once). A machine with more cores may want 2 or more."""
    return whole_number_from_env("EXPLORER_SHORT_LANE", default, 0)


def handler_name(fn) -> str | None:
    """The name of the function gradio calls for a BlockFunction (through functools.wraps)."""
    return getattr(getattr(fn, "fn", None), "__name__", None)


def short_clicks_take_turns(demo: gr.Blocks, limit: int = SHORT_LANE_LIMIT) -> list[str]:
    """Put every queued event whose handler is in SHORT into one lane of `limit` (0: leave every event
    as it is); call after the page is built and before it serves (gradio makes a lane when its first
    event arrives). Returns the api names of the events it moved."""
    moved = []
    if limit < 1:
        return moved
    for fn in demo.fns.values():
        if fn.queue is not False and handler_name(fn) in SHORT:
            fn.concurrency_id, fn.concurrency_limit = SHORT_LANE, limit
            moved.append(fn.api_name)
    return moved
