"""The certificate PDF (reportlab), made on request from the certificate row: nothing to store,
and a re-download always shows the current holder name and validity."""

import io

from django.utils import timezone
from django.utils.translation import gettext
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas

from mall.pdf_fonts import pdf_fonts
from training.models import Certificate


def render_certificate_pdf(cert: Certificate, verify_url: str) -> bytes:
    out = io.BytesIO()
    width, height = landscape(A4)
    page = canvas.Canvas(out, pagesize=(width, height))
    # In the downloader's language; a Chinese holder name or course title needs a CJK font anyway.
    regular, bold = pdf_fonts(cert.holder_name, cert.course.title)
    page.setTitle(gettext("Certificate %(code)s") % {"code": cert.code})
    page.setAuthor(gettext("DealerMall partner academy"))
    page.setLineWidth(3)
    page.rect(1.5 * cm, 1.5 * cm, width - 3 * cm, height - 3 * cm)
    page.setFont(regular, 16)
    page.drawCentredString(width / 2, height - 4.5 * cm, gettext("DealerMall partner academy"))
    page.setFont(bold, 32)
    page.drawCentredString(width / 2, height - 7 * cm, gettext("Certificate of completion"))
    page.setFont(regular, 18)
    page.drawCentredString(width / 2, height - 9.5 * cm, gettext("This certifies that"))
    page.setFont(bold, 26)
    page.drawCentredString(width / 2, height - 11.2 * cm, cert.holder_name)
    page.setFont(regular, 18)
    page.drawCentredString(width / 2, height - 12.8 * cm, gettext("has completed the course"))
    page.setFont(bold, 22)
    page.drawCentredString(width / 2, height - 14.4 * cm, cert.course.title)
    page.setFont(regular, 12)
    issued = timezone.localtime(cert.issued_at).date().isoformat()
    if cert.expires_at:
        validity = gettext("valid until %(date)s") % {"date": timezone.localtime(cert.expires_at).date().isoformat()}
    else:
        validity = gettext("no expiry")
    page.drawString(2.5 * cm, 3.2 * cm, gettext("Issued %(date)s (%(validity)s)") % {"date": issued, "validity": validity})
    page.drawString(2.5 * cm, 2.5 * cm, gettext("Verification code %(code)s at %(url)s") % {"code": cert.code, "url": verify_url})
    page.showPage()
    page.save()
    return out.getvalue()
