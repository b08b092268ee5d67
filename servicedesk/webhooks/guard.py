"""The SSRF guard: where a webhook may send. A URL is http or https, names no credentials, a
port of settings.WEBHOOKS_PORTS (empty: any), and a host whose every address — after DNS
resolution — is a public one: private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback,
link-local (169.254/16 — cloud metadata — and fe80::/10), multicast, reserved, unspecified and
shared (100.64/10) addresses are refused, IPv4 written inside IPv6 too, unless
settings.WEBHOOKS_ALLOW_PRIVATE is on.

It runs when a webhook is saved and again before every attempt, and the attempt connects to the
address checked (delivery.py), so a name that resolves elsewhere meanwhile (DNS rebinding) gains
nothing. Redirects are never followed (a 3xx answer is a failed attempt)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from servicedesk.core.errors import ApplicationError, ErrorCode

DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURLError(ApplicationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code=ErrorCode.WEBHOOK_URL, field="url")


@dataclass(frozen=True)
class Target:
    """Where an attempt goes: the URL's parts, and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def address_refused(address: IPAddress) -> bool:
    """Whether sending to `address` is refused (whatever the setting says)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return bool(
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _resolve(host: str, port: int) -> list[str]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [str(literal)]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeURLError(
            _("The address %(host)s cannot be resolved.") % {"host": host}
        ) from None
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 zone (fe80::1%eth0) is dropped
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeURLError(_("The address %(host)s cannot be resolved.") % {"host": host})
    return addresses


def url_check(url: str) -> Target:
    """The URL's target with an address it is safe to connect to, or UnsafeURLError saying why
    not."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeURLError(_("Enter a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeURLError(_("Only http and https addresses are allowed."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeURLError(_("Put no user name or password in the address; use the secret."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURLError(_("Enter a valid URL."))
    port = port or DEFAULT_PORTS[scheme]
    allowed_ports = [int(p) for p in settings.WEBHOOKS_PORTS]
    if allowed_ports and port not in allowed_ports:
        raise UnsafeURLError(
            _("Port %(port)s is not allowed; use one of %(ports)s.")
            % {"port": port, "ports": ", ".join(str(p) for p in allowed_ports)}
        )
    addresses = _resolve(host, port)
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            if address_refused(ipaddress.ip_address(address)):
                raise UnsafeURLError(
                    _(
                        "%(host)s leads to a private, local or reserved address (%(address)s): "
                        "webhooks are sent to public addresses only."
                    )
                    % {"host": host, "address": address}
                )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
