"""The central review service of the ESCA secretariat (server side; the desktop never imports it).

- `store`      its own SQLAlchemy store: users, submissions with their bundles, review decisions and
               comments, catalogs, benchmark statistics (a SQLite file by default, PostgreSQL by URL);
- `benchmarks` quartiles of numeric answers among comparable organisations;
- `app`        the HTTP API (FastAPI, OpenAPI docs at /docs), Bearer-token authentication;
- `faults`     failures injected on purpose, for the fault tests only (ESCA_CENTRAL_FAULTS);
- `cli`        `esca-central serve | user | review | catalog`.

Bundles are read and verified with the desktop's own `esca_desktop.sync.bundle.read_bundle`, so that
both sides agree on what a valid bundle is.
"""
