from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from tongxing.access import ACCOUNT_ADMIN_ROLES, AUDIT_READERS, EVERY_ROLE, Role, allow, public
from tongxing.accounts import actions, selectors
from tongxing.addresses import client_address
from tongxing.audit import events
from tongxing.paging import Pages
from tongxing.regions.selectors import access_region_by_code

router = Router(tags=["accounts"])


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    region: str | None = Field(None, alias="region_id")
    is_active: bool


class Credentials(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=4096)


class TokenOut(Schema):
    token: str
    expires_at: datetime
    user: UserOut


class Registration(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=4096)
    display_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)


class NewUser(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    role: Role
    region: str | None = Field(None, pattern=r"^\d{12}$")
    password: str | None = Field(None, max_length=4096)
    display_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)


class UserPatch(Schema):
    display_name: str | None = Field(None, max_length=100)
    is_active: bool | None = None


class UserFilters(Schema):
    role: Role | None = None
    q: str | None = Field(None, max_length=50)


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str | None = Field(None, description="the username of who acted (none: the system)")
    action: str
    object_type: str
    object_id: str
    region_code: str
    before: dict | None
    after: dict | None
    summary: str = Field(..., description="the event as a sentence, in the caller's language")

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class AuditFilterIn(Schema):
    # Plain strings: selectors.clean_audit_filters names each bad one (400, field errors).
    actor: str = Field("", description="a username")
    action: str = Field("", description="an action's code, e.g. need.published")
    object_type: str = Field("", description="the kind of object, e.g. registry.household")
    object_id: str = Field("", description="the object's id (with object_type)")
    since: date | None = Field(None, description="the first day, inclusive")
    until: date | None = Field(None, description="the last day, inclusive")


class DescribedEvents:
    """The filtered log as the API's pagination reads it: counted index by index, as the
    page counts it, and each page of events put into words at once (one query per kind
    of object named, not one per event)."""

    def __init__(self, viewer, filters: selectors.AuditFilters):
        self.viewer, self.filters = viewer, filters

    def all(self):
        return self

    def count(self) -> int:
        return selectors.count_audit_events_visible_to(self.viewer, self.filters)

    def __getitem__(self, window: slice) -> list:
        found = selectors.audit_events_visible_to(self.viewer, self.filters)
        page = list(found.select_related("actor")[window])
        for described in events.describe_events(page, self.viewer):
            described.event.summary = described.summary
        return page


@router.post("/auth/token", response={200: TokenOut}, auth=None, summary="Log in: get a token")
@public
def obtain_token(request, credentials: Credentials):
    user = actions.log_in(
        request=request,
        username=credentials.username,
        password=credentials.password,
        address=client_address(request),
    )
    if user is None:
        raise HttpError(401, _("The username or password is not right."))
    raw, token = actions.issue_token(user=user)
    return {"token": raw, "expires_at": token.expires_at, "user": user}


@router.delete("/auth/token", response={204: None}, summary="Log out: revoke this token")
@allow(EVERY_ROLE)
def revoke_token(request):
    token = getattr(request, "api_token", None)
    if token is None:
        raise HttpError(400, _("This request was not made with a token."))
    actions.revoke_token(token=token)
    return 204, None


@router.get("/me", response=UserOut, summary="The account making the request")
@allow(EVERY_ROLE)
def me(request):
    return request.user


@router.post("/accounts/register", response={201: UserOut}, auth=None, summary="Sign up as a donor")
@public
def register(request, payload: Registration):
    user = actions.register_donor(
        username=payload.username,
        password=payload.password,
        display_name=payload.display_name,
        email=payload.email,
    )
    return 201, user


@router.get("/users", response=list[UserOut], summary="Accounts in my region")
@allow(ACCOUNT_ADMIN_ROLES)
@paginate(Pages, page_size=50)
def list_users(request, filters: Query[UserFilters]):
    return selectors.search_users(request.user, role=filters.role, query=filters.q)


@router.post("/users", response={201: UserOut}, summary="Create a staff account")
@allow(ACCOUNT_ADMIN_ROLES)
def create_user(request, payload: NewUser):
    region = None
    if payload.region:
        region = access_region_by_code(request.user, payload.region)
    user = actions.create_user(
        username=payload.username,
        role=payload.role,
        region=region,
        password=payload.password,
        display_name=payload.display_name,
        email=payload.email,
        by=request.user,
    )
    return 201, user


@router.get("/users/{user_id}", response=UserOut, summary="An account in my region")
@allow(ACCOUNT_ADMIN_ROLES)
def get_user(request, user_id: int):
    return selectors.access_user_by_id(request.user, user_id)


@router.patch("/users/{user_id}", response=UserOut, summary="Rename or (de)activate an account")
@allow(ACCOUNT_ADMIN_ROLES)
def patch_user(request, user_id: int, payload: UserPatch):
    user = selectors.access_user_by_id(request.user, user_id)
    return actions.update_user(
        user=user, by=request.user, display_name=payload.display_name, is_active=payload.is_active
    )


@router.get("/audit", response=list[AuditOut], summary="The audit log of my region")
@allow(AUDIT_READERS)
@paginate(Pages, page_size=50)
def audit_log(request, filters: Query[AuditFilterIn]):
    cleaned = selectors.clean_audit_filters(selectors.AuditFilters(**filters.model_dump()))
    return DescribedEvents(request.user, cleaned)
