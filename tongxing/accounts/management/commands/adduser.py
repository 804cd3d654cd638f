import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongxing.access import REGION_SCOPED_ROLES, Role
from tongxing.accounts.actions import create_user
from tongxing.regions.codes import CodeError, normalize
from tongxing.regions.models import Region


class Command(BaseCommand):
    help = (
        "Create an account with a role and, for staff, a region scope (a 12-digit code). "
        "Without --password the password is asked for; --no-password creates the account "
        "locked until a password is set."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--region", help="the 12-digit code of the region scope")
        parser.add_argument("--password")
        parser.add_argument("--no-password", action="store_true")
        parser.add_argument("--name", default="", help="the person's name")

    def handle(self, *args, username, role, region, password, no_password, name, **options):
        scope = None
        if role in REGION_SCOPED_ROLES:
            if not region:
                raise CommandError(
                    _("--region is required for the role %(role)s.") % {"role": role}
                )
            try:
                scope = Region.objects.get(code=normalize(region))
            except CodeError as exc:
                raise CommandError(f"--region: {exc}") from exc
            except Region.DoesNotExist:
                raise CommandError(
                    _("--region: no region with the code %(code)s.") % {"code": region}
                ) from None
        elif region:
            raise CommandError(
                _("The role %(role)s has no region scope; leave out --region.") % {"role": role}
            )
        if password is None and not no_password:
            if not sys.stdin.isatty():
                raise CommandError(_("Give --password, or --no-password to set one later."))
            password = getpass.getpass(_("Password: "))
        try:
            user = create_user(
                username=username,
                role=role,
                region=scope,
                password=password or None,
                display_name=name,
                by=None,
            )
        except ValidationError as exc:
            lines = [f"{field}: {'; '.join(msgs)}" for field, msgs in exc.message_dict.items()]
            raise CommandError("\n".join(lines)) from exc
        if scope:
            message = _("Created %(user)s, %(role)s in %(region)s (%(code)s).") % {
                "user": user.username,
                "role": role,
                "region": scope.name,
                "code": scope.code,
            }
        else:
            message = _("Created %(user)s, %(role)s.") % {"user": user.username, "role": role}
        self.stdout.write(message)
