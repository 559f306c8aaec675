from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def url_replace(context, **kwargs):
    """The current query string with some parameters replaced (pagination, sorting)."""
    params = context["request"].GET.copy()
    params.pop("export", None)
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode()


@register.inclusion_tag("includes/sort_header.html", takes_context=True)
def sort_header(context, field, label):
    current = context["request"].GET.get("ordering", "")
    if current == field:
        nxt, arrow = f"-{field}", "▲"
    elif current == f"-{field}":
        nxt, arrow = field, "▼"
    else:
        nxt, arrow = field, ""
    return {"href": url_replace(context, ordering=nxt, page=None), "label": label, "arrow": arrow}


@register.simple_tag
def history_rows(obj, limit=30):
    """The object's change history, newest first, each with the fields that changed."""
    history = getattr(obj, "history", None)
    if history is None:
        return []
    records = list(history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    rows = []
    for i, record in enumerate(records[:limit]):
        changes = []
        prev = records[i + 1] if i + 1 < len(records) else None
        if prev is not None and record.history_type == "~":
            delta = record.diff_against(prev)
            for change in delta.changes:
                field = record.instance_type._meta.get_field(change.field)
                changes.append({"field": str(field.verbose_name), "old": change.old, "new": change.new})
        rows.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "type": {"+": _("创建"), "~": _("修改"), "-": _("删除")}.get(record.history_type, ""),
                "changes": changes,
            }
        )
    return rows
