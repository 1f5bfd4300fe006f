"""False accusations on thousands of labelled real banners: rapid7/recog's examples.

Run: .venv/bin/python bench/negatives.py [--recog PATH] [--list] [--list-missed]

recog's fingerprint files hold thousands of ``<example>`` strings seen on real devices
and services, each labelled through its fingerprint's vendor params (``hw.vendor``,
``os.vendor``, ``service.vendor``).  Each example of a kind camcensus reads is wrapped in
the reply shape ``camcensus identify --reply KIND`` reads (an HTTP response with that
Server header, that <title> or that WWW-Authenticate; an RTSP reply with that Server; an
FTP or telnet banner; SNMP JSON; a TLS subject or issuer line; mDNS JSON), parsed by the
same library function (``parse_reply``) and identified.

Labels are judged without camcensus: a vendor is a maker of ``tests/corpus/makers.toml``
when its name starts with one of that maker's names (the corpus' own rule), and takes
that maker's countries; other vendors are judged by the tables below (``CONCERN``:
cited CN/RU; ``ELSEWHERE``: vendors whose home is clearly not CN/RU/IR/KP, and
open-source projects, which make no devices); a vendor in neither is *unknown* and its
examples are left out.  An example is *of concern* when one of its vendors is; *not of
concern* when every vendor is judged and none is; else left out.

Reported: flags (``flagged``) and ``possible`` on examples not of concern (the count
that matters: each is a false accusation), the same for each such example's text in
every other file's slot (firmware reuses its strings: a Server header as an FTP
greeting, a title as a realm), makers named that are none of the example's vendors
(nor a company they belong to, ``RELATED``), and on examples of concern the share
named and flagged (recog was read while writing the first fingerprints, so that
recall is not independent).

Coverage: of the examples whose device vendor (``hw.vendor``, else ``os.vendor``; never
``service.vendor`` alone) is a maker of makers.toml, the share where camcensus names
that maker (its makers.toml maker, a name whose words start the other's, or a
``RELATED`` one), per recog file and per maker, for makers of concern and the rest.
Microsoft as ``os.vendor`` only is Windows, the operating system of others' machines,
and stays out (``NOT_DEVICE``).  ``--list-missed`` prints the examples not named.

The failing examples' text is printed to stdout only; bench/results/negatives.json holds
counts and the recog commit.  Nothing of recog is copied into the repository.
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import defusedxml.ElementTree

HERE: Final = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests" / "corpus"), str(HERE)]

import corpus  # type: ignore[import-not-found]  # noqa: E402
from _peer import write_json  # noqa: E402

from camcensus.base.errors import MalformedReplyError  # noqa: E402
from camcensus.scanner.core.replies import parse_reply  # noqa: E402
from camcensus.vendor_db.identify import identify  # noqa: E402

RESULTS: Final = HERE / "results" / "negatives.json"
MIRROR: Final = Path("/work/.mirror/rapid7+recog/repo")
VENDOR_PARAMS: Final = ("hw.vendor", "os.vendor", "service.vendor")
DEVICE_PARAMS: Final = ("hw.vendor", "os.vendor")
"""The params naming a device's maker, the first present deciding (coverage)."""
NOT_DEVICE: Final = frozenset({"Microsoft"})
"""makers.toml makers that as ``os.vendor`` only name an operating system (Windows) run
on others' hardware, no device's maker: left out of coverage."""


def _http(headers: str, body: str = "", status: str = "200 OK") -> bytes:
    return f"HTTP/1.1 {status}\r\n{headers}\r\n\r\n{body}".encode()


def _title(text: str) -> bytes:
    # recog's titles are as pages send them (entities kept): only a "<" is escaped
    page = f"<html><head><title>{text.replace('<', '&lt;')}</title></head><body></body></html>"
    return _http(f"Content-Type: text/html\r\nContent-Length: {len(page.encode())}", page)


def _mdns(text: str) -> bytes:
    key, _, value = text.partition("=")
    doc = {"service": "_device-info._tcp", "name": "host", "txt": {key: value}}
    return json.dumps(doc).encode()


