"""What the commission needs (issue 16), against the real hotlined and
PostgreSQL: a member sees the reporter's files and follow-up messages of the
cases of their investigation only (another member, another investigation:
403, audited); uploads the materials it receives to each of its requests,
stored encrypted like the reporter's files (migrations/0035) and decrypted
back to the same bytes, every step audited; and prints its conclusion as a
document to sign in Kazakh and Russian (staff/commfiles.c,
staff/conclusion.c)."""
import datetime

from conftest import hotlinectl
from helpers import (File, by_id, element_text, find_all, html_lang, marker, pg_dump,
                     random_bytes, submit)
from staff_fixture import StaffClient, add_account, audit_rows
from test_commission import commission_client, ctl, order, today


def add_second_member(hl):
    """Another account with the commission role, to sit elsewhere."""
    add_account(hl.admin_conninfo, "commission2", "Second Member", "commission")


def second_member(hl):
    """The other member, logged in (add_second_member first)."""
    c = StaffClient(hl)
    c.login_as("commission2")
    return c


def raw(resp):
    """The answer's bytes (the client keeps them as text, surrogateescaped)."""
    return resp.body.encode("utf-8", "surrogateescape")


def file_links(body, cls="file"):
    return {n.clean_text(): n.attrs["href"] for n in find_all(body, "a", cls)}


def test_member_sees_the_reporters_files_and_messages_of_its_cases_only(staff_hotline, keys):
    hl = staff_hotline
    report_bytes = random_bytes(3000)
    other_bytes = random_bytes(2000)
    add_second_member(hl)
    mine, _ = order(hl, keys, files=[File("contract-2025.pdf", report_bytes, "application/pdf")])
    other, _ = order(hl, keys, member="Second Member|auditor|commission2",
                     files=[File("other-case.pdf", other_bytes, "application/pdf")])
    follow = "The invoices are in the attached photo " + marker("fu")
    photo = random_bytes(1500)
    r = hl.post_multipart("/status/message", {"receipt": mine.receipt, "message": follow,
                                               "lang": "en"},
                          [File("invoice-photo.jpg", photo, "image/jpeg")])
    assert r.status == 303

    c = commission_client(hl)
    page = c.get(f"/staff/commission/{mine.reg_no}?lang=en")
    assert page.status == 200
    # the report's own file and the follow-up message with its file
    files = file_links(page.body)
    assert "contract-2025.pdf" in files and "invoice-photo.jpg" in files
    assert "contract-2025.pdf" in by_id(page.body, "files").clean_text()
    assert "invoice-photo.jpg" in by_id(page.body, "messages").clean_text()
    assert "other-case.pdf" not in page.body
    msgs = find_all(page.body, "article", "from-reporter")
    assert len(msgs) == 1 and follow in msgs[0].clean_text()
    for name, data in (("contract-2025.pdf", report_bytes), ("invoice-photo.jpg", photo)):
        href = files[name]
        assert href.startswith("/staff/commission-file/")
        got = c.get(href)
        assert got.status == 200 and raw(got) == data, name
        assert name in got.headers["Content-Disposition"]
    downloads = [a for a in audit_rows(hl) if a["action"] == "case.file"]
    assert [a["login"] for a in downloads] == ["commission", "commission"]
    assert all(a["object"].startswith(mine.reg_no + "/") for a in downloads)

    # the file of an investigation they do not sit on: 403, the refusal audited
    other_id = hl.query("SELECT a.id FROM hotline.attachments a JOIN hotline.cases c ON "
                        "c.id = a.case_id JOIN hotline.journal j ON j.id = c.journal_id "
                        "WHERE j.reg_no = %s", (other.reg_no,))[0][0]
    r = c.get(f"/staff/commission-file/{other_id}")
    assert r.status == 403 and other_bytes not in raw(r)
    assert {"login": "commission", "action": "access.denied",
            "object": f"commission.file {other_id}"}.items() <= audit_rows(hl)[-1].items()
    assert c.get("/staff/commission-file/999999").status == 404
    assert c.get("/staff/commission-file/1x").status == 404

    # the other member: their own case's file, not this one's; nor its messages
    c2 = second_member(hl)
    page2 = c2.get(f"/staff/commission/{other.reg_no}")
    assert page2.status == 200 and "other-case.pdf" in file_links(page2.body)
    assert follow not in page2.body
    got = c2.get(file_links(page2.body)["other-case.pdf"])
    assert got.status == 200 and raw(got) == other_bytes
    r = c2.get(files["contract-2025.pdf"])
    assert r.status == 403 and report_bytes not in raw(r)
    assert c2.get(f"/staff/commission/{mine.reg_no}").status == 404
    mine_id = files["contract-2025.pdf"].rsplit("/", 1)[1]
    assert ("commission2", "access.denied", f"commission.file {mine_id}") in \
        [(a["login"], a["action"], a["object"]) for a in audit_rows(hl)]

    # other roles never reach the commission's downloads (the route: 403)
    comp = StaffClient(hl)
    comp.login_as("compliance")
    assert comp.get(files["contract-2025.pdf"]).status == 403
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr


