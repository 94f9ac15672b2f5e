"""Recusal across scripts (KazStandart anti-corruption standard p.7.3; the
internal-affairs standard: whoever is named in a report, or declared a
personal interest, does not investigate it): names compare across Cyrillic
and Latin transliteration, in the report, in the reporter's later messages
and in the declared interests, from the terminal and the director's page.
The pairs of letters are unit-tested in tests/unit/test_names.c."""
import datetime

from conftest import hotlinectl
from helpers import by_id, element_text, marker, submit
from staff_fixture import StaffClient, add_account

ALMATY = datetime.timezone(datetime.timedelta(hours=5))


def today():
    return datetime.datetime.now(ALMATY).date().isoformat()


def ctl(hl, *args):
    return hotlinectl(*args, "--database", hl.admin_conninfo)


def decided(hl, **report):
    rec = submit(hl, identity="named", name="Reporter " + marker("n"), phone="+77015550000",
                 **report)
    for step in (("case", "triage", rec.reg_no, "corruption"),
                 ("case", "decide", rec.reg_no, "investigate", "--doc", "resolution 1")):
        p = ctl(hl, *step)
        assert p.returncode == 0, p.stderr
    return rec


def order(hl, keys, rec, *members):
    args = ["investigation", "order", rec.reg_no, "--order-no", "7-k", "--order-date", today()]
    for m in members:
        args += ["--member", m]
    return ctl(hl, *args, "--case-key", str(keys.case_sec),
               "--passphrase-file", str(keys.passphrase_file))


def investigations(hl):
    (n,), = hl.query("SELECT count(*) FROM hotline.investigations")
    return n


def test_kim_kirill_refused_where_kim_kk_is_named(staff_hotline, keys):
    hl = staff_hotline
    rec = decided(hl, what="Ким К.К. требовал деньги за подпись " + marker("w"))
    p = order(hl, keys, rec, "Kim Kirill|engineer")
    assert p.returncode == 1 and "Kim Kirill is named in the report" in p.stderr, p.stderr
    # the other way round: Latin in the report, Cyrillic for the member
    rec2 = decided(hl, who="Zhumabekov N., head of the warehouse")
    p = order(hl, keys, rec2, "Seitov Daniyar|deputy", "Жұмабеков Нұрлан|бухгалтер")
    assert p.returncode == 1 and "named in the report" in p.stderr, p.stderr
    assert investigations(hl) == 0
    assert order(hl, keys, rec, "Seitov Daniyar|deputy director").returncode == 0
    assert investigations(hl) == 1


def test_named_in_a_reporter_message_or_declared_in_another_script(staff_hotline, keys):
    hl = staff_hotline
    rec = decided(hl, what="Kickback on the roads contract " + marker("w"))
    r = hl.post_form("/status/message", {"receipt": rec.receipt, "lang": "en",
                                         "message": "Ещё: деньги передали Әлиеву М."})
    assert r.status in (200, 303), r.status
    assert hl.query("SELECT count(*) FROM hotline.messages WHERE author = 'reporter'") == [(1,)]
    p = order(hl, keys, rec, "Aliyev Marat|lawyer")
    assert p.returncode == 1 and "messages" in p.stderr, p.stderr
    # a declared interest, written in Cyrillic, stops the Latin spelling too
    assert ctl(hl, "case", "declare-interest", rec.reg_no, "Ким Кирилл", "--case-key",
               str(keys.case_sec), "--passphrase-file",
               str(keys.passphrase_file)).returncode == 0
    p = order(hl, keys, rec, "Kim Kirill|engineer")
    assert p.returncode == 1 and "personal interest" in p.stderr, p.stderr
    # another Kim is another person
    assert order(hl, keys, rec, "Kim Anna|engineer").returncode == 0


def test_the_directors_page_refuses_a_member_named_in_another_script(staff_hotline):
    hl = staff_hotline
    ci = hl.admin_conninfo
    add_account(ci, "kimk", "Kim Kirill", "commission")
    rec = submit(hl, identity="named", name="Reporter", phone="+77015550000",
                 who="Ким К.К., начальник склада")
    comp = StaffClient(hl)
    comp.login_as("compliance")
    assert comp.post(f"/staff/case-triage/{rec.reg_no}", {"outcome": "corruption"}).status == 303
    d = StaffClient(hl)
    d.login_as("director")
    assert d.post(f"/staff/decide/{rec.reg_no}", {"decision": "investigate"}).status == 303
    r = d.post(f"/staff/order/{rec.reg_no}", [("order_no", "45-k"), ("order_date", today()),
                                               ("member", "kimk")])
    assert r.status == 409, r.body[:600]
    # the rule and the member it keeps off, in the reader's language
    said = element_text(r.body, "step-error")
    assert "Член комиссии назван в сообщении" in said
    assert "Член комиссии: Kim Kirill." in said, said
    assert investigations(hl) == 0
    r = d.post(f"/staff/order/{rec.reg_no}", [("order_no", "45-k"), ("order_date", today()),
                                               ("member", "commission")])
    assert r.status == 303, r.body[:600]
    assert investigations(hl) == 1


def test_the_compliance_manager_named_in_a_report_is_warned(staff_hotline):
    hl = staff_hotline
    # the compliance account's display name is "Test Compliance"
    named = submit(hl, what="Тест К. из отдела комплаенса просил деньги " + marker("w"))
    other = submit(hl, what="Someone else asked for money " + marker("w"))
    c = StaffClient(hl)
    c.login_as("compliance")
    page = c.get(f"/staff/case/{named.reg_no}?lang=en")
    assert page.status == 200
    assert "steps aside" in element_text(page.body, "you-are-named")
    assert by_id(c.get(f"/staff/case/{other.reg_no}").body, "you-are-named") is None
