"""The append-only audit log: `AuditEvent`, `audit_log()` (services), who may read a panel's log (permissions) and
its API. Every other package of scrutiny may log here; this package imports none of them (docs/architecture.md)."""
