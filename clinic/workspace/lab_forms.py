"""The lab's result upload: DocumentFormField checks and cleans the file (an image or a
PDF, size and page limits) as the admin's form does; lab_report_attach stores it."""

from django import forms

from clinic.core.uploads import DocumentFormField
from clinic.portal.forms import BootstrapMixin


class LabResultForm(BootstrapMixin, forms.Form):
    file = DocumentFormField(label="Result file", help_text="An image or PDF from the lab.")

    def __init__(self, *args, report, **kwargs):
        # One form per queue row: the prefix keeps each row's ids apart.
        super().__init__(*args, prefix=f"report-{report.pk}", **kwargs)
