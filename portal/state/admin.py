"""Administration state: agency tenants (studio admins) and users (studio and agency admins)."""

from __future__ import annotations

import reflex as rx

from portal.services.accounts import tenants as tenants_admin
from portal.services.accounts import users as users_admin
from portal.services.accounts.branding import MAX_LOGO_BYTES, save_logo
from portal.services.accounts.tenants import TenantView
from portal.services.accounts.users import UserView
from portal.services.core.branding import DEFAULT_ACCENT
from portal.services.core.errors import InvalidInput
from portal.services.core.permissions import Action, can
from portal.state.session import SessionState, guard

ADMINS = ("admin",)


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

    def _reload(self) -> None:
        self.tenants = tenants_admin.list_tenants(user=self._require_user())

    @rx.event
    @guard(roles=ADMINS)
    def load(self) -> None:
        self.notice = ""
        self._reload()

    @rx.event
    @guard(roles=ADMINS)
    def create(self, form: dict) -> None:
        """Create an agency tenant managed by the studio."""
        self.notice = ""
        tenants_admin.create_tenant(
            user=self._require_user(),
            name=str(form.get("name", "")),
            residency_policy=str(form.get("residency_policy", "AU")),
            accent_color=str(form.get("accent_color", "")),
        )
        self._reload()
        self.notice = "Tenant created."

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
    @guard(roles=ADMINS)
    async def upload_logo(self, files: list[rx.UploadFile]) -> None:
        """Replace the edited tenant's logo (type and size checked on the server)."""
        self.notice = ""
        if len(files) != 1:
            raise InvalidInput("Choose one PNG or JPEG file.")
        data = await files[0].read(MAX_LOGO_BYTES + 1)
        save_logo(user=self._require_user(), tenant_id=self.edit_id, data=data)
        self.notice = "Logo saved."

    @rx.event
    @guard(roles=ADMINS)
    def save_edit(self) -> None:
        """Save the tenant being edited."""
        self.notice = ""
        tenants_admin.update_tenant(
            user=self._require_user(),
            tenant_id=self.edit_id,
            name=self.edit_name,
            residency_policy=self.edit_policy,
            accent_color=self.edit_accent,
            active=self.edit_active,
            client_file_retention=self.edit_retention,
        )
        self._reload()
        self.edit_id, self.notice = "", "Tenant saved."


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

    def _reload(self) -> None:
        user = self._require_user()
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

    def _done(self, notice: str) -> None:
        self.notice = ""
        self._reload()
        self.notice = notice

    @rx.event
    @guard(roles=ADMINS)
    def load(self) -> None:
        self.tenant_filter = str(self.router.url.query_parameters.get("tenant", ""))[:64]
        self._done("")

    @rx.event
    @guard(roles=ADMINS)
    def filter_tenant(self, tenant_id: str) -> None:
        self.tenant_filter = "" if tenant_id == "all" else tenant_id[:64]
        self._done("")

    @rx.event
    @guard(roles=ADMINS)
    def invite(self, form: dict) -> None:
        """Invite someone by email into a tenant with a role."""
        self.notice = ""
        email = str(form.get("email", ""))
        users_admin.invite_user(
            user=self._require_user(),
            tenant_id=self.invite_tenant,
            email=email,
            name=str(form.get("name", "")),
            role=str(form.get("role", "agency")),
        )
        self._done(f"Invitation sent to {email.strip()}.")

    @rx.event
    @guard(roles=ADMINS)
    def change_role(self, user_id: str, role: str) -> None:
        self.notice = ""
        users_admin.change_role(user=self._require_user(), user_id=str(user_id), role=str(role))
        self._done("Role changed.")

    @rx.event
    @guard(roles=ADMINS)
    def set_active(self, user_id: str, active: bool) -> None:
        self.notice = ""
        users_admin.set_active(user=self._require_user(), user_id=str(user_id), active=bool(active))
        self._done("User reactivated." if active else "User deactivated and signed out everywhere.")

    @rx.event
    @guard(roles=ADMINS)
    def resend(self, user_id: str) -> None:
        self.notice = ""
        users_admin.resend_invite(user=self._require_user(), user_id=str(user_id))
        self._done("A new invitation was sent.")

    @rx.event
    @guard(roles=ADMINS)
    def revoke(self, user_id: str) -> None:
        self.notice = ""
        users_admin.revoke_invite(user=self._require_user(), user_id=str(user_id))
        self._done("Invitation revoked.")
