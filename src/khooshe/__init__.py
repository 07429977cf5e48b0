"""khooshe (خوشه): industrial-cluster development programmes for Iran's provinces."""

__version__ = "0.1.0"