def make_request(c, path, to="Head of accounting", what="Contracts of 2025"):
    r = c.post(path, {"do": "request", "to": to, "what": what})
    assert r.status == 303
    return c.get(path)


def test_materials_are_uploaded_to_a_request_encrypted(staff_hotline, keys):
    hl = staff_hotline
    add_second_member(hl)
    rec, _ = order(hl, keys)
    c = commission_client(hl)
    path = "/staff/commission/" + rec.reg_no
    assert c.post(path, {"do": "start"}).status == 303
    make_request(c, path)
    make_request(c, path, to="HR department", what="Personnel file")
    first, second = [r for (r,) in hl.query("SELECT id FROM hotline.material_requests "
                                            "ORDER BY id")]
    page = c.get(path + "?lang=ru")
    card = by_id(page.body, f"request-{first}")
    assert by_id(page.body, f"material-file-{first}") is not None
    assert "received" not in card.classes()

    name = "explanation-" + marker("nm") + ".pdf"
    data = b"%PDF-1.4 " + random_bytes(200_000)
    r = c.post(path, {"do": "material", "request": str(first), "received": "1"},
               files=[File(name, data, "application/pdf", field="file")])
    assert r.status == 303 and r.location == path, (r.status, r.body[:500])
    assert r.headers["Location"].endswith("#requests")
    # the request is answered: its deadline is met
    assert hl.query("SELECT received_at IS NOT NULL FROM hotline.material_requests "
                    "WHERE id = %s", (first,)) == [(True,)]
    assert hl.query("SELECT met_at IS NOT NULL FROM hotline.deadlines WHERE ref_id = %s",
                    (first,)) == [(True,)]
    # a second file to the other request, leaving it open
    r = c.post(path, {"do": "material", "request": str(second)},
               files=[File("note.txt", b"plain words " + marker("tx").encode(), "text/plain",
                           field="file")])
    assert r.status == 303
    assert hl.query("SELECT received_at IS NULL FROM hotline.material_requests WHERE id = %s",
                    (second,)) == [(True,)]

    # listed on its request: name, size (localized), date, who uploaded it
    page = c.get(path + "?lang=ru")
    card = by_id(page.body, f"request-{first}")
    links = {n.clean_text(): n.attrs["href"] for n in find_all(card, "a", "material")}
    assert list(links) == [name]
    item = find_all(card, "li", "material")[0].clean_text()
    assert "196 КБ" in item and today().strftime("%d.%m.%Y") in item, item
    assert "Test Commission" in item
    assert "note.txt" in by_id(page.body, f"request-{second}").clean_text()
    assert "note.txt" not in card.clean_text()

    # downloaded: the same bytes; stored: neither the bytes nor the name
    got = c.get(links[name])
    assert got.status == 200 and raw(got) == data
    assert got.headers["Content-Type"] == "application/octet-stream"
    stored = hl.query("SELECT m.data, m.meta, m.key_sealed, u.login FROM "
                      "hotline.commission_materials m JOIN hotline.staff_users u "
                      "ON u.id = m.uploaded_by ORDER BY m.id")
    assert len(stored) == 2 and stored[0][3] == "commission"
    blob = bytes(stored[0][0])
    assert data[:64] not in blob and data[100_000:100_064] not in blob
    assert len(blob) > len(data)  # a stream: header and a tag per chunk
    assert name.encode() not in bytes(stored[0][1]) and b"pdf" not in bytes(stored[0][1])
    assert len(bytes(stored[0][2])) == 80  # a content key sealed to the case's key
    dump = pg_dump(hl)
    assert name.encode() not in dump and data[:64] not in dump

    # audited: the upload steps and the download, by ids, never a name
    rows = [a for a in audit_rows(hl) if a["login"] == "commission"]
    assert [a["object"] for a in rows if a["action"] == "investigation.material"] == \
        [rec.reg_no, rec.reg_no]
    mid = links[name].rsplit("/", 1)[1]
    assert [a["object"] for a in rows if a["action"] == "case.material"] == \
        [f"{rec.reg_no}/{mid}"]
    assert not [a for a in audit_rows(hl) if name in a["object"]]

    # no file, a request of nobody: refused with a reason, nothing stored
    r = c.post(path, {"do": "material", "request": str(first)},
               files=[File("", b"", field="file")])
    assert r.status == 422 and by_id(r.body, "error") is not None
    r = c.post(path, {"do": "material", "request": "999999"},
               files=[File("x.txt", b"x", field="file")])
    assert r.status == 422
    assert len(hl.query("SELECT 1 FROM hotline.commission_materials")) == 2

    # another member: 403 on the download, audited; other roles: 403
    c2 = second_member(hl)
    r = c2.get(links[name])
    assert r.status == 403 and data[:64] not in raw(r)
    assert audit_rows(hl)[-1]["action"] == "access.denied"
    assert audit_rows(hl)[-1]["object"] == f"commission.material {mid}"
    assert c2.post(path, {"do": "material", "request": str(first)},
                   files=[File("y.txt", b"y", field="file")]).status == 404
    comp = StaffClient(hl)
    comp.login_as("compliance")
    assert comp.get(links[name]).status == 403

    # submitted: the materials stay listed, no more uploads
    c.post(path, {"do": "conclude", "findings": "Found.", "norms": "Art. 8"})
    assert c.post(path, {"do": "submit"}).status == 303
    page = c.get(path)
    assert by_id(page.body, f"material-file-{first}") is None
    assert name in page.body
    r = c.post(path, {"do": "material", "request": str(first)},
               files=[File("late.txt", b"late", field="file")])
    assert r.status == 422
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr


