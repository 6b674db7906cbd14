"""One module per tab. Each exposes `build(zoo)`, called inside a `gr.Tab`, which creates the
tab's components and wires every event to a plain function from `explorer/`."""
