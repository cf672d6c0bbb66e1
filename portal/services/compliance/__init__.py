"""The studio's promises: the audit log and its hash chain, residency evidence, retention, backups
and restore drills, PII and secret redaction, the compliance page's status.
"""
