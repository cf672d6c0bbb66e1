"""Who hears about what: events, fan-out, the bell's inbox, preferences and unsubscribe, email
delivery and the daily digest.
"""
