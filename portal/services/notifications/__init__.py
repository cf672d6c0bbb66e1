"""Who hears about what: events, fan-out, the bell's inbox, preferences and unsubscribe, the
notification emails (templates, delivery) and the daily digest.
"""
