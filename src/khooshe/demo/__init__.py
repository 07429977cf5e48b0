"""Synthetic, Iran-like demo workspace generator (clearly labelled as synthetic).

``generate(seed=0, scale="small")`` returns one pandas DataFrame per kind of
:data:`khooshe.domain.schema.LOAD_ORDER`; ``khooshe demo WORKSPACE`` validates and stores them.
"""

from khooshe.demo.generate import generate

__all__ = ["generate"]
