"""Revealing a reporter's identity (docs/reveal.md, staff/identity.c,
workflow/reveal.c, crypto/shares.c) against the real hotlined and
PostgreSQL, M-of-N: a request with its reason, the approval of a second
person; the reporter's /status says so before anything is opened; the
custodian downloads the reveal packet (audited); `hotlinectl unmask` opens
it with 2 of the 3 shares of the unmasking key, off the server, and not
with 1, nor with the director's share on a case naming the director; the
custodian records the opening and /status says it was revealed. Refused
without approval, on self-approval, by the wrong approver. No key that
opens an identity is on the server, and `hotlinectl case show` opens none."""
import json
import random
import re
import subprocess

from conftest import HOTLINED, hotlinectl, reveal_packet, unmask
from helpers import by_id, element_text, marker, submit
from staff_fixture import StaffClient, audit_rows, confirm_role


def ctl(hl, *args):
    p = hotlinectl(*args, "--database", hl.admin_conninfo)
    assert p.returncode == 0, f"hotlinectl {' '.join(map(str, args))}:\n{p.stdout}{p.stderr}"
    return p


def start(make_staff_hotline, keys, **cfg):
    return make_staff_hotline(**cfg)


def almaty_today(hl):
    return hl.query("SELECT to_char((now() AT TIME ZONE 'Asia/Almaty')::date, "
                    "'YYYY-MM-DD')")[0][0]


def named_case(hl, **over):
    name, phone = "Reporter " + marker("n"), "+7701" + str(random.randrange(10**6, 10**7))
    rec = submit(hl, identity="named", name=name, phone=phone, email="rep@example.kz", **over)
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    return rec, name, phone


def login(hl, who):
    c = StaffClient(hl)
    c.login_as(who)
    return c


def ask(client, reg_no, reason="Needed as a witness under art. 8 of the Law " + marker("r"),
        as_role="compliance"):
    r = client.post("/staff/reveal/new", {"case": reg_no, "as": as_role, "reason": reason})
    assert r.status == 303, f"{r.status} {r.body[:600]}"
    m = re.fullmatch(r"/staff/reveal/(\d+)", r.location)
    assert m, r.location
    return m.group(1)


def status_page(hl, rec):
    r = hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"})
    assert r.status == 200
    return r


def actions(hl, rid=None):
    return [(a["login"], a["action"]) for a in audit_rows(hl)
            if a["action"].startswith("reveal.") and (rid is None or a["object"].endswith(
                "/reveal/" + rid))]


def release(client, rid):
    """The custodian downloads the packet of request rid: (response, text)."""
    r = client.post(f"/staff/reveal/release/{rid}", {})
    return r, r.body


def events(hl, rid):
    return [row[0] for row in hl.query(
        "SELECT detail->>'step' FROM hotline.case_events WHERE kind = 'identity_reveal' "
        "AND detail->>'reveal' = %s ORDER BY id", (rid,))]


