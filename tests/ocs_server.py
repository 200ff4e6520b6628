"""A real OCS Inventory NG communication server for the tests, from Debian's
packages, on a loopback port, with its own MariaDB database.

``tests/run.py`` starts one per run (when reemploi_asset's tests run) and
hands its address to the Odoo process in ``REEMPLOI_OCS_*`` environment
variables; ``reemploi_asset/tests/test_ocs_real.py`` feeds it agent
inventories and syncs our connectors against it.

What it needs (``.ci/run`` installs them): ``apache2``,
``libapache2-mod-perl2``, ``ocsinventory-server``, ``ocsinventory-reports``
(for ``ocsbase.sql``), ``libsoap-lite-perl``, ``libplack-perl``,
``libmojolicious-perl``, ``ocsinventory-agent``, and a MariaDB server on
127.0.0.1:3306 whose root logs in without a password (as on this machine
kind), or ``REEMPLOI_OCS_MYSQL`` naming another admin login
(``user:password@host:port``).

Quirks of Debian 12's OCS Inventory NG 2.8.1 handled here, as an
administrator would in the server's Apache configuration:

* the SOAP web service is off unless ``OCS_OPT_WEB_SERVICE_ENABLED`` is 1;
* under mod_perl 2 the server asks for ``SOAP::Transport::HTTP2``, which
  Debian's SOAP::Lite 1.27 does not ship: a two-line alias package to
  ``SOAP::Transport::HTTP::Apache`` (which handles mod_perl 2) stands in;
* ``XML::Entities`` is not packaged: an alias to ``HTML::Entities`` stands in
  (the server only uses it to decode an escaped request);
* the shipped ``/ocsinterface`` block says "Require all granted" next to the
  user requirement, so basic authentication is not enforced until that line
  goes: it goes;
* a web-service page holds ``OCS_OPT_WEB_SERVICE_RESULTS_LIMIT`` computers:
  set low (``RESULTS_LIMIT``) so that a few dozen computers span pages.
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

APACHE = "/usr/sbin/apache2"
MODULES = "/usr/lib/apache2/modules"
SERVER_CONF = "/etc/apache2/conf-available/ocsinventory-server.conf"
REST_CONF = "/etc/apache2/conf-available/ocsinventory-restapi.conf"
SCHEMA = "/usr/share/ocsinventory-reports/files/ocsbase.sql"
REST_DIR = "/usr/share/perl5/Api/Ocsinventory/Restapi"
PACKAGES = (
    "apache2 libapache2-mod-perl2 ocsinventory-server ocsinventory-reports "
    "libsoap-lite-perl libplack-perl libmojolicious-perl ocsinventory-agent"
)
RESULTS_LIMIT = 10
SOAP_LOGIN = "reemploi"

HTTP2_SHIM = """package SOAP::Transport::HTTP2;
use strict;
require SOAP::Transport::HTTP;
package SOAP::Transport::HTTP2::Apache;
our @ISA = qw(SOAP::Transport::HTTP::Apache);
1;
"""
ENTITIES_SHIM = """package XML::Entities;
use strict;
use HTML::Entities ();
sub decode { my ($set, $data) = @_; return HTML::Entities::decode_entities($data); }
1;
"""


class OcsUnavailable(Exception):
    """The real server cannot start here; the message says what is missing."""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mysql_admin():
    spec = os.environ.get("REEMPLOI_OCS_MYSQL", "root:@127.0.0.1:3306")
    match = re.fullmatch(r"([^:@]+):([^@]*)@([^:]+):(\d+)", spec)
    if not match:
        raise OcsUnavailable(f"REEMPLOI_OCS_MYSQL={spec!r}: expected user:password@host:port")
    user, password, host, port = match.groups()
    return user, password, host, int(port)


class OcsServer:
    def __init__(self):
        self.tmp = None
        self.port = None
        self.database = f"reemploi_ocs_{secrets.token_hex(4)}"
        self.db_user = f"rocs_{secrets.token_hex(3)}"
        self.db_password = secrets.token_hex(12)
        self.soap_password = secrets.token_hex(12)
        self.started = False

    # ------------------------------------------------------------ set-up
    def check(self):
        missing = [
            path
            for path in (APACHE, f"{MODULES}/mod_perl.so", SERVER_CONF, REST_CONF, SCHEMA)
            if not os.path.exists(path)
        ]
        for tool in ("mysql", "htpasswd", "ocsinventory-agent"):
            if not shutil.which(tool):
                missing.append(tool)
        if missing:
            raise OcsUnavailable(
                "real OCS Inventory server: missing " + ", ".join(missing)
                + f" (apt-get install {PACKAGES}; .ci/run does it)"
            )
        user, password, host, port = _mysql_admin()
        try:
            self._mysql("SELECT 1")
        except subprocess.CalledProcessError as exc:
            raise OcsUnavailable(
                f"real OCS Inventory server: MariaDB at {host}:{port} refused "
                f"{user}: {exc.stderr.strip()}"
            ) from None

    def _mysql(self, sql, database=None, stdin=None):
        user, password, host, port = _mysql_admin()
        cmd = ["mysql", f"-u{user}", f"-h{host}", f"-P{port}", "--batch"]
        if password:
            cmd.append(f"-p{password}")
        if database:
            cmd.append(database)
        if sql is not None:
            cmd += ["-e", sql]
        return subprocess.run(
            cmd, check=True, capture_output=True, text=True, stdin=stdin, timeout=120
        ).stdout

    def start(self):
        self.check()
        self.tmp = Path(tempfile.mkdtemp(prefix="reemploi-ocs-"))
        self.tmp.chmod(0o755)
        self.port = _free_port()
        user, _password, host, port = _mysql_admin()
        self._mysql(
            f"CREATE DATABASE {self.database} CHARACTER SET utf8mb4;"
            f"CREATE USER '{self.db_user}'@'%' IDENTIFIED BY '{self.db_password}';"
            f"GRANT ALL ON {self.database}.* TO '{self.db_user}'@'%';"
        )
        with open(SCHEMA, "rb") as schema:
            self._mysql(None, database=self.database, stdin=schema)
        self._write_config(host, port)
        subprocess.run(
            [APACHE, "-f", str(self.tmp / "httpd.conf"), "-k", "start"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.started = True
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/ocsapi/v1/computers?start=0&limit=1", timeout=5):
                    break
            except (urllib.error.URLError, OSError) as exc:
                if time.monotonic() > deadline:
                    raise OcsUnavailable(
                        f"real OCS Inventory server did not answer on {self.url}: "
                        f"{exc}; see {self.tmp / 'error.log'}"
                    ) from None
                time.sleep(0.3)
        return self

    def _write_config(self, db_host, db_port):
        tmp = self.tmp
        (tmp / "logs").mkdir()
        shutil.chown(tmp / "logs", "www-data")
        (tmp / "perl" / "SOAP" / "Transport").mkdir(parents=True)
        (tmp / "perl" / "XML").mkdir()
        (tmp / "perl" / "SOAP" / "Transport" / "HTTP2.pm").write_text(HTTP2_SHIM)
        (tmp / "perl" / "XML" / "Entities.pm").write_text(ENTITIES_SHIM)
        subprocess.run(
            ["htpasswd", "-bc", str(tmp / "htpasswd"), SOAP_LOGIN, self.soap_password],
            check=True,
            capture_output=True,
        )
        (tmp / "htpasswd").chmod(0o644)
        db = {
            "OCS_DB_HOST": db_host,
            "OCS_DB_PORT": str(db_port),
            "OCS_DB_NAME": self.database,
            "OCS_DB_LOCAL": self.database,
            "OCS_DB_USER": self.db_user,
        }
        server = Path(SERVER_CONF).read_text()
        for key, value in db.items():
            server = re.sub(rf"(PerlSetEnv {key}) \S+", rf"\g<1> {value}", server)
        server = re.sub(r"(PerlSetVar OCS_DB_PWD) \S+", rf"\g<1> {self.db_password}", server)
        server = re.sub(
            r'(PerlSetEnv OCS_OPT_LOGPATH) "[^"]*"', rf'\g<1> "{tmp}/logs/"', server
        )
        server = server.replace("APACHE_AUTH_USER_FILE", str(tmp / "htpasswd"))
        server = server.replace('"SOAP_USER"', SOAP_LOGIN).replace("SOAP_USER", SOAP_LOGIN)
        # enforce the basic authentication of /ocsinterface
        head, sep, tail = server.partition("<location /ocsinterface>")
        tail = re.sub(
            r"<IfModule mod_authz_core.c>(?:\s|#[^\n]*)*Require all granted\s*</IfModule>",
            "",
            tail,
            count=1,
        )
        server = head + sep + tail
        rest = Path(REST_CONF).read_text()
        perl_env = {
            "OCS_DB_HOST": db_host,
            "OCS_DB_PORT": str(db_port),
            "OCS_DB_LOCAL": self.database,
            "OCS_DB_USER": self.db_user,
            "OCS_DB_PWD": self.db_password,
        }
        for key, value in perl_env.items():
            rest = re.sub(rf"(\$ENV\{{{key}\}} = )'[^']*'", rf"\g<1>'{value}'", rest)
        rest = rest.replace("REST_API_LOADER_PATH", f"{REST_DIR}/Loader.pm")
        rest = rest.replace("REST_API_PATH", REST_DIR)
        (tmp / "ocs.conf").write_text(server)
        (tmp / "rest.conf").write_text(rest)
        modules = [
            ("mpm_prefork_module", "mod_mpm_prefork.so"),
            ("authz_core_module", "mod_authz_core.so"),
            ("authz_user_module", "mod_authz_user.so"),
            ("authn_core_module", "mod_authn_core.so"),
            ("authn_file_module", "mod_authn_file.so"),
            ("auth_basic_module", "mod_auth_basic.so"),
            ("env_module", "mod_env.so"),
            ("perl_module", "mod_perl.so"),
        ]
        lines = [
            f'ServerRoot "{tmp}"',
            "ServerName 127.0.0.1",
            f"Listen 127.0.0.1:{self.port}",
            f"PidFile {tmp}/httpd.pid",
            f"ErrorLog {tmp}/error.log",
            "LogLevel warn",
            *(f"LoadModule {name} {MODULES}/{so}" for name, so in modules),
            f"PerlSwitches -I{tmp}/perl",
            "StartServers 2",
            "MinSpareServers 1",
            "MaxSpareServers 4",
            "User www-data",
            "Group www-data",
            "PerlSetEnv OCS_OPT_WEB_SERVICE_ENABLED 1",
            f"PerlSetEnv OCS_OPT_WEB_SERVICE_RESULTS_LIMIT {RESULTS_LIMIT}",
            f"Include {tmp}/ocs.conf",
            f"Include {tmp}/rest.conf",
        ]
        (tmp / "httpd.conf").write_text("\n".join(lines) + "\n")

    # ------------------------------------------------------------ use
    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def environ(self):
        return {
            "REEMPLOI_OCS_URL": self.url,
            "REEMPLOI_OCS_LOGIN": SOAP_LOGIN,
            "REEMPLOI_OCS_PASSWORD": self.soap_password,
            "REEMPLOI_OCS_RESULTS_LIMIT": str(RESULTS_LIMIT),
        }

    def stop(self):
        if self.started:
            subprocess.run(
                [APACHE, "-f", str(self.tmp / "httpd.conf"), "-k", "stop"],
                capture_output=True,
                timeout=60,
            )
            self.started = False
        try:
            self._mysql(
                f"DROP DATABASE IF EXISTS {self.database};"
                f"DROP USER IF EXISTS '{self.db_user}'@'%';"
            )
        except (subprocess.CalledProcessError, OSError):
            pass
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


if __name__ == "__main__":  # python3 tests/ocs_server.py: start, print, wait
    import signal

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    server = OcsServer().start()
    for key, value in server.environ().items():
        print(f"export {key}={value}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
