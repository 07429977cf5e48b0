"""The message catalogue: complete in both languages, and every key the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from khooshe.text.messages import Bilingual, Message, namespace, namespaces, placeholders, t

SRC = Path(__file__).resolve().parents[2] / "src" / "khooshe"


def test_every_message_has_both_languages_with_the_same_values():
    problems = []
    for ns in namespaces():
        for key, entry in namespace(ns).items():
            if placeholders(entry["fa"]) != placeholders(entry["en"]):
                problems.append(f"{ns}.{key}: fa {sorted(placeholders(entry['fa']))} vs "
                                f"en {sorted(placeholders(entry['en']))}")
    assert problems == []


#: Calls that take a catalogue key as their first argument, and the namespace they add.
_CALLS = {r"\bt": "", r"\bsay": "plan.", r"\bwords": "plan.", r"\bMessage": ""}


def test_every_literal_key_in_the_code_exists():
    missing = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call, prefix in _CALLS.items():
            for m in re.finditer(call + r"\(\s*f?\"([a-z_][a-z0-9_.]*)\"", text):
                if m.group(0).rstrip('"').endswith('f"') or "{" in m.group(1):
                    continue
                key = prefix + m.group(1)
                if prefix == "plan." and "services/plan" not in str(path):
                    continue
                ns, _, rest = key.partition(".")
                if ns not in namespaces() or rest not in namespace(ns):
                    missing.append(f"{path.relative_to(SRC)}: {key}")
    assert missing == []


def test_values_are_localised_but_text_is_kept():
    path = "data/r2024.csv"
    assert t("cli.imported", "fa", rows=1234, kind="regions", source=path, inserted=1000,
             updated=234) .startswith("۱٬۲۳۴ ردیف regions از data/r2024.csv")
    assert t("cli.demo_built", "fa", path="ws", seed=0, scale="small", seconds=5.26).endswith(
        "در ۵٫۳ ثانیه ساخته شد")
    assert t("units.money.bn", "en", number="16,000") == "16,000 bn toman"


def test_messages_and_names_render_later():
    note = Message("units.money.bn", {"number": "5"})
    assert note.render("fa") == "5 میلیارد تومان" and str(note) == "5 bn toman"
    assert t("plan.villages.note", "fa", note=Bilingual("یک", "one")) == "روستاها: یک"


def test_unknown_keys_and_missing_values_fail_loudly():
    with pytest.raises(KeyError, match="no message"):
        t("cli.nope", "en")
    with pytest.raises(KeyError, match="needs the value 'path'"):
        t("cli.created", "en")
