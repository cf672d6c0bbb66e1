"""Email: the outbox every email goes through (queued as a job), the branded HTML shell, the
account emails, and Resend's delivery events.
"""
