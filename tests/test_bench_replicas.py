"""scripts/bench_replicas.py: the nginx configuration the README tells a deployment to use, and the
benchmark's simulated student addresses (the benchmark itself needs nginx and runs by hand)."""
import ipaddress

from tests.conftest import load_script


def _script():
    return load_script("bench_replicas")


def test_the_deployed_configuration_is_sticky_streams_and_trusts_no_header():
    br = _script()
    conf = br.nginx_conf(80, [7861, 7862])
    assert "ip_hash;" in conf
    assert "server 127.0.0.1:7861;" in conf and "server 127.0.0.1:7862;" in conf
    assert "proxy_buffering off;" in conf and "proxy_http_version 1.1;" in conf  # the queue's event stream
    # the benchmark's simulated addresses must not reach a deployment: anyone could pick a replica
    assert "real_ip" not in conf and br.ADDRESS_HEADER not in conf
    assert "ip_hash" not in br.nginx_conf(80, [7861, 7862], balance="round_robin")


def test_nginx_accepts_uploads_up_to_the_apps_own_limit():
    import app
    br = _script()
    limit = app.LAUNCH["max_file_size"].lower().replace("mb", "m")
    assert f"client_max_body_size {limit};" in br.nginx_conf(80, [7861])


def test_the_benchmark_configuration_takes_each_students_address_from_its_header(tmp_path):
    br = _script()
    conf = br.nginx_conf(7890, [7891, 7892], prefix=tmp_path)
    assert f"real_ip_header {br.ADDRESS_HEADER};" in conf and "set_real_ip_from 127.0.0.1;" in conf
    assert f"access_log {tmp_path}/access.log" in conf


def test_each_student_has_a_network_of_its_own_unless_behind_one_nat():
    br = _script()
    # ip_hash keys on an IPv4 address's first three octets: one /24 per student
    nets = {ipaddress.ip_network(br.student_address(i, "ip_hash") + "/24", strict=False) for i in range(600)}
    assert len(nets) == 600
    assert {br.student_address(i, "nat") for i in range(600)} == {br.student_address(0, "nat")}
