from . import audit, glpi_webhook, main, portal
