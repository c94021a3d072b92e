"""Choosing customers in the admin: by search, by pasted profile ids, or by a CSV file.

The audience and reservation forms (:mod:`.mirror_forms`) share this. A search looks in
the shop's user model (username, e-mail, names) and turns each user found into its
Talon.One profile id with the registered customer adapter, the same id the shop's own
calls use. Pasted ids and CSV files are taken as they are (first column, one per row; a
header cell named like a profile id is skipped), bounded in size so one upload cannot
exhaust the worker.
"""

from __future__ import annotations

import csv
import io
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from django_talonone.registry import customer_adapter_for

__all__ = ["CustomersForm", "search_customers"]

#: The largest CSV upload taken, in bytes (about 300,000 short profile ids).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Users listed for one search.
SEARCH_RESULTS = 50
_HEADERS = frozenset({"profile", "profile_id", "profileid", "integration_id", "id"})


def search_customers(query: str) -> list[tuple[str, str]]:
    """``(profile id, "name <email> (profile id)")`` of the users matching ``query``."""
    query = query.strip()
    if not query:
        return []
    model = get_user_model()
    fields = [
        name
        for name in ("username", "email", "first_name", "last_name")
        if any(field.name == name for field in model._meta.get_fields())
    ]
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": query})
    found = []
    for user in model._default_manager.filter(condition).order_by("pk")[:SEARCH_RESULTS]:
        try:
            profile_id = str(customer_adapter_for(user).get_profile_id(user))
        except ImproperlyConfigured:  # the user model is not registered with the app
            continue
        email = getattr(user, "email", "")
        label = f"{user}" + (f" <{email}>" if email else "") + f" (profile {profile_id})"
        found.append((profile_id, label))
    return found


def _read_csv(upload: Any) -> list[str]:
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file is %(size)d bytes; the limit is %(limit)d."),
            params={"size": upload.size, "limit": MAX_UPLOAD_BYTES},
        )
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(
            _("The file is not UTF-8 text: save it as CSV (UTF-8).")
        ) from None
    ids = []
    for number, row in enumerate(csv.reader(io.StringIO(text))):
        cell = row[0].strip() if row else ""
        if not cell or (number == 0 and cell.lower().replace(" ", "_") in _HEADERS):
            continue
        ids.append(cell)
    return ids


class CustomersForm(forms.Form):
    """Customers chosen three ways at once; :meth:`profile_ids` gives them all, each once."""

    customers = forms.MultipleChoiceField(
        label=_("Customers found"), required=False, widget=forms.CheckboxSelectMultiple
    )
    pasted = forms.CharField(
        label=_("Profile ids"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("One Talon.One profile id per line."),
    )
    csv_file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("Profile ids in the first column, one per row (a header row is skipped)."),
    )

    def __init__(self, *args: Any, found: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Choices are what the search found, and on POST whatever was ticked: a ticked id
        # is a profile id like any pasted one.
        ticked = self.data.getlist("customers") if hasattr(self.data, "getlist") else []
        choices = list(found or []) + [(value, value) for value in ticked]
        field = cast(forms.MultipleChoiceField, self.fields["customers"])
        field.choices = list(dict(choices).items())

    def clean_csv_file(self) -> list[str]:
        upload = self.cleaned_data.get("csv_file")
        return _read_csv(upload) if upload else []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.profile_ids():
            raise forms.ValidationError(
                _("Choose at least one customer: tick a search result, paste ids or upload a file.")
            )
        return cleaned

    def profile_ids(self) -> list[str]:
        data = getattr(self, "cleaned_data", {})
        pasted = [line.strip() for line in str(data.get("pasted") or "").splitlines()]
        every = [*data.get("customers", []), *pasted, *data.get("csv_file", [])]
        return list(dict.fromkeys(value for value in every if value))
