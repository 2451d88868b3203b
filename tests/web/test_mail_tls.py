"""E-mail by SMTP with TLS checks the server's certificate (ASVS 9.2.1, 9.2.2; finding N5): a
real SMTP server on loopback (aiosmtpd) offering STARTTLS with a certificate the client does or
does not trust, or one made out to another name."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from web.test_mail import Inbox, _free_port


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` (its own CA) and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path, Path]]:
    """An SMTP server that requires STARTTLS, with a certificate for ``localhost``, and a
    certificate for another name beside it."""
    cert, key = _certificate(tmp_path, "localhost")
    other, _ = _certificate(tmp_path, "mail.example.org")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=_free_port(),
        server_hostname="localhost",
        tls_context=context,
        require_starttls=True,
    )
    controller.start()
    try:
        yield inbox, controller.port, cert, other
    finally:
        controller.stop()


def _send(port: int) -> None:
    backend = EmailBackend(host="localhost", port=port, use_tls=True, fail_silently=False)
    message = EmailMessage("Reset", "a link", "performance@example.gov.uk", ["a@example.gov.uk"])
    backend.send_messages([message])


def test_a_server_whose_certificate_is_not_trusted_is_refused(
    server: tuple[Inbox, int, Path, Path], monkeypatch: Any
) -> None:
    inbox, port, _, _ = server
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        _send(port)
    assert not inbox.messages


def test_a_certificate_made_out_to_another_name_is_refused(
    server: tuple[Inbox, int, Path, Path], monkeypatch: Any
) -> None:
    inbox, port, _, other = server
    monkeypatch.setenv("SSL_CERT_FILE", str(other))  # trusted, but not for localhost
    with pytest.raises(ssl.SSLCertVerificationError):
        _send(port)
    assert not inbox.messages


def test_a_trusted_server_gets_the_message_over_tls(
    server: tuple[Inbox, int, Path, Path], monkeypatch: Any
) -> None:
    inbox, port, cert, _ = server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the council's CA, say
    _send(port)
    ((recipients, message),) = inbox.messages
    assert recipients == ["a@example.gov.uk"]
    assert message["Subject"] == "Reset"
