"""Reporters' files cleaned of metadata before they are stored (issue 16;
intake/clean.c, docs/http.md "Files cleaned of metadata").

Each test builds a file with known metadata in it (a JPEG with EXIF
artist, camera and GPS position; a PNG with a tEXt author; a PDF with
/Author and /Creator in its Info and an XMP packet; a DOCX and an ODT with
their creator and last editor), checks that the original really carries
it, sends it through the real web form to the real hotlined, then opens the
stored file as the compliance manager does (the case page's link, which
decrypts it) and checks that none of the known values is left, anywhere
in the file (compressed streams and archive members included), while the
content is still there (the picture's size, the PDF's text, the
document's text). A file that cannot be cleaned (a broken JPEG, or mat2
made unavailable in the config) is kept byte for byte and marked so on
the staff case page.

The files are built with what mat2 itself depends on (python3-gi with
GdkPixbuf and Poppler, exiftool): mat2 is in tools/packages.txt."""
import io
import re
import subprocess
import zipfile
import zlib

import pytest

from helpers import File, element_text, expect_receipt, find_all, marker, report_fields
from staff_fixture import StaffClient

gi = pytest.importorskip("gi")
gi.require_version("GdkPixbuf", "2.0")
gi.require_version("Poppler", "0.18")
from gi.repository import GdkPixbuf, GLib, Poppler  # noqa: E402

MAT2 = "/usr/bin/mat2"
BWRAP = "/usr/bin/bwrap"

NOT_CLEANED = {
    "en": "could not be cleaned of metadata",
    "ru": "не удалось очистить от метаданных",
    "kk": "метадеректерден тазарту мүмкін болмады",
}


# --- what a file holds, everywhere ---

def all_bytes(data):
    """The file's bytes, plus every zip member and every deflated PDF or
    PNG stream inflated: a value hidden in a compressed part counts."""
    parts = [data]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                parts.append(name.encode())
                parts.append(z.read(name))
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        pos = 8
        while pos + 8 <= len(data):
            n = int.from_bytes(data[pos:pos + 4], "big")
            kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
            if kind in (b"zTXt", b"iTXt"):
                try:
                    parts.append(zlib.decompress(body[body.index(b"\0") + 2:]))
                except (ValueError, zlib.error):
                    pass
            pos += 12 + n
    return b"\n".join(parts)


def assert_has_none(data, values):
    everything = all_bytes(data)
    left = [v for v in values if v.encode() in everything]
    assert not left, f"metadata left in the stored file: {left}"


def assert_has_all(data, values):
    everything = all_bytes(data)
    missing = [v for v in values if v.encode() not in everything]
    assert not missing, f"the test's own file lacks {missing}"


# --- the files, built with known metadata ---

def pixbuf(width=64, height=48):
    pb = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, False, 8, width, height)
    pb.fill(0x3366CCFF)
    return pb


def picture_size(data):
    loader = GdkPixbuf.PixbufLoader()
    loader.write(data)
    loader.close()
    pb = loader.get_pixbuf()
    return pb.get_width(), pb.get_height()


def exif_tags(data):
    """The tags exiftool reads in a picture (its own view, beside the bytes)."""
    import json
    p = subprocess.run(["exiftool", "-j", "-n", "-EXIF:all", "-"], input=data,
                       capture_output=True, check=True)
    return json.loads(p.stdout)[0]


def jpeg_with_exif(tmp_path, m):
    path = tmp_path / "photo.jpg"
    ok, data = pixbuf().save_to_bufferv("jpeg", ["quality"], ["90"])
    assert ok
    path.write_bytes(data)
    subprocess.run(["exiftool", "-q", "-overwrite_original", f"-Artist={m}artist",
                    f"-Make={m}make", f"-Model={m}model", f"-Software={m}software",
                    "-GPSLatitude=43.2567", "-GPSLatitudeRef=N", "-GPSLongitude=76.9286",
                    "-GPSLongitudeRef=E", str(path)], check=True)
    return path.read_bytes(), [f"{m}artist", f"{m}make", f"{m}model", f"{m}software"]


