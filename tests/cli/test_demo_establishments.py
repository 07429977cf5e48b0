"""``khooshe demo --establishments``: a national firm register (khooshe.cli.demo)."""

from __future__ import annotations


class _Closed:
    def close(self) -> None:
        pass


def test_demo_takes_a_register_of_a_million(tmp_path, invoke, monkeypatch):
    calls = {}

    def build(root, **options):
        calls.update(options, root=root)
        return _Closed()

    monkeypatch.setattr("khooshe.services.demo.build_demo", build)
    monkeypatch.setattr("khooshe.services.demo.demo_accounts", lambda ws: [])
    result = invoke("demo", tmp_path / "reg", "--scale", "national", "--establishments",
                    "1000000")
    assert result.exit_code == 0, result.output
    assert calls["scale"] == "national" and calls["establishments"] == 1_000_000
    result = invoke("demo", tmp_path / "small")
    assert result.exit_code == 0 and calls["establishments"] is None


def test_demo_refuses_a_register_smaller_than_its_scale(tmp_path, invoke):
    result = invoke("demo", tmp_path / "x", "--scale", "national", "--establishments", "5000")
    assert result.exit_code == 2
    assert "--establishments must be at least 109,600 at scale national" in result.output
    assert not (tmp_path / "x").exists()
    result = invoke("--lang", "fa", "demo", tmp_path / "x", "--establishments", "5000")
    assert result.exit_code == 2 and "۲۹٬۴۰۰" in result.output
    assert not (tmp_path / "x").exists()
