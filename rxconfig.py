"""Reflex configuration, read from the portal's settings (one port for front and back end)."""

import reflex as rx

from portal.settings import get_settings

settings = get_settings()
PORT = settings.portal_port
ORIGINS = sorted(
    {settings.portal_url.rstrip("/"), f"http://localhost:{PORT}", f"http://127.0.0.1:{PORT}"}
)

# With REDIS_URL, Reflex keeps every tab's state in Redis, so several backend workers (and hosts)
# can serve the same sessions; without it, state stays in the one worker's memory.
shared_state = {"redis_url": settings.redis_url} if settings.redis_url else {}

config = rx.Config(
    app_name="portal",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    # Only our own origin may open the event websocket.
    cors_allowed_origins=ORIGINS,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="orange", gray_color="slate", radius="medium")
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
    frontend_port=PORT,
    backend_port=PORT,
    # This machine only unless told otherwise (`portal serve --host`, REFLEX_BACKEND_HOST).
    backend_host="127.0.0.1",
    **shared_state,
)
