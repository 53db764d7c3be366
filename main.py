#!/usr/bin/env python3
"""Entry point of `python main.py` and `cdktf synth`/`deploy` (cdktf.json): see hyperpod/app/cli.py for the
options and exit codes."""

import sys

from hyperpod.app.cli import entry_point  # importing hyperpod quiets jsii's end-of-life banner (hyperpod/__init__.py)

if __name__ == "__main__":
    sys.exit(entry_point())