def png_with_text(m):
    ok, data = pixbuf().save_to_bufferv("png", ["tEXt::Author", "tEXt::Comment"],
                                        [f"{m}author", f"{m}comment"])
    assert ok
    return data, [f"{m}author", f"{m}comment"]


def pdf_with_info_and_xmp(m):
    """A one-page PDF written by hand: its text in Helvetica, /Author,
    /Creator, /Producer in Info and the same in an XMP packet."""
    text = "Visible evidence text 4711"
    page = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    xmp = (f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
           f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
           f'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           f'<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           f'xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
           f'<dc:creator><rdf:Seq><rdf:li>{m}xmpauthor</rdf:li></rdf:Seq></dc:creator>'
           f'<xmp:CreatorTool>{m}xmptool</xmp:CreatorTool>'
           f'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(page) + page + b"\nendstream",
        b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp) + xmp
        + b"\nendstream",
        f"<< /Author ({m}author) /Creator ({m}creator) /Producer ({m}producer) "
        f"/Title ({m}title) >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    values = [f"{m}author", f"{m}creator", f"{m}producer", f"{m}title", f"{m}xmpauthor",
              f"{m}xmptool"]
    return bytes(out), values, text


def pdf_text(data):
    doc = Poppler.Document.new_from_bytes(GLib.Bytes.new(data), None)
    return doc.get_n_pages(), "".join(doc.get_page(i).get_text()
                                      for i in range(doc.get_n_pages()))


def docx_with_core(m):
    text = "The tender was rigged " + m
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" '
                   'ContentType="application/xml"/><Override PartName="/word/document.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" '
                   'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                   '<Override PartName="/docProps/app.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
                   'org/officeDocument/2006/relationships/officeDocument" '
                   'Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.'
                   'openxmlformats.org/package/2006/relationships/metadata/core-properties" '
                   'Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
                   'Target="docProps/app.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                   f'2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body>'
                   '</w:document>')
        z.writestr("docProps/core.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                   'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                   'xmlns:dcterms="http://purl.org/dc/terms/" '
                   'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                   f'<dc:creator>{m}creator</dc:creator>'
                   f'<cp:lastModifiedBy>{m}editor</cp:lastModifiedBy>'
                   '<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-30T09:14:00Z'
                   '</dcterms:created></cp:coreProperties>')
        z.writestr("docProps/app.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                   f'extended-properties"><Company>{m}company</Company></Properties>')
    return buf.getvalue(), [f"{m}creator", f"{m}editor", f"{m}company"], text


def odt_with_meta(m):
    text = "Cash was handed over in room 5 " + m
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                   'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                   'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                   '<manifest:file-entry manifest:full-path="content.xml" '
                   'manifest:media-type="text/xml"/><manifest:file-entry '
                   'manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
                   '</manifest:manifest>')
        z.writestr("content.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                   'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
                   'office:version="1.2"><office:body><office:text>'
                   f'<text:p>{text}</text:p></office:text></office:body>'
                   '</office:document-content>')
        z.writestr("meta.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><office:document-meta '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                   'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
                   'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2">'
                   f'<office:meta><meta:initial-creator>{m}initial</meta:initial-creator>'
                   f'<dc:creator>{m}creator</dc:creator>'
                   f'<meta:generator>{m}generator</meta:generator>'
                   '</office:meta></office:document-meta>')
    return buf.getvalue(), [f"{m}initial", f"{m}creator", f"{m}generator"], text


# --- through the real form, read back as staff ---

def send(hl, name, data, content_type="application/octet-stream"):
    r = expect_receipt(hl.post_multipart("/report", report_fields(),
                                         [File(name, data, content_type)]))
    return r.reg_no


