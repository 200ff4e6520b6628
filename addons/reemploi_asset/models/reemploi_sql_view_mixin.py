from odoo import models, tools
from odoo.tools import SQL


class ReemploiSqlViewMixin(models.AbstractModel):
    """A report read from a SQL view: the model (``_auto = False``) gives its
    query (:meth:`_query`), the view is created anew from it at every
    install and update. Inherited by the equipment report (reemploi_market),
    the social report (reemploi_social) and the received devices
    (reemploi_gamification)."""

    _name = "reemploi.sql.view.mixin"
    _description = "Report read from a SQL view"

    def _query(self):
        """The view's ``SELECT`` (an :class:`~odoo.tools.SQL`)."""
        raise NotImplementedError

    def init(self):
        if self._abstract:
            return
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
