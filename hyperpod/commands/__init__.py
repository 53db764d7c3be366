"""What the operator commands (`hyperpod-status`, `hyperpod-preflight`, `hyperpod-nodes`) share: the exit codes and
the errors that carry them (`errors`), one AWS client set-up with botocore's errors mapped to those codes (`aws`), and
one output style (`output`). Nothing here loads cdktf or the kubernetes client."""
