"""How the page is wired, for the browser's sake (scripts/bench_browser.py measures the effect).

Gradio's page keeps the loading status of every component that any event of the page has written,
and walks all of them at every status change of every later click (for a layout block, everything
inside it). So: no event writes the gr.Tabs or a tab; the page-load event writes only the page bar; a tab's
first figures, a link's settings and its redraws are written by events of that tab's opening.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import app as front_door
from explorer.plots import tradeoff as plots


@pytest.fixture(scope="module")
def config(shipped_zoo):
    return front_door.build_demo(shipped_zoo).get_config_file()


def _types(config) -> dict[int, str]:
    return {c["id"]: c["type"] for c in config["components"]}


def test_no_event_writes_the_tabs_or_a_whole_tab(config):
    """(A small block may be written: the interpolation tab shows or hides its 2-D manifold column.)"""
    tabs = {c["id"] for c in config["components"] if c["type"] in ("tabs", "tabitem")}
    assert tabs
    bad = [d.get("api_name") or d["id"] for d in config["dependencies"] if set(d["outputs"]) & tabs]
    assert not bad, f"events that write the tabs (every later click would walk the whole app): {bad}"


def test_the_page_load_writes_only_the_page_bar(config):
    types = _types(config)
    loads = [d for d in config["dependencies"]
             if any(t[1] == "load" for t in d["targets"]) and d["backend_fn"]]
    assert loads, "the page reads its link on load"
    for d in loads:
        written = [types[o] for o in d["outputs"]]
        assert len(written) <= 5, f"a load event writes {len(written)} components: {written}"


def test_every_output_of_every_tab_is_written_by_that_tabs_events_not_by_all(config):
    """No single event writes the outputs of several tabs (except the language switch's redraws, which
    run only when a student switches): a click then carries only the tabs this page has opened."""
    tab_of = {}

    def walk(node, tab=None):
        if node.get("id") is not None and tab is not None:
            tab_of[node["id"]] = tab
        comp = next((c for c in config["components"] if c["id"] == node.get("id")), None)
        if comp is not None and comp["type"] == "tabitem":
            tab = node["id"]
        for child in node.get("children", []):
            walk(child, tab)

    walk(config["layout"])
    for d in config["dependencies"]:
        tabs = {tab_of[o] for o in d["outputs"] if o in tab_of}
        assert len(tabs) <= 1, f"event {d.get('api_name') or d['id']} writes the outputs of {len(tabs)} tabs"


def test_each_event_shows_its_progress_on_one_panel_at_most(config):
    """Every component an event names as a progress target joins the page's bookkeeping for good, and
    every later status change deep-copies all of them: so one visible panel per event, none for an
    event that shows no progress."""
    types = _types(config)
    backend = [d for d in config["dependencies"] if d["backend_fn"]]
    assert backend
    for d in backend:
        name = d.get("api_name") or d["id"]
        targets = d.get("show_progress_on")  # absent: null (explorer/ui/compress.py)
        assert targets is not None, f"event {name} shows progress on all of its {len(d['outputs'])} outputs"
        if d["show_progress"] == "hidden":
            assert targets == [], f"event {name} shows no progress but names {targets}"
        else:
            assert len(targets) <= 1 and all(types[t] != "state" for t in targets), (name, targets)
            assert set(targets) <= set(d["outputs"]), f"event {name} shows progress on a panel it does not write"
    visible = [d for d in backend if d["show_progress"] != "hidden" and any(types[o] != "state" for o in d["outputs"])]
    assert visible and all(len(d["show_progress_on"]) == 1 for d in visible), "a main action keeps its spinner"
    score = next(d for d in backend if d.get("api_name") == "token_probabilities")
    assert types[score["show_progress_on"][0]] == "plot"  # Score's spinner sits on its coloured tokens


def test_the_page_trims_its_loading_statuses_and_has_no_streams_that_would_need_them(config):
    """page.LEAN_STATUS_JS runs when a page loads and drops the loading statuses gradio gives a finished
    event's inputs (for a streaming input's sake). That is only right while no event streams."""
    from explorer.ui import page as page_mod

    loads = [d for d in config["dependencies"] if any(t[1] == "load" for t in d["targets"])]
    assert any(d.get("js") == page_mod.LEAN_STATUS_JS and not d["backend_fn"] for d in loads)
    streaming = [d.get("api_name") or d["id"] for d in config["dependencies"] if d.get("connection", "sse") != "sse"]
    assert not streaming, f"streaming events need their inputs' loading statuses: {streaming}"


def test_figures_do_not_ask_plotly_to_measure_every_tick_label():
    """plotly's default for linear axes ("hide past div") takes each tick label's box after drawing it;
    automargin keeps labels inside the figure anyway. The app's one template says "allow"."""
    from explorer.plots import style
    from explorer.plots import tokens as token_plots

    fig = style.figure([dict(type="scatter", x=[0, 1], y=[0, 1])], dict(xaxis=style.axis("x"), yaxis=style.axis("y")))
    layout = fig.to_dict()["layout"]
    for ax in ("xaxis", "yaxis"):
        assert layout["template"]["layout"][ax]["ticklabeloverflow"] == "allow"
        assert layout["template"]["layout"][ax]["automargin"] is True
        assert "ticklabeloverflow" not in layout[ax]  # nothing overrides the template
    assert go_figure_valid(fig)
    att = token_plots.attention_heatmap(type("A", (), {"labels": [".", "e"], "weights": np.eye(2),
                                                       "title_in": lambda self, lang: "layer 1"})())
    assert att.to_dict()["layout"]["template"]["layout"]["yaxis"]["ticklabeloverflow"] == "allow"


