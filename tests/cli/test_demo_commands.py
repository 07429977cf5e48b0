"""``khooshe demo`` (khooshe.cli.demo)."""

from __future__ import annotations


class _Closed:
    def close(self) -> None:
        pass


def test_demo_message_in_persian(tmp_path, invoke, monkeypatch):
    calls = {}

    def build(root, **options):
        calls.update(options, root=root)
        return _Closed()

    monkeypatch.setattr("khooshe.services.demo.build_demo", build)
    monkeypatch.setattr("khooshe.services.demo.demo_accounts",
                        lambda ws: [("khz_manager", "province_manager", "s3cret-Pa55")])
    result = invoke("--lang", "fa", "demo", tmp_path / "demo2", "--seed", "17", "--scale",
                    "national")
    assert result.exit_code == 0, result.output
    assert calls["seed"] == 17 and calls["scale"] == "national" and calls["progress"] is True
    line, *accounts = result.output.strip().splitlines()
    # the password is printed once, as generated (Latin digits: it is typed, not read)
    assert any("khz_manager" in a and "s3cret-Pa55" in a for a in accounts), accounts
    assert line.startswith(f"فضای کار نمایشی {tmp_path / 'demo2'} (داده‌های ساختگی)")
    assert "با بذر 17 و مقیاس national" in line and line.endswith("ثانیه ساخته شد")


def test_demo_refuses_an_existing_workspace_and_an_unknown_scale(demo_dir, tmp_path, invoke):
    result = invoke("demo", demo_dir)
    assert result.exit_code == 2 and "--force" in result.output
    result = invoke("demo", tmp_path / "x", "--scale", "huge")
    assert result.exit_code == 2
    assert "--scale must be small or national, not 'huge'" in result.output
    assert not (tmp_path / "x").exists()
