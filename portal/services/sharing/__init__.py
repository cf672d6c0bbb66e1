"""Share links for clients: create and manage links, the rules they follow (status as of now,
what can carry a watermark), the client's side (token, passcode, view limit), playback grants,
guest identities, watermarks and what a download is.
"""
