"""Environment settings (proxies, CA bundle, netrc) are resolved once, per client."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses

from django_talonone.client import TalonOneClient

BASE = "https://shop.talon.example"


def test_proxy_from_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = TalonOneClient(base_url=BASE, api_key="k")
    assert client._session.proxies["https"] == "http://proxy.internal:3128"


def test_no_proxy_for_the_talonone_host_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "shop.talon.example")
    client = TalonOneClient(base_url=BASE, api_key="k")
    assert "https" not in client._session.proxies


def test_ca_bundle_from_the_environment_is_honoured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    client = TalonOneClient(base_url=BASE, api_key="k")
    assert client._session.verify == str(bundle)


@responses.activate
def test_a_netrc_entry_never_replaces_the_api_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine shop.talon.example login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    responses.get(f"{BASE}/v2/customer_sessions/s-1", json={"customerSession": {}})
    TalonOneClient(base_url=BASE, api_key="the-key").get_customer_session("s-1")
    assert responses.calls[0].request.headers["Authorization"] == "ApiKey-v1 the-key"
