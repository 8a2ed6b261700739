"""What the forms of every app share."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def put_errors_on_form(form, exc: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """A service's ValidationError back on the form: known fields on the field (after `field_map`, for a
    model field the form shows as other inputs), the rest on top."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = field_map.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
