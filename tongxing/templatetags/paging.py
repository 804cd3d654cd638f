"""The shared pager's addresses (templates/_pager.html)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_address(context, number: int) -> str:
    """Return the address of another page of this list: its search and filters, and `page`.

    They are the request's query string, or `page_query` when the view answered a POST
    (the household search posts) and says which of its fields an address may carry.
    """
    query = context.get("page_query")
    if query is None:
        query = context["request"].GET
    params = query.copy()
    params["page"] = number
    return f"?{params.urlencode()}"
