"""What the app sets in gradio against malformed or hostile calls (see the README's security notes).

Gradio converts every input before a handler runs ("preprocessing"), and a value it cannot convert
fails there with gradio's own text: int(NaN) for a seed box, "'<' not supported between 'str' and
'int'" for a string sent to a slider, a server path for a file. The app's views check every argument
themselves (explorer/errors.py) and say what is allowed, so the public events whose inputs are plain
values take them as sent; the events that take images decode them in image_input.receive.
"""
from __future__ import annotations

import gradio as gr

# components whose preprocessing only converts a JSON value (a number, a string, a choice, a flag)
PLAIN_VALUES = (gr.Number, gr.Slider, gr.Dropdown, gr.Radio, gr.Textbox, gr.Checkbox, gr.State)


def values_as_sent(demo: gr.Blocks) -> list[str]:
    """Turn off gradio's preprocessing for every public API event whose inputs are all plain values
    (their handlers check each argument). Returns the API names changed."""
    changed = []
    for fn in demo.fns.values():
        if fn.api_visibility != "public" or not fn.preprocess:
            continue
        if all(isinstance(block, PLAIN_VALUES) for block in fn.inputs):
            fn.preprocess = False
            changed.append(fn.api_name)
    return changed
