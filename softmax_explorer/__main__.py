"""``python -m softmax_explorer``: the same as the ``softmax-explorer`` command."""

from .serving.cli import main

main()
