"""Text people read and type: the Persian normaliser, digits, numbers and money, Jalali dates
and the one message catalogue (every sentence in Persian and English).

The lowest layer of khooshe: it imports nothing else of khooshe. Import from the modules:

* :mod:`khooshe.text.normalize` — matching keys of names (:func:`normalize`), never shown;
* :mod:`khooshe.text.digits` — Persian / ASCII digits, the one missing-value test;
* :mod:`khooshe.text.numbers` — the one number formatter, money in toman;
* :mod:`khooshe.text.jalali` — parse dates typed in Jalali or ISO, show Jalali;
* :mod:`khooshe.text.messages` — ``t(key, lang, **values)`` over ``text/catalogue/*.toml``.
"""
