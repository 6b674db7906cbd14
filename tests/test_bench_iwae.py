"""scripts/bench_iwae.py: the log p(x) estimate timed at several decoder pass sizes, same numbers."""
import explorer.models.vae as mv

from tests.conftest import load_script


def test_it_times_each_setting_and_finds_the_same_numbers():
    bench = load_script("bench_iwae")
    kept = mv.DECODE_ROWS
    report = bench.run(["vae_mnist_z2"], k=300, rows=[64, 256], repeats=2, rounds=1)
    assert mv.DECODE_ROWS == kept  # the module's setting is restored
    m = report["models"]["vae_mnist_z2"]
    assert set(m["median_ms"]) == {"one pass", "64", "256"}
    assert all(t > 0 for t in m["median_ms"].values())
    assert m["same_numbers"] == {"64": True, "256": True}
