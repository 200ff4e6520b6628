"""A real headless Chromium, driven from outside Odoo over the DevTools
protocol, for the browser journeys of the end-to-end tests.

Odoo's tours run inside ``HttpCase``: the test's own transaction, a server
thread of the test process, tour steps that the page runs on itself. Here
the server is the real multi-process one of ``harness.OdooServer`` and the
test is the user: it types with ``Input.insertText``, presses keys and
clicks with ``Input.dispatchMouseEvent`` at the element's centre, after
checking that nothing covers it (a click a user could not make fails).
``websocket-client`` (which Odoo's tours need too) carries the protocol;
no other browser library is needed.

Every JavaScript error the page throws or logs at ``console.error`` fails
the journey (``check_console()``), and a step that times out saves a
screenshot and says what the page showed. Screenshots go to
``E2E_ARTIFACTS`` (default: a ``reemploi-e2e-artifacts`` folder in the
system's temporary directory).

Chromium is ``CHROMIUM`` or the first of chromium / chromium-browser /
google-chrome found on PATH; started as the Odoo tours start it, with the
flags that keep it off the network (this machine's network is closed).
"""

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests
import websocket

DEFAULT_TIMEOUT = 30.0
ARTIFACTS = Path(
    os.environ.get("E2E_ARTIFACTS")
    or Path(tempfile.gettempdir()) / "reemploi-e2e-artifacts"
)
LOCAL_URL_RE = re.compile(r"^(?:https?|wss?)://(?:127\.0\.0\.1|localhost)[:/]")

# Finds the visible elements matching a CSS selector, optionally those whose
# text contains a string (white space collapsed); returns the first one.
FIND_JS = """
(selector, text) => {
    const norm = (s) => (s || "").replace(/\\s+/g, " ").trim();
    const visible = (el) => {
        const style = getComputedStyle(el);
        return el.getClientRects().length && style.visibility !== "hidden";
    };
    for (const el of document.querySelectorAll(selector)) {
        if (!visible(el)) {
            continue;
        }
        if (text !== null && !norm(el.innerText || el.value).includes(norm(text))) {
            continue;
        }
        return el;
    }
    return null;
}
"""


class BrowserError(AssertionError):
    """A step of a journey that a user could not do."""


