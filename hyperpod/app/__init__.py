"""The HyperPod CDKTF app: what `python main.py` and `cdktf synth`/`deploy` run, shareable by other apps.

`cli` parses the command line and maps problems to exit codes; `configs` and `environments` read config files;
`synthesis` synthesizes behind the change guard (`previous`); `output` holds the output folder for one run,
`owned_files` writes only the files a synthesis owns, `terraform_lock` sees Terraform working in a stack folder and
`stack_folders` catches renamed and colliding stacks; `summary` tells the user what was written. This package is the
only place that reads files and environment variables; constructs get plain values.
"""
