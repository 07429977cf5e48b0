"""Messages of the command line in Persian and English.

The language comes from ``--lang``, else ``KHOOSHE_LANG``, else the locale (``LANG=fa_IR…`` →
Persian), else English: most terminals draw Persian without right-to-left shaping, so Persian
is chosen only when asked for. Reports and the web interface default to Persian.
"""

from __future__ import annotations

import os

MESSAGES: dict[str, dict[str, str]] = {
    "created": {"en": "Created workspace {path}", "fa": "فضای کاری {path} ساخته شد"},
    "demo_built": {
        "en": "Built the SYNTHETIC demo workspace {path} (seed {seed}, scale {scale}) in {seconds:.1f} s",
        "fa": "فضای کاری نمایشی (داده‌های ساختگی) {path} با بذر {seed} و مقیاس {scale} در {seconds:.1f} ثانیه ساخته شد",
    },
    "imported": {
        "en": "Imported {rows} {kind} from {source}: {inserted} new, {updated} updated",
        "fa": "{rows} ردیف {kind} از {source} وارد شد: {inserted} جدید، {updated} به‌روزشده",
    },
    "invalid": {
        "en": "{source}: {n} problem(s) in {rows} row(s); nothing was imported",
        "fa": "{source}: {n} مشکل در {rows} ردیف؛ هیچ داده‌ای وارد نشد",
    },
    "exported": {"en": "Wrote {rows} {kind} to {path}", "fa": "{rows} ردیف {kind} در {path} نوشته شد"},
    "template": {"en": "Wrote template {paths}", "fa": "قالب در {paths} نوشته شد"},
    "synthetic": {
        "en": "SYNTHETIC DEMO DATA — not real statistics",
        "fa": "داده‌های ساختگی نمایشی — آمار واقعی نیست",
    },
    "counts_title": {"en": "Records in {name}", "fa": "تعداد رکوردها در {name}"},
    "kind": {"en": "kind", "fa": "نوع"},
    "records": {"en": "records", "fa": "تعداد"},
    "database": {"en": "database", "fa": "پایگاه داده"},
}


def default_lang() -> str:
    lang = os.environ.get("KHOOSHE_LANG") or os.environ.get("LANG", "")
    return "fa" if lang.lower().startswith("fa") else "en"


def t(key: str, lang: str = "en", **kwargs: object) -> str:
    """The message ``key`` in ``lang`` (``fa`` or ``en``) with ``kwargs`` filled in."""
    text = MESSAGES[key].get(lang) or MESSAGES[key]["en"]
    if lang == "fa":
        from khooshe.io.persian import to_persian_digits

        return to_persian_digits(text.format(**kwargs))
    return text.format(**kwargs)
