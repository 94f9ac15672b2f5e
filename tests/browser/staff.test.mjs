// The staff foundation in a real browser: the login page, an administrator
// logging in with a TOTP code, the home page and the accounts page, at
// phone and laptop width (screenshots staff-login, staff-home, staff-admin).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, STAFF, activate, fitsWidth, launchForStaff, loginAs, logout, shoot, url } from './common.mjs';

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

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

	await Promise.all([page.waitForNavigation(), page.click('#menu a[href="/staff/admin/users"]')]);
	assert.equal(new URL(page.url()).pathname, '/staff/admin/users');
	for (const login of STAFF.logins)
		assert.equal(await page.locator(`#users tr[data-login="${login}"]`).count(), 1, login);
	await shoot(page, 'staff-admin');

	// add an account: a one-time activation code, shown once, no password
	await page.fill('#new-login-field', 'browser.user');
	await page.fill('#new-name', 'Браузер <b>Тест</b>');
	await page.check('#role-registrar');
	await Promise.all([page.waitForNavigation(), page.click('#add-submit')]);
	const code = (await page.textContent('#activation-code')).trim();
	assert.match(code, /^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
	assert.equal(await page.locator('#new-password').count(), 0);
	await shoot(page, 'staff-admin-added');
	await page.goto(url('/staff/admin/users'));
	assert.equal(await page.locator('#users tr[data-login="browser.user"]').count(), 1);
	await page.goto(url('/staff/admin/policy'));
	assert.equal(await page.isChecked('#totp-admin'), true);
	await shoot(page, 'staff-admin-policy');
	// every role's own second-factor page: a fresh secret, shown once
	await Promise.all([page.waitForNavigation(), page.click('#menu a[href="/staff/account/totp"]')]);
	assert.equal(await page.getAttribute('#totp-state', 'data-enrolled'), 'yes');
	assert.match((await page.textContent('#totp-secret')).trim(), /^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/);
	// its QR code, as the browser draws it, reads (zbarimg) as the page's
	// otpauth:// link of the same secret
	const qrFile = join(mkdtempSync(join(tmpdir(), 'hotline-qr-')), 'qr.png');
	await page.locator('#totp-qr').screenshot({ path: qrFile });
	const decoded = execFileSync('zbarimg', ['--quiet', '--raw', qrFile], { encoding: 'utf8' }).trim();
	assert.equal(decoded, await page.getAttribute('#totp-uri', 'href'));
	const secret = (await page.textContent('#totp-secret')).replace(/ /g, '');
	assert.ok(decoded.includes(`secret=${secret}&`), decoded);
	assert.ok((await page.textContent('#totp-qr-title')).trim().length > 0, 'the QR code has no label');
	await shoot(page, 'staff-second-factor');

	await logout(page);
	assert.equal(new URL(page.url()).pathname, '/staff/login');
	await page.goto(url('/staff/'));
	assert.equal(new URL(page.url()).pathname, '/staff/login', 'the session outlived its logout');

	// its holder sets a password of their own, then logs in; the name is
	// shown escaped
	const password = 'browser user password';
	await activate(page, BASE, 'browser.user', code, password);
	await loginAs(page, BASE, 'browser.user', { password });
	assert.equal(await page.textContent('#who .login'), '(browser.user)');
	assert.match(await page.textContent('#who'), /Браузер <b>Тест<\/b>/);
	assert.equal(await page.locator('#who b').count(), 0);
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

test('the staff pages fit a phone in every language, without CSP violations', async () => {
	// measuring needs JavaScript: this context is for the measurement only
	const ctx = await browser.newContext({
		viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true,
		hasTouch: true, javaScriptEnabled: true,
	});
	const page = await ctx.newPage();
	const csp = [];
	page.on('console', (m) => {
		if (/Content Security Policy/i.test(m.text()))
			csp.push(m.text());
	});
	await page.goto(url('/staff/login'));
	await loginAs(page, BASE, 'admin');
	for (const lang of ['kk', 'ru', 'en']) {
		for (const path of ['/staff/', '/staff/admin/users', '/staff/admin/policy',
			'/staff/admin/user/director']) {
			await page.goto(url(`${path}?lang=${lang}`));
			assert.equal(await page.getAttribute('html', 'lang'), lang);
			const { scrollWidth, clientWidth } = await fitsWidth(page);
			assert.ok(scrollWidth <= clientWidth, `${path}?lang=${lang}: ${scrollWidth} > ${clientWidth}`);
		}
	}
	await page.goto(url('/staff/admin/user/director?lang=ru'));
	await shoot(page, 'staff-admin-user');
	assert.deepEqual(csp, []);
	await ctx.close();
});
