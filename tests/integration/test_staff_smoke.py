"""Smoke: every account logs in and sees its home page."""
from staff_fixture import ROLES, StaffClient


def test_every_role_logs_in(staff_hotline):
    for role in ROLES:
        c = StaffClient(staff_hotline)
        c.login_as(role)
        home = c.get("/staff/")
        assert home.status == 200
        assert f"({role})" in home.body
