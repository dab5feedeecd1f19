"""Label catalogs, their loader and expression language, and the interview engine."""