def stored_files(hl, reg_no, lang="en"):
    """[(li text, downloaded bytes)] of the case's files as compliance sees
    them, the page in lang."""
    c = StaffClient(hl)
    c.login_as("compliance")
    page = c.get(f"/staff/case/{reg_no}?lang={lang}")
    assert page.status == 200, page.body[:300]
    out = []
    for li in find_all(page.body, "li"):
        links = [n for n in li.iter() if n.tag == "a" and "file" in n.classes()]
        if not links:
            continue
        d = c.get(links[0].attrs["href"])
        assert d.status == 200
        out.append((li.clean_text(), d.body.encode("utf-8", "surrogateescape")))
    assert out, "no file on the case page"
    return out


def stored_one(hl, reg_no, lang="en"):
    files = stored_files(hl, reg_no, lang)
    assert len(files) == 1
    return files[0]


def clean_state(hl, reg_no):
    return hl.query("SELECT a.clean_state FROM hotline.attachments a JOIN hotline.cases c "
                    "ON c.id = a.case_id JOIN hotline.journal j ON j.id = c.journal_id "
                    "WHERE j.reg_no = %s", (reg_no,))[0][0]


needs_mat2 = pytest.mark.skipif(not (__import__("os").access(MAT2, __import__("os").X_OK)
                                     and __import__("os").access(BWRAP, __import__("os").X_OK)),
                                reason="mat2 and bubblewrap are not installed (tools/packages.txt)")


@needs_mat2
def test_jpeg_loses_exif_artist_camera_and_gps(staff_hotline, tmp_path):
    hl = staff_hotline
    data, values = jpeg_with_exif(tmp_path, marker("jpg"))
    assert_has_all(data, values)
    tags = exif_tags(data)
    assert abs(tags["GPSLatitude"] - 43.2567) < 0.001 and tags["Artist"] == values[0]
    reg_no = send(hl, "IMG_0001.JPG", data, "image/jpeg")
    text, stored = stored_one(hl, reg_no)
    assert stored != data
    assert_has_none(stored, values)
    assert b"Exif\0\0" not in stored
    left = exif_tags(stored)
    assert not {k for k in left if k.startswith("GPS") or k in ("Artist", "Make", "Model")}, left
    assert picture_size(stored) == (64, 48)
    assert clean_state(hl, reg_no) == "cleaned"
    assert "cleaned of metadata" in text and NOT_CLEANED["en"] not in text
    # only counts in the log, never the file's name
    assert "IMG_0001" not in hl.log()
    assert "1 of 1 files cleaned of metadata" in hl.log()


@needs_mat2
def test_a_jpeg_kept_across_a_returned_form_is_cleaned_too(staff_hotline, tmp_path):
    """A file kept from a form returned for an error (docs/http.md "Files
    kept across a returned form") goes through the same cleaning as a new
    one when the corrected form is sent: its EXIF is gone from the stored
    copy and it is marked cleaned, beside a new file sent with the
    correction."""
    hl = staff_hotline
    data, values = jpeg_with_exif(tmp_path, marker("kept"))
    r = hl.post_multipart("/report", report_fields(what=""), [File("IMG_0002.JPG", data,
                                                                   "image/jpeg")])
    assert r.status == 400
    token = re.search(r'name="kept" value="([0-9a-f]{96})"', r.body)
    assert token, "the returned form keeps no file"
    png, png_values = png_with_text(marker("new"))
    rec = expect_receipt(hl.post_multipart("/report", report_fields(kept=token[1]),
                                           [File("new.png", png, "image/png")]))
    files = stored_files(hl, rec.reg_no)
    assert len(files) == 2
    for text, stored in files:
        assert_has_none(stored, values + png_values)
        assert "cleaned of metadata" in text and NOT_CLEANED["en"] not in text
    assert b"Exif\0\0" not in files[0][1] and picture_size(files[0][1]) == (64, 48)
    states = hl.query("SELECT a.clean_state FROM hotline.attachments a JOIN hotline.cases c "
                      "ON c.id = a.case_id JOIN hotline.journal j ON j.id = c.journal_id "
                      "WHERE j.reg_no = %s", (rec.reg_no,))
    assert sorted(s for (s,) in states) == ["cleaned", "cleaned"]
    assert "2 of 2 files cleaned of metadata" in hl.log()


