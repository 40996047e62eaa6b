"""The certificate PDF (reportlab), made on request from the certificate row: nothing to store,
and a re-download always shows the current holder name and validity."""

import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas

from training.models import Certificate


def render_certificate_pdf(cert: Certificate, verify_url: str) -> bytes:
    out = io.BytesIO()
    width, height = landscape(A4)
    page = canvas.Canvas(out, pagesize=(width, height))
    page.setTitle(f"Certificate {cert.code}")
    page.setAuthor("DealerMall partner academy")
    page.setLineWidth(3)
    page.rect(1.5 * cm, 1.5 * cm, width - 3 * cm, height - 3 * cm)
    page.setFont("Helvetica", 16)
    page.drawCentredString(width / 2, height - 4.5 * cm, "DealerMall partner academy")
    page.setFont("Helvetica-Bold", 32)
    page.drawCentredString(width / 2, height - 7 * cm, "Certificate of completion")
    page.setFont("Helvetica", 18)
    page.drawCentredString(width / 2, height - 9.5 * cm, "This certifies that")
    page.setFont("Helvetica-Bold", 26)
    page.drawCentredString(width / 2, height - 11.2 * cm, cert.holder_name)
    page.setFont("Helvetica", 18)
    page.drawCentredString(width / 2, height - 12.8 * cm, "has completed the course")
    page.setFont("Helvetica-Bold", 22)
    page.drawCentredString(width / 2, height - 14.4 * cm, cert.course.title)
    page.setFont("Helvetica", 12)
    issued = timezone.localtime(cert.issued_at).date().isoformat()
    validity = f"valid until {timezone.localtime(cert.expires_at).date().isoformat()}" if cert.expires_at else "no expiry"
    page.drawString(2.5 * cm, 3.2 * cm, f"Issued {issued} ({validity})")
    page.drawString(2.5 * cm, 2.5 * cm, f"Verification code {cert.code} at {verify_url}")
    page.showPage()
    page.save()
    return out.getvalue()
