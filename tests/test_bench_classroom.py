"""scripts/bench_classroom.py's --vary-seeds: each click gets a seed of its own and one of several
drawings, which reach the models as different images (so the app's memory of answers is not the
benchmark's best case). The benchmark itself runs by hand; its gradio_client fix (reopen_closed_streams) is checked on a scripted client."""

import torch

from tests.conftest import load_script


def _script():
    return load_script("bench_classroom")


def test_with_seeds_puts_the_seed_in_its_place_and_picks_a_drawing_by_it():
    bc = _script()
    sketch = {"background": None, "layers": [], "composite": "seven.png"}
    actions = bc.app_actions({"/sample_posterior", "/sample_prior", "/interpolate"}, sketch)
    calls = actions["posterior of a drawing"]
    drawings = [{"composite": f"seven{v}.png"} for v in range(3)]
    varied = bc.with_seeds(calls, 7, drawings)
    (api, args), = varied
    assert api == "/sample_posterior" and args[bc.SEED_AT[api]] == 7 and args[-1] is drawings[7 % 3]
    assert bc.with_seeds(calls, 7)[0][1][-1] is sketch  # without drawings: the same drawing
    assert calls[0][1][-1] is sketch and calls[0][1][2] == 0  # the action itself is unchanged
    (_, prior_args), = bc.with_seeds(actions["sample prior"], 5, drawings)
    assert prior_args == ["vae_mnist_z32", 5, 1.0, 16]


def test_the_drawing_variants_are_different_images_for_the_models(tmp_path):
    import PIL.Image

    from explorer.images import to_model_input

    bc = _script()
    images = [to_model_input({"composite": PIL.Image.open(bc.drawing(tmp_path / f"seven{v}.png", v))}, "mnist")
              for v in (0, 1, 9, 40, 80)]
    for i, a in enumerate(images):
        assert a.shape == (1, 1, 28, 28) and a.sum() > 20  # a 7 is there, not cut off
        for b in images[i + 1:]:
            assert not torch.equal(a, b)


def test_a_class_split_over_processes_clicks_and_reports_as_one(monkeypatch):
    """--processes: the same class from threads spread over child processes (spawned: each its own
    interpreter lock), merged into one report; 1 keeps every student a thread of this process."""
    import gradio as gr

    from tests.conftest import ROOT, free_port

    monkeypatch.syspath_prepend(str(ROOT / "scripts"))  # a spawned child imports the script by name
    import bench_classroom as bc

    with gr.Blocks() as demo:
        box, out = gr.Textbox(), gr.Textbox()
        gr.Button("echo").click(lambda s: s, box, out, api_name="echo")
    demo.queue()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True)
    try:
        echo = {"echo": [("/echo", ["hello"])]}
        for processes in (1, 3):
            r = bc.run_class(f"http://127.0.0.1:{port}/", echo, 4, 0, 0.2, 3.0, 0, processes=processes)
            assert r["processes"] == processes and r["errors"] == [] and r["students_still_waiting"] == 0
            assert r["clicks"] >= 8 and r["per_action"]["echo"]["n"] == r["clicks"]
            assert 0 < r["overall"]["p50_ms"] < 5000 and r["wall_s"] >= 2.5
            lat = r["latencies_ms"]["echo"]  # every click kept, sorted, so the tail can be read afterwards
            assert len(lat) == r["clicks"] and lat == sorted(lat) and r["overall"]["p50_ms"] in lat
    finally:
        demo.close()


class _FakeClient:
    """gradio_client.Client's bookkeeping around its stream reader, with a scripted reader: each read
    runs the next scripted step (what happens while the stream is open), then ends as the server's
    close_stream makes it end (stream_open = False)."""

    def __init__(self, steps):
        import threading
        self.pending_lock = threading.Lock()
        self.stream_open, self.stream_epoch = True, 1
        self.pending_event_ids, self.pending_messages_per_event, self.pending_event_epoch = set(), {}, {}
        self.steps, self.reads = list(steps), 0

    def register(self, event_id, epoch=None):  # as send_data does
        self.pending_event_ids.add(event_id)
        self.pending_messages_per_event[event_id] = []
        self.pending_event_epoch[event_id] = self.stream_epoch if epoch is None else epoch

    def complete(self, event_id):  # as the reader does at process_completed
        self.pending_event_ids.discard(event_id)

    def stream_messages(self, protocol, session_hash):
        self.reads += 1
        if self.steps:
            self.steps.pop(0)(self)
        self.stream_open = False


