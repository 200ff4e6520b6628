import werkzeug.exceptions

from odoo import models
from odoo.exceptions import MissingError
from odoo.http import request

from ..services import http_input


class IrHttp(models.AbstractModel):
    """The suite's one input boundary for HTTP (``services/http_input.py``):
    every request's route arguments, query string and form are checked
    before any controller, record rule or query sees them."""

    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        # before super(): the framework itself reads the records of
        # <model(...)> arguments there
        try:
            http_input.check_route_args(args)
            httprequest = request.httprequest
            http_input.check_params(httprequest.args.items(multi=True))
            if httprequest.mimetype in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                http_input.check_params(httprequest.form.items(multi=True))
        except http_input.InputRefused as refused:
            cls._reemploi_refuse_input(rule, refused)
        return super()._pre_dispatch(rule, args)

    @classmethod
    def _slug(cls, value):
        # a <model(...)> converter gives an empty recordset for id 0
        # (/shop/category/0): the framework's slug raised ValueError, which
        # neither its redirection nor its 404 page catch (a 500); "no such
        # record" is what they do catch
        if isinstance(value, models.BaseModel) and not value.id:
            raise MissingError(value.env._("This record does not exist."))
        return super()._slug(value)

    @classmethod
    def _reemploi_refuse_input(cls, rule, refused):
        """Answer a request whose input :mod:`http_input` refused: 404 for an
        id no record can have, 400 otherwise. Raises."""
        if refused.reason == "integer_range":
            raise werkzeug.exceptions.NotFound()
        raise werkzeug.exceptions.BadRequest(cls._reemploi_input_message(refused))

    @classmethod
    def _reemploi_input_message(cls, refused):
        env = request.env
        messages = {
            "nul": env._("The request holds a NUL character, which no field accepts."),
            "surrogate": env._(
                "The request holds a character that is not valid Unicode."
            ),
            "too_long": env._("A value of the request is too long."),
            "integer_range": env._("A number of the request is too large."),
            "number": env._("The request holds a number that is not finite (NaN)."),
            "depth": env._("The JSON document is nested too deeply."),
            "key": env._("The JSON document has a key that is not text."),
            "json": env._("The body must be a JSON document (UTF-8)."),
        }
        message = messages.get(refused.reason, messages["json"])
        if refused.where:
            message = env._(
                "%(message)s (at %(where)s)", message=message, where=refused.where
            )
        return message
