"""Forms of the linkage pages: what a page takes from its user, validated before a service or a
selector sees it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from jisr.accounts.models import Organisation, User
from jisr.lib.forms import limit_choices
from jisr.linkage import selectors
from jisr.linkage.imports import TARGETS
from jisr.linkage.models import Register, SharingAgreement

FIELD_LABELS = {t.key: t.label for t in TARGETS}


class RegisterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the register"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("What it records"),
        choices=[c for c in Register.Kind.choices if c[0] != Register.Kind.JISR_REGISTRY],
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Register (CSV or XLSX)"),
        help_text=gettext_lazy(
            "The first row holds the column names, in Arabic, Kurdish or English. At most "
            "100,000 rows; a larger register is imported by your administrator with the "
            "command jisr import-register."
        ),
    )


class RunForm(forms.Form):
    """The register to link with (another the user reaches), or none: duplicates within."""

    other = forms.ModelChoiceField(queryset=Register.objects.none(), required=False)
    retrain = forms.BooleanField(required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "other", selectors.register_list(fetched_by=user))


class AgreementForm(forms.Form):
    recipient = forms.ModelChoiceField(
        label=gettext_lazy("Share with"), queryset=Organisation.objects.none()
    )
    shared_fields = forms.MultipleChoiceField(
        label=gettext_lazy("Fields they may see"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(f, FIELD_LABELS.get(f, f)) for f in SharingAgreement.FIELDS],
    )
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=300)
    referral_follow_up = forms.BooleanField(
        label=gettext_lazy("Referral follow-up"),
        required=False,
        help_text=SharingAgreement._meta.get_field("referral_follow_up").help_text,
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: User, register: Register, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(
            self, "recipient", selectors.recipient_list(fetched_by=user, register=register)
        )
        if register.kind != Register.Kind.JISR_REGISTRY:
            del self.fields["referral_follow_up"]  # only the registry's persons have referrals


class PairDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("same", gettext_lazy("The same person")),
            ("different", gettext_lazy("Different people")),
        ]
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


class CrossReferenceForm(forms.Form):
    base = forms.ModelChoiceField(
        label=gettext_lazy("Persons of"), queryset=Register.objects.none()
    )
    other = forms.ModelChoiceField(
        label=gettext_lazy("Who are also in"), queryset=Register.objects.none()
    )
    without_open_referral = forms.BooleanField(
        label=gettext_lazy("Only those with no open referral in Jisr"), required=False
    )
    # The report as a file instead of a page (its links add it).
    format = forms.ChoiceField(
        choices=[("", ""), ("csv", "CSV"), ("xlsx", "XLSX")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reachable = selectors.register_list(fetched_by=user).select_related("organisation")
        for name in ("base", "other"):
            limit_choices(self, name, reachable)
            field: Any = self.fields[name]
            field.label_from_instance = _register_label


def _register_label(register: Register) -> str:
    return f"{register.display_name} — {register.organisation}"
