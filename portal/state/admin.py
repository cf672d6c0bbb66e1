"""Administration state: agency tenants (studio admins) and users (studio and agency admins)."""

from __future__ import annotations

import reflex as rx

from portal.services.accounts import tenants as tenants_admin
from portal.services.accounts import users as users_admin
from portal.services.accounts.branding import MAX_LOGO_BYTES, save_logo
from portal.services.accounts.tenants import TenantView
from portal.services.accounts.users import UserView
from portal.services.core.branding import DEFAULT_ACCENT
from portal.services.core.errors import InvalidInput, PortalError
from portal.services.core.permissions import Action, can
from portal.state.session import SessionState


class TenantsState(SessionState):
    """Tenants page: list, create, edit."""

    tenants: list[TenantView] = []
    error: str = ""
    notice: str = ""
    # The tenant being edited ("" = none) and its form values.
    edit_id: str = ""
    edit_name: str = ""
    edit_policy: str = "AU"
    edit_accent: str = DEFAULT_ACCENT
    edit_active: bool = True
    edit_retention: str = ""

    def _reload(self, user) -> None:  # type: ignore[no-untyped-def]
        self.tenants = tenants_admin.list_tenants(user=user)

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        try:
            self._reload(self._require_user(("admin",)))
        except PortalError as exc:
            self.error = exc.user_message
            return self._failure(exc)
        self.error = self.notice = ""
        return None

    @rx.event
    def create(self, form: dict):  # type: ignore[no-untyped-def]
        """Create an agency tenant managed by the studio."""
        self.error = self.notice = ""
        try:
            user = self._require_user(("admin",))
            tenants_admin.create_tenant(
                user=user,
                name=str(form.get("name", "")),
                residency_policy=str(form.get("residency_policy", "AU")),
                accent_color=str(form.get("accent_color", "")),
            )
            self._reload(user)
        except PortalError as exc:
            self.error = exc.user_message
            return self._failure(exc)
        self.notice = "Tenant created."
        return None

    @rx.event
    def start_edit(self, tenant_id: str) -> None:
        for tenant in self.tenants:
            if tenant.id == tenant_id:
                self.edit_id, self.edit_name = tenant.id, tenant.name
                self.edit_policy, self.edit_accent = tenant.residency_policy, tenant.accent_color
                self.edit_active = tenant.status == "active"
                self.edit_retention = tenant.client_file_retention

    @rx.event
    def cancel_edit(self) -> None:
        self.edit_id = ""

    @rx.event
    def set_edit_name(self, value: str) -> None:
        self.edit_name = value[:300]

    @rx.event
    def set_edit_policy(self, value: str) -> None:
        self.edit_policy = value[:20]

    @rx.event
    def set_edit_accent(self, value: str) -> None:
        self.edit_accent = value[:20]

    @rx.event
    def set_edit_retention(self, value: str) -> None:
        self.edit_retention = value[:10]

    @rx.event
    def set_edit_active(self, value: bool) -> None:
        self.edit_active = bool(value)

    @rx.event
    async def upload_logo(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        """Replace the edited tenant's logo (type and size checked on the server)."""
        self.error = self.notice = ""
        try:
            user = self._require_user(("admin",))
            if len(files) != 1:
                raise InvalidInput("Choose one PNG or JPEG file.")
            data = await files[0].read(MAX_LOGO_BYTES + 1)
            save_logo(user=user, tenant_id=self.edit_id, data=data)
        except PortalError as exc:
            self.error = exc.user_message
            return self._failure(exc)
        self.notice = "Logo saved."
        return None

    @rx.event
    def save_edit(self):  # type: ignore[no-untyped-def]
        """Save the tenant being edited."""
        self.error = self.notice = ""
        try:
            user = self._require_user(("admin",))
            tenants_admin.update_tenant(
                user=user,
                tenant_id=self.edit_id,
                name=self.edit_name,
                residency_policy=self.edit_policy,
                accent_color=self.edit_accent,
                active=self.edit_active,
                client_file_retention=self.edit_retention,
            )
            self._reload(user)
        except PortalError as exc:
            self.error = exc.user_message
            return self._failure(exc)
        self.edit_id, self.notice = "", "Tenant saved."
        return None


class UsersState(SessionState):
    """Users page: list per tenant, invite, roles, (de)activation, invitations."""

    users: list[UserView] = []
    # (id, name) of the tenants the viewer may invite into.
    tenant_options: list[list[str]] = []
    tenant_filter: str = ""
    # The tenant the invite form targets (an agency first, else the viewer's own).
    invite_tenant: str = ""
    error: str = ""
    notice: str = ""

    def _reload(self, user) -> None:  # type: ignore[no-untyped-def]
        self.users = users_admin.list_users(user=user, tenant_id=self.tenant_filter)
        if can(user, Action.MANAGE_TENANTS):
            tenants = tenants_admin.list_tenants(user=user)
            ordered = sorted(tenants, key=lambda t: (t.type != "agency", t.name))
            self.tenant_options = [[t.id, t.name] for t in ordered]
        else:
            self.tenant_options = [[str(user.tenant_id), user.tenant_name]]
        ids = [option[0] for option in self.tenant_options]
        if self.invite_tenant not in ids:
            self.invite_tenant = self.tenant_filter if self.tenant_filter in ids else ids[0]

    @rx.event
    def set_invite_tenant(self, tenant_id: str) -> None:
        # The select reports "" while its options are (re)rendering: keep the last choice.
        if tenant_id:
            self.invite_tenant = tenant_id[:64]

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.tenant_filter = str(self.router.url.query_parameters.get("tenant", ""))[:64]
        try:
            self._reload(self._require_user(("admin",)))
        except PortalError as exc:
            self.error = exc.user_message
            return self._failure(exc)
        self.error = self.notice = ""
        return None

    @rx.event
    def filter_tenant(self, tenant_id: str):  # type: ignore[no-untyped-def]
        self.tenant_filter = "" if tenant_id == "all" else tenant_id[:64]
        return self._act(lambda user: None, "")

    def _act(self, action, notice: str):  # type: ignore[no-untyped-def]
        """Run one admin action with the server-side session check, then reload the list."""
        self.error = self.notice = ""
        try:
            user = self._require_user(("admin",))
            action(user)
            self._reload(user)
        except PortalError as exc:
            self.error = exc.user_message
            return self._failure(exc)
        self.notice = notice
        return None

    @rx.event
    def invite(self, form: dict):  # type: ignore[no-untyped-def]
        """Invite someone by email into a tenant with a role."""
        email = str(form.get("email", ""))
        return self._act(
            lambda user: users_admin.invite_user(
                user=user,
                tenant_id=self.invite_tenant,
                email=email,
                name=str(form.get("name", "")),
                role=str(form.get("role", "agency")),
            ),
            f"Invitation sent to {email.strip()}.",
        )

    @rx.event
    def change_role(self, user_id: str, role: str):  # type: ignore[no-untyped-def]
        return self._act(
            lambda user: users_admin.change_role(user=user, user_id=str(user_id), role=str(role)),
            "Role changed.",
        )

    @rx.event
    def set_active(self, user_id: str, active: bool):  # type: ignore[no-untyped-def]
        return self._act(
            lambda user: users_admin.set_active(
                user=user, user_id=str(user_id), active=bool(active)
            ),
            "User reactivated." if active else "User deactivated and signed out everywhere.",
        )

    @rx.event
    def resend(self, user_id: str):  # type: ignore[no-untyped-def]
        return self._act(
            lambda user: users_admin.resend_invite(user=user, user_id=str(user_id)),
            "A new invitation was sent.",
        )

    @rx.event
    def revoke(self, user_id: str):  # type: ignore[no-untyped-def]
        return self._act(
            lambda user: users_admin.revoke_invite(user=user, user_id=str(user_id)),
            "Invitation revoked.",
        )
