"""Translatable messages of the plain-Python services, without Odoo.

The services build English messages (errors of a file, of a row, of a
connector) that end up in front of French users. They cannot call Odoo's
translation, so they mark each template with :func:`_` (for the extractor,
which looks for ``_("...")``) and wrap it in a :class:`Message`: a ``str``
holding the English text, which also remembers its template and parameters.
The models translate it with :func:`translate`::

    Message(_("%(value)s is not a valid number"), value="'abc'")
    translate(error.args[0], self.env._)

Rules: templates use named placeholders only (``%(name)s``), are literal
strings written inside ``_(...)`` (never built at run time), and no
placeholder is called ``source`` (the first parameter of ``env._``).
Parameters are formatted values (text, numbers) or other messages, which
are translated first.
"""


def _(text):
    """Marks a message template for translation extraction; translation happens
    in the models (see Message)."""
    return text


class Message(str):
    """An English message that remembers its template and parameters, so that
    the models can translate it: self.env._(msg.template, **msg.params)."""

    __slots__ = ("template", "params")

    def __new__(cls, template, **params):
        text = template % params if params else template
        message = super().__new__(cls, text)
        message.template = template
        message.params = params
        return message

    def __reduce__(self):  # pickle and copy rebuild it from the template
        return _rebuild, (self.template, self.params)


def _rebuild(template, params):
    return Message(template, **params)


def translate(message, gettext):
    """Text of ``message`` through ``gettext(template, **params)`` (e.g.
    ``env._``), its parameters that are messages translated first; plain
    strings (and other values) are returned as ``str(message)``."""
    if not isinstance(message, Message):
        return str(message)
    params = {
        name: translate(value, gettext) if isinstance(value, Message) else value
        for name, value in message.params.items()
    }
    return gettext(message.template, **params)
