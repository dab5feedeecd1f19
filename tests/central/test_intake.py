"""What the review service lets in, end to end over a real server: answers checked against the
catalog before anything is stored (so junk never reaches the benchmarks), and each assessor account
bound to the certificate it signs with (so that nobody uploads, and claims, what another signed)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from esca_desktop.central import cli as central_cli
from esca_desktop.central.app import create_app
from esca_desktop.central.store import CentralStore
from esca_desktop.context import AppContext, open_context
from esca_desktop.security.credentials import MemoryCredentialStore
from esca_desktop.security.identity import IdentityStore, UnlockedIdentity
from esca_desktop.services import sync
from esca_desktop.services.bundles import export_bundle
from esca_desktop.services.signing import identity_store
from tests.central.harness import NO_WAIT, Central, ThreadServer, central_users, finalised_bronze
from tests.sync.tampering import Kit, resign

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    """A real Bronze bundle signed by Anna Assessor, and a colleague's identity."""
    folder = tmp_path_factory.mktemp("intake")
    context = open_context(folder / "desktop")
    context.set_actor("Anna Assessor")
    store = identity_store(context)
    store.create("Anna Assessor", "anna@example.org", PASSPHRASE, mode="ask")
    assessment_id = finalised_bronze(context)
    bundle = export_bundle(context, assessment_id, folder / "good.esca", PASSPHRASE).read_bytes()
    context.close()
    colleague = _identity(folder / "colleague", "Carl Colleague", "carl@example.org")
    return Kit(bundle, store.unlock(PASSPHRASE), colleague, "")


def _identity(folder: Path, name: str, email: str) -> UnlockedIdentity:
    store = IdentityStore(folder, MemoryCredentialStore())
    store.create(name, email, PASSPHRASE, mode="ask")
    return store.unlock(PASSPHRASE)


def _key(kit: Kit) -> str:
    manifest = kit.manifest()
    return f"/submissions/{manifest['assessment']['id']}/{manifest['assessment']['revision']}"


def _signed_by(bundle: bytes, identity: UnlockedIdentity) -> bytes:
    """The same assessment, signed by `identity` (who the manifest then names)."""

    def name(manifest: dict[str, Any]) -> None:
        manifest["assessor"] = {
            "name": identity.name,
            "email": identity.email,
            "certificate_sha256": identity.fingerprint,
        }

    return resign(bundle, identity, manifest=name)


def _answer(key: str, value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        for answer in document["answers"]:
            if answer["key"] == key:
                answer["value"] = value
                return
        document["answers"].append({**document["answers"][0], "key": key, "value": value})

    return change


@pytest.fixture
def api(central: Central) -> Iterator[httpx.Client]:
    with central.api(central.assessor_token) as client:
        yield client


# --- content against the catalog ------------------------------------------------------------------


def test_an_answer_of_400_digits_is_refused_with_its_field_and_nothing_is_stored(
    kit: Kit, central: Central, api: httpx.Client
) -> None:
    bundle = resign(kit.bundle, kit.identity, document=_answer("B1.4.committed_members", 10**400))

    reply = api.put(_key(kit), content=bundle)

    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    assert detail.startswith("bundle refused: assessment.json: answers[")
    assert "not a valid integer value for B1.4.committed_members (indicator B1.4, field committed_members)" in detail
    assert "(401 characters) is too large" in detail and len(detail) < 300
    assert central.store.count_submissions() == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_answer("B1.6.regional_share", "250"), r"B1.6.regional_share .*must be at most 100"),
        (_answer("B2.2.fte", "NaN"), r"B2.2.fte .*is not a finite number"),
        (_answer("B1.4.committed_members", -3), r"B1.4.committed_members .*must be at least 0"),
        (_answer("B2.1.set_up", "whatever"), r"B2.1.set_up .*'whatever' is not one of"),
        (_answer("B9.9.invented", 12), r"answers\[\d+\].key: no field 'B9.9.invented' in bronze@2019.1"),
        (
            lambda d: d["indicators"].append({**d["indicators"][0], "id": "B9.9"}),
            r"indicators\[\d+\].id: no indicator 'B9.9' in bronze@2019.1",
        ),
    ],
    ids=["share of 250 %", "NaN", "negative count", "unknown choice", "unknown field", "unknown indicator"],
)
def test_values_and_names_the_catalog_does_not_allow_are_refused(
    change: Any, reason: str, kit: Kit, central: Central, api: httpx.Client
) -> None:
    reply = api.put(_key(kit), content=resign(kit.bundle, kit.identity, document=change))

    assert reply.status_code == 422, reply.text
    assert re.search(reason, reply.json()["detail"]), reply.json()["detail"]
    assert central.store.count_submissions() == 0


