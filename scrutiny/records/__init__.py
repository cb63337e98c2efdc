"""Encounter records and their imports: the models, the import pipeline (`importing/`), imports, corrections of
rejected rows and redaction checks (services), the record browser and its one set of filters (`filters.py`), who may
see which force's records (permissions), the batch-progress consumer, personal-data masking (`pii.py`) and keyed
pseudonyms (`anonymise.py`), and each force's data version (`versions.py`). See docs/architecture.md."""
