"""The authorisation matrix of the staff pages: the route table of the
binary (hotlined --routes) is exactly staff_routes.expected, and every
route answers every role as the table says: allowed -> anything but 403,
denied -> 403; without a session -> a redirect to the login page.
"""
from pathlib import Path

from staff_fixture import ROLES, StaffClient, audit_rows, parse_routes, staff_routes

EXPECTED = Path(__file__).with_name("staff_routes.expected")


def expected_routes():
    return parse_routes(EXPECTED.read_text())


def test_route_table_is_the_expected_one():
    binary = set(staff_routes())
    expected = set(expected_routes())
    assert binary, "hotlined --routes printed nothing"
    extra = sorted(binary - expected)
    missing = sorted(expected - binary)
    assert not extra and not missing, (
        "hotlined --routes and staff_routes.expected differ:\n"
        + "".join(f"  in the binary only: {r.name} {r.method} {r.pattern} {','.join(sorted(r.roles))}\n"
                  for r in extra)
        + "".join(f"  in the file only:   {r.name} {r.method} {r.pattern} {','.join(sorted(r.roles))}\n"
                  for r in missing))
    names = [r.name for r in binary]
    assert len(names) == len(set(names)), "route names are not unique"
    for r in binary:
        assert r.roles == {"public"} or r.roles <= set(ROLES), r


def concrete(pattern):
    """A path for the pattern: "*" becomes a segment that names nothing."""
    return pattern[:-1] + "no-such-thing" if pattern.endswith("/*") else pattern


def request(client, route):
    path = concrete(route.pattern)
    if route.method == "GET":
        return client.get(path)
    return client.post(path, {})


def ordered(routes):
    # logout last: it ends the session the other requests need
    return sorted(routes, key=lambda r: (r.name == "logout", r.name))


def test_every_route_for_every_role(staff_hotline):
    routes = [r for r in ordered(staff_routes()) if "public" not in r.roles]
    assert routes
    anonymous = StaffClient(staff_hotline)
    anonymous.login_form()  # a pre-login cookie is not a session
    for route in routes:
        r = request(anonymous, route)
        assert r.status == 303 and r.location.startswith("/staff/login"), (
            f"{route.name} ({route.method} {route.pattern}) without a session: "
            f"{r.status} {r.location}")
    failures = []
    for role in ROLES:
        client = StaffClient(staff_hotline)
        client.login_as(role)
        for route in routes:
            r = request(client, route)
            allowed = role in route.roles
            if allowed and r.status == 403:
                failures.append(f"{role}: {route.name} refused (403) but allowed")
            elif not allowed and r.status != 403:
                failures.append(f"{role}: {route.name} answered {r.status} but denied")
            elif allowed and r.status == 303 and r.location.startswith("/staff/login") \
                    and route.name != "logout":
                failures.append(f"{role}: {route.name} sent back to the login page")
    assert not failures, "\n".join(failures)
    # every refusal is in the audit log, under the user and the route
    denied = {(a["login"], a["object"]) for a in audit_rows(staff_hotline)
              if a["action"] == "access.denied"}
    want = {(role, route.name) for role in ROLES for route in routes if role not in route.roles}
    assert want <= denied, f"refusals without an audit row: {sorted(want - denied)[:10]}"


def test_every_post_route_needs_the_csrf_token(staff_hotline):
    """As a role the route allows: without the token, with a wrong one, or
    with the token in the query string only, a POST is refused 403."""
    posts = [r for r in staff_routes() if r.method == "POST" and "public" not in r.roles
             and r.name != "logout"]
    by_role = {}
    for route in posts:
        role = sorted(route.roles)[0]
        if role not in by_role:
            by_role[role] = StaffClient(staff_hotline)
            by_role[role].login_as(role)
        c = by_role[role]
        path = concrete(route.pattern)
        for how, r in (("none", c.post(path, {}, csrf=False)),
                       ("wrong", c.post(path, {"csrf": "ab" * 32})),
                       ("query", c.post(f"{path}?csrf={c.csrf}", {}, csrf=False))):
            assert r.status == 403, f"{route.name} as {role}, token {how}: {r.status}"
    for c in by_role.values():
        assert c.get("/staff/").status == 200  # the session is still there


def test_public_routes_answer_without_a_session(staff_hotline):
    client = StaffClient(staff_hotline)
    for route in staff_routes():
        if "public" not in route.roles or route.method != "GET":
            continue
        r = client.get(concrete(route.pattern))
        assert r.status == 200, f"{route.name}: {r.status}"
