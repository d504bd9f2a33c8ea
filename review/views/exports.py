"""The staff exports: letters, members and contacts as CSV or XLSX, and the
mailing list (contacts of active members, filtered), in the staff member's language."""

from django.shortcuts import render
from django.views import generic

from .. import exports, forms
from .staff import StaffMixin

FORMATS = ("csv", "xlsx")


class ExportView(StaffMixin, generic.View):
    """GET: one export, made by ``exports.<export>()``."""

    export = ""

    def get(self, request):
        return getattr(exports, self.export)()


class MailingListView(StaffMixin, generic.View):
    """The contacts of active members, filtered by constituency, region, language
    and role: the page says how many people match (a person in two roles of a
    member counts once, and is one row with both); its buttons download them as CSV or
    XLSX. Bad filters are shown on the form (as typed); filters that match nobody
    give no empty file: the page says so instead."""

    template_name = "review/mailing_list.html"

    def get(self, request):
        form = forms.MailingListForm(request.GET)
        context = {"form": form, "count": None, "asked": request.GET.get("format") in FORMATS}
        if form.is_valid():
            contacts = exports.mailing_list(**form.cleaned_data)
            context["count"] = count = exports.people_count(contacts)
            wanted = request.GET.get("format")
            if wanted in FORMATS and count:
                table = exports.contacts_table(contacts, name="mailing-list", people=True)
                if wanted == "xlsx":
                    return exports.xlsx_response([table], "mailing-list.xlsx")
                return exports.csv_response(table)
        return render(request, self.template_name, context)
