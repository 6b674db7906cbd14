"""The page a student downloads first goes out gzip-compressed; event streams, uploads and files never are."""
import gzip
import json

import httpx
import pytest

from gradio_client.utils import SKIP_COMPONENTS, value_is_file

from explorer.ui import compress
from explorer.ui.compress import API_ONLY, CLASS_ID, EVENT_DEFAULTS, FILE_SCHEMA, PROPS_UNREAD, compressible


def _get(url, **headers):
    return httpx.get(url, headers={"Accept-Encoding": "gzip", **headers}, timeout=60)


@pytest.mark.parametrize("path", ["", "config", "?lang=zh&tab=tokens"])
def test_page_and_config_are_compressed_and_decode_to_the_same_page(app_url, path):
    sent = _get(app_url + path)
    plain = httpx.get(app_url + path, headers={"Accept-Encoding": "identity"}, timeout=60)
    assert sent.status_code == plain.status_code == 200
    assert sent.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert sent.content == plain.content  # httpx decodes: the same bytes arrive
    assert sent.num_bytes_downloaded < len(plain.content) / 4  # JSON and HTML compress about tenfold
    if path == "config":
        assert "components" in json.loads(sent.content)


def test_a_click_still_streams_and_its_image_is_served_as_is(client, app_url):
    # a whole event through gradio's REST route: its event stream is never compressed (gzip would buffer it)
    params = client.view_api(return_format="dict", print_info=False)["named_endpoints"]["/interpolate"]["parameters"]
    values = [p["parameter_default"] for p in params]
    values[:6] = ["vae_mnist_z2", 1, 7, 8, "linear", 0]
    base = app_url + "gradio_api/call/interpolate"
    event = httpx.post(base, json={"data": values}, timeout=60).json()["event_id"]
    with httpx.stream("GET", f"{base}/{event}", headers={"Accept-Encoding": "gzip"}, timeout=60) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in r.headers
        text = b"".join(r.iter_raw()).decode()
    assert "event: complete" in text, text[-500:]
    data = json.loads(text.split("event: complete", 1)[1].split("data:", 1)[1].strip().splitlines()[0])
    # the strip's PNG: a file route, served as it is even to a browser that accepts gzip
    image = _get(data[0]["url"])
    assert image.status_code == 200 and "content-encoding" not in image.headers
    assert image.content[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("method, path, expected", [
    ("GET", "/", True), ("GET", "/config", True), ("GET", "/gradio_api/info", True), ("HEAD", "/", True),
    ("GET", "/assets/index-abc.js", False),  # static, cached by the browser: not worth the CPU per request
    ("GET", "/theme.css", False),
    ("POST", "/config", False),  # only what a browser loads
    ("GET", "/gradio_api/queue/data", False),  # the event stream
    ("GET", "/gradio_api/heartbeat/abc", False),
    ("GET", "/gradio_api/file=/tmp/gradio/x/a.js", False),  # files are served as they are
    ("POST", "/gradio_api/upload", False),
    ("GET", "/gradio_api/call/interpolate/abc", False),
    ("GET", "/some/image.png", False),
])
def test_what_is_compressed(method, path, expected):
    assert compressible({"type": "http", "method": method, "path": path}) is expected
    assert compressible({"type": "websocket", "path": path}) is False


def test_gzip_is_valid_and_smaller_for_the_page(app_url):
    with httpx.stream("GET", app_url, headers={"Accept-Encoding": "gzip"}, timeout=60) as r:
        wire = b"".join(r.iter_raw())
    page = gzip.decompress(wire)
    assert b"gradio_config" in page and len(wire) < len(page) / 4


def _size(config) -> int:
    return len(json.dumps(config, default=str))


@pytest.fixture(scope="module")
def built(shipped_zoo):
    """The page as app.py builds it (not launched), its config as gradio makes it, and slimmed."""
    import gradio as gr

    import app as front_door
    demo = front_door.build_demo(shipped_zoo)
    return demo, gr.Blocks.get_config_file(demo), demo.get_config_file()


def test_the_config_leaves_out_only_what_nobody_reads(built):
    _demo, full, slim = built
    assert _size(slim) < _size(full) / 2  # 543 kB as gradio makes it, 245 kB slimmed (as served)
    assert [c["id"] for c in slim["components"]] == [c["id"] for c in full["components"]]
    for f, s in zip(full["components"], slim["components"]):
        assert not set(API_ONLY) & set(s) and CLASS_ID not in s
        # what the page reads is all still there
        assert {k: v for k, v in f.items() if k not in API_ONLY and k not in (CLASS_ID, "api_info", "props", "skip_api")} == {
            k: v for k, v in s.items() if k not in ("api_info", "props", "skip_api")}
        assert s.get("props") == {k: v for k, v in f["props"].items() if k not in PROPS_UNREAD}
        # gradio_client's reading of skip_api (`get("skip_api", type in SKIP_COMPONENTS)`) is the same
        assert s.get("skip_api", s["type"] in SKIP_COMPONENTS) == f["skip_api"]
        # gradio_client reads api_info only to tell a file from anything else, and still tells the same
        assert value_is_file(s["api_info"]) if value_is_file(f.get("api_info") or {}) else "api_info" not in s
        assert s.get("api_info", FILE_SCHEMA) == FILE_SCHEMA
    files = [s for s in slim["components"] if "api_info" in s]
    assert {s["type"] for s in files} == {"image", "imageeditor", "file"}, {s["type"] for s in files}
    assert full["enable_queue"] is True and [e["id"] for e in slim["dependencies"]] == [e["id"] for e in full["dependencies"]]
    left_out = 0
    for f, s in zip(full["dependencies"], slim["dependencies"]):
        # an entry is left out only where it holds the value its readers assume when it is absent
        assert {k: s.get(k, EVENT_DEFAULTS.get(k)) for k in f} == f
        assert set(s) <= set(f)
        left_out += len(f) - len(s)
    assert left_out > 141 * 10  # most events hold the defaults
    # what an event holds that differs from the default is kept: a function in the page, an event past
    # the queue, a chained event, a panel for its progress
    assert any(isinstance(e.get("js"), str) for e in slim["dependencies"])
    assert any(e.get("queue") is False for e in slim["dependencies"])
    assert any(isinstance(e.get("trigger_after"), int) for e in slim["dependencies"])
    assert any(e.get("show_progress_on") == [] for e in slim["dependencies"])
    assert "api_info" in full["components"][0]  # gradio's own is left as it was


def test_what_the_readers_of_an_event_need_by_name_is_never_left_out():
    """gradio's page reads these by name (`dep.targets.forEach`, `trigger_mode === "once"`...) and
    gradio_client reads `cancels` and `api_visibility` (absent, it counts an event as public)."""
    kept = {"id", "targets", "inputs", "outputs", "cancels", "backend_fn", "api_name",
            "api_visibility", "show_progress", "trigger_mode"}
    assert not kept & set(EVENT_DEFAULTS)


def _frontend_js() -> dict[str, str]:
    import pathlib

    import gradio as gr
    assets = pathlib.Path(gr.__file__).parent / "templates" / "frontend" / "assets"
    return {p.name: p.read_text(encoding="utf-8", errors="ignore") for p in assets.glob("*.js")}


def test_what_is_left_out_as_unread_is_named_nowhere_in_gradios_frontend():
    """Read against the installed gradio: if an upgrade starts reading one of them, this fails."""
    import re
    js = _frontend_js()
    assert len(js) > 100
    for name in (*PROPS_UNREAD, "skip_api"):
        hits = [f for f, text in js.items() if re.search(rf"\b{name}\b", text)]
        assert not hits, (name, hits)
    # an event's `types` reach only the JavaScript client's copy of the API description, where nothing reads them
    client = [f for f, text in js.items() if "{generator:!1,cancel:!1}" in text]
    assert len(client) == 1 and js[client[0]].count("generator") == 1
    # two of an event's entries are named nowhere; the others left out are read from other objects (a
    # status message's time_limit, an image's stream_every prop) or as the comments in compress.py say
    for name in ("max_batch_size", "collects_event_data"):
        assert not [f for f, text in js.items() if re.search(rf"\b{name}\b", text)], name


def test_every_component_is_found_by_its_type(built):
    """gradio's page looks a component up by `component_class_id || type` among the components built
    into it, and asks the server for a custom component's code only when neither is there. Every block
    here is one of gradio's own or a subclass of one (the app's image panels) that keeps its type, so the
    page finds each one by type alone."""
    demo, full, _slim = built
    for c in full["components"]:
        block = demo.blocks[c["id"]]
        gradios = next(cls for cls in type(block).__mro__ if cls.__module__.startswith("gradio."))
        assert gradios.get_block_name(block) == c["type"], (type(block), c["type"])


@pytest.mark.parametrize("all_endpoints", [False, True])
def test_the_api_description_is_built_from_the_whole_config(built, all_endpoints):
    """/info (the page's "Use via API", gradio_client's view_api) is what gradio builds from its own
    config, with the parameters named by their English labels (page.plain_api_labels)."""
    import gradio as gr
    demo, full, slim = built
    expected = gr.Blocks.get_api_info(compress._WithConfig(demo, full), all_endpoints=all_endpoints)
    got = demo.get_api_info(all_endpoints=all_endpoints)
    assert demo.config is not full  # built, not launched: gradio's own attribute, not what get_api_info reads

    def unlabelled(info):
        return {group: {name: {**ep, **{part: [{k: v for k, v in item.items() if k != "label"} for item in ep[part]]
                                        for part in ("parameters", "returns")}}
                        for name, ep in info[group].items()} for group in ("named_endpoints", "unnamed_endpoints")}

    assert unlabelled(got) == unlabelled(expected)
    assert len(expected["named_endpoints"]) >= 20
    params = got["named_endpoints"]["/interpolate"]["parameters"]
    assert all(isinstance(p["label"], str) and "__i18n__" not in p["label"] for p in params)
    assert any(p["type"].get("type") == "string" for p in params)  # the whole schema, not the slim one
    image = next(p for ep in got["named_endpoints"].values() for p in ep["parameters"] if p["component"] == "Image")
    assert value_is_file(image["type"]) and image["type"] != FILE_SCHEMA and "title" in str(image["type"])


def test_the_served_config_is_the_slim_one(app_url):
    served = httpx.get(app_url + "config", headers={"Accept-Encoding": "identity"}, timeout=60)
    # issue 8's budget for the JSON every student's page starts from (bench_classroom.py reports it)
    assert len(served.content) <= 250_000, len(served.content)
    config = served.json()
    assert config["components"] and not any(set(API_ONLY) & set(c) or CLASS_ID in c for c in config["components"])
    assert [c["api_info"] for c in config["components"] if "api_info" in c] == [FILE_SCHEMA] * 36
    assert not any("batch" in e for e in config["dependencies"])