def test_m_of_n_reveal_end_to_end(make_staff_hotline, keys, tmp_path):
    """Issue 14 acceptance: request -> approve -> the reporter is told ->
    packet (audited) -> 1 share fails, 2 open -> confirm -> revealed."""
    hl = start(make_staff_hotline, keys)
    rec, name, phone = named_case(hl)
    comp, director, custodian = login(hl, "compliance"), login(hl, "director"), login(hl, "custodian")
    reason = "The reporter must be heard as a witness (art. 8) " + marker("r")
    rid = ask(comp, rec.reg_no, reason)
    page = comp.get(f"/staff/reveal/{rid}")
    assert page.status == 200 and element_text(page.body, "reason") == reason
    assert by_id(page.body, "reveal-state").attrs["data-state"] == "requested"
    # asked for only: the reporter is not told yet, there is nothing decided
    assert by_id(status_page(hl, rec).body, "identity-notice") is None

    # no approval: no packet, and the attempt is recorded
    r, body = release(custodian, rid)
    assert r.status == 422 and by_id(body, "error") is not None
    assert "hotline-reveal-packet" not in body
    assert ("custodian", "reveal.refused") in actions(hl, rid)
    assert by_id(custodian.get(f"/staff/reveal/{rid}").body, "download-packet") is None

    # the second person approves: the reporter sees it from now on, before
    # anything is released or opened
    page = director.get(f"/staff/reveal/{rid}")
    assert page.status == 200 and by_id(page.body, "approve") is not None
    assert director.post(f"/staff/reveal/decide/{rid}", {"do": "approve"}).status == 303
    notice = by_id(status_page(hl, rec).body, "identity-notice")
    assert notice is not None
    text = notice.clean_text()
    day = hl.query("SELECT to_char(decided_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD') FROM "
                   "hotline.identity_reveals")[0][0]
    assert "will be revealed to the compliance manager" in text and day in text
    assert "was revealed" not in text
    ru = hl.post_form("/status", {"receipt": rec.receipt, "lang": "ru"})
    assert "комплаенс-менеджеру" in by_id(ru.body, "identity-notice").clean_text()

    # recording an opening before the packet was released: refused
    r = custodian.post(f"/staff/reveal/open/{rid}", {})
    assert r.status == 422 and by_id(r.body, "error") is not None
    assert hl.query("SELECT state FROM hotline.identity_reveals") == [("approved",)]

    # the release: a packet, audited, in the case's timeline; it holds no
    # identity in clear
    page = custodian.get(f"/staff/reveal/{rid}")
    assert by_id(page.body, "download-packet") is not None and by_id(page.body, "confirm-opened") is None
    r, packet = release(custodian, rid)
    assert r.status == 200, r.body[:600]
    assert "attachment" in (r.headers.get("Content-Disposition") or "")
    assert "no-store" in (r.headers.get("Cache-Control") or "")
    assert packet.startswith("hotline-reveal-packet-v1\n")
    assert f"\nrequest {rid}\n" in packet and f"\ncase {rec.reg_no}\n" in packet
    assert "\ndirector-named no\n" in packet
    assert name not in packet and phone not in packet
    binding = re.search(r"^binding ([0-9a-f]{64})$", packet, re.M).group(1)
    assert hl.query("SELECT packet_binding, released_by IS NOT NULL FROM "
                    "hotline.identity_reveals") == [(binding, True)]
    assert ("custodian", "reveal.release") in actions(hl, rid)
    assert events(hl, rid) == ["requested", "approved", "released"]
    page = custodian.get(f"/staff/reveal/{rid}")
    assert element_text(page.body, "packet-binding") == binding
    assert by_id(page.body, "confirm-opened") is not None
    # still "will be revealed": released is not opened
    assert "was revealed" not in by_id(status_page(hl, rec).body, "identity-notice").clean_text()

    path = tmp_path / "packet.txt"
    path.write_text(packet)
    # one share is not enough
    u = unmask(keys, path, roles=("custodian",))
    assert u.returncode != 0
    assert "2 of the 3 are needed" in u.stderr, u.stderr
    assert name not in u.stdout + u.stderr
    # two are: custodian and alternate
    u = unmask(keys, path, roles=("custodian", "alternate"))
    assert u.returncode == 0, u.stderr
    out = json.loads(u.stdout)
    assert out["identity"]["name"] == name and out["identity"]["phone"] == phone
    assert out["identity"]["email"] == "rep@example.kz"
    assert out["binding"] == binding and out["request"] == rid
    # without --json: readable, with the binding to compare
    u = hotlinectl("unmask", "--packet", path, "--share", keys.share["director"],
                   "--passphrase-file", keys.share_pass["director"], "--share",
                   keys.share["alternate"], "--passphrase-file", keys.share_pass["alternate"])
    assert u.returncode == 0, u.stderr
    assert name in u.stdout and binding in u.stdout
    # a wrong passphrase for a share
    u = hotlinectl("unmask", "--packet", path, "--share", keys.share["custodian"],
                   "--passphrase-file", keys.share_pass["alternate"], "--share",
                   keys.share["alternate"], "--passphrase-file", keys.share_pass["alternate"])
    assert u.returncode != 0 and "wrong passphrase" in u.stderr and name not in u.stdout

    # the custodian records the day of the opening: not after today, not
    # before the release
    today = almaty_today(hl)
    for bad in ("2099-01-01", "2020-01-01", "01.12.2026", ""):
        r = custodian.post(f"/staff/reveal/open/{rid}", {"opened_on": bad})
        assert r.status == 422 and by_id(r.body, "error") is not None, bad
    assert hl.query("SELECT state FROM hotline.identity_reveals") == [("approved",)]
    r = custodian.post(f"/staff/reveal/open/{rid}", {"opened_on": today})
    assert r.status == 303, r.body[:600]
    assert hl.query("SELECT state, revealed_by IS NOT NULL FROM hotline.identity_reveals") == \
        [("revealed", True)]
    assert events(hl, rid) == ["requested", "approved", "released", "revealed"]
    text = by_id(status_page(hl, rec).body, "identity-notice").clean_text()
    assert f"was revealed to the compliance manager on {today}" in text, text
    # no packet once opened
    r, body = release(custodian, rid)
    assert r.status == 422 and "hotline-reveal-packet" not in body
    page = comp.get(f"/staff/reveal/{rid}")
    assert by_id(page.body, "reveal-state").attrs["data-state"] == "revealed"
    assert name not in page.body and phone not in page.body

    steps = actions(hl, rid)
    for step in (("compliance", "reveal.request"), ("director", "reveal.approve"),
                 ("custodian", "reveal.release"), ("custodian", "reveal.open")):
        assert step in steps
    for a in audit_rows(hl):
        assert name not in a["object"] and reason not in a["object"]
    log = hl.log()
    assert name not in log and phone not in log
    dump = hl.query("SELECT row_to_json(r)::text FROM hotline.identity_reveals r")[0][0]
    assert name not in dump and phone not in dump
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr


