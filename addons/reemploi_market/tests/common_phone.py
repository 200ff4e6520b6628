import base64
import logging
import os
import tempfile
from pathlib import Path

from werkzeug.urls import url_join

from odoo.tests.common import TEST_CURSOR_COOKIE_NAME, ChromeBrowser

_logger = logging.getLogger(__name__)

PHONE_WIDTH = 360
PHONE_HEIGHT = 740
SCREENSHOTS_ENV = "REEMPLOI_SCREENSHOTS_DIR"


def screenshots_dir():
    """Where the phone screenshots go: $REEMPLOI_SCREENSHOTS_DIR, or a
    directory of the system's temporary directory (logged)."""
    path = os.environ.get(SCREENSHOTS_ENV)
    if not path:
        path = os.path.join(tempfile.gettempdir(), "reemploi_screenshots")
    os.makedirs(path, exist_ok=True)
    return Path(path)


class PhoneScreenshotMixin:
    """For HttpCase: open a page in the headless Chromium of the test as a
    360 px wide phone, check that nothing overflows sideways and save a
    screenshot (PNG) of the first screen."""

    def _phone_page(self, url, login, name, ready):
        """Open ``url`` as ``login`` (its password is the login), wait until
        the ``ready`` CSS selector matches, and return the page's
        ``scrollWidth``; the screenshot is saved as ``<name>.png``."""
        self.browser_size = f"{PHONE_WIDTH}x{PHONE_HEIGHT}"
        self.touch_enabled = True
        browser = ChromeBrowser(self)
        try:
            self.http_request_key = self.canonical_tag + "_browser_js"
            self.authenticate(login, login, browser=browser)
            self.http_request_strict_check = True
            self.cr.flush()
            self.cr.clear()
            # a phone: the viewport meta tag applies, touch screen
            browser._websocket_request(
                "Emulation.setDeviceMetricsOverride",
                params={
                    "width": PHONE_WIDTH,
                    "height": PHONE_HEIGHT,
                    "deviceScaleFactor": 2,
                    "mobile": True,
                },
            )
            browser.navigate_to(url_join(self.base_url(), url), wait_stop=True)
            # the page is shown and its JS services are started (web client:
            # odoo.isReady, website: the public root), so that closing the
            # browser interrupts no request
            ready_code = (
                f"!!document.querySelector({ready!r}) && "
                "document.readyState === 'complete' && "
                "(odoo.isReady === true || !!odoo.__WOWL_DEBUG__)"
            )
            self.assertTrue(
                self._phone_ready(browser, url, ready_code),
                f"{url}: {ready} never showed",
            )
            # let the fonts and the last layout settle
            browser._websocket_request(
                "Runtime.evaluate",
                params={
                    "expression": "new Promise(r => setTimeout(r, 500))",
                    "awaitPromise": True,
                },
                timeout=10,
            )
            width = browser._websocket_request(
                "Runtime.evaluate",
                params={
                    "expression": "document.documentElement.scrollWidth",
                    "returnByValue": True,
                },
            )["result"]["value"]
            shot = browser._websocket_request(
                "Page.captureScreenshot", params={"format": "png"}, timeout=20
            )
            target = screenshots_dir() / f"{name}.png"
            target.write_bytes(base64.b64decode(shot["data"]))
            _logger.info("Phone screenshot of %s saved as %s", url, target)
            if browser._result.done() and browser._result.exception():
                self.fail(f"{url}: {browser._result.exception()}")
            return width
        finally:
            browser.stop()
            self._wait_remaining_requests()
            self.http_request_key = self.canonical_tag
            self.opener.cookies[TEST_CURSOR_COOKIE_NAME] = self.http_request_key

    def _phone_ready(self, browser, url, ready_code, tries=3):
        """Wait for the page to be ready, loading it again when it is not
        after 20 s, up to ``tries`` times (a page still loading assets on a
        loaded machine)."""
        for attempt in range(1, tries + 1):
            try:
                return browser._wait_ready(ready_code, timeout=20)
            except TimeoutError:
                if attempt == tries:
                    raise
                _logger.info(
                    "%s did not answer (try %s), loading it again", url, attempt
                )
                browser.navigate_to(url_join(self.base_url(), url), wait_stop=True)
        return False

    def assertFitsAPhone(self, url, login, name, ready):
        width = self._phone_page(url, login, name, ready)
        self.assertLessEqual(
            width, PHONE_WIDTH, f"{url} is {width} px wide on a {PHONE_WIDTH} px phone"
        )
