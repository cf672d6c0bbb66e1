"""Cross-domain basics: domain errors, input validation, display formats (locale), the permission
matrix, rows fetched or saved in the session's scope, a tenant's accent colour and a webhook
event's outcome.
"""