def test_the_directors_share_is_refused_when_the_director_is_named(make_staff_hotline, keys,
                                                                   tmp_path):
    hl = start(make_staff_hotline, keys)
    rec, name, _ = named_case(hl, director_involved="yes")
    assert hl.query("SELECT director_named FROM hotline.cases") == [(True,)]
    comp, alternate, custodian = login(hl, "compliance"), login(hl, "alternate"), login(hl, "custodian")
    rid = ask(comp, rec.reg_no)
    assert alternate.post(f"/staff/reveal/decide/{rid}", {"do": "approve"}).status == 303
    notice = by_id(status_page(hl, rec).body, "identity-notice").clean_text()
    assert "will be revealed to the compliance manager" in notice
    r, packet = release(custodian, rid)
    assert r.status == 200 and "\ndirector-named yes\n" in packet
    path = tmp_path / "packet.txt"
    path.write_text(packet)
    for pair in (("custodian", "director"), ("director", "alternate")):
        u = unmask(keys, path, roles=pair)
        assert u.returncode != 0, pair
        assert "director's share" in u.stderr and "names the director" in u.stderr, u.stderr
        assert name not in u.stdout
    # the packet changed to say the director is not named: its binding fails
    forged = tmp_path / "forged.txt"
    forged.write_text(packet.replace("\ndirector-named yes\n", "\ndirector-named no\n"))
    u = unmask(keys, forged, roles=("custodian", "director"))
    assert u.returncode != 0 and "changed after it was made" in u.stderr and name not in u.stdout
    # the two others open it
    u = unmask(keys, path, roles=("custodian", "alternate"))
    assert u.returncode == 0, u.stderr
    assert json.loads(u.stdout)["identity"]["name"] == name


