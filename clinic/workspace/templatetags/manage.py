"""Filters of the manager's pages: durations and rates as people read them."""

import datetime as dt

from django import template

register = template.Library()


@register.filter
def short_duration(delta: dt.timedelta | None) -> str:
    """'12 min', '5 h 20 min', '2 d 16 h'; '—' when there is nothing to show."""
    if delta is None:
        return "—"
    minutes = round(delta.total_seconds() / 60)
    sign, minutes = ("−", -minutes) if minutes < 0 else ("", minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes} min"
    return f"{sign}{minutes} min"


@register.filter
def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f} %"


@register.simple_tag(takes_context=True)
def manage_pages(context) -> list[dict]:
    """The manager's pages the login may open, for the pages' own menu."""
    from clinic.workspace.views.manage.hub import pages_for

    request = context["request"]
    return pages_for(request.user, getattr(request.resolver_match, "view_name", ""))