WRAPS: Final[dict[str, tuple[str, Callable[[str], bytes]]]] = {
    # recog file: (reply kind, the reply camcensus reads, the example in its place)
    "http_servers": ("http", lambda t: _http(f"Server: {t}")),
    "html_title": ("http", _title),
    "http_wwwauth": ("http", lambda t: _http(f"WWW-Authenticate: {t}", "", "401 Unauthorized")),
    "rtsp_servers": (
        "rtsp",
        lambda t: f"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: {t}\r\n\r\n".encode(),
    ),
    "ftp_banners": ("ftp", lambda t: f"220 {t}\r\n".encode()),
    "telnet_banners": ("telnet", lambda t: t.encode("utf-8", "surrogateescape")),
    "snmp_sysdescr": ("snmp", lambda t: json.dumps({"sysDescr": t}).encode()),
    "snmp_sysobjid": ("snmp", lambda t: json.dumps({"sysObjectID": t}).encode()),
    "x509_subjects": ("tls", lambda t: f"subject= {t}".encode()),
    "x509_issuers": ("tls", lambda t: f"issuer= {t}".encode()),
    "mdns_device-info_txt": ("mdns", _mdns),
}
"""recog's ssh, smtp, sip, dns and the other files: camcensus reads no such reply."""

_UNVERIFIED: Final = "general knowledge, UNVERIFIED"
CONCERN: Final = {
    # vendors not in makers.toml, of concern: name -> (country, source)
    "Alibaba": ("CN", "https://www.alibabagroup.com/en-US/about-alibaba (Hangzhou)"),
    "Taobao": ("CN", "Alibaba's marketplace, author of the Tengine server; " + _UNVERIFIED),
    "Tencent": ("CN", "https://www.tencent.com/en-us/about.html (Shenzhen)"),
    "H3C": ("CN", "https://www.h3c.com/en/About_Us/ (New H3C Technologies, Hangzhou)"),
    "Huawei-3com": ("CN", "H3C's former name, a Huawei joint venture; " + _UNVERIFIED),
    "HiSilicon": ("CN", "https://www.hisilicon.com/en/about-us (Shenzhen, a Huawei company)"),
    "Ruijie": ("CN", "https://www.ruijienetworks.com/about-us (Fuzhou)"),
    "Yealink": ("CN", "https://www.yealink.com/en/about-us (Xiamen)"),
    "Lenovo": ("CN", "https://www.lenovo.com/us/en/about/locations/ (Beijing HQ); " + _UNVERIFIED),
    "ANNKE": ("CN", "Shenzhen Annke (its site's imprint); " + _UNVERIFIED),
    "Hipcam": ("CN", "Shenzhen OEM camera firmware; " + _UNVERIFIED),
    "Shenzhen Reecam Tech. Ltd.": ("CN", "the name recog gives: Shenzhen"),
    "Bangteng": ("CN", "kangleweb.com, the Kangle web server's Chinese authors; " + _UNVERIFIED),
    "MeterSphere": ("CN", "FIT2CLOUD (Hangzhou), its developer; " + _UNVERIFIED),
    "Eltex": ("RU", "https://eltex-co.com/about/ (Novosibirsk)"),
    "Alentis Electronics": ("RU", "NetPing devices, netping.ru; " + _UNVERIFIED),
}

