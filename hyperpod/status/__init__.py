"""hyperpod-status: is a HyperPod cluster on EKS healthy, seen from SageMaker and from Kubernetes.

Kept free of cdktf and provider bindings so the command starts fast.
"""
