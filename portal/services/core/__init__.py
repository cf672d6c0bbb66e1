"""Cross-domain basics: domain errors, input validation, display formats (locale), the permission
matrix, and rows fetched or saved in the session's scope.
"""
