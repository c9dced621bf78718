"""Who may do what to which records: the checks every view, API operation and selector uses.

Views and API operations declare one permission (`jisr.accounts.decorators` /
`jisr.accounts.apiauth`);
selectors narrow querysets to the requesting user's record scope with `scope_filter`.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jisr.accounts.models import User
from jisr.accounts.roles import Perm, Scope
from jisr.lib.errors import JisrError

NOTHING = Q(pk__in=[])


def forbidden() -> JisrError:
    return JisrError("forbidden", _("You do not have permission to do this."), status=403)


def not_found() -> JisrError:
    return JisrError("not_found", _("Not found."), status=404)


def require(user: User | AnonymousUser, perm: Perm) -> None:
    """Raise `forbidden` unless `user` holds `perm`."""
    if not (isinstance(user, User) and user.is_authenticated and user.can(perm)):
        raise forbidden()


def scope_filter(
    user: User | AnonymousUser,
    perm: Perm,
    *,
    organisation: str | None = None,
    governorate: str | None = None,
    owner: str | None = None,
) -> Q:
    """A filter for the records `user` may reach with `perm`.

    Each keyword names the lookup on the queried model that leads to the record's
    organisation, governorate and owning user. Scopes are cumulative: a governorate scope also
    reaches the records of the user's own organisation (a person abroad registered by a
    Baghdad branch has no governorate), and both reach the user's own records. A scope whose
    lookup is not given reaches nothing through it, so a model that cannot say where it
    belongs is never shown by accident.
    """
    if not (isinstance(user, User) and user.is_authenticated):
        return NOTHING
    scope = user.scope_for(perm)
    if scope is None:
        return NOTHING
    if scope == Scope.ALL:
        return Q()
    reach = NOTHING
    if owner:
        reach |= Q(**{owner: user.pk})
    if scope >= Scope.ORGANISATION and organisation and user.organisation:
        reach |= Q(**{f"{organisation}__in": user.organisation.descendant_ids()})
    if scope >= Scope.GOVERNORATE and governorate and user.governorate_id:
        reach |= Q(**{governorate: user.governorate_id})
    return reach
