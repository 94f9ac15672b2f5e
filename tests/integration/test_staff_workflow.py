"""Small things on the staff pages that made the work harder (issue 16):
the report comes before the forms that decide on it; the triage's
question about the director has answers that say what they do (not
"no / yes / no"); the alternate's queue does not say "with the director";
the desks' category labels speak of the reporter in the third person
("The reporter was offered a gift"), the public form's stay in the
first. Acknowledgment only from the case page and the confirmed
declaration of interest: tests/integration/test_director.py and
test_commission.py. Real PostgreSQL, real hotlined."""
from helpers import by_id, find_all, submit
from staff_fixture import StaffClient


def options(body, ident):
    select = by_id(body, ident)
    return [(o.attrs.get("value"), o.clean_text()) for o in select.iter() if o.tag == "option"]


def test_triage_form_after_the_report_with_a_clear_director_question(staff_hotline):
    hl = staff_hotline
    rec = submit(hl, director_involved="unknown")
    c = StaffClient(hl)
    c.login_as("compliance")
    page = c.get(f"/staff/case/{rec.reg_no}?lang=ru")
    body = page.body
    assert body.index('id="content"') < body.index('id="director-named-select"')
    assert "Упомянут ли в сообщении руководитель" in by_id(
        body, "director-named-select").parent.clean_text()
    got = options(body, "director-named-select")
    assert got == [("", "Оставить как есть: руководитель не упомянут"),
                   ("yes", "Изменить: руководитель упомянут")]
    assert len({t for _, t in got}) == len(got)


def test_the_alternates_queue_speaks_to_its_reader(staff_hotline):
    hl = staff_hotline
    rec = submit(hl, director_involved="yes")
    comp = StaffClient(hl)
    comp.login_as("compliance")
    assert comp.post(f"/staff/case-triage/{rec.reg_no}",
                     {"outcome": "corruption"}).status == 303
    a = StaffClient(hl)
    a.login_as("alternate")
    q = a.get("/staff/decisions?lang=ru")
    card = [li for li in find_all(q.body, "li", "card")
            if li.attrs.get("data-reg-no") == rec.reg_no]
    assert len(card) == 1
    text = card[0].clean_text()
    assert "Ожидает вашего решения" in text
    assert "У руководителя" not in text and "руководител" not in text.lower(), text


def test_desk_forms_speak_of_the_reporter_in_the_third_person(staff_hotline):
    hl = staff_hotline
    for role, path in (("operator", "/staff/calls/new"), ("registrar", "/staff/register")):
        c = StaffClient(hl)
        c.login_as(role)
        ru = c.get(path + "?lang=ru").body
        cats = [t for _, t in options(ru, "field-category")]
        assert "Заявителю предложили подарок" in cats, (role, cats)
        assert not any(t.startswith(("Мне ", "Мой ", "Я ")) for t in cats), (role, cats)
        assert "Заявитель не знает" in by_id(ru, "main").clean_text()
        kk = c.get(path + "?lang=kk").body
        assert "Өтініш берушіге сыйлық ұсынылды" in [t for _, t in options(kk, "field-category")]
    # the reporter's own form keeps the first person
    public = hl.get("/?lang=ru").body
    assert "Мне предложили подарок" in public
