"""The category rules' pages: the list, and changing a rule (everyone is recategorised)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jisr.accounts.decorators import AuthedRequest, permission
from jisr.accounts.roles import Perm
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form
from jisr.registry import selectors, services
from jisr.registry.caseform.categories import OPERATORS, known_facts
from jisr.registry.forms import CategoryRuleForm

RULE_FIELDS = ("label_ar", "label_ckb", "label_en", "conditions", "is_active", "order")


@permission(Perm.CATEGORY_MANAGE)
def category_rule_list(request: AuthedRequest) -> HttpResponse:
    rules = selectors.category_rule_list(fetched_by=request.user)
    return render(request, "registry/category_rule_list.html", {"rules": rules})


@permission(Perm.CATEGORY_MANAGE)
def category_rule_edit(request: AuthedRequest, rule_id: int) -> HttpResponse:
    rule = selectors.category_rule_get(fetched_by=request.user, rule_id=rule_id)
    initial = {field: getattr(rule, field) for field in RULE_FIELDS}
    form = CategoryRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_rule_update(by=request.user, rule=rule, **form.cleaned_data)
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(
                request, _("The rule has been saved; categories are being recomputed.")
            )
            return redirect("registry:category_rule_list")
    return render(
        request,
        "registry/category_rule_form.html",
        {
            "form": form,
            "rule": rule,
            "facts": sorted(known_facts()),
            "operators": sorted(OPERATORS),
        },
    )
