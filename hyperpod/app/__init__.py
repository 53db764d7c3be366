"""The HyperPod CDKTF app: what `python main.py` and `cdktf synth`/`deploy` run, shareable by other apps.

`cli` parses the command line and maps problems to exit codes; `configs` reads config files; `synthesis` writes a
stack atomically behind the change guard; `summary` tells the user what was written. This package is the only place
that reads files and environment variables; constructs get plain values.
"""