def test_case_show_opens_no_identity(make_staff_hotline, keys, case_show):
    hl = start(make_staff_hotline, keys)
    rec, name, phone = named_case(hl)
    base = ["case", "show", rec.reg_no, "--database", hl.admin_conninfo, "--case-key",
            keys.case_sec, "--passphrase-file", keys.passphrase_file]
    p = hotlinectl(*base, "--custodian-key", keys.share["custodian"],
                   "--custodian-passphrase-file", keys.share_pass["custodian"])
    assert p.returncode == 2
    assert "no longer opens the reporter's identity" in p.stderr and "unmask" in p.stderr
    assert name not in p.stdout
    p = hotlinectl(*base)
    assert p.returncode == 0, p.stderr
    shown = json.loads(p.stdout)
    assert shown["identity"] == "sealed"
    assert name not in p.stdout and phone not in p.stdout
    # a share is no secret key file either
    p = hotlinectl(*["case", "show", rec.reg_no, "--database", hl.admin_conninfo, "--case-key",
                     keys.share["custodian"], "--passphrase-file", keys.share_pass["custodian"]])
    assert p.returncode != 0 and name not in p.stdout


def test_no_unmasking_secret_on_the_server(make_staff_hotline, keys):
    """hotlined's config names only the public half; a config still naming
    custodian_secret_key is refused with the reason; neither the daemon's
    directory nor the database holds a secret key or a share."""
    hl = start(make_staff_hotline, keys)
    rec, name, _ = named_case(hl)
    conf = hl.config_path.read_text()
    assert "custodian_secret_key" not in conf
    for path in hl.workdir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"hotline-secret-key-v1" not in data and b"hotline-key-share-v1" not in data, path
    for share in keys.share.values():
        wrapped = share.read_text().split("wrapped ")[1].strip()
        assert hl.query("SELECT count(*) FROM hotline.audit_log WHERE object LIKE %s",
                        (f"%{wrapped}%",)) == [(0,)]
    dump = subprocess.run(["pg_dump", "--data-only", "-d", hl.admin_conninfo],
                          capture_output=True, text=True)
    if dump.returncode == 0:
        assert "hotline-secret-key" not in dump.stdout and "hotline-key-share" not in dump.stdout
    # the old key is refused, saying why
    hl.config_path.write_text(conf + f"custodian_secret_key = {hl.workdir}/custodian.sec\n")
    p = subprocess.run([str(HOTLINED), "-c", str(hl.config_path), "-n"], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode != 0
    assert "custodian_secret_key is no longer read" in p.stdout + p.stderr
    assert "never on the server" in p.stdout + p.stderr
    hl.config_path.write_text(conf)


def test_self_approval_and_the_wrong_approver_are_refused(make_staff_hotline, keys):
    hl = start(make_staff_hotline, keys)
    # the director who is also a compliance manager asks, then tries to approve
    ctl(hl, "user", "roles", "director", "director,compliance")
    # a privileged role waits for a second person (migration 0020)
    assert confirm_role(hl.admin_conninfo, "director", "compliance").returncode == 0
    rec, name, _ = named_case(hl)
    director = login(hl, "director")
    rid = ask(director, rec.reg_no)
    r = director.post(f"/staff/reveal/decide/{rid}", {"do": "approve"})
    assert r.status == 403 and by_id(r.body, "error") is not None
    r = director.post(f"/staff/reveal/decide/{rid}", {"do": "reject"})
    assert r.status == 403
    assert hl.query("SELECT state FROM hotline.identity_reveals") == [("requested",)]
    assert ("director", "reveal.refused") in actions(hl, rid)
    assert by_id(status_page(hl, rec).body, "identity-notice") is None

    # the alternate does not decide a case that does not name the director
    alternate = login(hl, "alternate")
    r = alternate.post(f"/staff/reveal/decide/{rid}", {"do": "approve"})
    assert r.status == 404
    # roles that may not decide at all
    for who in ("compliance", "commission", "custodian", "operator"):
        c = login(hl, who)
        assert c.post(f"/staff/reveal/decide/{rid}", {"do": "approve"}).status == 403, who
    assert hl.query("SELECT state FROM hotline.identity_reveals") == [("requested",)]


def test_a_case_naming_the_director_goes_to_the_alternate(make_staff_hotline, keys):
    hl = start(make_staff_hotline, keys)
    rec, name, _ = named_case(hl, director_involved="yes")
    comp, director, alternate = login(hl, "compliance"), login(hl, "director"), login(hl, "alternate")
    rid = ask(comp, rec.reg_no)
    # the director never sees a case that names the director
    assert director.get(f"/staff/reveal/{rid}").status == 404
    assert rec.reg_no not in director.get("/staff/reveal").body
    assert director.post(f"/staff/reveal/decide/{rid}", {"do": "approve"}).status == 404
    r = alternate.post(f"/staff/reveal/decide/{rid}", {"do": "reject"})
    assert r.status == 303
    assert hl.query("SELECT state, decider_role FROM hotline.identity_reveals") == \
        [("rejected", "alternate")]
    assert ("alternate", "reveal.reject") in actions(hl, rid)
    # rejected: the reporter is not told anything, and the custodian cannot open it
    assert by_id(status_page(hl, rec).body, "identity-notice") is None
    custodian = login(hl, "custodian")
    r, body = release(custodian, rid)
    assert r.status in (404, 422) and name not in body and "hotline-reveal-packet" not in body
    r = custodian.post(f"/staff/reveal/open/{rid}", {})
    assert r.status in (404, 422)
    # a new request may follow the rejected one
    ask(comp, rec.reg_no)


def test_requests_are_refused_where_they_make_no_sense(make_staff_hotline, keys):
    hl = start(make_staff_hotline, keys)
    anon = submit(hl)  # anonymous: nothing sealed to reveal
    rec, _, _ = named_case(hl)
    comp = login(hl, "compliance")
    r = comp.post("/staff/reveal/new", {"case": anon.reg_no, "as": "compliance",
                                       "reason": "x"})
    assert r.status == 422 and by_id(r.body, "error") is not None
    r = comp.post("/staff/reveal/new", {"case": rec.reg_no, "as": "compliance", "reason": "  "})
    assert r.status == 422
    r = comp.post("/staff/reveal/new", {"case": "2026-999999", "as": "compliance",
                                       "reason": "x"})
    assert r.status == 422
    # not as a role one does not hold
    r = comp.post("/staff/reveal/new", {"case": rec.reg_no, "as": "commission", "reason": "x"})
    assert r.status == 422
    # a commission member only on a case whose commission they sit on
    com = login(hl, "commission")
    r = com.post("/staff/reveal/new", {"case": rec.reg_no, "as": "commission", "reason": "x"})
    assert r.status == 422
    assert hl.query("SELECT count(*) FROM hotline.identity_reveals") == [(0,)]
    # one open request per case
    ask(comp, rec.reg_no)
    r = comp.post("/staff/reveal/new", {"case": rec.reg_no, "as": "compliance",
                                       "reason": "again"})
    assert r.status == 422
    # escaped where it is shown back
    r = comp.post("/staff/reveal/new", {"case": anon.reg_no, "as": "compliance",
                                       "reason": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in r.body and "&lt;script&gt;" in r.body


def test_the_commission_asks_about_its_own_case(make_staff_hotline, keys, tmp_path):
    hl = start(make_staff_hotline, keys)
    rec, name, _ = named_case(hl)
    ctl(hl, "case", "decide", rec.reg_no, "investigate")
    today = hl.query("SELECT to_char((now() AT TIME ZONE 'Asia/Almaty')::date, "
                     "'YYYY-MM-DD')")[0][0]
    ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "3", "--order-date",
        today, "--member", "Test Commission|member|commission", "--case-key",
        str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))
    com, director, custodian = login(hl, "commission"), login(hl, "director"), login(hl, "custodian")
    page = com.get("/staff/commission/" + rec.reg_no)
    assert by_id(page.body, "reveal") is not None
    rid = ask(com, rec.reg_no, as_role="commission")
    assert director.post(f"/staff/reveal/decide/{rid}", {"do": "approve"}).status == 303
    notice = by_id(status_page(hl, rec).body, "identity-notice").clean_text()
    assert "will be revealed to the commission of the service investigation" in notice
    r, packet = release(custodian, rid)
    assert r.status == 200 and name not in packet
    (tmp_path / "p.txt").write_text(packet)
    u = unmask(keys, tmp_path / "p.txt")
    assert u.returncode == 0 and json.loads(u.stdout)["identity"]["name"] == name, u.stderr
    assert custodian.post(f"/staff/reveal/open/{rid}",
                          {"opened_on": almaty_today(hl)}).status == 303
    notice = by_id(status_page(hl, rec).body, "identity-notice").clean_text()
    assert "was revealed to the commission of the service investigation" in notice
    # the commission's own page never shows it
    assert name not in com.get("/staff/commission/" + rec.reg_no).body
    assert name not in com.get(f"/staff/reveal/{rid}").body


def test_a_request_waits_for_the_triage(make_staff_hotline, keys):
    """Issue 14: before triage nobody has decided whether the director or
    the alternate approves, and the director sees no appeal: a request on an
    untriaged appeal is refused; after the triage it goes to the director."""
    hl = start(make_staff_hotline, keys)
    rec = submit(hl, identity="named", name="Reporter " + marker("n"), phone="+77015550101",
                 director_involved="unknown")
    comp, director = login(hl, "compliance"), login(hl, "director")
    r = comp.post("/staff/reveal/new", {"case": rec.reg_no, "as": "compliance",
                                       "reason": "Needed as a witness"})
    assert r.status == 422
    assert "ещё не разобрано" in by_id(r.body, "error").clean_text()
    assert hl.query("SELECT count(*) FROM hotline.identity_reveals") == [(0,)]
    assert rec.reg_no not in director.get("/staff/reveal").body
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    rid = ask(comp, rec.reg_no)
    assert director.get(f"/staff/reveal/{rid}").status == 200


def test_a_holder_leaves_the_key_is_split_again(make_staff_hotline, keys, tmp_path):
    """deploy/README.md, "When a holder leaves": two remaining holders
    rebuild the same key and split it again (the director's share goes to
    the compliance manager); the new shares open identities sealed before;
    an old share does not combine with the new ones."""
    hl = start(make_staff_hotline, keys)
    rec, name, _ = named_case(hl)
    new = {role: tmp_path / f"new-{role}" for role in ("custodian", "alternate", "compliance")}
    args = ["unmask-reshare"]
    for role in ("custodian", "alternate"):
        args += ["--share", keys.share[role], "--passphrase-file", keys.share_pass[role]]
    args += ["--threshold", "2"]
    for role, path in new.items():
        pp = tmp_path / f"pp-{role}"
        pp.write_text(f"new {role} passphrase\n")
        args += ["--holder", f"{role}:{path}", "--passphrase-file", pp]
    p = hotlinectl(*args)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "destroy every old share" in p.stdout
    packet = tmp_path / "packet.txt"
    packet.write_text(reveal_packet(hl, rec.reg_no, keys.custodian_pub))

    def run(*shares):
        a = ["unmask", "--packet", packet, "--json"]
        for path, pp in shares:
            a += ["--share", path, "--passphrase-file", pp]
        return hotlinectl(*a)

    u = run((new["custodian"], tmp_path / "pp-custodian"),
            (new["compliance"], tmp_path / "pp-compliance"))
    assert u.returncode == 0, u.stderr
    assert json.loads(u.stdout)["identity"]["name"] == name
    # the leaver's old share with a new one: refused, nothing shown
    u = run((keys.share["director"], keys.share_pass["director"]),
            (new["custodian"], tmp_path / "pp-custodian"))
    assert u.returncode != 0 and name not in u.stdout
    assert "not of the same split" in u.stderr, u.stderr
    # one old share is not enough to split it again
    p = hotlinectl("unmask-reshare", "--share", keys.share["director"], "--passphrase-file",
                   keys.share_pass["director"], "--threshold", "2", "--holder",
                   f"director:{tmp_path / 'x1'}", "--passphrase-file", tmp_path / "pp-custodian",
                   "--holder", f"other:{tmp_path / 'x2'}", "--passphrase-file",
                   tmp_path / "pp-custodian")
    assert p.returncode != 0 and "2 of the 3 are needed" in p.stderr
    assert not (tmp_path / "x1").exists() and not (tmp_path / "x2").exists()
