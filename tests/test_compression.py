"""The page a student downloads first goes out gzip-compressed; event streams, uploads and files never are."""
import gzip
import json

import httpx
import pytest

from explorer.ui.compress import SAME_AS_API_INFO, UNREAD, compressible


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
    assert _size(slim) < _size(full) - 100_000  # about 130 kB of 540 kB
    assert [c["id"] for c in slim["components"]] == [c["id"] for c in full["components"]]
    assert slim["dependencies"] == full["dependencies"]
    for f, s in zip(full["components"], slim["components"]):
        assert "example_inputs" not in s
        # what gradio_client reads (Endpoint.value_is_file) and what the page reads are all still there
        assert {k: v for k, v in f.items()
                if k not in UNREAD and not (k in SAME_AS_API_INFO and v == f["api_info"])} == s
        for key in ("api_info_as_input", "api_info_as_output"):  # gradio's default for them is api_info
            assert s.get(key, s.get("api_info")) == f.get(key, f.get("api_info"))


@pytest.mark.parametrize("all_endpoints", [False, True])
def test_the_api_description_is_the_same_as_from_gradios_own_config(built, all_endpoints):
    demo, full, slim = built
    try:
        demo.config = full
        expected = demo.get_api_info(all_endpoints=all_endpoints)
        demo.config = slim
        assert demo.get_api_info(all_endpoints=all_endpoints) == expected
    finally:
        demo.config = slim
    assert len(expected["named_endpoints"]) >= 20


def test_the_served_config_is_the_slim_one(app_url):
    config = httpx.get(app_url + "config", timeout=60).json()
    assert config["components"] and not any("example_inputs" in c for c in config["components"])
    assert not any(k in c and c[k] == c["api_info"] for c in config["components"] for k in SAME_AS_API_INFO)
    assert any("api_info" in c for c in config["components"])
