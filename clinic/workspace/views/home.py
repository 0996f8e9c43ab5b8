from django.shortcuts import redirect, render

from clinic.workspace.decorators import staff_view
from clinic.workspace.nav import home_url_for


@staff_view()
def home(request):
    """Each role's main page; a login whose roles have none sees the list of its pages."""
    url = home_url_for(request.staff_roles)
    if url is not None and request.GET.get("stay") is None:
        return redirect(url)
    return render(request, "workspace/home.html")
