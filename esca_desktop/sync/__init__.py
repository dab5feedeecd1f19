"""Bundles, the sync client and the central review service."""
