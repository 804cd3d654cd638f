import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tongxing.accounts.actions import create_user
from tongxing.accounts.models import REGION_SCOPED_ROLES, Role
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
                raise CommandError(f"--region is required for the role {role}.")
            try:
                scope = Region.objects.get(code=normalize(region))
            except CodeError as exc:
                raise CommandError(f"--region: {exc}") from exc
            except Region.DoesNotExist:
                raise CommandError(f"--region: no region with the code {region}.") from None
        elif region:
            raise CommandError(f"The role {role} has no region scope; leave out --region.")
        if password is None and not no_password:
            password = getpass.getpass("Password: ")
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
        where = f" in {scope.name} ({scope.code})" if scope else ""
        self.stdout.write(f"Created {user.username}, {role}{where}.")
