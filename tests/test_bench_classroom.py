"""scripts/bench_classroom.py's --vary-seeds: each click gets a seed of its own and one of several
drawings, which reach the models as different images (so the app's memory of answers is not the
benchmark's best case). The benchmark itself runs by hand."""

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
    finally:
        demo.close()
