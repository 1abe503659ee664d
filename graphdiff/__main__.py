"""``python -m graphdiff``: the command line."""
from .cli import main

main(prog_name="graphdiff")