def test_an_assessment_under_an_unknown_catalog_is_refused(kit: Kit, central: Central, api: httpx.Client) -> None:
    unknown = "sha256:" + "0" * 64

    def document(data: dict[str, Any]) -> None:
        data["catalog"]["hash"] = unknown

    def manifest(data: dict[str, Any]) -> None:
        data["catalog"]["hash"] = unknown

    reply = api.put(_key(kit), content=resign(kit.bundle, kit.identity, document=document, manifest=manifest))

    assert reply.status_code == 422
    assert reply.json()["detail"] == (
        f"bundle refused: the assessment was made under the catalog bronze@2019.1 ({unknown}), which this review "
        "service does not know; the secretariat publishes it with 'esca-central catalog publish FILE'"
    )
    assert central.store.count_submissions() == 0


def test_an_assessment_under_a_catalog_the_secretariat_published_is_accepted(
    desktop: AppContext, central: Central
) -> None:
    original = importlib_resources.files("esca_desktop.forms").joinpath("catalogs/bronze.yaml").read_bytes()
    newer = original.replace(b'version: "2019.1"', b'version: "2027.1"', 1)
    with central.api(central.reviewer_token) as api:
        assert api.post("/catalogs", content=newer).status_code == 201
    sync.login(desktop, central.url, central.assessor_token)
    assert sync.sync(desktop, options=NO_WAIT).catalogs == ["bronze@2027.1"]
    assessment_id = finalised_bronze(desktop)  # under the newest Bronze catalog: the one just installed

    report = sync.sync(desktop, options=NO_WAIT)

    assert report.failed == [] and len(report.uploaded) == 1, report
    assert central.store.submission(assessment_id).catalog == "bronze@2027.1"


# --- the signer is the account's own --------------------------------------------------------------


def test_a_colleague_cannot_upload_the_assessors_bundle_and_so_cannot_lock_them_out(kit: Kit, central: Central) -> None:
    colleague, token = central.store.add_user("Carl Colleague", "assessor")
    with central.api(token) as other, central.api(central.assessor_token) as owner:
        stolen = other.put(_key(kit), content=kit.bundle)
        own = owner.put(_key(kit), content=kit.bundle)

    assert stolen.status_code == 403
    assert stolen.json()["detail"].startswith(
        "the bundle is signed by Anna Assessor <anna@example.org> (certificate SHA-256 "
    )
    assert "but it is uploaded by Carl Colleague" in stolen.json()["detail"]
    assert own.status_code == 201, own.text
    assert central.store.submission(kit.manifest()["assessment"]["id"]).submitted_by == "Anna Assessor"
    del colleague


def test_after_the_first_upload_only_the_same_certificate_is_accepted(
    kit: Kit, central: Central, api: httpx.Client, tmp_path: Path
) -> None:
    """A second key in the same name (a new laptop, or someone with the token) is not the same signer."""
    assert api.put(_key(kit), content=kit.bundle).status_code == 201
    twin = _identity(tmp_path / "twin", "Anna Assessor", "anna@example.org")

    reply = api.put(_key(kit), content=_signed_by(kit.bundle, twin))

    assert reply.status_code == 403
    detail = reply.json()["detail"]
    assert f"(certificate SHA-256 {twin.fingerprint[:16]}…)" in detail
    assert (
        f"bound to the certificate of Anna Assessor <anna@example.org> (SHA-256 {kit.identity.fingerprint[:16]}…)"
        in detail
    )
    assert 'esca-central user certificate "Anna Assessor" CERT.pem' in detail


