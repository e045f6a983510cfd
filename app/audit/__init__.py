"""The audit log: who did what, when, from where. Rows are never changed or deleted."""