# Vendors clearly not of concern: each group's home country (or "project": open-source
# software, no device maker), as general knowledge (UNVERIFIED) unless makers.toml has
# them.  nginx is placed by its company (Nginx, Inc., San Francisco, F5's since 2019),
# JetBrains (Prague) and Parallels by their seats, whatever their founders' origins.
# A vendor this table does not know is "unknown", and its examples are left out.
_ELSEWHERE_BY_HOME: Final = {
    "US": "3Com|ADTRAN|ADC|ACME|AMAG Technology|AMI|AMTDatasouth|ARRIS|ATT|Accelerated Technology"
    "|Aerohive|Agilent|Agranat|AirDefense|AirMagnet|Akamai|Allegro Software|Allen-Bradley"
    "|Allworx|Alpha Technologies|Amazon|Apple|Araknis Networks|Arista|Array Networks"
    "|Asentria|Attivio|Avaya|Avery Dennison|Avocent|Axonius|Azul Systems|BEA|Bandura Labs"
    "|Baxter|Berkeley Software Design Inc.|Bitwarden|BlackBox|Blue Coat|Bomgar|Bose"
    "|BrightSign|Broadcom|Brocade|C&D Technologies|CA|Cabletron|Calient|Cambium Networks"
    "|Caucho|Ciena|Citrix|CloudFlare|Cloudera|Cobalt|Cockroach Labs|Comcast|Communigate"
    "|Compaq|Compuware|Conexant|ConnectWise|Couchbase|Cradlepoint|Crestron|CrushFTP|Cumulus"
    "|DEC|Data Domain|Datamax|Device42|Digi|Digium|DirectLOGIC|Dreamhost|Duo|EFI|EMC"
    "|Eagle Eye Networks|Eaton|EmbedThis|Embedthis|Emerson|Emerson Network Power|Emulex"
    "|Enterasys|ExtraHop|Extreme Networks|Extron|F5|Facebook|FatPipe Networks|Fidelis"
    "|FireEye|FlowPoint|Fortinet|Fortra|Foundry Networks|GDM|GarrettCom|Genivia|Gigamon"
    "|GitHub|GitLab|GlobespanVirata|Google|Grafana|Greenwave Systems|HPE|Hak5|HashiCorp"
    "|Honeywell|Hubitat|IBM|IQinVision|Imagistics|Inductive Automation|InfluxData|Intermec"
    "|Internet Archive|Ipswitch|Jamf|KACE|Keyper|Keysight|Kong|LANDesk|Lanier|Lencore|Lenel"
    "|Lexmark|Liebert|Lifesize|LiteSpeed Technologies|Lyris|MITRE|MRV Communications|MagTek"
    "|Mbedthis Software|Mercury Security|Mersive|Metabase|MicroStrategy|Motorola|MultiTech"
    "|N-able|NVIDIA|Nagios|NcFTP Software|Neoscale|NetApp|NetBotz|Netgate|Netopia|Novell"
    "|OpenVPN|Oracle|Overland|PalletsProjects|Palo Alto Networks|Paradyne|Parallels|Patton"
    "|Plixer|Poly|Polycom|PowerWare|ProSoft Technology|Progress|Pulse Secure|Pure Storage"
    "|Q-SYS|Quantum|RStudio|Rapid7|Raritan|RealMedia|RealNetworks|Red Hat|Redback Networks"
    "|Riverbed|Riverstone|Rockwell Automation|Roku|Ruckus|Rundeck|S2|SCO|SGI|SMC Networks"
    "|SafeNet|Savin|Serv-U|Server Technology|ShoreTel|SiliconDust|Silver Peak|Software House"
    "|SolarWinds|SonicWall|Sonos|Source Technologies|Spiceworks|Spirent Communications"
    "|Splunk|SpotterRF|Sun|Super Micro|Swagger|Sybase|Symantec|Symbol|Symplified|Systech"
    "|TVersity|Tableau|Tasman Networks|Tektronix|Tenable|Tintro|Tivo|Treck|Tridium|Troy"
    "|Unisys|VBrick|VMware|Vaddio|Vertiv|Vizio|WatchGuard|Washington University|Wind River"
    "|Wowza|Wowza Media Systems|XRoads|Xyplex|Xytronix|Zebra|Zimbra|cPanel|dotCMS|i.LON"
    "|iRobot|iTach|iXsystems|pfSense|nginx|Jellyseerr",
    "CA": "BlueCat|Genetec|Haivision|Nanoleaf|Nortel|Power Measurement Ltd.|Redline",
    "JP": "Allied Telesyn|Buffalo|FUJI XEROX|Fuji Xerox|Fujitsu|Fujitsu Siemens|Kyocera"
    "|Kyocera Mita|NEC|Oki|SATO|Toshiba|Turbolinux|Yamaha",
    "KR": "Clipcomm|Rifatron|Samsung|Truen",
    "TW": "ATEN|CyberPower|DrayTek|Merit LILIN|Moxa|Nuuo|Sercomm|Ubee",
    "IN/LK": "Cyberoam|ManageEngine|Aptinex|WSO2",
    "IL": "Check Point|Checkpoint|JFrog",
    "AU/NZ": "Atlassian|Mort Bay|Octopus|PaperCut|Rectifier Technologies|NetWin",
    "DE/AT/CH": "ADB|Barix|Deutsche Telekom|GigaBlue|Greenbone|Gude|HeiTel|IBHsofte"
    "|Kaeser Compressors|Logitech|Loxone|MGT-COMMERCE GmbH|NAGRA|Nextcloud|PRTG"
    "|Phoenix Contact|Proxmox|Rohde & Schwarz|SAP|SEH Technology|SMA|SMA Solar Technology Ag"
    "|SUSE|SuSE|Segger|Siemens|Softing|SonarQube|TeamSpeak|Weidmüller|Wifx|ownCloud",
    "FR/BE/NL": "ALCATEL|Axway|Barco|CDVI|Evolis|Freebox|Lansweeper|Oce|Philips"
    "|Schneider Electric|Siqura|Sofrel|Technicolor|Thomson|Traefik Labs|Talend",
    "GB/IE": "Calnex|Cesanta|Polatis|Psion Teklogix|RealVNC Ltd.|Sage|SalesAgility"
    "|SmoothWall|Sophos|Virata",
    "Nordic/other EU": "AnyBus|Eltek|Fidelix|Inveo|JetBrains|Netia|Nokia|Nokia-Siemens"
    "|Steinsvik|Tandberg|Västgöta-Data AB|Zabbix|home.pl|Compuprint|Datalogic Mobile|ntop"
    "|Shelly|Airties|3CX|GFI",
    "project": "AIOHTTP Project|Adminer|Android Debug Database|Apache|Avleen Vig|Ballerina"
    "|Bftpd Project|Boa|Cacti|CaddyServer|Celery|CentOS|Ceph|Chainpoint|Cherokee Project"
    "|CherryPy|CrowCPP|DD-WRT|Debian|Drupal|Eclipse|Elastic|Emby|Encode|Envoy Proxy"
    "|FastHTTP Project|Fedora Project|Filezilla-Project|Firefly|Folding@home|FreeBSD"
    "|FreshTomato|GNU|GStreamer|Gentoo|Gitea|Graylog|Gunicorn|HAProxy|Hadoop|Hydra Project"
    "|Ignite Realtime|Istio|Jellyfin|Jenkins|Jupyter|Kodi|Kubernetes|LibreNMS|Linux"
    "|Mayan-EDMS|MiniUPnP Project|Miniflux|MoinMoin|Moodle|Net-SNMP|NetBSD|NetData"
    "|OPNSense|OPNsense|OWASP|Observium|OpenBSD|OpenKM|OpenMediaVault|OpenNAC|OpenResty"
    "|OpenStack|OpenWRT|OpenWall|Opengear|PIAF|Paperless-ng|Paperless-ngx|Papermerge|Perl"
    "|ProFTPD Project|Prometheus|Prowlarr|PureFTPd|Python Software Foundation|RabbitMQ"
    "|Radarr|Redmine|Roundcube|Ruby-Lang|SABnzbd|SBLIM|SPIP|Samba|SerenityOS|ShellInABox"
    "|Sonarr|Squid Cache|Supervisord|TigerVNC|Tildeslash|Tinyproxy Project|Tomato"
    "|TomatoUSB|TornadoWeb|TransmissionBT|Twisted Matrix Labs|TwistedMatrix|Ubuntu"
    "|Varnish Cache Project|Vaultwarden|Webmin|XAMPP|Xiph|Xitami|Yocto|Zaphoyd Studios"
    "|Zed Shaw|axTLS Project|darkhttpd Project|darkstat Project|etherpad|lighttpd|mitmproxy"
    "|mongo-express Project|ninenines|noVNC|phpMyAdmin|vsFTPd Project",
}
ELSEWHERE: Final = {
    name: home for home, names in _ELSEWHERE_BY_HOME.items() for name in names.split("|")
}
"""Left unknown on purpose (examples left out): brands of cameras made by a maker of
concern (Lorex, Wyze, Indigo Security, Netwave), software of Russian or Chinese authors
that is no device (TightVNC, Flussonic, frp), Keenetic, and vendors whose home was not
clear (FUHO, LigoWave, Lynx Technology, Pronet, ...)."""


