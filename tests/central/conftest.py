"""Fixtures of the review-service tests: the real service on 127.0.0.1 and desktops that sync with it."""

from tests.central.harness import central, desktop, memory_keyring

__all__ = ["central", "desktop", "memory_keyring"]
