"""pytest plugins of the one test command, enabled from pytest.ini with ``-p``:

- ``tests.plugins.environment``: puts .venv/bin (twinbook, gonb, goimports) and go on PATH;
- ``tests.plugins.gotest``: Go tests (``go test -race -json ./...``) as pytest items;
- ``tests.plugins.event_loop``: a test that leaves an asyncio loop behind fails;
- ``tests.plugins.kafka``: ``kafka_bootstrap`` on kfake and on a real Kafka the session starts;
- ``tests.plugins.postgres``: ``store_url`` on SQLite and on a PostgreSQL cluster the session
  starts (both keep their service with ``sessionkeeper``: one per session, all workers);
- ``tests.plugins.lint``: static checks (ruff, mypy, gofmt, go vet, staticcheck,
  actionlint) as pytest items, from tests/lint.toml; the checkers are in ``linters``.

``runshare`` lets both run their tool once per session and share its output with every
xdist worker.
"""
