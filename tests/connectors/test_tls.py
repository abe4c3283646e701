"""TLS against a real HTTPS fake: a private CA is trusted only through `ca_bundle`.

The test makes a throwaway CA and a server certificate for 127.0.0.1 with the `openssl`
command-line tool, serves the fake engagement platform and statistics over HTTPS on loopback,
and runs real node cycles against it.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config import parse_config
from domain.signals import Condition
from fakes import FakeCredentials, FakeRemote
from tests.support import shipped_raw

from .conftest import CLIENT_ID, SECRET, HttpNode, conditions, http_config, http_node

ALL = {"Proactive Chat - chat", "Proactive Voice - voice", "Sales Chat - chat"}


@dataclass(frozen=True)
class Certificates:
    ca: Path
    server_cert: Path
    server_key: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command-line tool is needed to make the test certificates")
    folder = tmp_path_factory.mktemp("tls")
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl(
        "req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Pacing Watch test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip
    _openssl(
        "req", *curve, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1",
        cwd=folder,
    )  # fmt: skip
    (folder / "server.ext").write_text(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        encoding="utf-8",
    )
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        cwd=folder,
    )  # fmt: skip
    return Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key")


@pytest.fixture
def https_remote(certificates: Certificates) -> Iterator[FakeRemote]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.server_cert, certificates.server_key)
    config = parse_config(shipped_raw(), source="fake")
    server = FakeRemote(
        config.targets,
        config.agent_groups,
        config.simulator,
        credentials=FakeCredentials(CLIENT_ID, SECRET),
        tls=context,
    ).start()
    yield server
    server.stop()


def node_trusting(
    tmp_path: Path,
    remote: FakeRemote,
    certificates: Certificates,
    *,
    stat_source: bool,
    publisher: bool,
) -> HttpNode:
    """A node whose stat source and publisher trust the test CA through `ca_bundle`, or do
    not (and then fail at once: no retries)."""

    def options(trusts: bool) -> dict[str, object]:
        return {"ca_bundle": str(certificates.ca)} if trusts else {"retries": 0}

    return http_node(
        http_config(
            tmp_path, remote, publisher=options(publisher), stat_source=options(stat_source)
        )
    )


def test_the_fake_really_speaks_https(https_remote: FakeRemote) -> None:
    assert https_remote.url.startswith("https://127.0.0.1:")


def test_with_the_ca_bundle_the_node_reads_statistics_and_publishes_over_https(
    tmp_path: Path, https_remote: FakeRemote, certificates: Certificates
) -> None:
    node = node_trusting(tmp_path, https_remote, certificates, stat_source=True, publisher=True)
    outcome = node.cycle()
    assert outcome.cycle.error is None
    assert outcome.cycle.status != "failed"
    assert all(t.reason != "stale" for t in outcome.targets)
    assert https_remote.state()["bulk_requests"] == 1
    assert conditions(node.signals(), active=True) == set()


def test_without_the_ca_bundle_publishing_fails_with_a_clear_reason(
    tmp_path: Path, https_remote: FakeRemote, certificates: Certificates
) -> None:
    node = node_trusting(tmp_path, https_remote, certificates, stat_source=True, publisher=False)
    outcome = node.cycle()
    raised = [
        s for s in node.signals() if s.active and s.condition == Condition.PACING_REQUESTS_FAILED
    ]
    assert len(raised) == 1
    assert "TLS certificate not trusted" in raised[0].reason
    assert "unable to get local issuer certificate" in raised[0].reason
    assert "ca_bundle" in raised[0].reason
    assert outcome.cycle.status == "failed"
    assert https_remote.state()["bulk_requests"] == 0


def test_without_the_ca_bundle_statistics_are_stale_with_a_clear_reason(
    tmp_path: Path, https_remote: FakeRemote, certificates: Certificates
) -> None:
    node = node_trusting(tmp_path, https_remote, certificates, stat_source=False, publisher=True)
    outcome = node.cycle()
    stale = [s for s in node.signals() if s.active and s.condition == Condition.STATISTICS_STALE]
    assert {s.scope for s in stale} == ALL
    assert all("TLS certificate not trusted" in s.reason for s in stale)
    assert {(t.reason, t.allowed_invitations) for t in outcome.targets} == {("stale", 0)}
    assert "TLS certificate not trusted" in (outcome.cycle.error or "")
