"""Sync from data.police.uk: every force's stop and search, every month it publishes, kept equal to the source.

- `services.py`: one run (`sync_run`), the availability list, making a force-month equal to its source;
- `selectors.py`: what the coverage page and its API show;
- `permissions.py`: who may read coverage;
- `tasks.py`: the run as a background task;
- `replay.py`: a local stand-in for data.police.uk that replays recorded responses (tests, demo, benchmarks);
- `recordings.py`: makes those recordings from data.police.uk's monthly CSVs.

docs/sync.md says how it works and why; docs/forces.md lists the forces.
"""
