"""twinbook: resilient, concurrent, event-driven systems, taught in Go and in Python side by side."""
