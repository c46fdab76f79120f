"""The demo's files: small real pictures and documents, drawn from the demo's own random source so
the same seed draws the same bytes. Each is a file a person would upload (a photo of the work, the
customer's signature on the technician's screen, a note of the branch about a claim); the apps check
their real type as they check any upload."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile

#: Colours of devices and walls in the photos (RGB).
_BODY = ((58, 63, 71), (214, 218, 222), (32, 36, 40), (170, 176, 184))
_WALL = ((236, 232, 222), (221, 229, 236), (240, 240, 236))


def work_photo(rng: random.Random, *, after: bool) -> bytes:
    """A JPEG snapshot (320×240) of a unit on site: the device's body, its panel and, after the
    repair, the lit status light."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), rng.choice(_WALL))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 190, 320, 240), fill=(150, 130, 110))  # the desk or the floor
    left, top = rng.randint(50, 90), rng.randint(40, 70)
    right, bottom = left + rng.randint(150, 190), 200
    draw.rectangle((left, top, right, bottom), fill=rng.choice(_BODY), outline=(20, 20, 20), width=2)
    draw.rectangle((left + 12, top + 12, right - 12, top + 50), fill=(30, 60, 90))  # the display
    for slot in range(rng.randint(2, 4)):
        y = top + 70 + slot * 22
        draw.rectangle((left + 16, y, right - 40, y + 10), fill=(90, 90, 90))
    light = (40, 200, 80) if after else (220, 60, 40)
    draw.ellipse((right - 30, bottom - 30, right - 16, bottom - 16), fill=light)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def note_photo(rng: random.Random, *, denomination: int) -> bytes:
    """A PNG of the suspect banknote laid on the sorter's tray, its serial number area circled."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 200), (205, 205, 200))
    draw = ImageDraw.Draw(image)
    colour = (196, 70, 72) if denomination == 100 else (60, 140, 110)
    draw.rounded_rectangle((20, 30, 340, 170), radius=8, fill=colour, outline=(90, 30, 30), width=2)
    draw.ellipse((40, 60, 120, 140), outline=(250, 230, 200), width=3)  # the watermark window
    draw.text((230, 50), str(denomination), fill=(255, 245, 230))
    x = rng.randint(150, 190)
    draw.ellipse((x, 120, x + 130, 162), outline=(255, 255, 0), width=3)  # the serial number, circled
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def signature(rng: random.Random) -> bytes:
    """A PNG of a signature drawn on the screen: a few pen strokes on a transparent canvas."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 150), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    x = 30
    for _stroke in range(rng.randint(2, 3)):
        points = []
        y = rng.randint(50, 100)
        for _step in range(rng.randint(8, 12)):
            points.append((x, y))
            x += rng.randint(6, 14)
            y = max(20, min(130, y + rng.randint(-28, 28)))
        draw.line(points, fill=(20, 30, 90, 255), width=4, joint="curve")
        x += rng.randint(10, 25)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def statement_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF (ReportLab, the CJK font the receipts use), invariant: no creation date, so
    the same text gives the same bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from billing.pdf import register_cjk_font

    font = register_cjk_font()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    width, height = A4
    page.setFont(font, 16)
    page.drawCentredString(width / 2, height - 72, title)
    page.setFont(font, 11)
    y = height - 110
    for line in lines:
        page.drawString(64, y, line)
        y -= 20
    page.showPage()
    page.save()
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    """The bytes as the file a browser would send."""
    return SimpleUploadedFile(name, content, content_type=content_type)
