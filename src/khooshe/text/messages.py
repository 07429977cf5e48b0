"""The one message catalogue: every sentence a person reads, in Persian and in English.

Messages live in ``khooshe/text/catalogue/<namespace>.toml``, one table per message with an
``fa`` and an ``en`` template (Python ``str.format`` syntax)::

    [imported]
    en = "Imported {rows} {kind} from {source}: {inserted} new, {updated} updated"
    fa = "{rows} ردیف {kind} از {source} وارد شد: {inserted} جدید، {updated} به‌روزشده"

and are looked up as ``t("cli.imported", lang, rows=…)``. Tables may nest (``[plan.profile]``
then ``title.fa = …`` gives the key ``plan.profile.title``). Placeholders are filled per
language: numbers with :func:`khooshe.text.numbers.format_value` (Persian digits and separators
in ``fa``; a format spec such as ``{seconds:.1f}`` is honoured and then localised), a
:class:`Message` or :class:`Bilingual` in the same language, text exactly as given (so file
paths and codes keep their Latin digits). ``tests/text/test_messages.py`` checks that every
message has both languages with the same placeholders.

The language of the command line comes from ``--lang``, else ``KHOOSHE_LANG``, else the locale
(``LANG=fa_IR…`` → Persian), else English: most terminals draw Persian without right-to-left
shaping, so Persian is chosen only when asked for. Reports and the web app default to Persian.
"""

from __future__ import annotations

import os
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from khooshe.text.digits import check_lang, to_persian_digits

_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class Bilingual:
    """A text given in both languages (a name: a region, an activity, a product)."""

    fa: str
    en: str

    def render(self, lang: str) -> str:
        return self.fa if lang == "fa" else self.en


def joined(parts: Iterable[Any], en: str = ", ", fa: str = "، ") -> Bilingual:
    """Texts or messages joined, each rendered in each language and joined with that
    language's separator (``a, b`` / ``a، b``).

    >>> joined([Bilingual("الف", "a"), "b"]).render("fa")
    'الف، b'
    """
    parts = list(parts)

    def render(part: Any, lang: str) -> str:
        return part.render(lang) if isinstance(part, Message | Bilingual) else str(part)

    return Bilingual(fa=fa.join(render(p, "fa") for p in parts),
                     en=en.join(render(p, "en") for p in parts))


def isolated(text: str) -> str:
    """``text`` between Unicode's first-strong isolate and its pop (U+2068, U+2069), so a
    Persian value in an English sentence (or the reverse) keeps its own direction and the
    sentence's punctuation stays where the sentence puts it."""
    return f"\u2068{text}\u2069"


@dataclass(frozen=True)
class Message:
    """A catalogue message and its values, rendered later in the reader's language.

    Analyses return notes as messages (facts, not prose); whoever shows them renders them.
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:  # logs and English error messages
        return self.render("en")


def default_lang() -> str:
    """``fa`` when ``KHOOSHE_LANG`` (else ``LANG``) starts with ``fa``, else ``en``."""
    lang = os.environ.get("KHOOSHE_LANG") or os.environ.get("LANG", "")
    return "fa" if lang.lower().startswith("fa") else "en"


def _flatten(table: Mapping[str, Any], prefix: str, out: dict[str, dict[str, str]],
             source: str) -> None:
    if "fa" in table or "en" in table:
        extra = set(table) - {"fa", "en"}
        if extra or not all(isinstance(table.get(k), str) for k in ("fa", "en")):
            raise ValueError(f"{source}: message {prefix!r} needs exactly 'fa' and 'en' text")
        out[prefix] = {"fa": table["fa"], "en": table["en"]}
        return
    for key, value in table.items():
        if not isinstance(value, Mapping):
            raise ValueError(f"{source}: {prefix + '.' if prefix else ''}{key} is not a message")
        _flatten(value, f"{prefix}.{key}" if prefix else key, out, source)


@cache
def namespace(name: str) -> dict[str, dict[str, str]]:
    """Every message of ``catalogue/<name>.toml``, by key without the namespace."""
    path = resources.files("khooshe.text").joinpath("catalogue", f"{name}.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, dict[str, str]] = {}
    _flatten(data, "", out, f"catalogue/{name}.toml")
    return out


def namespaces() -> list[str]:
    """Names of every catalogue file."""
    folder = resources.files("khooshe.text").joinpath("catalogue")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def template(key: str, lang: str) -> str:
    """The raw template of ``key`` in ``lang``; ``KeyError`` naming the key if unknown."""
    check_lang(lang)
    ns, _, rest = key.partition(".")
    try:
        return namespace(ns)[rest][lang]
    except (KeyError, FileNotFoundError):
        raise KeyError(f"no message {key!r} in the catalogue") from None


def _localise_formatted(text: str, lang: str) -> str:
    """A number formatted with a spec (``1,234.5``) in the separators of ``lang``."""
    if lang != "fa":
        return text
    table = str.maketrans({",": "٬", ".": "٫", "-": "−"})
    return to_persian_digits(text.translate(table))


def _field(value: Any, spec: str, lang: str) -> str:
    if isinstance(value, Message | Bilingual):
        return value.render(lang)
    if isinstance(value, bool) or not isinstance(value, int | float):
        if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
            return _field(value.item(), spec, lang)
        return format(value, spec) if spec else str(value)
    if spec:
        return _localise_formatted(format(value, spec), lang)
    from khooshe.text.numbers import format_value

    return format_value(value, lang)[0]


def t(key: str, lang: str = "en", /, **params: Any) -> str:
    """The message ``key`` in ``lang`` (``fa`` or ``en``) with ``params`` filled in.

    >>> t("cli.created", "en", path="ws")
    'Created workspace ws'
    """
    text = template(key, lang)
    parts = []
    for literal, name, spec, conversion in _FORMATTER.parse(text):
        parts.append(literal)
        if name is None:
            continue
        if name not in params:
            raise KeyError(f"message {key!r} needs the value {name!r}")
        value = params[name]
        if conversion:
            value = _FORMATTER.convert_field(value, conversion)
        parts.append(_field(value, spec or "", lang))
    return "".join(parts)


def placeholders(text: str) -> set[str]:
    """Names of the placeholders of a template."""
    return {name for _, name, _, _ in _FORMATTER.parse(text) if name}


__all__ = ["Bilingual", "Message", "default_lang", "isolated", "namespace", "namespaces",
           "placeholders", "t", "template"]
