"""The mass tab through gradio_client against the launched app (shipped checkpoints)."""
from __future__ import annotations

import json

import pytest


def _figure(plot) -> dict:
    assert plot["type"] == "plotly"
    return json.loads(plot["plot"])


@pytest.mark.parametrize("args,message", [
    (("no_such_model", 3, 1.0, ""), "unknown character model 'no_such_model'"),
    (("names_gru", 7, 1.0, ""), "maximum length L must be a whole number from 1 to 3"),
    (("names_gru", 3, "NaN", ""), "temperature must be a number from 0.05 to 5"),  # JSON has no NaN: as text
    (("names_gru", 3, 99, ""), "temperature must be a number from 0.05 to 5"),
    (("names_gru", 3, 1.0, "em!"), "unknown character(s) '!'"),
    (("names_gru", 3, 1.0, "abcdefghijklm"), "the prefix has 13 characters; with L = 3 at most 12 are allowed"),
    (("names_gru", 7, 1.0, "", "zh"), "最大长度 L 必须是 1 到 3 之间的整数"),
    (("names_gru", 3, 1.0, "em!", "zh"), "未知字符"),
])
def test_bad_input_gives_a_clear_error_and_the_server_keeps_serving(client, args, message):
    with pytest.raises(Exception) as err:
        client.predict(*args, api_name="/probability_mass")
    assert message in str(err.value)
    out = client.predict("names_gru", 1, 1.0, "", api_name="/probability_mass")
    assert len(out) == 7


@pytest.mark.parametrize("name", ["names_transformer", "names_gru"])
def test_probability_mass(client, name):
    main, summary, lengths, top_plot, top, sweep, entropy = client.predict(name, 3, 0.8, "",
                                                                           api_name="/probability_mass")
    rows = lengths["data"]
    assert [r[0] for r in rows[:4]] == ["0", "1", "2", "3"] and rows[4][0] == "longer than 3"
    masses = [r[2] for r in rows[:5]]
    assert all(m >= 0 for m in masses) and sum(masses) == pytest.approx(1.0, abs=1e-5)
    assert rows[5][2] == pytest.approx(1.0, abs=1e-5)
    assert "= 1.000000" in summary and "T = 0.8" in summary
    names = [r[1] for r in top["data"]]
    ps = [r[2] for r in top["data"]]
    assert len(names) == 15 and ps == sorted(ps, reverse=True)
    assert all(r[5] in {"in training set", "new", "unknown", "the empty name"} for r in top["data"])
    bars = _figure(main)["data"][0]
    assert bars["y"][-1] == pytest.approx(1.0, abs=1e-5)
    lines = _figure(sweep)["data"]  # length 0..3, longer, the top 10, the sum
    assert len(lines) == 4 + 1 + 1 + 1
    # the lengths and the longer names add up to 1 at every temperature, and the sum line says so
    totals = [sum(tr["y"][i] for tr in lines[:5]) for i in range(len(lines[0]["x"]))]
    assert totals == pytest.approx([1.0] * len(totals), abs=1e-4)
    assert lines[-1]["y"] == pytest.approx([1.0] * len(totals), abs=1e-4)
    assert _figure(entropy)["data"][0]["y"]


def test_a_prefix_and_chinese(client):
    main, summary, lengths, _, top, _, _ = client.predict("names_transformer", 2, 1.0, "Em",
                                                          api_name="/probability_mass", )
    assert all(r[1].startswith("em") for r in top["data"])
    budget = lengths["data"][-1][2]
    assert 0 < budget < 0.1 and "'em'" in summary
    _, summary_zh, lengths_zh, *_ = client.predict("names_transformer", 2, 1.0, "em", "zh",
                                                   api_name="/probability_mass")
    assert "以 **'em'** 开头" in summary_zh and lengths_zh["headers"][0] == "长度"
    assert lengths_zh["data"][-1][2] == pytest.approx(budget)
