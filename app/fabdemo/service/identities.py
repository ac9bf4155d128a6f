"""Identity lifecycle with the orgs' Fabric CAs (IDENTITIES=ca): register, enroll, list, revoke, re-enroll.

The one code path of ``make user``/``make users``/``make revoke``/``make reenroll``, the REST API
(``/api/identities``) and room mode's guests. A user is registered with the org's CA (attributes go
into its enrollment certificate, read by the contract's attribute checks), enrolled into
``users/<name>@<domain>/msp`` beside the org's other identities, and signs its own transactions
(``LedgerService.perform(..., user=name)``).

Revoking is two things, in this order: the CA revokes the user's certificates and issues a new CRL;
the CRL goes into the org's MSP in the channel configuration through a config update that the org's
admin signs (``Membership.set_revocation_list``). From the block that carries it, every peer refuses the
user's proposals. The calls are blocking (CLIs and a config update); the web app runs them in a thread.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography import x509

from fabdemo.network.context import NetworkContext
from fabdemo.network.enrollment import ROLE_ATTRIBUTE, OrgEnrollment, normalise_msp
from fabdemo.network.fabricca import CAClient, CAError, peer_ca_org
from fabdemo.network.membership import Membership
from fabdemo.network.nodes import NodeKind
from fabdemo.network.topology import PeerOrg
from fabdemo.service.errors import ServiceError
from fabdemo.waiting import wait_until

# The extension in which Fabric CA puts an enrollment certificate's attributes (JSON {"attrs": {...}}).
ATTRS_OID = x509.ObjectIdentifier("1.2.3.4.5.6.7.8.1")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,39}$")
ATTR_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,39}$")
ATTR_VALUE_RE = re.compile(r"^[A-Za-z0-9._+@-]{1,80}$")
# The identities the kit itself acts with: revoking them would stop the demo, so the service refuses.
RESERVED = ("admin", "user1")
ROLE_VALUES = ("inspector", "recall-manager", "consumer", "auditor")
CONFIG_COMMIT_TIMEOUT = 30.0


class HasContext(Protocol):
    """What the service needs of the network (``FabricNetwork`` has it)."""

    @property
    def ctx(self) -> NetworkContext: ...


def _already_exists(org: PeerOrg, name: str) -> ServiceError:
    return _error(
        "IDENTITY_EXISTS",
        f"{org.msp_id} already has a user {name!r}",
        f"{org.msp_id} 已有用户 {name}",
        "name",
        org=org.key,
        name=name,
    )


def _error(code: str, en: str, zh: str, field: str | None = None, **params: str) -> ServiceError:
    return ServiceError(code, en, message_zh=zh, field=field, key=code, params=params)


def parse_attrs(text: str | dict[str, str] | None) -> dict[str, str]:
    """``"role=inspector,dept=qa"`` (or a dict) -> ``{"role": "inspector", "dept": "qa"}``, checked."""
    if not text:
        return {}
    pairs = text.items() if isinstance(text, dict) else (part.partition("=")[::2] for part in text.split(","))
    attrs: dict[str, str] = {}
    for name, value in pairs:
        name, value = str(name).strip(), str(value).strip()
        if not ATTR_RE.match(name) or name.startswith("hf.") or not ATTR_VALUE_RE.match(value):
            raise _error(
                "INVALID_ARGUMENT",
                f"attribute {name}={value!r} is not valid: use name=value pairs joined by commas "
                "(letters, digits, . _ - +; for example role=inspector)",
                f"属性 {name}={value} 无效：请用逗号分隔的 名称=值（字母、数字、. _ - +；例如 role=inspector）",
                field="attrs",
            )
        attrs[name] = value
    roles = attrs.get(ROLE_ATTRIBUTE)
    if roles is not None:
        unknown = [r for r in roles.split("+") if r not in ROLE_VALUES]
        if unknown:
            known = ", ".join(ROLE_VALUES)
            raise _error(
                "INVALID_ARGUMENT",
                f"unknown role {'+'.join(unknown)!r}; known roles: {known} (several joined by +)",
                f"未知角色 {'+'.join(unknown)}；可选：{known}（多个用 + 连接）",
                field="attrs",
            )
    return attrs


def certificate_attrs(pem: bytes) -> dict[str, str]:
    """The Fabric CA attributes in an enrollment certificate (none in a cryptogen certificate)."""
    cert = x509.load_pem_x509_certificate(pem)
    try:
        ext = cert.extensions.get_extension_for_oid(ATTRS_OID)
    except x509.ExtensionNotFound:
        return {}
    raw = ext.value.value if isinstance(ext.value, x509.UnrecognizedExtension) else b"{}"
    return dict(json.loads(raw).get("attrs", {}))


@dataclass(frozen=True)
class UserRecord:
    org: str
    msp: str
    name: str
    type: str
    attrs: dict[str, str]
    revoked: bool
    enrolled: bool
    serial: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "org": self.org,
            "msp": self.msp,
            "name": self.name,
            "type": self.type,
            "attrs": self.attrs,
            "revoked": self.revoked,
            "enrolled": self.enrolled,
            "serial": self.serial,
        }


class IdentityService:
    def __init__(self, network: HasContext) -> None:
        self._network = network

    # -- what it works on -------------------------------------------------------------------------------
    @property
    def ctx(self) -> NetworkContext:
        return self._network.ctx

    @property
    def enabled(self) -> bool:
        return self.ctx.topology.uses_ca and self.ctx.fabric_ca is not None

    def _require_ca(self) -> None:
        if not self.ctx.topology.uses_ca:
            raise _error(
                "IDENTITIES_NEED_CA",
                "this network's identities come from cryptogen; users can be registered and revoked only "
                "on a network started with Fabric CAs (`make down`, then `make up IDENTITIES=ca`)",
                "本网络的身份由 cryptogen 生成；只有用 Fabric CA 启动的网络才能登记和吊销用户"
                "（先 make down，再 make up IDENTITIES=ca）",
            )
        if self.ctx.fabric_ca is None:
            raise _error("IDENTITIES_NEED_CA", "the Fabric CA binaries are not available", "Fabric CA 程序不可用")

    def _org(self, key: str | None) -> PeerOrg:
        topology = self.ctx.topology
        try:
            return topology.peer_org(key or "")
        except KeyError:
            known = ", ".join(o.key for o in topology.peer_orgs)
            raise _error(
                "UNKNOWN_ORG",
                f"unknown organisation {key!r}; known: {known}",
                f"未知组织：{key}（可选：{known}）",
                "org",
            ) from None

    def _client(self, org: PeerOrg) -> CAClient:
        assert self.ctx.fabric_ca is not None
        return CAClient(self.ctx.layout, peer_ca_org(org), self.ctx.fabric_ca)

    def _check_name(self, name: str) -> str:
        name = (name or "").strip()
        if not NAME_RE.match(name):
            raise _error(
                "INVALID_ARGUMENT",
                f"user name {name!r} is not valid: 1-40 letters, digits, . _ -, starting with a letter",
                f"用户名 {name} 无效：1-40 个字母、数字或 . _ -，以字母开头",
                field="name",
            )
        return name

    def _record(self, org: PeerOrg, name: str) -> dict[str, Any] | None:
        return next((r for r in self._client(org).identities() if r["name"] == name), None)

    def _ca_failure(self, err: CAError, org: PeerOrg, name: str) -> ServiceError:
        if "already registered" in err.output:
            return _already_exists(org, name)
        if "revoked" in err.output.lower():
            return self._revoked(org, name)
        detail = err.output.strip().splitlines()[-1] if err.output.strip() else str(err)
        return _error(
            "CA_ERROR", f"the CA of {org.msp_id} refused: {detail}", f"{org.msp_id} 的 CA 拒绝了请求：{detail}"
        )

    def _revoked(self, org: PeerOrg, name: str) -> ServiceError:
        return _error(
            "IDENTITY_REVOKED",
            f"user {name} of {org.msp_id} has been revoked",
            f"{org.msp_id} 的用户 {name} 已被吊销",
            "name",
            org=org.key,
            name=name,
        )

    def _user_record(self, org: PeerOrg, row: dict[str, Any]) -> UserRecord:
        msp = self.ctx.layout.user_msp(org, row["name"])
        cert = next(iter(sorted((msp / "signcerts").glob("*.pem"))), None) if (msp / "signcerts").is_dir() else None
        serial = None
        if cert is not None:
            serial = format(x509.load_pem_x509_certificate(cert.read_bytes()).serial_number, "x")
        return UserRecord(
            org=org.key,
            msp=org.msp_id,
            name=row["name"],
            type=row["type"],
            attrs=row["attrs"],
            revoked=row["revoked"],
            enrolled=cert is not None,
            serial=serial,
        )

    # -- the lifecycle ---------------------------------------------------------------------------------
    def register(self, org_key: str | None, name: str, attrs: str | dict[str, str] | None = None) -> UserRecord:
        """Register a client user with attributes (in its certificate) and enroll it. Changes nothing on error."""
        self._require_ca()
        org = self._org(org_key)
        name = self._check_name(name)
        clean = parse_attrs(attrs)
        if name.lower() in RESERVED or self._record(org, name) is not None:
            raise _already_exists(org, name)
        assert self.ctx.fabric_ca is not None
        enrollment = OrgEnrollment(self.ctx.layout, self.ctx.topology, peer_ca_org(org), self.ctx.fabric_ca)
        try:
            enrollment.identity(name, "client", self.ctx.layout.user_msp(org, name), attrs=clean)
        except CAError as err:
            raise self._ca_failure(err, org, name) from err
        return self.user(org.key, name)

    def users(self, org_key: str | None = None) -> list[UserRecord]:
        """The client users registered with the CA of one org (or of every member org)."""
        self._require_ca()
        orgs = [self._org(org_key)] if org_key else list(self.ctx.topology.peer_orgs)
        found: list[UserRecord] = []
        for org in orgs:
            for row in self._client(org).identities():
                if row["type"] == "client" and row["name"] != "admin":
                    found.append(self._user_record(org, row))
        return found

    def user(self, org_key: str | None, name: str) -> UserRecord:
        self._require_ca()
        org = self._org(org_key)
        row = self._record(org, name)
        if row is None or row["type"] != "client":
            raise _error(
                "UNKNOWN_USER",
                f"{org.msp_id} has no user {name!r}",
                f"{org.msp_id} 没有用户 {name}",
                "name",
                org=org.key,
                name=name,
            )
        return self._user_record(org, row)

    def reenroll(self, org_key: str | None, name: str) -> UserRecord:
        """A fresh certificate and key for the user (its current attributes); refused once revoked."""
        before = self.user(org_key, name)
        org = self._org(org_key)
        if before.revoked:
            raise self._revoked(org, name)
        msp = self.ctx.layout.user_msp(org, name)
        try:
            self._client(org).reenroll(msp)
        except CAError as err:
            raise self._ca_failure(err, org, name) from err
        normalise_msp(msp, peer_ca_org(org), self.ctx.layout.ca_cert(peer_ca_org(org).host).read_bytes())
        return self.user(org.key, name)

    def revoke(self, org_key: str | None, name: str) -> dict[str, Any]:
        """Revoke the user at the CA, then put the CA's CRL into the channel config (the org signs)."""
        record = self.user(org_key, name)
        org = self._org(org_key)
        if name.lower() in RESERVED:
            raise _error(
                "INVALID_ARGUMENT",
                f"{name} is an identity the kit itself acts with and cannot be revoked",
                f"{name} 是本工具自身使用的身份，不能吊销",
                "name",
            )
        client = self._client(org)
        try:
            crl = client.gencrl() if record.revoked else client.revoke(name)
        except CAError as err:
            raise self._ca_failure(err, org, name) from err
        ctx = self.ctx
        peers = [n for n in self._peer_nodes() if n.is_running()]
        before = max((n.height() or 0) for n in peers) if peers else 0
        membership = Membership(ctx.topology, ctx.layout, ctx.fabric, ctx.placement)
        changed = membership.set_revocation_list(org, [crl])
        if changed:
            # The next proposal must meet the new CRL at every peer: wait until each has the config block.
            wait_until(
                lambda: all((n.height() or 0) > before for n in peers),
                CONFIG_COMMIT_TIMEOUT,
                interval=0.1,
                what="every peer to commit the CRL config update",
            )
        return {**self.user(org.key, name).to_dict(), "crl_updated": changed, "channel": ctx.topology.channel_name}

    def _peer_nodes(self) -> list:
        from fabdemo.network.nodectl import NodeControl

        return NodeControl(self.ctx).nodes((NodeKind.PEER,))
