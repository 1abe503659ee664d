"""``python -m graphdiff``: the command line."""
from .cli import entry

entry()
