"""Registering shop models: one line per model and the app follows them on its own.

``register_cart(Cart, MyCartAdapter)`` connects ``post_save``/``post_delete`` of the cart
and of its ``line_model``, so any change to a cart is recorded in the transaction that
makes it and sent to Talon.One once per transaction. ``register_order`` watches orders for
the *transitions* into placed and cancelled (the previous value is remembered when the
instance is loaded or saved), so re-saving a placed order does nothing.
``register_customer`` keeps profiles in sync and erases a deleted customer's data.

Every one of these is written to the outbox in the shop's own transaction, at the
``save()`` itself. An order's close is written as "order X was placed" and built from the
order when it is delivered, because shops usually save the order first and its lines
after; shops that call ``services.place_order`` themselves get the close built (and
checked) in that call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.signals import ModelSignal, post_delete, post_init, post_save

from django_talonone.adapters import CartAdapter, CustomerAdapter, OrderAdapter

if TYPE_CHECKING:
    from django_talonone.apps import TalonOneConfig

__all__ = [
    "Registrations",
    "ShopHandlers",
    "cart_adapter_for",
    "customer_adapter_for",
    "order_adapter_for",
    "register_cart",
    "register_customer",
    "register_order",
    "unregister",
]

A = TypeVar("A")
ModelType = type[models.Model]

_STATE = "_talonone_order_state"


def _kinds() -> dict[str, dict[ModelType, Any]]:
    return {"cart": {}, "order": {}, "customer": {}}


@dataclass
class Registrations:
    """The adapters registered and the receivers that registering connected.

    Held by the app's configuration (one per process, created with it), not in a module
    global: registrations live and die with the app registry.
    """

    adapters: dict[str, dict[ModelType, Any]] = field(default_factory=_kinds)
    connected: dict[ModelType, list[tuple[ModelSignal, ModelType, str]]] = field(
        default_factory=dict
    )


@dataclass(frozen=True)
class ShopHandlers:
    """What a registered model's change does; the services', installed by the app's
    ``ready()``, so this module only looks things up and connects receivers."""

    #: ``(cart model, cart pk, database alias, adapter)``: a cart or one of its lines changed.
    cart_changed: Callable[[ModelType, Any, str, CartAdapter], None]
    #: ``(order, adapter)``: the order has just become placed.
    order_placed: Callable[[Any, OrderAdapter], None]
    #: ``(order)``: the order has just become cancelled.
    order_cancelled: Callable[[Any], object]
    #: ``(customer, adapter)``: a customer was saved.
    customer_saved: Callable[[Any, CustomerAdapter], None]
    #: ``(profile id)``: a customer was deleted.
    customer_deleted: Callable[[str], object]


def _app() -> TalonOneConfig:
    return cast("TalonOneConfig", apps.get_app_config("django_talonone"))


def _registered(kind: str) -> dict[ModelType, Any]:
    return _app().registrations.adapters[kind]


def _instance(adapter: type[A] | A, base: type[A]) -> A:
    made = adapter() if isinstance(adapter, type) else adapter
    if not isinstance(made, base):
        raise ImproperlyConfigured(f"{made!r} must be a {base.__name__} (subclass or instance)")
    return made


def _connect(owner: ModelType, signal: ModelSignal, sender: ModelType, receiver: Any) -> None:
    uid = f"django_talonone:{owner._meta.label}:{sender._meta.label}:{id(signal)}"
    signal.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)
    _app().registrations.connected.setdefault(owner, []).append((signal, sender, uid))


def _lookup(kind: str, obj: Any) -> Any:
    # ``__class__``, not ``type()``: ``request.user`` is a lazy proxy of the user.
    for klass in obj.__class__.__mro__:
        adapter = _registered(kind).get(klass)
        if adapter is not None:
            return adapter
    raise ImproperlyConfigured(
        f"{obj.__class__.__name__} is not registered with django-talonone: call "
        f"register_{kind}({obj.__class__.__name__}, ...) in your AppConfig.ready(), "
        "or pass adapter="
    )


def cart_adapter_for(cart: Any) -> CartAdapter:
    adapter: CartAdapter = _lookup("cart", cart)
    return adapter


def order_adapter_for(order: Any) -> OrderAdapter:
    adapter: OrderAdapter = _lookup("order", order)
    return adapter


def customer_adapter_for(customer: Any) -> CustomerAdapter:
    adapter: CustomerAdapter = _lookup("customer", customer)
    return adapter


def unregister(model: ModelType) -> None:
    """Forget ``model`` and disconnect every receiver registering it connected."""
    registrations = _app().registrations
    for registered in registrations.adapters.values():
        registered.pop(model, None)
    for signal, sender, uid in registrations.connected.pop(model, []):
        signal.disconnect(sender=sender, dispatch_uid=uid)


def register_cart(
    model: ModelType,
    adapter: type[CartAdapter] | CartAdapter = CartAdapter,
    *,
    watch: bool = True,
) -> CartAdapter:
    """Send ``model`` carts to Talon.One whenever they or their lines change.

    ``watch=False`` only records the adapter, for shops that send ``cart_changed``.
    """
    made = _instance(adapter, CartAdapter)
    unregister(model)
    _registered("cart")[model] = made
    if not watch:
        return made

    def changed(pk: Any, using: str) -> None:
        if pk is not None:  # a line without a cart belongs to no session
            _app().shop_handlers.cart_changed(model, pk, using, made)

    def cart_saved(sender: ModelType, instance: Any, using: str, **kwargs: Any) -> None:
        changed(instance.pk, using)

    _connect(model, post_save, model, cart_saved)
    if made.line_model is not None:
        field = made.line_model._meta.get_field(made.line_parent)
        if not isinstance(field, models.ForeignKey):
            raise ImproperlyConfigured(
                f"{type(made).__name__}.line_parent must name a ForeignKey of "
                f"{made.line_model.__name__}; {made.line_parent!r} is not one"
            )
        parent = field.attname

        def line_changed(sender: ModelType, instance: Any, using: str, **kwargs: Any) -> None:
            changed(getattr(instance, parent), using)

        _connect(model, post_save, made.line_model, line_changed)
        _connect(model, post_delete, made.line_model, line_changed)
    return made


def register_order(
    model: ModelType,
    adapter: type[OrderAdapter] | OrderAdapter = OrderAdapter,
    *,
    watch: bool = True,
) -> OrderAdapter:
    """Close an order's session when it becomes placed, cancel it when it is cancelled.

    ``watch=False`` only records the adapter, for shops that send ``order_placed`` etc.
    """
    made = _instance(adapter, OrderAdapter)
    unregister(model)
    _registered("order")[model] = made
    if not watch:
        return made

    def state(order: Any) -> tuple[bool, bool]:
        return made.is_placed(order), made.is_cancelled(order)

    def loaded(sender: ModelType, instance: Any, **kwargs: Any) -> None:
        setattr(instance, _STATE, state(instance) if instance.pk is not None else (False, False))

    def saved(sender: ModelType, instance: Any, **kwargs: Any) -> None:
        # Written in the saving transaction: the close as "order X was placed", built when
        # it is delivered (the lines are usually saved after the order), and the cancel.
        handlers = _app().shop_handlers
        was_placed, was_cancelled = getattr(instance, _STATE, (False, False))
        placed, cancelled = state(instance)
        setattr(instance, _STATE, (placed, cancelled))
        if placed and not was_placed:
            handlers.order_placed(instance, made)
        if cancelled and not was_cancelled:
            handlers.order_cancelled(instance)

    _connect(model, post_init, model, loaded)
    _connect(model, post_save, model, saved)
    return made


def register_customer(
    model: ModelType,
    adapter: type[CustomerAdapter] | CustomerAdapter = CustomerAdapter,
    *,
    watch: bool = True,
) -> CustomerAdapter:
    """Sync the profile on every save (except ``ignored_fields``-only saves), erase on delete.

    Both are queued in the saving transaction: the customer row is complete at ``save()``.
    ``watch=False`` only records the adapter, for shops that send ``customer_changed``.
    """
    made = _instance(adapter, CustomerAdapter)
    unregister(model)
    _registered("customer")[model] = made
    if not watch:
        return made

    def saved(sender: ModelType, instance: Any, update_fields: Any, **kwargs: Any) -> None:
        if update_fields and set(update_fields) <= set(made.ignored_fields):
            return
        _app().shop_handlers.customer_saved(instance, made)

    def deleted(sender: ModelType, instance: Any, **kwargs: Any) -> None:
        _app().shop_handlers.customer_deleted(made.get_profile_id(instance))

    _connect(model, post_save, model, saved)
    _connect(model, post_delete, model, deleted)
    return made
