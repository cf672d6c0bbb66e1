"""Outbound webhooks: endpoints a tenant's admins register, events signed per the Standard
Webhooks specification, delivered by the job queue with retries, every attempt recorded."""
