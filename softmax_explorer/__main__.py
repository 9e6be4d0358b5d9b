"""``python -m softmax_explorer``: the same as the ``softmax-explorer`` command."""

from .cli import main

main()
