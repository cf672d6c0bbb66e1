"""Who people are: sign-in and sessions, one-time tokens, throttling, password hashing, self-
service account flows, user and tenant administration, tenant branding.
"""
