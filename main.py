#!/usr/bin/env python3
"""Entry point of `python main.py` and `cdktf synth`/`deploy` (cdktf.json): see hyperpod/app/cli.py for the
options and exit codes."""

import os
import sys

# jsii prints an end-of-life banner for Node 20 on every run unless told the major version it may ignore.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from hyperpod.app.cli import main  # noqa: E402  (after the environment jsii reads at start-up)

if __name__ == "__main__":
    sys.exit(main())
