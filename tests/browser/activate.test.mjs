// A new staff member from the administrator's one-time code to a login with
// a second factor (docs/staff.md, "Accounts and activation"): the admin adds
// a custodian and sees an activation code, never a password; the holder
// activates at /staff/activate with a password of their own, enrols the
// authenticator on "My second factor", reads their key fingerprint; a
// compliance manager compares it on /staff/grants and confirms the role;
// the custodian then logs in with password and code. Screenshots at 390 px
// and 1280 px (activate-*).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, SHOTS, launchForStaff, loginAs, logout, totpCode, url } from './common.mjs';

const LOGIN = 'new.custodian';
const PASSWORD = 'a custodian chooses this';

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

async function shoot(page, name) {
	const dir = SHOTS || join(process.cwd(), '..', '..', 'build', 'screenshots');
	mkdirSync(dir, { recursive: true });
	for (const [tag, width, height] of [['390', 390, 844], ['1280', 1280, 800]]) {
		await page.setViewportSize({ width, height });
		await page.screenshot({ path: join(dir, `${name}-${tag}.png`), fullPage: true });
	}
}

// What an authenticator app reads from a screenshot of a QR code (zbarimg).
function readQr(png) {
	const file = join(mkdtempSync(join(tmpdir(), 'hotline-qr-')), 'qr.png');
	writeFileSync(file, png);
	return execFileSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8' }).trim();
}

async function submit(page, selector) {
	const [resp] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
	return resp.status();
}

test('a new staff member activates, enrols TOTP, is confirmed and logs in', async () => {
	// the administrator: a code, no password
	const adminCtx = await browser.newContext({ javaScriptEnabled: false });
	const admin = await adminCtx.newPage();
	await loginAs(admin, BASE, 'admin');
	await admin.goto(url('/staff/admin/users?lang=en'));
	assert.equal(await admin.locator('input[type="password"]').count(), 0);
	await admin.fill('#new-login-field', LOGIN);
	await admin.fill('#new-name', 'New Custodian');
	await admin.check('#role-custodian');
	assert.equal(await submit(admin, '#add-submit'), 200);
	const code = (await admin.textContent('#activation-code')).trim();
	assert.match(code, /^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
	assert.ok(await admin.isVisible('#pending'), 'the custodian role should wait');
	await shoot(admin, 'activate-admin-code');
	await adminCtx.close();

	// the holder: /staff/activate
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await page.goto(url('/staff/activate?lang=en'));
	await shoot(page, 'activate-form');
	// the activation's own TOTP step (for a role held at once that needs a
	// code) offers the same readable QR code of the key it shows
	assert.equal(readQr(await page.locator('#totp-qr').screenshot()).split('?')[1],
		`secret=${(await page.textContent('#totp-secret')).replace(/\s+/g, '')}` +
		'&issuer=Hotline&algorithm=SHA1&digits=6&period=30');
	await page.fill('#login', LOGIN);
	await page.fill('#activation-code', code.toUpperCase().replaceAll('-', ' '));
	await page.fill('#new-password', PASSWORD);
	await page.fill('#new-password-again', 'not the same password');
	assert.equal(await submit(page, '#activate-submit'), 400);
	assert.ok(await page.isVisible('#error'));
	await page.fill('#activation-code', code);
	await page.fill('#new-password', PASSWORD);
	await page.fill('#new-password-again', PASSWORD);
	assert.equal(await submit(page, '#activate-submit'), 200);
	assert.ok(await page.isVisible('#done'));
	await shoot(page, 'activate-done');
	// the code is spent
	await page.goto(url('/staff/activate?lang=en'));
	await page.fill('#login', LOGIN);
	await page.fill('#activation-code', code);
	await page.fill('#new-password', 'someone else trying');
	await page.fill('#new-password-again', 'someone else trying');
	assert.equal(await submit(page, '#activate-submit'), 401);

	// first login: no role in effect yet, so no second factor required
	await loginAs(page, BASE, LOGIN, { password: PASSWORD });
	assert.equal(await page.locator('[data-role="custodian"]').count(), 0);
	await Promise.all([page.waitForNavigation(), page.click('#menu a[href="/staff/account/totp"]')]);
	assert.equal(await page.getAttribute('#totp-state', 'data-enrolled'), 'no');
	// the authenticator reads the QR code as the browser draws it (zbarimg,
	// as a phone would): an otpauth:// link whose secret is the page's
	const decoded = readQr(await page.locator('#totp-qr').screenshot());
	assert.equal(decoded, await page.getAttribute('#totp-uri', 'href'));
	const secret = new URL(decoded).searchParams.get('secret');
	assert.match(secret, /^[A-Z2-7]{32}$/);
	assert.equal(secret, (await page.textContent('#totp-secret')).replace(/\s+/g, ''));
	const step = Math.floor(Date.now() / 1000 / 30);
	await page.fill('#totp-code', totpCode(secret, step * 30));
	await page.fill('#totp-password', PASSWORD);
	await shoot(page, 'activate-totp');
	assert.equal(await submit(page, '#totp-submit'), 200);
	assert.ok(await page.isVisible('#done'));
	// the fingerprint the person reads out to the confirmer
	await Promise.all([page.waitForNavigation(), page.click('#menu a[href="/staff/account/password"]')]);
	const mine = (await page.textContent('#my-fingerprint')).trim();
	assert.match(mine, /^[0-9a-f]{4}( [0-9a-f]{4}){7}$/);
	assert.ok(await page.isVisible('#my-pending'));
	await shoot(page, 'activate-my-password');
	await logout(page);

	// a compliance manager compares it and confirms
	const compCtx = await browser.newContext({ javaScriptEnabled: false });
	const comp = await compCtx.newPage();
	await loginAs(comp, BASE, 'compliance');
	await Promise.all([comp.waitForNavigation(), comp.click('#menu a[href="/staff/grants"]')]);
	const row = comp.locator(`#grants .grant[data-login="${LOGIN}"][data-role="custodian"]`);
	assert.equal((await row.locator('code.fingerprint').textContent()).trim(), mine);
	await shoot(comp, 'activate-grants');
	assert.equal(await Promise.all([comp.waitForNavigation(), row.locator('button.confirm').click()])
		.then(([r]) => r.status()), 200);
	assert.ok(await comp.isVisible('#done'));
	await compCtx.close();

	// now a custodian: the second factor is required, and a wrong code fails
	await page.goto(url('/staff/login?lang=en'));
	await page.fill('#login', LOGIN);
	await page.fill('#password', PASSWORD);
	await page.fill('#code', '000000' === totpCode(secret, (step + 1) * 30) ? '111111' : '000000');
	assert.equal(await submit(page, '#submit'), 401);
	await page.goto(url('/staff/login?lang=en'));
	await page.fill('#login', LOGIN);
	await page.fill('#password', PASSWORD);
	await page.fill('#code', totpCode(secret, (step + 1) * 30));
	await submit(page, '#submit');
	assert.equal(new URL(page.url()).pathname, '/staff/');
	assert.equal(await page.locator('[data-role="custodian"]').count(), 1);
	await shoot(page, 'activate-logged-in');
	await ctx.close();
});
