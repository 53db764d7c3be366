#!/usr/bin/env python3
"""Entry point of `python main.py` and `cdktf synth`/`deploy` (cdktf.json): see hyperpod/app/cli.py for the
options and exit codes."""

import sys

from hyperpod.app.cli import main  # importing hyperpod quiets jsii's Node end-of-life banner (hyperpod/__init__.py)

if __name__ == "__main__":
    sys.exit(main())
