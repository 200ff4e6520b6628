"""Network clients that pull donors' inventories from their asset-management
tools (GLPI, OCS Inventory NG, Snipe-IT). Plain Python, no ORM: each
connector returns a :class:`base.Page` of text rows that the import engine
maps like a file export."""

from . import base, glpi, glpi_hl, ocs, snipeit
from .base import AuthError, ConnectorError, Page
from .glpi import GlpiConnector
from .glpi_hl import GlpiHlConnector
from .ocs import OcsRestConnector, OcsSoapConnector
from .snipeit import SnipeItConnector
