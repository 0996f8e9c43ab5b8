"""The pattern every manager's form follows: parse, call the service, or show the
service's message on the field it names, with a 400 and nothing saved."""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect, render

from clinic.core.errors import InvalidInput
from clinic.portal.errors import form_add_error

FORM_TEMPLATE = "workspace/manage/form.html"


def form_page(request, *, form, save: Callable[[dict], str], done: str, title: str,
              cancel: str, context: dict | None = None):
    """GET: the form. POST: `save(cleaned_data)` returns the success message, then
    redirect to `done`; a form or service error answers 400 with the form."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                message = save(form.cleaned_data)
            except InvalidInput as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, message)
                return redirect(done)
    page = {"form": form, "title": title, "cancel": cancel, **(context or {})}
    return render(request, FORM_TEMPLATE, page, status=status)
