"""A real OpenLDAP server (Debian's slapd) for the directory tests: started on a free loopback port with a
temporary configuration and database (nothing system-wide is read or changed), filled from an LDIF.

`make system-deps` installs slapd when missing and allowed; without it the LDAP tests skip and say why.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

SLAPD = shutil.which("slapd") or ("/usr/sbin/slapd" if Path("/usr/sbin/slapd").exists() else None)
SLAPADD = shutil.which("slapadd") or ("/usr/sbin/slapadd" if Path("/usr/sbin/slapadd").exists() else None)
SCHEMA = Path("/etc/ldap/schema")
SUFFIX = "dc=example,dc=com"
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{SUFFIX}", "admin-secret"
MISSING = None if SLAPD and SLAPADD and (SCHEMA / "inetorgperson.schema").exists() else \
    "Debian's slapd is not installed (make system-deps installs it as root): the LDAP tests need a real server"

CONFIG = """include {schema}/core.schema
include {schema}/cosine.schema
include {schema}/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{admin}"
rootpw {password}
directory {dir}/data
"""


def _person(uid: str, name: str, password: str, mail: str) -> str:
    return (f"dn: uid={uid},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\n"
            f"sn: {name[0]}\nmail: {mail}\nuserPassword: {password}\n")


def _group(cn: str, members: list[str]) -> str:
    lines = "".join(f"member: uid={m},ou=people,{SUFFIX}\n" for m in members)
    return f"dn: cn={cn},ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: {cn}\n{lines}"


PEOPLE = {  # uid: (display name, password, groups)
    "zhangsan": ("张三", "zs-Passw0rd!", ["工会委员会", "representatives"]),
    "lisi": ("李四", "ls-Passw0rd!", ["hr-dept"]),
    "wangwu": ("王五", "ww-Passw0rd!", []),
}


def ldif() -> str:
    parts = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: 示例集团\n",
             f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n",
             f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n"]
    parts += [_person(uid, name, password, f"{uid}@example.com") for uid, (name, password, _) in PEOPLE.items()]
    groups: dict[str, list[str]] = {}
    for uid, (_, _, member_of) in PEOPLE.items():
        for group in member_of:
            groups.setdefault(group, []).append(uid)
    parts += [_group(cn, members) for cn, members in groups.items()]
    return "\n".join(parts)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LdapServer:
    """slapd serving `ldif()` on ldap://127.0.0.1:<free port> until `stop()`."""

    def __init__(self, folder: Path):
        self.folder = folder
        (folder / "data").mkdir(parents=True)
        (folder / "slapd.conf").write_text(CONFIG.format(schema=SCHEMA, dir=folder, suffix=SUFFIX, admin=ADMIN_DN,
                                                         password=ADMIN_PASSWORD), encoding="utf-8")
        (folder / "data.ldif").write_text(ldif(), encoding="utf-8")
        subprocess.run([SLAPADD, "-f", str(folder / "slapd.conf"), "-l", str(folder / "data.ldif")], check=True,
                       capture_output=True, timeout=60)
        self.port = _free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        # -d 0: stay in the foreground (no fork), so that the test owns the process and can stop it.
        self.process = subprocess.Popen([SLAPD, "-d", "0", "-f", str(folder / "slapd.conf"), "-h", self.url + "/"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited: {self.process.stderr.read().decode(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("slapd did not start listening within 20 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process.stderr.close()

    def config(self) -> dict:
        """The dmflow settings that sign in against this server."""
        return {"LDAP_URL": self.url, "LDAP_BIND_DN": ADMIN_DN, "LDAP_BIND_PASSWORD": ADMIN_PASSWORD,
                "LDAP_USER_BASE": f"ou=people,{SUFFIX}", "LDAP_GROUP_BASE": f"ou=groups,{SUFFIX}"}