RELATED: Final = {
    # a vendor label -> makers that are the same company or its brand's maker, so that
    # naming them is no wrong maker (general knowledge, UNVERIFIED)
    "Savin": ("Ricoh",),  # Ricoh's copier brands
    "Lanier": ("Ricoh",),
    "Samsung": ("Hanwha Vision",),  # Samsung Techwin's DVRs, now Hanwha Vision
    "IQinVision": ("Vicon Industries",),  # bought by Vicon in 2014
    "Software House": ("Johnson Controls",),  # a Johnson Controls (Tyco) brand
    "Lorex": ("Dahua",),  # a Dahua company 2018-2023, Dahua-made cameras
    "HPE": ("HP",),  # one company until 2015; ProCurve is HP's name
    "SonicWall": ("Dell",),  # Dell owned SonicWall 2012-2016 ("DELL | SonicWALL")
    "Allen-Bradley": ("Rockwell Automation",),  # Rockwell Automation's brand of PLCs
}


@dataclass(frozen=True, slots=True)
class Example:
    """One recog example: its file, text, vendor labels and the makers its fingerprint's
    description names (recog's os.vendor is the OS's maker: "Huawei device on Windows
    2000" has os.vendor Microsoft)."""

    file: str
    text: str
    vendors: frozenset[str]
    described: frozenset[str] = frozenset()
    device: str = ""
    """The device vendor: ``hw.vendor``, else ``os.vendor`` ("" for neither)."""


