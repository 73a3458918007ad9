"""`python -m wgm` runs the command-line interface."""

from wgm.cli import main

main()
