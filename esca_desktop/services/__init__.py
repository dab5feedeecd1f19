"""Use-cases that join the engine, the store and (later) reports and sync."""
