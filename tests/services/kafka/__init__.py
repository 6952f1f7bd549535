"""Real Apache Kafka 4.4.0 for the tests and ``make kafka``: jars from Maven Central
(``jars``), one KRaft node on loopback (``apache``), shared by a test session's workers
(``keeper``). The chapter's code never imports this: it reads ``TWINBOOK_KAFKA``."""
