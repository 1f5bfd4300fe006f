"""sysDescr and sysObjectID as SNMP tools print them (``identify --reply snmp``): the
forms admins paste and issue threads publish, read without a JSON rewrite. The values
are illustrative; the layouts are the tools' own (net-snmp 5.9, pysnmp, snmpsim's
.snmprec, nmap's snmp-sysdescr script)."""

from __future__ import annotations

import pytest

from camcensus.base.errors import MalformedReplyError
from camcensus.scanner.core.replies import parse_reply
from camcensus.scanner.core.snmp import printed_system

HIK_OID = "1.3.6.1.4.1.39165.1.1"


@pytest.mark.parametrize(
    ("printed", "descr", "oid"),
    [
        # snmpget/snmpwalk with MIBs loaded
        ("SNMPv2-MIB::sysDescr.0 = STRING: Acme IPC 3.10\n"
         "SNMPv2-MIB::sysObjectID.0 = OID: SNMPv2-SMI::enterprises.39165.1.1\n"
         "DISMAN-EVENT-MIB::sysUpTimeInstance = Timeticks: (12345) 0:02:03.45",
         "Acme IPC 3.10", HIK_OID),
        # without MIBs (Debian's default): iso. names, quoted strings
        ('iso.3.6.1.2.1.1.1.0 = STRING: "Linux DVR 3.10.0"\n'
         "iso.3.6.1.2.1.1.2.0 = OID: iso.3.6.1.4.1.39165.1.1\n"
         'iso.3.6.1.2.1.1.5.0 = STRING: "cam-7"', "Linux DVR 3.10.0", HIK_OID),
        # -On: numeric names with a leading dot
        (".1.3.6.1.2.1.1.1.0 = STRING: Acme IPC\n.1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.39165.1.1",
         "Acme IPC", HIK_OID),
        # a sysDescr over several lines, unquoted and quoted
        ("SNMPv2-MIB::sysDescr.0 = STRING: Acme OS, Switch Software\n"
         "Technical Support: http://example.invalid/\n"
         "SNMPv2-MIB::sysObjectID.0 = OID: SNMPv2-SMI::enterprises.9.1.1208",
         "Acme OS, Switch Software\nTechnical Support: http://example.invalid/",
         "1.3.6.1.4.1.9.1.1208"),
        ('iso.3.6.1.2.1.1.1.0 = STRING: "Acme OS\nline two"\n'
         "iso.3.6.1.2.1.1.2.0 = OID: iso.3.6.1.4.1.9.1.1208",
         "Acme OS\nline two", "1.3.6.1.4.1.9.1.1208"),
        # a Hex-STRING going on over two lines, NUL-terminated
        ("SNMPv2-MIB::sysDescr.0 = Hex-STRING: 41 63 6D 65 20 49 50 43 20 76 32 2E 30 20 62\n"
         "75 69 6C 64 00\n"
         "SNMPv2-MIB::sysObjectID.0 = OID: SNMPv2-SMI::enterprises.39165",
         "Acme IPC v2.0 build", "1.3.6.1.4.1.39165"),
        # pysnmp's prettyPrint: no type
        (f"SNMPv2-MIB::sysDescr.0 = Linux cam 3.10\nSNMPv2-MIB::sysObjectID.0 = {HIK_OID}",
         "Linux cam 3.10", HIK_OID),
        # snmpsim .snmprec, plain and hex-encoded
        (f"1.3.6.1.2.1.1.1.0|4|Linux NVR 4.9\n1.3.6.1.2.1.1.2.0|6|{HIK_OID}\n"
         "1.3.6.1.2.1.1.3.0|67|1",
         "Linux NVR 4.9", HIK_OID),
        ("1.3.6.1.2.1.1.1.0|4x|41636d6520495043\n", "Acme IPC", None),
        # nmap: the script's lines up to its "|_" line, nmap's uptime left out; a script
        # before it and one after it are not sysDescr
        ("161/udp open  snmp\n| snmp-info:\n|   enterprise: net-snmp\n|_  engineIDFormat: x\n"
         "| snmp-sysdescr: Acme OS\n| Technical Support: y\n|_  System uptime: 1d 2h\n"
         "| snmp-processes:\n|_  1: init", "Acme OS\nTechnical Support: y", None),
        ("|_snmp-sysdescr: Linux one line\n| snmp-win32-software:\n|_  x", "Linux one line", None),
    ],
)  # fmt: skip
def test_printed_sysdescr_and_sysobjectid(printed: str, descr: str, oid: str | None) -> None:
    assert printed_system(printed) == (descr, oid)


def test_printed_values_are_evidence_and_other_text_is_an_error() -> None:
    found = {
        (ev.key, ev.value)
        for ev in parse_reply("snmp", b"SNMPv2-MIB::sysObjectID.0 = OID: .1.3.6.1.4.1.39165.1.1")
    }
    assert found == {("snmp.sysobjectid", HIK_OID)}
    # a value that is no OID is no sysObjectID evidence; other OIDs are not read
    assert parse_reply("snmp", b"SNMPv2-MIB::sysObjectID.0 = OID: HIK-MIB::hikvision") == []
    for text in (b"Timeout: No Response from 198.18.0.9", b"IF-MIB::ifDescr.1 = STRING: eth0", b""):
        with pytest.raises(MalformedReplyError):
            parse_reply("snmp", text)
    # JSON after other text still reads
    logged = b'values: {"sysDescr": "Acme IPC", "sysObjectID": "1.3.6.1.4.1.39165.1.1"}'
    assert ("snmp.sysdescr", "Acme IPC") in {(e.key, e.value) for e in parse_reply("snmp", logged)}