def _recog_text(root: Path, name: str) -> bytes:
    checkout = root / "xml" / f"{name}.xml"
    if checkout.is_file():
        return checkout.read_bytes()
    done = subprocess.run(
        ["git", "--git-dir", str(root), "show", f"HEAD:xml/{name}.xml"],
        capture_output=True,
        check=True,
    )
    return done.stdout


def _recog_commit(root: Path) -> str:
    where = ["--git-dir", str(root)] if not (root / "xml").is_dir() else ["-C", str(root)]
    done = subprocess.run(["git", *where, "rev-parse", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def examples(root: Path) -> list[Example]:
    """Every example of the recog files camcensus reads, with its vendor labels
    (a ``{name}`` value filled from the example's attribute, as recog does)."""
    out: list[Example] = []
    for name in WRAPS:
        doc = defusedxml.ElementTree.fromstring(_recog_text(root, name))
        for fp in doc.iter("fingerprint"):
            params = {p.get("name", ""): p.get("value", "") for p in fp.iter("param")}
            described = _described(fp.findtext("description") or "")
            for ex in fp.iter("example"):
                text = ex.text or ""
                if ex.get("_encoding") == "base64":
                    text = base64.b64decode(text).decode("utf-8", "surrogateescape")
                values = {}
                for param in VENDOR_PARAMS:
                    value = params.get(param, "")
                    if value.startswith("{") and value.endswith("}"):
                        value = ex.get(value[1:-1], "")
                    if value:
                        values[param] = value
                device = next((values[p] for p in DEVICE_PARAMS if p in values), "")
                if device in NOT_DEVICE and "hw.vendor" not in values:
                    device = ""
                vendors = frozenset(values.values())
                out.append(Example(name, text, vendors, described, device))
    return out


def _described(description: str) -> frozenset[str]:
    """The makers.toml makers and CONCERN vendors a fingerprint's description names
    (by the words of one of their names, anywhere in it)."""
    words = _words(description)
    found = set()
    names = [(m, n) for m, maker in corpus.makers().items() for n in maker.names]
    for owner, name in names + [(v, v) for v in CONCERN]:
        want = _words(name)
        if want and any(words[i : i + len(want)] == want for i in range(len(words))):
            found.add(owner)
    return frozenset(found)


def maker_of(vendor: str) -> str | None:
    """The makers.toml maker a vendor name is (its words start with one of its names)."""
    return next((m for m in corpus.makers() if corpus.names_maker(vendor, m)), None)


def judge(vendor: str) -> str:
    """``concern``, ``other`` or ``unknown``, never from camcensus' vendor table."""
    maker = maker_of(vendor)
    if maker is not None:
        return "concern" if corpus.makers()[maker].of_concern else "other"
    if vendor in CONCERN:
        return "concern"
    return "other" if vendor in ELSEWHERE else "unknown"


def label(example: Example) -> str:
    """``concern``, ``other``, ``unknown`` or ``unlabelled`` for a whole example."""
    if not example.vendors:
        return "unlabelled"
    verdicts = {judge(v) for v in example.vendors | example.described}
    if "concern" in verdicts:
        return "concern"
    return "unknown" if "unknown" in verdicts else "other"


def _words(text: str) -> list[str]:
    words: list[str] = corpus._words(text)  # the corpus' own spelling of a name
    return words


def right_maker(found: str, example: Example) -> bool:
    """Whether a maker camcensus named is one of the example's vendors (or a maker its
    description names, or a RELATED one): the same makers.toml maker, or one name's
    words the start of the other's."""
    return _one_of(found, example.vendors | example.described)


def names_device(found: str | None, example: Example) -> bool:
    """Whether a maker camcensus named is the example's device vendor (counted as
    ``right_maker`` counts, RELATED included)."""
    return bool(found and example.device) and _one_of(found or "", {example.device})


def _one_of(found: str, vendors: set[str] | frozenset[str]) -> bool:
    mine = maker_of(found)
    related = [r for v in vendors for r in RELATED.get(v, ())]
    for vendor in vendors | set(related):
        if mine is not None and maker_of(vendor) == mine:
            return True
        a, b = _words(found), _words(vendor)
        if a and b and (a[: len(b)] == b or b[: len(a)] == a):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Outcome:
    """camcensus on one example."""

    maker: str | None
    level: str
    error: str
    rules: tuple[str, ...]


def run(example: Example) -> Outcome:
    """The example as a reply, through ``identify --reply``'s parsing, identified."""
    kind, wrap = WRAPS[example.file]
    try:
        evidence = parse_reply(kind, wrap(example.text))
    except MalformedReplyError as exc:
        return Outcome(None, "no", str(exc), ())
    result = identify(evidence)
    rules = tuple(
        dict.fromkeys(f"{c.rule} ({c.key})" for c in result.chain if c.value == result.maker)
    )
    return Outcome(result.maker, result.flag.level, "", rules)


def elsewhere(example: Example) -> list[Example]:
    """The example's text in every other file's slot (a banner of one protocol in
    another's place, as firmware reuses its strings): a realm quoted, a model key=,
    a subject CN= where the text has no "="."""
    text = example.text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    out = []
    for name in WRAPS:
        if name in (example.file, "snmp_sysobjid", "x509_issuers"):
            continue
        slot = {
            "http_wwwauth": f'Basic realm="{text}"',
            "mdns_device-info_txt": f"model={text}",
            "x509_subjects": text if "=" in text else f"CN={text}",
        }.get(name, text)
        out.append(Example(name, slot, example.vendors, example.described))
    return out


def _covered(example: Example) -> str | None:
    """The makers.toml maker of the example's device vendor, if any (coverage)."""
    return maker_of(example.device) if example.device else None


def _share(tally: dict[str, Any]) -> str:
    return f"{tally['named'] / tally['examples']:.1%}" if tally["examples"] else "-"


def coverage(found: list[Example], outcomes: dict[int, Outcome]) -> dict[str, Any]:
    """For makers of concern and the rest: the examples whose device vendor is a
    makers.toml maker and how many camcensus names it, in all, per file and per maker."""
    out: dict[str, Any] = {}
    for group in ("of_concern", "other"):
        out[group] = {"examples": 0, "named": 0, "by_file": {}, "by_maker": {}}
    for ex in found:
        maker = _covered(ex)
        if maker is None:
            continue
        tally = out["of_concern" if corpus.makers()[maker].of_concern else "other"]
        named = names_device(outcomes[id(ex)].maker, ex)
        per_file = tally["by_file"].setdefault(ex.file, {"examples": 0, "named": 0})
        per_maker = tally["by_maker"].setdefault(maker, {"examples": 0, "named": 0})
        for cells in (tally, per_file, per_maker):
            cells["examples"] += 1
            cells["named"] += named
    for tally in out.values():
        tally["share"] = _share(tally)
        for part in ("by_file", "by_maker"):
            tally[part] = dict(sorted(tally[part].items()))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recog", type=Path, default=MIRROR, help="recog checkout or git dir")
    parser.add_argument("--list", action="store_true", help="also list unknown vendors")
    parser.add_argument(
        "--list-missed", action="store_true", help="list the coverage examples not named"
    )
    args = parser.parse_args(argv[1:])
    if not args.recog.exists():
        print(f"no recog at {args.recog}: give a checkout or git dir with --recog", file=sys.stderr)
        return 2
    found = examples(args.recog)
    labels = {id(e): label(e) for e in found}
    outcomes = {id(e): run(e) for e in found}
    counts: Counter[str] = Counter(labels.values())
    false_flags: list[Example] = []
    false_possible: list[Example] = []
    wrong: list[Example] = []
    unlabelled_flags: list[Example] = []
    named = flagged = possible = 0
    by_file: dict[str, Counter[str]] = {}
    for ex in found:
        verdict, out = labels[id(ex)], outcomes[id(ex)]
        tally = by_file.setdefault(ex.file, Counter())
        tally["examples"] += 1
        tally["parse_errors"] += bool(out.error)
        if verdict == "other":
            false_flags += [ex] if out.level == "flagged" else []
            false_possible += [ex] if out.level == "possible" else []
            tally["false_flags"] += out.level == "flagged"
            tally["false_possible"] += out.level == "possible"
        if verdict in ("unlabelled", "unknown") and out.level != "no":
            unlabelled_flags.append(ex)
        if out.maker and ex.vendors and not right_maker(out.maker, ex):
            wrong.append(ex)
            tally["wrong_maker"] += 1
        if verdict == "concern":
            named += bool(out.maker) and right_maker(out.maker or "", ex)
            flagged += out.level == "flagged"
            possible += out.level == "possible"

    def show(title: str, members: list[Example]) -> None:
        print(f"{title}: {len(members)}")
        for ex in members:
            out = outcomes[id(ex)]
            print(f"  {ex.file}: {ex.text[:120]!r} vendors {sorted(ex.vendors)} -> "
                  f"{out.maker!r} {out.level} via {'; '.join(out.rules) or '-'}")  # fmt: skip

    print(f"recog examples read: {len(found)} ({dict(sorted(counts.items()))})")
    show("FALSE FLAGS (flagged, examples not of concern)", false_flags)
    show("false 'possible' (examples not of concern)", false_possible)
    show("wrong maker named (any labelled example)", wrong)
    show("flagged or possible on unlabelled or unknown examples, for reading", unlabelled_flags)
    moved = [(ex, moved) for ex in found if labels[id(ex)] == "other" for moved in elsewhere(ex)]
    moved_levels: Counter[str] = Counter()
    print(f"the examples not of concern in the other slots ({len(moved)} replies), not 'no':")
    for ex, there in moved:
        out = run(there)
        moved_levels[out.level] += 1
        if out.level != "no":
            via = "; ".join(out.rules)
            print(f"  {ex.file} as {there.file}: {there.text[:120]!r} vendors "
                  f"{sorted(ex.vendors)} -> {out.maker!r} {out.level} via {via}")  # fmt: skip
    print(f"  flagged {moved_levels['flagged']}, possible {moved_levels['possible']}")
    concern = counts["concern"]
    print(f"examples of concern: {concern}, maker named {named}, flagged {flagged}, "
          f"possible {possible} "
          "(not independent: recog was read writing the first fingerprints)")  # fmt: skip
    cover = coverage(found, outcomes)
    for group, title in (("of_concern", "makers of concern"), ("other", "other makers")):
        tally = cover[group]
        print(f"coverage, {title}: {tally['named']} of {tally['examples']} named"
              f" ({_share(tally)})")  # fmt: skip
        for part in ("by_file", "by_maker"):
            cells = tally[part]
            print(f"  {part}: " + ", ".join(f"{k} {v['named']}/{v['examples']}"
                                          for k, v in cells.items()))  # fmt: skip
    if args.list_missed:
        missed = [ex for ex in found if ex.device and _covered(ex) and
                  not names_device(outcomes[id(ex)].maker, ex)]  # fmt: skip
        show("coverage examples whose device vendor is not named", missed)
    if args.list:
        unknown = Counter(v for e in found for v in e.vendors if judge(v) == "unknown")
        print("unknown vendors:", ", ".join(f"{v} {n}" for v, n in sorted(unknown.items())))
    report = {
        "recog_commit": _recog_commit(args.recog),
        "examples": len(found),
        "labels": dict(sorted(counts.items())),
        "not_of_concern": {
            "examples": counts["other"],
            "flagged": len(false_flags),
            "possible": len(false_possible),
        },
        "not_of_concern_in_other_slots": {
            "replies": len(moved),
            "flagged": moved_levels["flagged"],
            "possible": moved_levels["possible"],
        },
        "wrong_maker": len(wrong),
        "unlabelled_or_unknown_flagged_or_possible": len(unlabelled_flags),
        "of_concern": {
            "examples": concern,
            "maker_named": named,
            "flagged": flagged,
            "possible": possible,
        },
        "parse_errors": sum(1 for o in outcomes.values() if o.error),
        "coverage": cover,
        "by_file": {k: dict(sorted(v.items())) for k, v in sorted(by_file.items())},
    }
    write_json(RESULTS, report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