def test_printable_conclusion_in_kazakh_and_russian(staff_hotline, keys):
    hl = staff_hotline
    ctl(hl, "settings", "set", "organisation", "АО «Тест Энерго»")
    add_second_member(hl)
    rec, _ = order(hl, keys, order_date=datetime.date(2026, 3, 18))
    c = commission_client(hl)
    path = "/staff/commission/" + rec.reg_no
    printable = "/staff/commission-conclusion/" + rec.reg_no
    c.post(path, {"do": "start"})
    # nothing to print before the conclusion is drafted
    assert by_id(c.get(path).body, "print-conclusion") is None
    assert c.get(printable).status == 404
    findings = "The 2025 contracts were signed at twice the market price. " + marker("f")
    norms = "Law on Combating Corruption, art. 8"
    proposed = "A reprimand for the head of procurement " + marker("p")
    assert c.post(path, {"do": "conclude", "findings": findings, "norms": norms,
                         "proposed": proposed}).status == 303
    link = by_id(c.get(path).body, "print-conclusion")
    assert link is not None and link.attrs["href"] == printable

    words = {
        "ru": ("Заключение по результатам служебной проверки",
               f"Обращение, зарегистрированное за № {rec.reg_no} от",
               "Приказ о проведении служебной проверки № 7-k от 18.03.2026",
               "Проект: ещё не представлен руководству.", "(подпись)"),
        "kk": ("Қызметтік тексеру нәтижелері бойынша қорытынды",
               f"№ {rec.reg_no} болып",
               "Қызметтік тексеру жүргізу туралы бұйрық: № 7-k, 18.03.2026 ж.",
               "Жоба: басшылыққа әлі ұсынылмаған.", "(қолы)"),
    }
    for lang, (title, case_line, order_line, draft, signature) in words.items():
        r = c.get(f"{printable}?lang={lang}")
        assert r.status == 200, r.body[:500]
        assert f'<html lang="{lang}"' in r.body
        assert find_all(r.body, "h1")[0].clean_text() == title
        assert element_text(r.body, "concl-org") == "АО «Тест Энерго»"
        # (the page's text folds white space; the number never wraps off its sign)
        assert f"№\u00a0{rec.reg_no}" in r.body
        assert case_line in element_text(r.body, "concl-case")
        assert element_text(r.body, "concl-order") == order_line
        assert element_text(r.body, "concl-draft") == draft
        members = by_id(r.body, "concl-members").clean_text()
        assert "Test Commission" in members and "Omarova Gulnara" in members
        assert element_text(r.body, "concl-findings") == findings
        assert element_text(r.body, "concl-norms") == norms
        assert element_text(r.body, "concl-proposed") == proposed
        assert len(find_all(r.body, "div", "sign")) == 2 and signature in r.body
        assert 'href="/staff/conclusion.css"' in r.body
    # the language follows the pages': the last one chosen (kk) holds
    assert html_lang(c.get(path).body) == "kk"
    assert html_lang(c.get(printable).body) == "kk"

    # submitted: dated, no longer a draft
    assert c.post(path, {"do": "submit"}).status == 303
    r = c.get(f"{printable}?lang=ru")
    assert by_id(r.body, "concl-draft") is None
    assert today().strftime("%d.%m.%Y") in element_text(r.body, "concl-date")
    css = c.get("/staff/conclusion.css")
    assert css.status == 200 and "@media print" in css.body

    # audited by number; another member: 403, audited
    assert [a["object"] for a in audit_rows(hl)
            if a["action"] == "case.conclusion_print"] == [rec.reg_no] * 4
    c2 = second_member(hl)
    r = c2.get(printable)
    assert r.status == 403 and findings not in r.body
    assert audit_rows(hl)[-1]["object"] == f"commission.conclusion {rec.reg_no}"
    comp = StaffClient(hl)
    comp.login_as("compliance")
    assert comp.get(printable).status == 403


