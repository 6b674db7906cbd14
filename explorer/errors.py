"""Errors that carry a message for the person at the keyboard (importable without gradio)."""


class InputError(ValueError):
    """Bad user input; the message says what was wrong and what is allowed. The UI layer turns it
    into a gr.Error (explorer.ui.common.friendly)."""
