"""Feeds the real OCS Inventory server of the tests (``tests/ocs_server.py``)
as its agents do.

The inventory is the one Debian's ``ocsinventory-agent`` writes for this
machine (``--stdout``), read once; each computer posted is that document with
its identity changed (DEVICEID, NAME, TAG, and the BIOS section that a
virtual machine leaves empty). It travels as the agent sends it: the XML
compressed with zlib, POSTed to ``/ocsinventory`` with the agent's
User-Agent."""

import functools
import shutil
import subprocess
import tempfile
import zlib

import requests
from lxml import etree

USER_AGENT = "OCS-NG_unified_unix_agent_v2.10.0"


@functools.cache
def agent_document():
    """The agent's own inventory of this machine (bytes)."""
    agent = shutil.which("ocsinventory-agent")
    if not agent:
        raise AssertionError(
            "ocsinventory-agent is not installed (apt-get install "
            "ocsinventory-agent; .ci/run does it)"
        )
    with tempfile.TemporaryDirectory() as basevardir:
        done = subprocess.run(
            [agent, "--stdout", "--nosoftware", f"--basevardir={basevardir}"],
            capture_output=True,
            check=True,
            timeout=300,
        )
    start = done.stdout.find(b"<?xml")
    assert start >= 0, done.stdout[:500]
    return done.stdout[start:]


def computer(
    deviceid,
    name,
    tag,
    serial="",
    manufacturer="",
    model="",
    chassis="",
    memory_mb=None,
):
    """The agent's inventory, as computer ``name`` would send it."""
    root = etree.fromstring(agent_document())
    content = root.find("CONTENT")
    root.find("DEVICEID").text = deviceid
    hardware = content.find("HARDWARE")
    hardware.find("NAME").text = name
    if memory_mb is not None:
        hardware.find("MEMORY").text = str(memory_mb)
    # what the agent sends when started with --tag=<tag>
    for account in content.findall("ACCOUNTINFO"):
        if account.findtext("KEYNAME") == "TAG":
            content.remove(account)
    account = etree.Element("ACCOUNTINFO")
    etree.SubElement(account, "KEYNAME").text = "TAG"
    etree.SubElement(account, "KEYVALUE").text = tag
    content.insert(0, account)
    bios = content.find("BIOS")
    if bios is None:
        bios = etree.SubElement(content, "BIOS")
    for child in list(bios):
        bios.remove(child)
    for key, value in (
        ("SSN", serial),
        ("SMANUFACTURER", manufacturer),
        ("SMODEL", model),
        ("TYPE", chassis),
        ("BMANUFACTURER", manufacturer),
        ("BVERSION", "1.0"),
    ):
        etree.SubElement(bios, key).text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def post(url, document):
    """Send one inventory as the agent does; return the server's reply."""
    response = requests.post(
        f"{url}/ocsinventory",
        data=zlib.compress(document),
        headers={"Content-Type": "application/x-compress", "User-Agent": USER_AGENT},
        timeout=60,
    )
    response.raise_for_status()
    reply = zlib.decompress(response.content).decode()
    assert "<REPLY>" in reply, reply
    return reply