def find_chromium():
    candidates = [os.environ.get("CHROMIUM")] + [
        shutil.which(name)
        for name in ("chromium", "chromium-browser", "google-chrome", "chrome")
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


class Browser:
    """One Chromium with one tab. ``width`` × ``height`` is the viewport;
    ``mobile`` emulates a phone (touch, device scale factor 2)."""

    def __init__(
        self,
        width=1366,
        height=900,
        mobile=False,
        name="browser",
        lang="fr-FR",
        camera=None,
    ):
        executable = find_chromium()
        if not executable:
            raise BrowserError(
                "no Chromium found: install Debian's chromium package or set "
                "CHROMIUM to its path"
            )
        self.name = name
        self.profile = Path(tempfile.mkdtemp(prefix="reemploi-chromium-"))
        self.proc = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--disable-features=Translate,MediaRouter,OptimizationHints",
                f"--lang={lang}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                *self._camera_args(camera),
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._next_id = 0
        self.errors = []
        self.ws = None
        try:
            self.ws = websocket.create_connection(
                self._page_socket(), timeout=DEFAULT_TIMEOUT, suppress_origin=True
            )
            self.send("Page.enable")
            self.send("Runtime.enable")
            self.send("Log.enable")
            # no smooth scrolling nor animations: a click lands where the
            # element is, not where it was when the scrolling started
            self.send(
                "Emulation.setEmulatedMedia",
                features=[{"name": "prefers-reduced-motion", "value": "reduce"}],
            )
            # the language a French user's browser asks for (Accept-Language:
            # what Odoo's website serves a visitor before sign-in)
            self.send(
                "Emulation.setUserAgentOverride",
                userAgent=self.evaluate("navigator.userAgent"),
                acceptLanguage=f"{lang},{lang.split('-')[0]};q=0.9",
            )
            if mobile:
                self.send(
                    "Emulation.setDeviceMetricsOverride",
                    width=width,
                    height=height,
                    deviceScaleFactor=2,
                    mobile=True,
                )
                self.send("Emulation.setTouchEmulationEnabled", enabled=True)
        except Exception:
            self.close()
            raise

    @staticmethod
    def _camera_args(camera):
        """A camera that films ``camera`` (a Y4M video, see ``qr_video()``),
        the permission to use it granted as a user taps "Allow"."""
        if not camera:
            return []
        return [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}",
        ]

    # ---------------------------------------------------------- protocol
    def _page_socket(self, timeout=30.0):
        """The DevTools address of the tab, once Chromium has written its
        port (``--remote-debugging-port=0`` lets it choose a free one)."""
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BrowserError(f"Chromium exited with {self.proc.returncode}")
            with contextlib.suppress(FileNotFoundError, ValueError, IndexError):
                port = int(port_file.read_text().split()[0])
                targets = requests.get(
                    f"http://127.0.0.1:{port}/json/list", timeout=5
                ).json()
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            time.sleep(0.1)
        raise BrowserError(f"Chromium did not open its DevTools port in {timeout} s")

    def send(self, method, **params):
        """Send a command and return its result; events that arrive in the
        meantime are handled on the way."""
        self._next_id += 1
        ident = self._next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            self._event(message)

    def _event(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get(
                "text"
            )
            self.errors.append(f"uncaught exception: {text}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            text = " ".join(
                str(arg.get("value", arg.get("description", "")))
                for arg in params.get("args", [])
            )
            self._console_error(text)
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            url = entry.get("url") or ""
            # the closed network: a page of the website linking an outside
            # resource (Google's fonts of the default theme) cannot load it
            outside = entry.get("source") == "network" and not LOCAL_URL_RE.match(url)
            if entry.get("level") == "error" and not outside:
                self._console_error(f"{entry.get('text')} ({url})")
        elif method == "Page.javascriptDialogOpening":
            # a confirm() of the page: a user would answer yes
            self.send("Page.handleJavaScriptDialog", accept=True)

    def _console_error(self, text):
        self.errors.append(f"console error: {text}")

    def evaluate(self, expression, await_promise=False):
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=await_promise,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(
                details.get("exception", {}).get("description") or details.get("text")
            )
        return result.get("result", {}).get("value")

    def _call(self, function, *args):
        """``function`` (JavaScript source) applied to JSON arguments."""
        encoded = ", ".join(json.dumps(arg) for arg in args)
        return self.evaluate(f"({function})({encoded})")

    # ------------------------------------------------------------ pages
    def goto(self, url):
        self.send("Page.navigate", url=url)
        self.wait_until("document.readyState === 'complete'", f"{url} loaded")

    @property
    def url(self):
        return self.evaluate("location.href")

    def wait_until(self, expression, what, timeout=DEFAULT_TIMEOUT):
        """Poll a JavaScript expression until it is true (navigations in
        between are expected: the page's context may vanish)."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(BrowserError, websocket.WebSocketTimeoutException):
                if self.evaluate(expression):
                    return
            if time.monotonic() > deadline:
                self._fail(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.15)

    def find(self, selector, text=None):
        """Whether a visible element matches now."""
        with contextlib.suppress(BrowserError):
            return bool(
                self.evaluate(
                    f"!!({FIND_JS})({json.dumps(selector)}, {json.dumps(text)})"
                )
            )
        return False

    def wait(self, selector, text=None, timeout=DEFAULT_TIMEOUT):
        """Wait for a visible element matching ``selector`` (and containing
        ``text``); the page's own JavaScript errors fail at once."""
        what = f"{selector!r}" + (f" containing {text!r}" if text else "")
        deadline = time.monotonic() + timeout
        while not self.find(selector, text):
            self.check_console()
            if time.monotonic() > deadline:
                self._fail(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.15)

    def text(self, selector):
        """The visible text of the first element matching ``selector``."""
        self.wait(selector)
        return self._call(
            f"(s) => {{ const el = ({FIND_JS})(s, null); "
            "return (el.innerText || el.value || '').replace(/\\s+/g, ' ').trim(); }",
            selector,
        )

    def overflows(self):
        """Whether the page is wider than the screen (a horizontal scroll
        bar on a phone)."""
        return self.evaluate(
            "document.documentElement.scrollWidth > window.innerWidth + 1"
        )

    # ------------------------------------------------------------ input
    def _point(self, selector, text):
        """Scroll the element into view; its centre, if the element (or a
        child of it) is what a click there would reach."""
        return self._call(
            f"""(s, t) => {{
                const el = ({FIND_JS})(s, t);
                if (!el) {{ return null; }}
                el.scrollIntoView({{behavior: "instant", block: "center"}});
                // an inline element wrapped on two lines: its first box
                const r = el.getClientRects()[0];
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                const hit = document.elementFromPoint(x, y);
                let ok = hit && (hit === el || el.contains(hit));
                // a label's click reaches its input, and an input's label
                // covering it is what a user taps
                if (!ok && hit && hit.control === el) {{ ok = true; }}
                if (!ok && hit && el.labels) {{
                    ok = [...el.labels].some((l) => l === hit || l.contains(hit));
                }}
                return {{x, y, ok, hit: hit ? hit.outerHTML.slice(0, 160) : null}};
            }}""",
            selector,
            text,
        )

    def click(self, selector, text=None, timeout=DEFAULT_TIMEOUT):
        """A real mouse click at the centre of the element."""
        self.wait(selector, text, timeout)
        deadline = time.monotonic() + 5
        previous = None
        while True:
            point = self._point(selector, text)
            # the same place twice in a row: the page's own reactions to the
            # scroll (the website's header that becomes fixed) are over
            if point and point["ok"] and previous == (point["x"], point["y"]):
                break
            previous = (point["x"], point["y"]) if point else None
            if time.monotonic() > deadline:
                covered = point["hit"] if point else "nothing (element gone)"
                self._fail(
                    f"cannot click {selector!r}: the click would reach {covered}"
                )
            time.sleep(0.2)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                type=kind,
                x=point["x"],
                y=point["y"],
                button="left" if kind != "mouseMoved" else "none",
                clickCount=1 if kind != "mouseMoved" else 0,
            )

    def fill(self, selector, value, text=None):
        """Click into a field, select what it holds and type ``value`` over
        it; then leave the field (Odoo's fields commit on change)."""
        self.click(selector, text)
        self._call(
            f"(s, t) => {{ const el = ({FIND_JS})(s, t); el.focus(); "
            "if (el.select) { el.select(); } }",
            selector,
            text,
        )
        self.press("Delete")
        if value:
            self.send("Input.insertText", text=str(value))

    def press(self, key):
        """Press and release a key: Enter (a barcode scanner ends with it),
        Tab, Delete, Escape."""
        codes = {"Enter": 13, "Tab": 9, "Delete": 46, "Escape": 27}
        text = {"Enter": "\r"}.get(key)
        down = {
            "type": "keyDown",
            "key": key,
            "code": key,
            "windowsVirtualKeyCode": codes[key],
        }
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", **down)
        self.send(
            "Input.dispatchKeyEvent",
            type="keyUp",
            key=key,
            code=key,
            windowsVirtualKeyCode=codes[key],
        )

    def select(self, selector, label):
        """Choose an option of a ``<select>`` by its visible label."""
        self.wait(selector)
        found = self._call(
            f"""(s, label) => {{
                const el = ({FIND_JS})(s, null);
                const option = [...el.options].find((o) => o.text.trim() === label);
                if (!option) {{ return [...el.options].map((o) => o.text.trim()); }}
                el.value = option.value;
                el.dispatchEvent(new Event("input", {{bubbles: true}}));
                el.dispatchEvent(new Event("change", {{bubbles: true}}));
                return true;
            }}""",
            selector,
            label,
        )
        if found is not True:
            self._fail(f"{selector!r} has no option {label!r}; it has {found}")

    # ---------------------------------------------------------- results
    def check_console(self):
        if self.errors:
            errors, self.errors = self.errors, []
            self._fail("the page reported errors: " + " | ".join(errors[:3]))

    def screenshot(self, name):
        """Save a PNG of the viewport; return its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def _fail(self, message):
        shot = None
        with contextlib.suppress(Exception):
            shot = self.screenshot(f"{self.name}-failure-{int(time.time())}")
        page = ""
        with contextlib.suppress(Exception):
            # an open dialog (Odoo's errors) first: it says what went wrong
            page = self.evaluate(
                "location.href + ' — ' + [...document.querySelectorAll('.modal')]"
                ".map((m) => m.innerText).join(' | ') + ' — ' + "
                "(document.body ? document.body.innerText : '')"
            )
        page = re.sub(r"\s+", " ", page or "")[:600]
        raise BrowserError(f"{message}; page: {page}; screenshot: {shot}")

    def close(self):
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------- Odoo
    def login(self, base_url, login, password):
        """Sign in through Odoo's login form, as a user does (the website
        may first move the form to the visitor's language, /fr/web/login)."""
        self.goto(f"{base_url}/web/login")
        self.wait("form.oe_login_form input#login")
        self.fill("input#login", login)
        self.fill("input#password", password)
        self.click("form.oe_login_form button[type='submit']")
        self.wait_until(
            "!/\\/web\\/login/.test(location.pathname) "
            "&& document.readyState === 'complete' "
            "|| !!document.querySelector('.oe_login_form .alert-danger')",
            f"{login} signed in",
        )
        if self.find(".oe_login_form .alert-danger"):
            self._fail(f"{login} could not sign in")


def qr_video(text, path, width=1280, height=720, frames=3, fraction=0.22):
    """A Y4M video (what Chromium's fake camera plays in a loop) of a QR
    code holding ``text``, as a phone held over a label films it: the label
    fills ``fraction`` of the frame's height, so that it lies inside the
    scanner's default (wide, low) crop zone."""
    import qrcode  # noqa: PLC0415 (a dependency of reemploi_asset)

    code = qrcode.QRCode(border=4, box_size=1)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    box = max(2, int(height * fraction) // size)
    left, top = (width - size * box) // 2, (height - size * box) // 2
    luma = bytearray(b"\xeb" * (width * height))  # white paper
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if not dark:
                continue
            for y in range(top + row * box, top + (row + 1) * box):
                start = y * width + left + col * box
                luma[start : start + box] = b"\x10" * box
    chroma = b"\x80" * ((width // 2) * (height // 2))
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(frames):
            video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)
    return path
