"""Disproportionality: the per-force report (`report.py`), the national comparison (`national/`), who may read the
unsuppressed figures (`access.py`), the data-months read the pages share (`selectors.py`) and their API."""
