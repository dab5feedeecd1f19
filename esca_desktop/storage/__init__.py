"""The offline store: the only package that imports SQLAlchemy (engine, rows, repositories, migrations)."""
