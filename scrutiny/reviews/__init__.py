"""Review sessions: samples (`sampling.py`), blind scoring, reveals, agreed views, findings, the live session
consumer and their API. Reads records; never imports escalations (docs/architecture.md)."""