@needs_mat2
def test_png_loses_text_chunks(staff_hotline):
    hl = staff_hotline
    data, values = png_with_text(marker("png"))
    assert_has_all(data, values)
    reg_no = send(hl, "scan.png", data, "image/png")
    _, stored = stored_one(hl, reg_no)
    assert_has_none(stored, values)
    assert b"tEXt" not in stored
    assert picture_size(stored) == (64, 48)
    assert clean_state(hl, reg_no) == "cleaned"


@needs_mat2
def test_pdf_loses_info_and_xmp_keeps_its_text(staff_hotline):
    hl = staff_hotline
    data, values, text = pdf_with_info_and_xmp(marker("pdf"))
    assert_has_all(data, values)
    assert pdf_text(data) == (1, text)
    reg_no = send(hl, "contract.pdf", data, "application/pdf")
    _, stored = stored_one(hl, reg_no)
    assert_has_none(stored, values)
    assert b"x:xmpmeta" not in all_bytes(stored)
    pages, got = pdf_text(stored)
    assert pages == 1 and text in got  # still text, not a picture of it
    assert clean_state(hl, reg_no) == "cleaned"


@needs_mat2
def test_docx_loses_creator_and_last_editor(staff_hotline):
    hl = staff_hotline
    data, values, text = docx_with_core(marker("docx"))
    assert_has_all(data, values)
    reg_no = send(hl, "memo.docx", data,
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    _, stored = stored_one(hl, reg_no)
    assert_has_none(stored, values)
    with zipfile.ZipFile(io.BytesIO(stored)) as z:
        assert text in z.read("word/document.xml").decode()
    assert clean_state(hl, reg_no) == "cleaned"


@needs_mat2
def test_odt_loses_meta(staff_hotline):
    hl = staff_hotline
    data, values, text = odt_with_meta(marker("odt"))
    assert_has_all(data, values)
    reg_no = send(hl, "notes.odt", data, "application/vnd.oasis.opendocument.text")
    _, stored = stored_one(hl, reg_no)
    assert_has_none(stored, values)
    with zipfile.ZipFile(io.BytesIO(stored)) as z:
        assert text in z.read("content.xml").decode()
    assert clean_state(hl, reg_no) == "cleaned"


@needs_mat2
def test_a_file_that_cannot_be_cleaned_is_kept_and_marked(staff_hotline):
    """A broken JPEG and a format mat2 does not take: both stored byte for
    byte, each marked on the case page in the staff member's language."""
    hl = staff_hotline
    broken = b"\xff\xd8\xff\xe0 not really a picture " + marker("broken").encode()
    other = b"plain bytes of an unknown format " + marker("bin").encode()
    r = expect_receipt(hl.post_multipart("/report", report_fields(), [
        File("photo.jpg", broken, "image/jpeg"), File("dump.bin", other)]))
    for lang in ("en", "ru", "kk"):
        files = stored_files(hl, r.reg_no, lang)
        assert sorted(f[1] for f in files) == sorted([broken, other])
        for li, _ in files:
            assert NOT_CLEANED[lang] in li, (lang, li)
    states = hl.query("SELECT a.clean_state FROM hotline.attachments a JOIN hotline.cases c "
                      "ON c.id = a.case_id JOIN hotline.journal j ON j.id = c.journal_id "
                      "WHERE j.reg_no = %s", (r.reg_no,))
    assert sorted(s for (s,) in states) == ["kept", "kept"]
    assert "0 of 2 files cleaned of metadata, 2 kept as they came" in hl.log()


def test_without_mat2_files_are_kept_and_marked(make_staff_hotline, tmp_path):
    """mat2 missing (here: named wrongly in the config): a JPEG with its
    EXIF is stored exactly as it came, marked for staff, and the daemon
    says at start that it cannot clean."""
    hl = make_staff_hotline(clean_mat2=str(tmp_path / "no-mat2"))
    assert "files cannot be cleaned of metadata" in hl.log()
    data, values = jpeg_with_exif(tmp_path, marker("kept"))
    reg_no = send(hl, "photo.jpg", data, "image/jpeg")
    text, stored = stored_one(hl, reg_no, "ru")
    assert stored == data
    assert NOT_CLEANED["ru"] in text
    assert clean_state(hl, reg_no) == "kept"


def test_cleaning_off_keeps_and_marks(make_staff_hotline):
    hl = make_staff_hotline(clean_files="no")
    data, _ = png_with_text(marker("off"))
    reg_no = send(hl, "scan.png", data, "image/png")
    text, stored = stored_one(hl, reg_no, "kk")
    assert stored == data
    assert NOT_CLEANED["kk"] in text
    assert clean_state(hl, reg_no) == "kept"


@pytest.mark.parametrize("lang,words", [
    ("en", ("author", "device", "what a photo shows")),
    ("ru", ("имя автора", "устройство", "видно на фотографии")),
    ("kk", ("автордың аты", "құрылғы", "фотосуретте көрінетін")),
])
def test_the_form_says_what_cleaning_removes_and_what_it_cannot(hotline, lang, words):
    r = hotline.get(f"/?lang={lang}")
    assert r.status == 200
    hint = [p for p in find_all(r.body, "p") if p.attrs.get("id") == "files-cleaned"]
    assert len(hint) == 1
    for w in words:
        assert w in hint[0].clean_text(), (lang, w)


@needs_mat2
def test_a_mailed_jpeg_loses_its_exif_too(make_staff_hotline, tmp_path):
    """The e-mail intake cleans its attachments the same way (in its own
    worker thread), and the staff case page shows the mark."""
    from email.message import EmailMessage

    from conftest import free_port
    from test_mail_intake import HOTLINE, reg_no_of, swaks
    port = free_port()
    hl = make_staff_hotline(lmtp_listen=f"127.0.0.1:{port}", mail_acknowledge="no")
    hl.lmtp_port = port
    data, values = jpeg_with_exif(tmp_path, marker("mail"))
    msg = EmailMessage()
    msg["From"] = "reporter@mail.example.kz"
    msg["To"] = HOTLINE
    msg["Subject"] = "photo"
    msg.set_content("see the photo")
    msg.add_attachment(data, maintype="image", subtype="jpeg", filename="DSC_1234.jpg")
    code, text, out = swaks(hl, data=msg.as_bytes())
    assert code == 250, out
    reg_no = reg_no_of(text)
    li, stored = stored_one(hl, reg_no)
    assert_has_none(stored, values)
    assert picture_size(stored) == (64, 48)
    assert "cleaned of metadata" in li
    assert clean_state(hl, reg_no) == "cleaned"
    assert "DSC_1234" not in hl.log()


@needs_mat2
def test_the_registrars_files_are_cleaned_and_a_broken_one_kept(staff_hotline):
    """A paper appeal's scans entered by the registrar go the same way: a
    DOCX loses its creator, a PDF mat2 cannot read is kept byte for byte
    (read back from the sandbox's folder: the staff upload spool is read
    once) and marked."""
    from test_registrar import appeal_fields, registrar
    hl = staff_hotline
    docx, values, text = docx_with_core(marker("reg"))
    broken = b"%PDF-1.4 scanned letter, cut short " + marker("cut").encode()
    c = registrar(hl)
    r = c.post("/staff/register", appeal_fields(),
               files=[File("letter.docx", docx), File("scan.pdf", broken, "application/pdf")])
    assert r.status == 200, r.body[:300]
    reg_no = element_text(r.body, "reg-no")
    files = {li.split(" ")[0]: (li, data) for li, data in stored_files(hl, reg_no)}
    li, stored = files["letter.docx"]
    assert_has_none(stored, values)
    with zipfile.ZipFile(io.BytesIO(stored)) as z:
        assert text in z.read("word/document.xml").decode()
    assert "cleaned of metadata" in li and NOT_CLEANED["en"] not in li
    li, stored = files["scan.pdf"]
    assert stored == broken and NOT_CLEANED["en"] in li
    assert "1 of 2 files cleaned of metadata, 1 kept as they came" in hl.log()


def test_a_clear_copy_left_by_a_crash_is_removed_at_start(make_staff_hotline, tmp_path):
    """A crash while mat2 ran leaves the clear file in clean_dir: the next
    start overwrites and removes it; a folder young enough to be another
    instance's cleaning now is left alone."""
    import os
    import time
    shm = tmp_path / "shm"
    shm.mkdir(mode=0o700)
    old = shm / "hotline-clean-AbC123"
    old.mkdir(mode=0o700)
    (old / "file.jpg").write_bytes(b"clear bytes of a reporter's photo")
    long_ago = time.time() - 3600
    os.utime(old, (long_ago, long_ago))
    young = shm / "hotline-clean-XyZ789"
    young.mkdir(mode=0o700)
    other = shm / "not-ours"
    other.mkdir()
    os.utime(other, (long_ago, long_ago))
    hl = make_staff_hotline(clean_dir=str(shm))
    assert not old.exists()
    assert young.exists() and other.exists()
    assert "removed 1 folder(s) left in clean_dir by a crash" in hl.log()


@needs_mat2
def test_a_followup_messages_files_are_cleaned_too(staff_hotline):
    """A file added later with a message on /status goes the same way: a
    PNG loses its text chunks, a broken PDF is kept and marked."""
    hl = staff_hotline
    r = expect_receipt(hl.post_form("/report", report_fields()))
    # the status page's message form says what the report form says
    page = hl.post_form("/status", {"receipt": r.receipt, "lang": "ru"})
    assert page.status == 200, page.body[:300]
    hint = [p for p in find_all(page.body, "p") if p.attrs.get("id") == "files-cleaned"]
    assert len(hint) == 1 and "видно на фотографии" in hint[0].clean_text()
    png, values = png_with_text(marker("later"))
    broken = b"%PDF-1.4 only the start " + marker("later").encode()
    m = hl.post_multipart("/status/message",
                          {"receipt": r.receipt, "message": "one more photo", "lang": "en"},
                          [File("later.png", png, "image/png"),
                           File("later.pdf", broken, "application/pdf")])
    assert m.status == 303, m.body[:300]
    files = {li.split(" ")[0]: (li, data) for li, data in stored_files(hl, r.reg_no)}
    li, stored = files["later.png"]
    assert_has_none(stored, values)
    assert picture_size(stored) == (64, 48)
    assert "cleaned of metadata" in li and NOT_CLEANED["en"] not in li
    li, stored = files["later.pdf"]
    assert stored == broken and NOT_CLEANED["en"] in li
    states = hl.query("SELECT a.clean_state FROM hotline.attachments a "
                      "WHERE a.message_id IS NOT NULL ORDER BY a.id")
    assert [s for (s,) in states] == ["cleaned", "kept"]


@needs_mat2
def test_a_followup_mails_attachments_are_cleaned_too(make_staff_hotline, tmp_path):
    """A mail that joins its case by quoting the receipt: its JPEG loses
    its EXIF as the first mail's would."""
    from email.message import EmailMessage

    from conftest import free_port
    from test_mail_intake import HOTLINE, swaks
    port = free_port()
    hl = make_staff_hotline(lmtp_listen=f"127.0.0.1:{port}", mail_acknowledge="no")
    hl.lmtp_port = port
    r = expect_receipt(hl.post_form("/report", report_fields()))
    data, values = jpeg_with_exif(tmp_path, marker("fmail"))
    msg = EmailMessage()
    msg["From"] = "reporter@mail.example.kz"
    msg["To"] = HOTLINE
    msg["Subject"] = r.reg_no
    msg.set_content(f"One more photo. My code is {r.receipt.replace(' ', '-')}.")
    msg.add_attachment(data, maintype="image", subtype="jpeg", filename="later.jpg")
    code, text, out = swaks(hl, data=msg.as_bytes())
    assert code == 250, out
    assert hl.query("SELECT count(*) FROM hotline.messages")[0][0] == 1, text
    li, stored = stored_one(hl, r.reg_no)
    assert_has_none(stored, values)
    assert picture_size(stored) == (64, 48)
    assert "cleaned of metadata" in li


def many_pages_pdf(n):
    """A PDF of n pages sharing one content stream: mat2 draws every page
    again, which takes seconds for thousands."""
    page = b"BT /F1 12 Tf 72 720 Td (page text) Tj ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (5 + i) for i in range(n))
            + b"] /Count %d >>" % n,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n" % len(page) + page + b"\nendstream"]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
             b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"] * n
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


@needs_mat2
def test_a_cleaning_that_hangs_is_stopped_and_the_file_kept(make_staff_hotline, tmp_path):
    """clean_timeout bounds the sandbox: mat2 on a PDF of 60,000 pages
    (0.4 s per 4,000 pages on an idle 2-core machine, so about 6 s) is
    killed after 1 s, the file is kept byte for byte and marked, the report
    is registered, and nothing of the file is left in clean_dir."""
    import os
    shm = tmp_path / "shm"
    shm.mkdir(mode=0o700)
    hl = make_staff_hotline(clean_timeout="1", clean_dir=str(shm), max_file_bytes="16M",
                            max_body_bytes="20M")
    data = many_pages_pdf(60000)
    reg_no = send(hl, "long.pdf", data, "application/pdf")
    li, stored = stored_one(hl, reg_no)
    assert stored == data and NOT_CLEANED["en"] in li
    assert "mat2 took over 1 s, stopped" in hl.log()
    assert os.listdir(shm) == []


@needs_mat2
def test_nothing_is_left_in_clean_dir(make_staff_hotline, tmp_path):
    import os
    shm = tmp_path / "shm"
    shm.mkdir(mode=0o700)
    hl = make_staff_hotline(clean_dir=str(shm))
    data, values = png_with_text(marker("left"))
    reg_no = send(hl, "scan.png", data, "image/png")
    _, stored = stored_one(hl, reg_no)
    assert_has_none(stored, values)
    assert os.listdir(shm) == []


def wait_log(hl, text, seconds=20):
    import time
    end = time.time() + seconds
    while text not in hl.log():
        assert time.time() < end, f"{text!r} not in the log"
        time.sleep(0.2)


@needs_mat2
def test_the_log_says_at_start_whether_the_sandbox_works(make_staff_hotline):
    """A test picture is cleaned off the loop at start: the log says the
    sandbox works, or warns when it does not (a bwrap that fails, as one
    forbidden its namespaces would), and then files are kept and marked."""
    good = make_staff_hotline()
    wait_log(good, "files are cleaned of metadata: a test picture was cleaned")
    assert "files cannot be cleaned" not in good.log()
    bad = make_staff_hotline(clean_bwrap="/usr/bin/false")
    wait_log(bad, "files cannot be cleaned of metadata: a test picture was not cleaned")
    data, _ = png_with_text(marker("nobwrap"))
    reg_no = send(bad, "scan.png", data, "image/png")
    li, stored = stored_one(bad, reg_no)
    assert stored == data and NOT_CLEANED["en"] in li
