"""Credentials in the OS keyring and the assessor's signing identity (key pair and certificate)."""
