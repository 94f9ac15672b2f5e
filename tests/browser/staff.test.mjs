// The staff foundation in a real browser: the login page, an administrator
// logging in with a TOTP code, the home page and the accounts page, at
// phone and laptop width (screenshots staff-login, staff-home, staff-admin).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, STAFF, launch, loginAs, logout, shoot, url } from './common.mjs';

let browser;

before(async () => {
	assert.ok(BASE, 'HOTLINE_URL is not set (run tools/browser.sh BUILD)');
	assert.ok(STAFF.password, 'HOTLINE_STAFF is not set (tools/staff-accounts.sh)');
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

test('admin logs in with a TOTP code and sees the accounts', async () => {
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await page.goto(url('/staff/login?lang=ru'));
	assert.equal(await page.getAttribute('html', 'lang'), 'ru');
	await shoot(page, 'staff-login');

	await loginAs(page, BASE, 'admin');
	await shoot(page, 'staff-home');
	const cookies = await ctx.cookies();
	const session = cookies.find((c) => c.name === 'hotline_staff');
	assert.ok(session, 'no session cookie');
	assert.equal(session.httpOnly, true);
	assert.equal(session.sameSite, 'Strict');
	assert.equal(session.path, '/staff');

	await page.click('#menu a[href="/staff/admin/users"]');
	assert.equal(new URL(page.url()).pathname, '/staff/admin/users');
	for (const login of STAFF.logins)
		assert.equal(await page.locator(`#users tr[data-login="${login}"]`).count(), 1, login);
	await shoot(page, 'staff-admin');

	await logout(page);
	assert.equal(new URL(page.url()).pathname, '/staff/login');
	await page.goto(url('/staff/'));
	assert.equal(new URL(page.url()).pathname, '/staff/login', 'the session outlived its logout');
	await ctx.close();
});

test('a wrong password is refused', async () => {
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await page.goto(url('/staff/login'));
	await page.fill('#login', 'operator');
	await page.fill('#password', 'not the password');
	await Promise.all([page.waitForNavigation(), page.click('#submit')]);
	assert.equal(new URL(page.url()).pathname, '/staff/login');
	assert.ok(await page.isVisible('#error'));
	await ctx.close();
});
