"""/xac-minh-ket-qua/: is a result (or a refusal) the province issued genuine and unchanged?

Anyone may ask, without an account: by the QR code printed in the signature on the document (the
dossier code and the document's check code), or by uploading the PDF they were given. The upload is
read, validated against the trust roots (signing.verification) and compared with the register of
issued documents; it is never stored.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop_tayninh.dossiers.selectors import issued_document_by_check_code, issued_document_by_sha256
from onestop_tayninh.security.ratelimit import allow_request
from onestop_tayninh.security.uploads import max_upload_bytes
from onestop_tayninh.signing.verification import Verdict, verify_pdf

VERIFY_LIMIT = 30  # checks per address per window
VERIFY_WINDOW_SECONDS = 600


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp kết quả điện tử (PDF)"),
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
        error_messages={"required": gettext_lazy("Hãy chọn tệp PDF cần xác minh.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(_("Tệp quá lớn để xác minh."))
        return upload


def verify_result(request):
    context: dict = {"form": VerifyForm(), "record": None, "verification": None}
    code, check = request.GET.get("ma", ""), request.GET.get("kt", "")
    if code and check:
        context["record"] = issued_document_by_check_code(code=code, check_code=check)
        context["looked_up"] = True
    if request.method == "POST":
        if not allow_request(request, scope="verify", limit=VERIFY_LIMIT, window_seconds=VERIFY_WINDOW_SECONDS):
            response = render(request, "portal/verify.html", {**context, "limited": True})
            response.status_code = 429
            return response
        form = VerifyForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            verification = verify_pdf(data)
            record = issued_document_by_sha256(hashlib.sha256(data).hexdigest())
            context.update(verification=verification, record=record or context["record"], uploaded=True)
            if verification.genuine and record is None:
                context["unknown"] = True
            context["verdict_class"] = "good" if verification.genuine and record else "bad"
            context["Verdict"] = Verdict
    return render(request, "portal/verify.html", context)
