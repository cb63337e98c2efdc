"""Plain helpers every app may use and that know nothing of the domain: months, intervals, the domain error and the
API's handling of it (docs/architecture.md). Nothing here imports an app of ours."""
