"""Common connection profiles (the JSON network description read by Fabric's SDKs, Explorer and Caliper).

The dataclasses describe any network; :meth:`ConnectionProfile.to_dict` renders the standard layout::

    {"name", "version": "1.0.0", "client": {"organization"},
     "organizations": {org: {"mspid", "peers", "certificateAuthorities", "adminPrivateKey": {"path"},
                             "signedCert": {"path"}}},
     "peers": {name: {"url": "grpcs://host:port", "tlsCACerts": {"path" | "pem"},
                      "grpcOptions": {"ssl-target-name-override", "hostnameOverride"}}},
     "orderers": {...same shape as peers...},
     "certificateAuthorities": {name: {"url", "caName", "tlsCACerts", "httpOptions"}},
     "channels": {channel: {"orderers": [...], "peers": {peer: {"endorsingPeer", ...}}}}}

The admin key and certificate paths are written under both the SDK/Explorer names (``adminPrivateKey``,
``signedCert``) and the ``...PEM`` names some tools expect; :func:`read_profile` accepts either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabric_gateway.connection import parse_endpoint

PROFILE_VERSION = "1.0.0"


@dataclass
class TlsCaCerts:
    path: str | None = None
    pem: str | None = None

    def to_dict(self) -> dict[str, str]:
        result = {}
        if self.path is not None:
            result["path"] = self.path
        if self.pem is not None:
            result["pem"] = self.pem
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TlsCaCerts:
        data = data or {}
        pem = data.get("pem")
        if isinstance(pem, list):  # some tools write a list of PEM strings
            pem = "".join(pem)
        return cls(path=data.get("path"), pem=pem)


@dataclass
class NodeInfo:
    """A peer or orderer endpoint."""

    name: str
    url: str
    tls_ca_certs: TlsCaCerts = field(default_factory=TlsCaCerts)
    ssl_target_name_override: str | None = None
    grpc_options: dict[str, Any] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        """``host:port`` of :attr:`url`."""
        return parse_endpoint(self.url)[0]

    @property
    def server_name(self) -> str:
        """Host name to verify the TLS certificate against."""
        return (
            self.ssl_target_name_override
            or self.grpc_options.get("ssl-target-name-override")
            or self.grpc_options.get("hostnameOverride")
            or self.endpoint.rsplit(":", 1)[0]
        )

    def to_dict(self) -> dict[str, Any]:
        options = dict(self.grpc_options)
        if self.ssl_target_name_override:
            options.setdefault("ssl-target-name-override", self.ssl_target_name_override)
            options.setdefault("hostnameOverride", self.ssl_target_name_override)
        result: dict[str, Any] = {"url": self.url}
        certs = self.tls_ca_certs.to_dict()
        if certs:
            result["tlsCACerts"] = certs
        if options:
            result["grpcOptions"] = options
        return result

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> NodeInfo:
        options = dict(data.get("grpcOptions") or {})
        override = options.get("ssl-target-name-override") or options.get("hostnameOverride")
        return cls(
            name=name,
            url=data["url"],
            tls_ca_certs=TlsCaCerts.from_dict(data.get("tlsCACerts")),
            ssl_target_name_override=override,
            grpc_options=options,
        )


PeerInfo = NodeInfo
OrdererInfo = NodeInfo


@dataclass
class CertificateAuthorityInfo:
    name: str
    url: str
    ca_name: str | None = None
    tls_ca_certs: TlsCaCerts = field(default_factory=TlsCaCerts)
    verify_tls: bool = False

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"url": self.url}
        if self.ca_name:
            result["caName"] = self.ca_name
        certs = self.tls_ca_certs.to_dict()
        if certs:
            result["tlsCACerts"] = certs
        result["httpOptions"] = {"verify": self.verify_tls}
        return result

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> CertificateAuthorityInfo:
        return cls(
            name=name,
            url=data["url"],
            ca_name=data.get("caName"),
            tls_ca_certs=TlsCaCerts.from_dict(data.get("tlsCACerts")),
            verify_tls=bool((data.get("httpOptions") or {}).get("verify", False)),
        )


@dataclass
class OrganizationInfo:
    name: str
    msp_id: str
    peers: list[str] = field(default_factory=list)
    certificate_authorities: list[str] = field(default_factory=list)
    admin_private_key_path: str | None = None
    signed_cert_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"mspid": self.msp_id, "peers": list(self.peers)}
        if self.certificate_authorities:
            result["certificateAuthorities"] = list(self.certificate_authorities)
        if self.admin_private_key_path:
            result["adminPrivateKey"] = {"path": self.admin_private_key_path}
            result["adminPrivateKeyPEM"] = {"path": self.admin_private_key_path}
        if self.signed_cert_path:
            result["signedCert"] = {"path": self.signed_cert_path}
            result["signedCertPEM"] = {"path": self.signed_cert_path}
        return result

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> OrganizationInfo:
        def path_of(*keys: str) -> str | None:
            for key in keys:
                value = data.get(key)
                if isinstance(value, dict) and value.get("path"):
                    return value["path"]
            return None

        return cls(
            name=name,
            msp_id=data["mspid"],
            peers=list(data.get("peers") or []),
            certificate_authorities=list(data.get("certificateAuthorities") or []),
            admin_private_key_path=path_of("adminPrivateKey", "adminPrivateKeyPEM"),
            signed_cert_path=path_of("signedCert", "signedCertPEM"),
        )


@dataclass
class ChannelPeerRoles:
    endorsing_peer: bool = True
    chaincode_query: bool = True
    ledger_query: bool = True
    event_source: bool = True

    _KEYS = (
        ("endorsing_peer", "endorsingPeer"),
        ("chaincode_query", "chaincodeQuery"),
        ("ledger_query", "ledgerQuery"),
        ("event_source", "eventSource"),
    )

    def to_dict(self) -> dict[str, bool]:
        return {key: getattr(self, attr) for attr, key in self._KEYS}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ChannelPeerRoles:
        data = data or {}
        return cls(**{attr: bool(data.get(key, True)) for attr, key in cls._KEYS})


@dataclass
class ChannelInfo:
    name: str
    orderers: list[str] = field(default_factory=list)
    peers: dict[str, ChannelPeerRoles] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.orderers:
            result["orderers"] = list(self.orderers)
        result["peers"] = {name: roles.to_dict() for name, roles in self.peers.items()}
        return result

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> ChannelInfo:
        return cls(
            name=name,
            orderers=list(data.get("orderers") or []),
            peers={peer: ChannelPeerRoles.from_dict(roles) for peer, roles in (data.get("peers") or {}).items()},
        )


@dataclass
class ConnectionProfile:
    """A whole connection profile; build it from the dataclasses above, then :meth:`write` it."""

    name: str
    client_organization: str | None = None
    organizations: list[OrganizationInfo] = field(default_factory=list)
    peers: list[NodeInfo] = field(default_factory=list)
    orderers: list[NodeInfo] = field(default_factory=list)
    certificate_authorities: list[CertificateAuthorityInfo] = field(default_factory=list)
    channels: list[ChannelInfo] = field(default_factory=list)
    version: str = PROFILE_VERSION
    description: str | None = None
    client_extra: dict[str, Any] = field(default_factory=dict)
    """Other ``client`` entries (e.g. ``connection.timeout``, Explorer's ``tlsEnable``), written as given."""

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.description:
            result["description"] = self.description
        client = dict(self.client_extra)
        if self.client_organization:
            client["organization"] = self.client_organization
        if client:
            result["client"] = client
        if self.channels:
            result["channels"] = {c.name: c.to_dict() for c in self.channels}
        result["organizations"] = {o.name: o.to_dict() for o in self.organizations}
        if self.orderers:
            result["orderers"] = {o.name: o.to_dict() for o in self.orderers}
        result["peers"] = {p.name: p.to_dict() for p in self.peers}
        if self.certificate_authorities:
            result["certificateAuthorities"] = {ca.name: ca.to_dict() for ca in self.certificate_authorities}
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConnectionProfile:
        client = dict(data.get("client") or {})
        organization = client.pop("organization", None)
        return cls(
            name=data.get("name", ""),
            version=data.get("version", PROFILE_VERSION),
            description=data.get("description"),
            client_organization=organization,
            client_extra=client,
            organizations=[OrganizationInfo.from_dict(k, v) for k, v in (data.get("organizations") or {}).items()],
            peers=[NodeInfo.from_dict(k, v) for k, v in (data.get("peers") or {}).items()],
            orderers=[NodeInfo.from_dict(k, v) for k, v in (data.get("orderers") or {}).items()],
            certificate_authorities=[
                CertificateAuthorityInfo.from_dict(k, v) for k, v in (data.get("certificateAuthorities") or {}).items()
            ],
            channels=[ChannelInfo.from_dict(k, v) for k, v in (data.get("channels") or {}).items()],
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def write(self, path: str | Path) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.to_json())
        return target

    # Look-ups

    def organization(self, name_or_msp_id: str) -> OrganizationInfo:
        for org in self.organizations:
            if name_or_msp_id in (org.name, org.msp_id):
                return org
        raise KeyError(name_or_msp_id)

    def peer(self, name: str) -> NodeInfo:
        for peer in self.peers:
            if peer.name == name:
                return peer
        raise KeyError(name)

    def gateway_options(self, peer_name: str | None = None) -> dict[str, Any]:
        """Keyword arguments for :func:`~fabric_gateway.connect` to reach ``peer_name`` (default: the client
        organization's first peer): ``endpoint``, ``tls_root_cert_path``/``tls_root_cert`` and
        ``server_name_override``."""
        if peer_name is None:
            if not self.client_organization:
                raise ValueError("no peer given and the profile names no client organization")
            peers = self.organization(self.client_organization).peers
            if not peers:
                raise ValueError(f"organization {self.client_organization} lists no peers")
            peer_name = peers[0]
        peer = self.peer(peer_name)
        options: dict[str, Any] = {"endpoint": peer.endpoint, "server_name_override": peer.server_name}
        if peer.tls_ca_certs.path:
            options["tls_root_cert_path"] = peer.tls_ca_certs.path
        elif peer.tls_ca_certs.pem:
            options["tls_root_cert"] = peer.tls_ca_certs.pem.encode()
        if parse_endpoint(peer.url)[1] is False:
            options["insecure"] = True
        return options


def read_profile(path: str | Path) -> ConnectionProfile:
    return ConnectionProfile.from_dict(json.loads(Path(path).read_text()))


def write_profile(profile: ConnectionProfile, path: str | Path) -> Path:
    return profile.write(path)
