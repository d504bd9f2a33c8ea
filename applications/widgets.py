"""Form widgets rendered in Python, for pages that must keep up with a deadline rush.

Django renders each widget, and each option of a select or radio list, through
a template of its own: the letter form's 250 countries alone were some 600
template renders a page and most of its time. Here:

- ``FastRenderer`` is a form renderer that produces the markup of Django's
  stock widget templates (``django/forms/widgets/*.html``) with string
  operations instead of the template engine, byte for byte (a test compares
  both for every field of the public and staff forms). Widgets still build
  their context (attributes, ids, checked options) with Django's own code; only
  the last step changes. Any other template goes to the template engine.
- ``CachedOptionsSelect`` is a select whose options, the same for every visitor
  of a language (the country list), are rendered once per language and process;
  the visitor's choice is marked by inserting `` selected`` at a position
  recorded when the options were built. Nothing typed by a visitor is cached:
  the cache holds the options of the choices alone, keyed by the widget's
  ``options_key`` and the language.
- ``field_group`` renders ``templates/_field.html``'s markup (label, widget,
  help text, errors) in Python; ``_field.html`` calls it.

A form opts in with ``FastFormMixin`` (its widgets then use ``FastRenderer``).
"""

import html
from collections import OrderedDict
from threading import Lock

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

WIDGETS = "django/forms/widgets/"


def _text(value) -> str:
    """``{{ value }}`` (and ``{{ value|stringformat:'s' }}``) with autoescape on:
    ``conditional_escape`` without its lazy-argument wrapper, which cost more
    than the escaping on a page of a few hundred values."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return html.escape(value)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def render_attrs(attrs) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(" " + _text(name))
            if value is not True:
                out.append('="' + _text(value) + '"')
    return "".join(out)


def _input(widget) -> str:
    """``django/forms/widgets/input.html``."""
    value = widget["value"]
    html = '<input type="' + _text(widget["type"]) + '" name="' + _text(widget["name"]) + '"'
    if value is not None:
        html += ' value="' + _text(value) + '"'
    return html + render_attrs(widget["attrs"]) + ">\n"


def _input_option(option) -> str:
    """``django/forms/widgets/input_option.html``."""
    if not option["wrap_label"]:
        return _input(option)
    option_id = option["attrs"].get("id")
    start = '<label for="' + _text(option_id) + '">' if option_id else "<label>"
    return start + _input(option) + " " + _text(option["label"]) + "</label>\n"


def _select_option(option) -> str:
    """``django/forms/widgets/select_option.html``."""
    return (
        '<option value="'
        + _text(option["value"])
        + '"'
        + render_attrs(option["attrs"])
        + ">"
        + _text(option["label"])
        + "</option>\n"
    )


def _option(option) -> str:
    render = OPTION_TEMPLATES.get(option["template_name"])
    if render is None:
        raise _Unknown
    return render(option)


def _select(widget) -> str:
    """``django/forms/widgets/select.html``."""
    out = ['<select name="', _text(widget["name"]), '"', render_attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append('\n  <optgroup label="' + _text(group_name) + '">')
        for option in group_choices:
            out.append("\n  " + _option(option))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def _multiple_input(widget) -> str:
    """``django/forms/widgets/multiple_input.html``."""
    widget_id = widget["attrs"].get("id")
    widget_class = widget["attrs"].get("class")
    out = ["<div"]
    if widget_id:
        out.append(' id="' + _text(widget_id) + '"')
    if widget_class:
        out.append(' class="' + _text(widget_class) + '"')
    out.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append("\n  <div><label>" + _text(group) + "</label>")
        for option in options:
            out.append("<div>\n    " + _option(option) + "</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>")
    return "".join(out)


def _textarea(widget) -> str:
    """``django/forms/widgets/textarea.html``."""
    value = widget["value"]
    return (
        '<textarea name="'
        + _text(widget["name"])
        + '"'
        + render_attrs(widget["attrs"])
        + ">\n"
        + (_text(value) if value else "")
        + "</textarea>\n"
    )


def _clearable_file_input(widget) -> str:
    """``django/forms/widgets/clearable_file_input.html`` without an initial file
    (with one, the template engine renders it)."""
    if widget.get("is_initial"):
        raise _Unknown
    return (
        '\n<input type="'
        + _text(widget["type"])
        + '" name="'
        + _text(widget["name"])
        + '"'
        + render_attrs(widget["attrs"])
        + ">\n"
    )


def _included(render):
    """A template that is ``{% include "…" %}`` and a newline."""
    return lambda widget: render(widget) + "\n"


class _Unknown(Exception):
    """A template this module does not reproduce: the template engine renders it."""


OPTION_TEMPLATES = {
    WIDGETS + "select_option.html": _select_option,
    WIDGETS + "input_option.html": _input_option,
    WIDGETS + "radio_option.html": _included(_input_option),
    WIDGETS + "checkbox_option.html": _included(_input_option),
}

WIDGET_TEMPLATES = {
    WIDGETS + "input.html": _input,
    WIDGETS + "select.html": _select,
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "multiple_input.html": _multiple_input,
    WIDGETS + "radio.html": _included(_multiple_input),
    WIDGETS + "checkbox_select.html": _included(_multiple_input),
    WIDGETS + "clearable_file_input.html": _clearable_file_input,
    **{
        WIDGETS + name: _included(_input)
        for name in (
            "text.html",
            "email.html",
            "url.html",
            "number.html",
            "password.html",
            "hidden.html",
            "file.html",
            "checkbox.html",
            "date.html",
            "datetime.html",
            "time.html",
            "search.html",
            "tel.html",
            "color.html",
        )
    },
}


class FastRenderer(DjangoTemplates):
    """Django's stock widget templates reproduced in Python; anything else (a
    project's own widget template, a form or field template) goes to the
    template engine as with ``DjangoTemplates``."""

    def render(self, template_name, context, request=None):
        render = WIDGET_TEMPLATES.get(template_name)
        widget = context.get("widget") if render is not None else None
        if widget is not None:
            try:
                # As BaseRenderer.render, which strips what the template gives.
                return render(widget).strip()
            except _Unknown:
                pass
        return super().render(template_name, context, request=request)


FAST_RENDERER = FastRenderer()


class FastFormMixin:
    """Render this form's widgets with ``FastRenderer``."""

    default_renderer = FAST_RENDERER


