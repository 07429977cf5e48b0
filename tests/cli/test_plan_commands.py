"""``khooshe plan`` (khooshe.cli.plan)."""

from __future__ import annotations

from khooshe.services import plan as service


def test_list_options_are_checked_before_any_work(tmp_path, invoke):
    for args, message in (
        (["--formats", "html,docx"], "--formats: unknown docx; choose from html, xlsx, pdf"),
        (["--formats", ""], "--formats: unknown ''"),
        (["--sections", "profile,nonsense,x"], "--sections: unknown nonsense, x; choose from"),
    ):
        result = invoke("plan", tmp_path, "--province", "06", "--out", tmp_path / "p", *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in " ".join(result.output.split()), (args, result.output)
    result = invoke("--lang", "fa", "plan", tmp_path, "--province", "06", "--out",
                    tmp_path / "p", "--formats", "docx")
    assert "--formats: docx شناخته‌شده نیست" in " ".join(result.output.split())
    assert not (tmp_path / "p").exists()


def test_a_failing_section_is_one_line_and_its_traceback_is_logged(demo_dir, tmp_path, invoke,
                                                                   monkeypatch, log_file):
    def broken(ctx):
        raise RuntimeError("the markets file is unreadable")

    monkeypatch.setitem(service.BUILDERS, "markets", broken)
    out = tmp_path / "plan"
    result = invoke("--lang", "en", "plan", demo_dir, "--province", "06", "--out", out,
                    "--sections", "profile,markets", "--formats", "html")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert ("section markets failed (shown in the plan): RuntimeError: the markets file is "
            f"unreadable (traceback in {log_file})") in " ".join(result.output.split())
    assert f"wrote {out / 'plan.html'}" in result.output
    assert "plan of province 06: 1 of 2 sections in" in result.output
    log = log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "in broken" in log


def test_persian_plan_messages(demo_dir, tmp_path, invoke):
    out = tmp_path / "p1402"
    result = invoke("--lang", "fa", "plan", demo_dir, "--province", "06", "--out", out,
                    "--sections", "profile", "--formats", "html", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert f"{out / 'plan.html'} نوشته شد" in result.output
    assert "برنامهٔ استان 06: ۱ بخش از ۱ بخش در" in result.output
    assert 'lang="en"' in (out / "plan.html").read_text(encoding="utf-8")[:2000]


def test_every_section_has_a_progress_label_in_both_languages():
    from khooshe.text.messages import t

    for key in service.SECTIONS:  # the progress bar names each section as it is built
        assert t(f"cli.plan.section.{key}", "en") and t(f"cli.plan.section.{key}", "fa"), key
