from django import template

from clinic.staff.selectors import role_labels
from clinic.workspace.nav import nav_for

register = template.Library()


@register.simple_tag(takes_context=True)
def workspace_nav(context):
    return nav_for(context["request"])


@register.filter
def roles_label(roles) -> str:
    return role_labels(list(roles or []))
