"""A throwaway PostgreSQL 15 cluster: the tests' (tests/plugins/postgres.py) and ``make
postgres``'s. See cluster.py."""
