"""``make chaos``: customer load through the REST API while nodes, the app and whole orderer quorums fail.

``load.py`` drives ``POST /api/operations/harvest`` at a fixed concurrency and checks every answer against
the ledger; ``scenarios.py`` injects the faults and measures catch-up; ``__main__.py`` prints the tables
and writes the JSON. The scenarios, targets and measured figures are in docs/resilience.md.
"""
