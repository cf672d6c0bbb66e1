"""Deliverables and their versions: upload storage, local processing, Mux uploads and events, the
stuck-asset sweep, review (approvals), timecoded comments, drawings and the asset page's view
objects.
"""
