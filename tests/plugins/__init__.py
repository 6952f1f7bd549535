"""pytest plugins of the one test command, enabled from pytest.ini with ``-p``:

- ``tests.plugins.environment``: puts .venv/bin (twinbook, gonb, goimports) and go on PATH;
- ``tests.plugins.gotest``: Go tests (``go test -race -json ./...``) as pytest items.
"""
