"""Running the portal: inbound webhooks (stored, queued, processed), the job ledger and the
operations page's views.
"""
