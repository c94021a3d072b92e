"""The quick start, followed to the letter in a brand-new project.

The wheel is built from this checkout and installed, with the extras docs/quickstart.md
names, in a fresh virtual environment; ``django-admin startproject yourproject`` makes the
project and a small ``shop`` app stands for "an existing shop". Every snippet of the page
that names its file is then applied as written (appended to settings.py, or written to
the named file), the campaigns file is written, the page's emulator command is started,
and the page's ``export`` lines give the environment. The page's commands then have to
work: ``migrate``, ``check --tag talonone`` (no warning), a cart change that
``talonone_deliver --once`` delivers to the emulator, and an evaluated cart with the
WELCOME10 coupon's 10 % off, through the page's own view and template.

The snippets are read from the Markdown, never copied here, so a snippet that breaks
fails this test. What is the test's own: the shop's models, ``"shop"`` in INSTALLED_APPS
(a reader adds their own app the same way) and ``makemigrations shop``.

Not run: the Celery worker and beat (no broker is promised here: the outbox is delivered
with ``talonone_deliver --once``, which the page offers instead) and step 6's pytest
snippets (written to the project, but pytest is not among the extras). When nothing
listens on the page's ``redis://localhost:6379/0``, the test also checks that the wake
after a commit is caught and logged; with Redis up (CI), the wake is published there.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from urllib.request import urlopen

import pytest

from tests.docs.quickstart_snippets import (
    Block,
    Shop,
    blocks,
    clean_environment,
    describe,
    exports,
    last_json,
    one,
    redis_is_listening,
    run,
    shell_line,
    started,
    stop,
    words,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "docs" / "quickstart.md"
PROJECT = "yourproject"  # the name the snippets use
#: The files the page's snippets must cover (a renamed or lost snippet fails here).
NAMED = {
    "settings.py",
    "shop/talonone.py",
    "shop/apps.py",
    "yourproject/celery.py",
    "yourproject/__init__.py",
    "shop/views.py",
    "shop/templates/shop/cart.html",
}
INSTALL = 600  # seconds: building the wheel, installing it with its dependencies
COMMAND = 120  # seconds: one manage.py command

# The existing shop: what the quickstart's adapters assume (lines with sku, name,
# quantity and a Decimal price; the shopper in ``user``; the coupon in ``coupon_code``).
# ``Cart.user`` is one-to-one so that the page's view can say ``request.user.cart``.
SHOP_MODELS = """\
from django.conf import settings
from django.db import models


class Cart(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="cart"
    )
    coupon_code = models.CharField(max_length=100, blank=True)


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=10, decimal_places=2)


class Order(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    cart = models.ForeignKey(Cart, null=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=20, default="new")
    coupon_code = models.CharField(max_length=100, blank=True)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=10, decimal_places=2)
"""

# A shopper, a cart with the coupon and one line, saved as a shop's cart page would.
# The last line printed is the result, as JSON.
CART = """\
import json, time
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.db import transaction
from shop.models import Cart, CartLine

started = time.monotonic()
user = get_user_model().objects.create_user("{username}", first_name="Ada")
with transaction.atomic():
    cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
    CartLine.objects.create(cart=cart, sku="MUG-1", name="Mug", quantity=2, price=Decimal("12.50"))
saved = time.monotonic() - started
"""

CART_CHANGE = (
    CART
    + """
from django_talonone.services import open_session

print(json.dumps({{"session": open_session(cart).session_id, "seconds": saved}}))
"""
)

EVALUATED_CART = (
    CART
    + """
from django.test import RequestFactory
from django_talonone.services import evaluate_cart
from shop.views import cart_page

