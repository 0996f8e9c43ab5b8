"""Search results as a FHIR `searchset` Bundle, with `self`, `next` and `previous` links."""

from urllib.parse import urlencode

from clinic.fhir.registry import Page
from clinic.fhir.search import Query


def base_url(request) -> str:
    """The service base URL, e.g. https://clinic.example/fhir (no trailing slash)."""
    return request.build_absolute_uri("/fhir/").rstrip("/")


def searchset(request, type_name: str, query: Query, page: Page) -> dict:
    base = base_url(request)

    def link(relation: str, offset: int) -> dict:
        pairs = [*query.applied, ("_count", str(query.count))]
        if offset:
            pairs.append(("_offset", str(offset)))
        return {"relation": relation, "url": f"{base}/{type_name}?{urlencode(pairs)}"}

    links = [link("self", query.offset)]
    if query.count and query.offset + query.count < page.total:
        links.append(link("next", query.offset + query.count))
    if query.offset and query.count:
        links.append(link("previous", max(0, query.offset - query.count)))
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": page.total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in page.resources
        ],
    }