@pytest.mark.parametrize(
    ("printed", "descr"),
    [
        # words after the output are not the value's: a closed quote ends it; an unquoted
        # value goes on only over lines a further value follows
        ('iso.3.6.1.2.1.1.1.0 = STRING: "Linux 3.10.0 armv7l"\n'
         "Compare: my other box is a Hikvision DS-2CD2042WD", "Linux 3.10.0 armv7l"),
        ("SNMPv2-MIB::sysDescr.0 = STRING: Linux 3.10.0 armv7l\n"
         "Compare: my other box is a Hikvision DS-2CD2042WD", "Linux 3.10.0 armv7l"),
        ("SNMPv2-MIB::sysDescr.0 = STRING: Acme OS\n\nmy notes\n"
         "SNMPv2-MIB::sysObjectID.0 = OID: SNMPv2-SMI::enterprises.9", "Acme OS"),
        # escaped quotes inside a quoted value (net-snmp writes \" and \\)
        ('iso.3.6.1.2.1.1.1.0 = STRING: "Acme \\"OS\\" 2"', 'Acme "OS" 2'),
        ('iso.3.6.1.2.1.1.1.0 = STRING: "Acme \\"OS\\"\nline two"', 'Acme "OS"\nline two'),
        # -Of and -Ou names
        (".iso.org.dod.internet.mgmt.mib-2.system.sysDescr.0 = STRING: Acme IPC", "Acme IPC"),
        ("system.sysDescr.0 = STRING: Acme IPC", "Acme IPC"),
        # nmap's output of several hosts: the first host's
        ("Nmap scan report for 198.18.0.1\n| snmp-info:\n|_  enterprise: net-snmp\n"
         "Nmap scan report for 198.18.0.2\n| snmp-sysdescr: Hikvision DS-7608NI-K2\n", None),
    ],
)  # fmt: skip
def test_what_is_not_the_agents_value_stays_out(printed: str, descr: str | None) -> None:
    assert printed_system(printed)[0] == descr


def test_a_whole_walk_over_64_kib_is_read() -> None:
    walk = "SNMPv2-MIB::sysDescr.0 = STRING: Acme IPC\n" + "".join(
        f"IF-MIB::ifDescr.{n} = STRING: port {n}\n" for n in range(3000)
    )
    assert len(walk) > 64 * 1024
    assert ("snmp.sysdescr", "Acme IPC") in {
        (e.key, e.value) for e in parse_reply("snmp", walk.encode())
    }


@pytest.mark.parametrize(
    ("printed", "descr", "oid"),
    [
        # a repeated sysDescr (another agent's) after words: the words are not the value's
        ("SNMPv2-MIB::sysDescr.0 = STRING: Linux 3.10\nthe Hikvision one printed:\n"
         "SNMPv2-MIB::sysDescr.0 = STRING: Hikvision IP Camera", "Linux 3.10", None),
        # a shell prompt between two commands' output
        ("SNMPv2-MIB::sysDescr.0 = STRING: Linux 3.10\n"
         "$ snmpget -v2c -c public hikvision-nvr.lan sysObjectID.0\n"
         "SNMPv2-MIB::sysObjectID.0 = OID: SNMPv2-SMI::enterprises.9", "Linux 3.10",
         "1.3.6.1.4.1.9"),
        # -Of values
        (".iso.org.dod.internet.mgmt.mib-2.system.sysObjectID.0 = OID: "
         ".iso.org.dod.internet.private.enterprises.39165.1.1", None, HIK_OID),
    ],
)  # fmt: skip
def test_prompts_repeats_and_full_names(printed: str, descr: str | None, oid: str | None) -> None:
    assert printed_system(printed) == (descr, oid)


@pytest.mark.parametrize(
    ("printed", "descr", "oid"),
    [
        # -Oq: no "= TYPE:", with MIBs; -Oqn: numeric names, a quoted string over lines
        ("SNMPv2-MIB::sysDescr.0 Acme IPC 3.10\n"
         "SNMPv2-MIB::sysObjectID.0 SNMPv2-SMI::enterprises.39165.1.1", "Acme IPC 3.10", HIK_OID),
        ('.1.3.6.1.2.1.1.1.0 "Acme OS\nline two"\n.1.3.6.1.2.1.1.2.0 .1.3.6.1.4.1.39165.1.1',
         "Acme OS\nline two", HIK_OID),
        ("iso.3.6.1.2.1.1.1.0 Acme IPC", "Acme IPC", None),
        # a bare name starts prose as often as a -Oqs line: not read
        ("sysDescr.0 is where the agent names itself", None, None),
        ("IF-MIB::ifDescr.1 eth0\nSNMPv2-MIB::sysName.0 cam", None, None),
        # -Oqn lines of other variables are values of their own, not the string's lines
        (".1.3.6.1.2.1.1.1.0 Linux 3.10.14 armv7l\n.1.3.6.1.2.1.1.5.0 HIKVISION DS-2CD2143G2-I\n"
         ".1.3.6.1.2.1.1.2.0 .1.3.6.1.4.1.8072.3.2.10", "Linux 3.10.14 armv7l",
         "1.3.6.1.4.1.8072.3.2.10"),
        # prose that starts with a variable's name, over lines: no -Oq output
        ("SNMPv2-MIB::sysDescr.0 is blank on mine; the neighbour (a HIKVISION DS-2CD2143G2-I)\n"
         "fills it", None, None),
        # what net-snmp prints for a value the agent does not have is no sysDescr
        ("SNMPv2-MIB::sysDescr.0 No Such Object available on this agent at this OID", None, None),
        ("SNMPv2-MIB::sysDescr.0 = No Such Instance currently exists at this OID", None, None),
    ],
)  # fmt: skip
def test_quick_print_lines(printed: str, descr: str | None, oid: str | None) -> None:
    assert printed_system(printed) == (descr, oid)
