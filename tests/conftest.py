"""Fixtures shared by the whole suite: test-friendly settings, a clean cache, logging in, and the
scoping world (two companies with nested sites, equipment, contracts and every kind of user)."""

import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation
from hypothesis import settings as hypothesis_settings

from servicedesk.accounts.models import Membership, User
from tests.factories import (
    CompanyFactory,
    ContractFactory,
    EquipmentFactory,
    MembershipFactory,
    SiteFactory,
    UserFactory,
)

# No example database in the working tree, and no deadline: two busy cores make timings noisy.
hypothesis_settings.register_profile("servicedesk", database=None, deadline=None)
hypothesis_settings.load_profile("servicedesk")

BASE_DIR = Path(__file__).resolve().parent.parent
# Test users are signed in through the email backend, as the login page does (RoleBackend only
# grants permissions and cannot load a user from the session).
AUTH_BACKEND = "servicedesk.accounts.backends.EmailBackend"


def pytest_configure(config: pytest.Config) -> None:
    """Compile the message catalogues (*.mo files are not committed) once, in the controlling
    process, before any xdist worker starts."""
    if hasattr(config, "workerinput") or shutil.which("msgfmt") is None:
        return
    for po in sorted((BASE_DIR / "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            # A catalogue being edited may not compile; the tests that need it will say so.
            subprocess.run(  # noqa: S603
                ["msgfmt", "--check-format", "-o", str(mo), str(po)],  # noqa: S607
                check=False,
                capture_output=True,
            )


@pytest.fixture(scope="session")
def _static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("static")


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, _static_root: Path) -> None:
    # DEBUG is off in tests, and with it the production defaults: plain HTTP for the test client
    # and the live server, static files from the finders instead of a built manifest.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = _static_root  # WhiteNoise warns about a missing one
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _huey_immediate() -> Iterator[None]:
    """Background tasks run at once, in the test's thread, with in-memory storage.

    The Huey instance is built when djhuey is imported, so the setting alone is not enough.
    """
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _clean_cache_and_thread_state() -> Iterator[None]:
    # allauth's login rate limits live in the cache; the time zone and language are thread-local.
    cache.clear()
    yield
    cache.clear()
    timezone.deactivate()
    translation.deactivate()


@pytest.fixture
def english() -> Iterator[None]:
    """Messages in English for tests that compare them (the provider's default is Russian)."""
    with translation.override("en"):
        yield


# A PNG header: enough for the upload checks (tickets/uploads.py) to take it for an image.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files into the test's own folder (modules that store files use it for every
    test: `pytest.mark.usefixtures("media")`)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def login(client: Client, user: User) -> Client:
    client.force_login(user, backend=AUTH_BACKEND)
    return client


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        return login(Client(), user)

    return make


# --- The scoping world -------------------------------------------------------------------------


@dataclass
class World:
    companies: dict[str, Any] = field(default_factory=dict)
    sites: dict[str, Any] = field(default_factory=dict)
    equipment: dict[str, Any] = field(default_factory=dict)
    contracts: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)

    def objects(self, kind: str) -> dict[str, Any]:
        return getattr(self, kind)

    def user(self, key: str) -> Any:
        return AnonymousUser() if key == "anonymous" else self.users[key]


def build_world(tag: str = "") -> World:
    """Company A: HQ > floor > server room, and a shop beside HQ; equipment on HQ, the floor, the
    room, the shop and one without a site; contracts: whole company (lists nothing), the shop's
    equipment, the HQ site. Company B: one warehouse with one machine and one contract.

    Names are distinctive (`tag` keeps several worlds apart) so pages can be searched for them.
    """
    w = World()
    a = w.companies["A"] = CompanyFactory(name=f"Alphacorp{tag}", code=f"alphacorp{tag}")
    b = w.companies["B"] = CompanyFactory(name=f"Betaworks{tag}", code=f"betaworks{tag}")

    hq = w.sites["a_hq"] = SiteFactory(company=a, name=f"alpha-hq-site{tag}")
    floor = w.sites["a_floor"] = SiteFactory(parent=hq, name=f"alpha-floor-site{tag}")
    room = w.sites["a_room"] = SiteFactory(parent=floor, name=f"alpha-room-site{tag}")
    shop = w.sites["a_shop"] = SiteFactory(company=a, name=f"alpha-shop-site{tag}")
    wh = w.sites["b_wh"] = SiteFactory(company=b, name=f"beta-warehouse-site{tag}")

    w.equipment["eq_a_hq"] = EquipmentFactory(site=hq, name=f"alpha-hq-boiler{tag}")
    w.equipment["eq_a_floor"] = EquipmentFactory(site=floor, name=f"alpha-floor-printer{tag}")
    w.equipment["eq_a_room"] = EquipmentFactory(site=room, name=f"alpha-room-server{tag}")
    eq_shop = w.equipment["eq_a_shop"] = EquipmentFactory(site=shop, name=f"alpha-shop-till{tag}")
    w.equipment["eq_a_nosite"] = EquipmentFactory(company=a, name=f"alpha-loose-drill{tag}")
    w.equipment["eq_b"] = EquipmentFactory(site=wh, name=f"beta-forklift{tag}")

    w.contracts["c_a_all"] = ContractFactory(company=a, name=f"alpha-whole-contract{tag}")
    w.contracts["c_a_shop"] = ContractFactory(
        company=a, name=f"alpha-till-contract{tag}", equipment=[eq_shop]
    )
    w.contracts["c_a_hq"] = ContractFactory(company=a, name=f"alpha-hq-contract{tag}", sites=[hq])
    w.contracts["c_b"] = ContractFactory(company=b, name=f"beta-whole-contract{tag}")

    w.users["admin"] = UserFactory(admin=True)
    w.users["dispatcher"] = UserFactory(dispatcher=True)
    w.users["engineer"] = UserFactory(engineer=True)
    w.users["inactive_engineer"] = UserFactory(engineer=True, inactive=True)
    w.users["cust_a"] = MembershipFactory(company=a).user
    cust_ab = w.users["cust_ab"] = MembershipFactory(company=a).user
    MembershipFactory(user=cust_ab, company=b)
    w.users["cust_b"] = MembershipFactory(company=b).user
    w.users["cust_eq"] = MembershipFactory(company=a, listed=True, equipment=[eq_shop]).user
    w.users["cust_site"] = MembershipFactory(company=a, listed=True, sites=[hq]).user
    w.users["cust_inactive"] = MembershipFactory(company=a, user__inactive=True).user
    w.users["cust_none"] = UserFactory()
    assert Membership.objects.filter(user=w.users["cust_inactive"]).count() == 1
    return w


@pytest.fixture
def world(db: None) -> World:
    return build_world()


# --- Real servers: outgoing mail and SMS (tests/mail_server.py), IMAP (tests/imap_server.py) -----
from tests.imap_server import imap_server, imap_tls_server  # noqa: E402, F401
from tests.mail_server import sms_gateway, smtp_email, smtp_server  # noqa: E402, F401
