"""Offline gates on the synthesized Terraform JSON: awscc schema conformance, checkov scan, IAM/S3 hardening."""
