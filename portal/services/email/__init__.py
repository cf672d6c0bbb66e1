"""Email: the outbox every email goes through (queued as a job), the account and notification
templates, and Resend's delivery events.
"""