class _Options:
    """A select's options rendered with nothing selected, and where to insert
    `` selected`` for each value (its first option, as Django selects it)."""

    __slots__ = ("html", "positions", "first_is_empty")

    def __init__(self, html: str, positions: dict[str, int], first_is_empty: bool):
        self.html = html
        self.positions = positions
        self.first_is_empty = first_is_empty


class CachedOptionsSelect(forms.Select):
    """A single select whose options are rendered once per language and process.

    Only for choices that are the same for every visitor of a language (e.g.
    every country, labelled in the visitor's language): the cache is keyed by
    ``options_key`` and the language, not by the choices, so two widgets with
    different choices need different keys.
    """

    CACHE_SIZE = 64  # languages × keys; far more than the site uses
    _cache: "OrderedDict[tuple, _Options]" = OrderedDict()
    _lock = Lock()

    def __init__(self, attrs=None, choices=(), *, options_key: str):
        super().__init__(attrs, choices)
        self.options_key = options_key

    @classmethod
    def clear_cache(cls) -> None:
        with cls._lock:
            cls._cache.clear()

    def _options(self) -> _Options:
        key = (self.options_key, get_language())
        with self._lock:
            options = self._cache.get(key)
            if options is not None:
                self._cache.move_to_end(key)
                return options
        options = self._build()
        with self._lock:
            self._cache[key] = options
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return options

    def _build(self) -> _Options:
        parts, positions, length = [], {}, 0
        first = next(iter(self.choices), None)  # as Select.use_required_attribute reads it
        first_is_empty = first is not None and self._choice_has_empty_value(first)
        for group_name, group_choices, _index in self.optgroups("", []):
            if group_name:
                parts.append('\n  <optgroup label="' + _text(group_name) + '">')
                length += len(parts[-1])
            for option in group_choices:
                html = "\n  " + _select_option(option)
                value = "" if option["value"] is None else str(option["value"])
                # Just before the ">" that closes <option value="…">.
                positions.setdefault(value, length + html.index('">') + 1)
                parts.append(html)
                length += len(html)
            if group_name:
                parts.append("\n  </optgroup>")
                length += len(parts[-1])
        return _Options("".join(parts), positions, first_is_empty)

    def use_required_attribute(self, initial):
        return not self.is_hidden and self._options().first_is_empty

    def render(self, name, value, attrs=None, renderer=None):
        options = self._options()
        found = [options.positions[v] for v in self.format_value(value) if v in options.positions]
        html = options.html
        if found:
            at = min(found)
            html = html[:at] + " selected" + html[at:]
        attrs = self.build_attrs(self.attrs, attrs)
        return mark_safe(
            '<select name="' + _text(name) + '"' + render_attrs(attrs) + ">" + html + "\n</select>"
        )


REQUIRED_MARK = ' <span aria-hidden="true">*</span>'


def field_group(field) -> str:
    """``templates/_field.html``: a field's label, widget, help text and errors."""
    widget = field.field.widget
    input_type = getattr(widget, "input_type", None)
    multiple = getattr(widget, "allow_multiple_selected", False)
    required = REQUIRED_MARK if field.field.required else ""
    label = _text(field.label)
    if input_type == "checkbox" and not multiple:
        body = (
            "\n    "
            + str(field)
            + ' <label for="'
            + _text(field.id_for_label)
            + '">'
            + label
            + required
            + "</label>\n  "
        )
    elif input_type == "radio" or (multiple and input_type == "checkbox"):
        body = (
            "\n    <fieldset>\n      <legend>"
            + label
            + required
            + "</legend>\n      "
            + str(field)
            + "\n    </fieldset>\n  "
        )
    else:
        body = (
            '\n    <label for="'
            + _text(field.id_for_label)
            + '">'
            + label
            + required
            + "</label>\n    "
            + str(field)
            + "\n  "
        )
    html = '<div class="field">\n  ' + body + "\n  "
    if field.help_text:
        html += (
            '<p class="help" id="'
            + _text(field.auto_id)
            + '_helptext">'
            + _text(field.help_text)
            + "</p>"
        )
    html += "\n  "
    errors = field.errors
    if errors:
        html += (
            '<ul class="errorlist" id="'
            + _text(field.auto_id)
            + '_error">'
            + "".join("<li>" + _text(error) + "</li>" for error in errors)
            + "</ul>"
        )
    return mark_safe(html + "\n</div>\n")