def test_a_reader_reopens_for_an_event_that_joined_while_the_server_closed_the_stream():
    bench = _script()

    def first(c):  # A answered; B joins (filed under this reader) just before close_stream is read
        c.complete("A")
        c.register("B")

    def second(c):  # the reopened stream delivers B's answer
        c.complete("B")

    client_class = type("Client", (_FakeClient,), {})
    bench.reopen_closed_streams(client_class)
    bench.reopen_closed_streams(client_class)  # once only
    c = client_class([first, second])
    c.register("A")
    c.stream_messages("sse_v3", "s")
    assert c.reads == 2 and not c.pending_event_ids and c.stream_open is False

    plain = client_class([lambda c: c.complete("A")])  # nothing left: one read, as before
    plain.register("A")
    plain.stream_messages("sse_v3", "s")
    assert plain.reads == 1


def test_a_reader_hands_its_unanswered_events_to_a_newer_reader():
    bench = _script()
    read = _FakeClient.stream_messages

    def ends_then_newer(self, protocol, session_hash):
        read(self, protocol, session_hash)  # B joined under this reader, which then ended;
        self.stream_open, self.stream_epoch = True, 2  # C found the stream closed and opened reader 2

    client_class = type("Client", (_FakeClient,), {"stream_messages": ends_then_newer})
    bench.reopen_closed_streams(client_class)
    c = client_class([lambda c: c.register("B")])
    c.register("A")
    c.complete("A")
    c.stream_messages("sse_v3", "s")
    assert c.reads == 1 and c.pending_event_epoch["B"] == 2  # reader 2's now: not cancelled with this one


def test_a_poll_that_skips_the_queue_is_replayed_as_the_page_sends_it():
    """as_the_page_sends: an event declared queue=False goes as a direct POST with the page's values
    and the client's session (its State is found); a queued event goes through gradio_client."""
    import gradio as gr
    from gradio_client import Client

    from tests.conftest import free_port

    bc = _script()
    with gr.Blocks() as demo:
        lang = gr.Radio(["en", "zh"], value="zh")
        count, out = gr.State(0), gr.Textbox()

        def bump(n):
            return n + 1, f"{n + 1}"

        def poll(n, lang, request: gr.Request):
            return f"{lang} {n} {request.session_hash}"
        gr.Button("bump").click(bump, count, [count, out], api_name="bump")
        gr.Timer(0.5, active=False).tick(poll, [count, lang], out, api_name="poll", queue=False)
    demo.queue(api_open=False)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        client.predict(api_name="/bump")
        client.predict(api_name="/bump")
        poll = bc.as_the_page_sends(client, "/poll")
        assert poll() == [f"zh 2 {client.session_hash}"]  # the page's language, this session's state
        assert bc.as_the_page_sends(client, "/bump")() == "3"  # queued: through the client
    finally:
        demo.close()


def _report(app: dict, floor: list, errors: int = 0) -> dict:
    return {"app": {"class": {"latencies_ms": app, "errors": [{}] * errors}},
            "floor": {"class": {"latencies_ms": {"echo": floor}, "errors": []}}}


def test_pooled_classes_weigh_every_click_alike_and_keep_each_run():
    pc = load_script("pool_classes")
    # run 1: 20 clicks, 19 at 60 ms and one at 200 (p95 60); run 2: 20 at 90 ms (p95 90); floors at 50
    one = _report({"a": [60.0] * 19, "b": [200.0]}, [50.0] * 20)
    two = _report({"a": [90.0] * 20}, [50.0] * 20, errors=1)
    out = pc.pooled([one, two])
    assert [r["ratio"] for r in out["runs"]] == [1.2, 1.8] and out["runs_within_1_5x"] == 1
    # pooled: 40 clicks, the 38th (p95) is at 90 ms
    assert out["clicks"] == 40 and out["app_p95_ms"] == 90.0 and out["ratio"] == 1.8 and out["errors"] == 1
    assert pc.clicks(one["app"]) == [60.0] * 19 + [200.0]


def test_pooling_reads_the_reports_and_skips_old_ones(tmp_path, capsys, monkeypatch):
    import json
    import sys

    pc = load_script("pool_classes")
    new, old = tmp_path / "new.json", tmp_path / "old.json"
    new.write_text(json.dumps(_report({"a": [70.0] * 20}, [50.0] * 20)))
    old.write_text(json.dumps({"app": {"class": {"overall": {}}}}))
    monkeypatch.setattr(sys, "argv", ["pool_classes.py", str(old), str(new)])
    pc.main()
    text = capsys.readouterr().out
    assert "old.json: no latencies_ms" in text and "runs within 1.5x: 1 of 1" in text
    assert f"{new}: class p95 70.0 ms vs floor 50.0 ms = 1.4x" in text and "old.json: class" not in text