def go_figure_valid(fig) -> bool:
    import plotly.graph_objects as go

    go.Figure(fig.to_dict())  # validates every property, template included
    return True


def test_live_figures_send_three_decimals():
    rng = np.random.default_rng(0)
    mu, sigma = rng.normal(size=(100, 2)), rng.uniform(0.1, 1, size=(100, 2))
    fig = plots.posterior_ellipses(mu, sigma, np.arange(100) % 10, [str(i) for i in range(10)])
    numbers = [x for tr in fig.to_dict()["data"][1:] for x in list(tr["x"]) + list(tr["y"]) if x is not None]
    assert numbers and all(round(x, 3) == x for x in numbers)
    # the ellipses are where they were: within the rounding of the full-precision figure
    ring = np.linspace(0, 2 * np.pi, 33)
    first = fig.to_dict()["data"][1]
    sel = np.flatnonzero(np.arange(100) % 10 == 0)
    expect = mu[sel[0], 0] + sigma[sel[0], 0] * np.cos(ring)
    assert np.allclose(np.asarray(first["x"][:33], float), expect, atol=5e-4)
    history = {k: np.linspace(0, 100, 50) / 7 for k in ("beta", "distortion", "rate", "beta_rate", "total")}
    history["step"] = np.arange(50, dtype=float) * 10
    curves = plots.training_curves(history).to_dict()
    assert list(curves["data"][0]["x"][:3]) == [0, 10, 20]  # steps as integers
    assert len(json.dumps(curves["data"][0]["y"])) < 0.5 * len(json.dumps(list(history["total"])))


def test_no_chained_event_reads_a_value_the_page_derives_from_another(config):
    """A link's settings are written by a tab's opening event, and the redraws chained after it read
    their inputs at once. A value the page derives in the browser from a setting (the tradeoff's β box
    follows its slider through a JS change handler) may not have followed yet at that moment: the
    redraw then drew the old β and could land after the link's own redraw (`?tab=tradeoff&beta=4`
    once ended at "β = 1" in CI). So chained events read the settings themselves."""
    elem = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
    derived = {o for d in config["dependencies"] if d.get("js") and not d["backend_fn"]
               and any(t[1] == "change" for t in d["targets"]) for o in d["outputs"]}
    assert any(elem[o] == "tradeoff-beta" for o in derived)  # the case this guards
    chained = [d for d in config["dependencies"] if d["backend_fn"] and d.get("trigger_after") is not None]
    bad = [(d["id"], [elem[i] for i in d["inputs"] if i in derived]) for d in chained if set(d["inputs"]) & derived]
    assert not bad, f"chained events that read a value derived in the page: {bad}"


def test_the_page_can_translate_every_class_name_a_model_change_sends(shipped_zoo, config):
    """A model change sends its data set's class names as the class dropdown's choices, as keys the page
    translates from the table it downloaded first; that table is trimmed to the text the page uses
    (page.keep_used_translations), and once lacked Fashion-MNIST's names ("class.Dress" shown)."""
    from explorer.ui import image_input, page

    for entry in shipped_zoo.vaes.values():
        for label, _ in image_input.class_choices(entry):
            key = getattr(label, "key", None)
            if key is None:  # a plain name (MNIST's digits)
                continue
            for loc, table in page.I18N.translations.items():
                assert key in table, f"{entry.name}: {key!r} missing from the page's {loc} table"
