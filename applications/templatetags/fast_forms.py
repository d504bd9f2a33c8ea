"""``{% field_group field %}``: a field's label, widget, help text and errors,
rendered without a template per field (``applications.widgets.field_group``;
``templates/_field.html`` calls it)."""

from django import template

from applications.widgets import field_group as render_field_group

register = template.Library()


@register.simple_tag
def field_group(field):
    return render_field_group(field)