def test_files_of_an_attached_appeal_open_for_the_member(staff_hotline, keys):
    hl = staff_hotline
    inv, _ = order(hl, keys)
    data = random_bytes(4000)
    appeal = submit(hl, what="The same tender, another witness " + marker("rel"),
                    files=[File("witness-statement.pdf", data, "application/pdf")])
    loose = submit(hl, what="Unrelated " + marker("other"),
                   files=[File("unrelated.pdf", random_bytes(100), "application/pdf")])
    comp = StaffClient(hl)
    comp.login_as("compliance")
    assert comp.post(f"/staff/case-relate/{appeal.reg_no}", {"to": inv.reg_no}).status == 303
    c = commission_client(hl)
    page = c.get(f"/staff/commission-appeal/{appeal.reg_no}")
    assert page.status == 200
    links = file_links(page.body)
    assert list(links) == ["witness-statement.pdf"]
    got = c.get(links["witness-statement.pdf"])
    assert got.status == 200 and raw(got) == data
    file_id = links["witness-statement.pdf"].rsplit("/", 1)[1]
    assert audit_rows(hl)[-1]["object"] == f"{appeal.reg_no}/{file_id}"
    # an appeal not attached to the investigation: its file is not the member's
    loose_id = hl.query("SELECT a.id FROM hotline.attachments a JOIN hotline.cases c ON "
                        "c.id = a.case_id JOIN hotline.journal j ON j.id = c.journal_id "
                        "WHERE j.reg_no = %s", (loose.reg_no,))[0][0]
    assert c.get(f"/staff/commission-file/{loose_id}").status == 403
