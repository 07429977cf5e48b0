"""``python -m khooshe.cli``: the same as the ``khooshe`` console script."""

from khooshe.cli import main

main()