def test_a_registered_certificate_is_the_only_one_accepted_and_can_be_replaced(
    kit: Kit, central: Central, api: httpx.Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    laptop = _identity(tmp_path / "laptop", "Anna Assessor", "anna@example.org")
    pem = tmp_path / "laptop.pem"
    pem.write_bytes(laptop.certificate.public_bytes(serialization.Encoding.PEM))
    db = ["--db", str(central.database)]
    assert central_cli.run(["user", "certificate", "Anna Assessor", str(pem), *db]) == 0

    refused = api.put(_key(kit), content=kit.bundle)  # signed with the old key
    accepted = api.put(_key(kit), content=_signed_by(kit.bundle, laptop))

    assert refused.status_code == 403 and laptop.fingerprint[:16] in refused.json()["detail"]
    assert accepted.status_code == 201, accepted.text
    assert central_cli.run(["user", "list", *db]) == 0
    assert (
        f"Anna Assessor  signs with Anna Assessor <anna@example.org> (SHA-256 {laptop.fingerprint[:16]}…, registered)"
        in (capsys.readouterr().out)
    )


def test_an_assessor_added_with_a_certificate_is_bound_to_it_at_once(kit: Kit, tmp_path: Path) -> None:
    pem = tmp_path / "carl.pem"
    pem.write_bytes(kit.other.certificate.public_bytes(serialization.Encoding.PEM))
    database = tmp_path / "central.sqlite3"
    out = io.StringIO()
    code = central_cli.run(
        ["user", "add", "Anna Assessor", "--role", "assessor", "--certificate", str(pem), "--db", str(database)], out
    )
    assert code == 0
    token = out.getvalue().splitlines()[-1]
    store = CentralStore.open(database)
    server = ThreadServer(create_app(store)).start()
    try:
        with httpx.Client(base_url=server.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}) as api:
            reply = api.put(_key(kit), content=kit.bundle)  # Anna's own name, but not the registered certificate
    finally:
        server.stop()
        store.close()
    assert reply.status_code == 403
    assert "bound to the certificate of Carl Colleague <carl@example.org>" in reply.json()["detail"]


def test_a_certificate_from_the_secretariats_authority_in_the_accounts_name_is_accepted(
    kit: Kit, tmp_path: Path
) -> None:
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority = _certificate(authority_key, "ESCA Secretariat CA", authority_key, None, ca=True)
    store = CentralStore.open(tmp_path / "central.sqlite3")
    _, token, _, _ = central_users(store)
    issued = _issued_identity(tmp_path / "issued", authority, authority_key)
    server = ThreadServer(create_app(store, trusted=[authority])).start()
    try:
        with httpx.Client(base_url=server.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}) as api:
            first = api.put(_key(kit), content=kit.bundle)  # self-signed: bound to the account on first use
            renewed = _signed_by(kit.bundle, issued)
            second = api.put(_key(kit), content=renewed)
    finally:
        server.stop()
        store.close()
    assert first.status_code == 201, first.text
    assert second.status_code == 200, second.text  # the same assessment.json: accepted, nothing changed


def _certificate(
    key: Any, name: str, issuer_key: Any, issuer: x509.Certificate | None, *, ca: bool, email: str = ""
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if email:
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    subject = x509.Name(attributes)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _issued_identity(folder: Path, authority: x509.Certificate, authority_key: Any) -> UnlockedIdentity:
    """Anna's identity with a certificate the secretariat's CA issued for her request."""
    store = IdentityStore(folder, MemoryCredentialStore())
    store.create("Anna Assessor", "anna@example.org", PASSPHRASE, mode="ask")
    request = x509.load_pem_x509_csr(store.certificate_request(PASSPHRASE))
    now = dt.datetime.now(dt.UTC)
    issued = (
        x509.CertificateBuilder()
        .subject_name(request.subject)
        .issuer_name(authority.subject)
        .public_key(request.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_key.public_key()), critical=False)
        .sign(authority_key, hashes.SHA256())
    )
    chain = issued.public_bytes(serialization.Encoding.PEM) + authority.public_bytes(serialization.Encoding.PEM)
    store.install_certificate(chain, "issued.pem")
    return store.unlock(PASSPHRASE)