evaluation = evaluate_cart(cart)
request = RequestFactory().get("/cart/")
request.user = user
page = cart_page(request).content.decode()
print(json.dumps({{
    "available": evaluation.available,
    "message": evaluation.message,
    "discount": str(evaluation.discount_total),
    "accepted": list(evaluation.accepted_coupons),
    "page": page,
}}))
"""
)


@pytest.fixture(scope="module")
def page() -> list[Block]:
    return blocks(QUICKSTART.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, page: list[Block]) -> Path:
    """A fresh virtual environment with the built wheel installed as the page says."""
    base = tmp_path_factory.mktemp("quickstart")
    dist, venv = base / "dist", base / "venv"
    env = clean_environment(venv, {"PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    build = [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)]
    create = [sys.executable, "-m", "venv", str(venv)]  # no --system-site-packages: fresh
    with ThreadPoolExecutor(2) as pool:  # independent: build and create at the same time
        jobs = [
            pool.submit(run, argv, cwd=base, env=env, timeout=INSTALL) for argv in (build, create)
        ]
        for job in jobs:
            job.result()
    (wheel,) = dist.glob("*.whl")
    install = one([b for b in page if b.lang == "sh" and "dist/*.whl" in b.body], "install block")
    argv = words(shell_line(install, 'pip install "$(ls dist/*.whl)'), venv / "bin" / "python")
    argv = [word.replace("$(ls dist/*.whl)", str(wheel)) for word in argv]
    assert any("emulator" in word for word in argv), "the install line must name the emulator extra"
    run(argv, cwd=base, env=env, timeout=INSTALL)
    return venv


@pytest.fixture(scope="module")
def project(venv: Path, page: list[Block]) -> Path:
    """``startproject``, the shop app, and every snippet of the page that names its file."""
    base, python = venv.parent, venv / "bin" / "python"
    env = clean_environment(venv)
    run(
        [str(venv / "bin" / "django-admin"), "startproject", PROJECT],
        cwd=base,
        env=env,
        timeout=COMMAND,
    )
    project = base / PROJECT
    run([str(python), "manage.py", "startapp", "shop"], cwd=project, env=env, timeout=COMMAND)
    (project / "shop" / "models.py").write_text(SHOP_MODELS, encoding="utf-8")
    settings = project / PROJECT / "settings.py"
    with settings.open("a", encoding="utf-8") as file:
        file.write('\nINSTALLED_APPS += ["shop"]  # the existing shop\n')
    applied = set()
    for block in page:
        if block.path is None:
            continue
        applied.add(block.path)
        if block.path == "settings.py":
            with settings.open("a", encoding="utf-8") as file:
                file.write(f"\n{block.body}")
        else:
            target = project / block.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.body, encoding="utf-8")
    assert applied >= NAMED, f"snippets missing from the page: {sorted(NAMED - applied)}"
    campaigns = one([b for b in page if b.lang == "json"], "campaigns file")
    (project / "campaigns.json").write_text(campaigns.body, encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def shop(project: Path, venv: Path, page: list[Block]) -> Iterator[Shop]:
    """The page's emulator command running, then ``makemigrations shop`` and ``migrate``.

    The page says ``--port 9100``; the test asks for ``--port 0`` instead (a free port,
    which the emulator prints) and puts that port in the page's ``export`` lines. The
    commands run in that environment: without its key and URL, errors E001 and E002 stop
    every management command.
    """
    python = venv / "bin" / "python"
    command = "python -m django_talonone.emulator"
    block = one([b for b in page if command in b.body], "emulator block")
    argv = words(shell_line(block, command), python)
    documented = argv[argv.index("--port") + 1]
    argv[argv.index("--port") + 1] = "0"
    process, url = started(argv, project, clean_environment(venv))
    try:
        environment = exports(block)
        base_url = environment["TALONONE_BASE_URL"]
        assert base_url.endswith(f":{documented}"), environment
        environment["TALONONE_BASE_URL"] = base_url.replace(
            f":{documented}", f":{url.rsplit(':', 1)[-1]}"
        )
        assert environment["TALONONE_BASE_URL"] == url
        shop = Shop(project, python, clean_environment(venv, environment), url, COMMAND)
        shop.manage("makemigrations", "shop")  # the shop's own step
        block = one([b for b in page if "python manage.py migrate" in b.body], "migrate block")
        shop.run(words(shell_line(block, "python manage.py migrate"), python))
        yield shop
    finally:
        stop(process)


def test_the_checks_pass_without_a_warning(shop: Shop, page: list[Block]) -> None:
    block = one([b for b in page if "python manage.py check" in b.body], "check block")
    argv = words(shell_line(block, "python manage.py check"), shop.python)
    assert argv[-2:] == ["--tag", "talonone"]
    result = shop.run(argv)
    assert "System check identified no issues (0 silenced)" in result.stdout, describe(argv, result)
    assert "WARNING" not in result.stderr.upper(), describe(argv, result)


def test_without_the_sqlite_recipe_w021_warns(shop: Shop) -> None:
    """The page's "Using SQLite" snippet is what silences W021 (and the only warning)."""
    variant = shop.root / PROJECT / "settings_without_sqlite_recipe.py"
    variant.write_text(
        'from .settings import *  # noqa\n\nDATABASES["default"].pop("OPTIONS")\n', encoding="utf-8"
    )
    settings = f"--settings={PROJECT}.settings_without_sqlite_recipe"
    result = run(
        [str(shop.python), "manage.py", "check", "--tag", "talonone", settings],
        cwd=shop.root,
        env=shop.env,
        timeout=COMMAND,
    )
    assert "(django_talonone.W021)" in result.stderr, result.stderr
    assert "1 issue (0 silenced)" in result.stdout + result.stderr


def test_a_cart_change_reaches_the_emulator(shop: Shop) -> None:
    changed = shop.manage("shell", "-c", CART_CHANGE.format(username="ada"))
    session = last_json(changed)["session"]
    if not redis_is_listening():
        # The page's broker is down: the wake after the commit is caught and logged (Celery
        # retries the publish for about 0.6 s first), and the row waits in the outbox.
        assert "the sweeper will deliver" in changed.stderr, changed.stderr
    delivered = shop.manage("talonone_deliver", "--once")
    assert "Outbox:" in delivered.stdout, delivered.stdout
    with urlopen(f"{shop.url}/_emulator/requests", timeout=10) as reply:  # noqa: S310 (http)
        log = json.load(reply)["requests"]
    sent = [
        entry
        for entry in log
        if entry["operation"] == "updateCustomerSessionV2"
        and entry["path"] == f"/v2/customer_sessions/{session}"
    ]
    assert sent, f"no updateCustomerSessionV2 for {session} in {json.dumps(log, indent=1)}"
    assert sent[-1]["status"] == 200, sent[-1]
    body = sent[-1]["requestBody"]["customerSession"]
    assert body["couponCodes"] == ["WELCOME10"]
    assert [item["sku"] for item in body["cartItems"]] == ["MUG-1"]


def test_an_evaluated_cart_has_the_coupon_discount(shop: Shop) -> None:
    result = shop.manage("shell", "-c", EVALUATED_CART.format(username="grace"))
    evaluation = last_json(result)
    assert evaluation["available"], evaluation["message"]
    assert Decimal(evaluation["discount"]) == Decimal("2.50")  # 10 % of 2 x 12.50
    assert evaluation["accepted"] == ["WELCOME10"]
    # The page's view and template, rendered for the same cart.
    assert "Discount: 2.50" in evaluation["page"], evaluation["page"]
