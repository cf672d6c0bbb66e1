"""What the REST API (/api/v1) needs beyond the domain services it calls: idempotent creates,
entity tags, and the plain records it answers with (read through the same services and the same
tenant-scoped transaction as the pages)."""
