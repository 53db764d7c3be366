"""hyperpod-preflight: before `terraform apply`, ask AWS (read-only) whether a config can deploy: identity and scope,
the EKS cluster, quotas, subnets and training plans, network, add-ons, name collisions and KMS keys.

One module per check area; `aws` makes the calls, `runner` runs the areas concurrently, `report` prints them and
`cli` maps the outcome to an exit code. Kept free of cdktf so the command starts fast.
"""
