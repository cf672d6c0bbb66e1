"""Share links for clients: create and manage links, the client's side (token, passcode, view
limit), playback grants, guest identities and watermarks.
"""
