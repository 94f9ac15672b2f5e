// Shared helpers of the browser tests of the staff pages.
//
// tools/browser.sh starts a stack (tools/stack.sh), makes the staff accounts
// (tools/staff-accounts.sh: one per role, the login being the role name,
// e.g. "operator", "director"; one password; TOTP required for compliance,
// director, alternate, custodian and admin with known secrets; each case
// sealed to whoever its rules entitle, docs/keys.md) and runs node --test with
//   HOTLINE_URL          the base URL, e.g. http://127.0.0.1:PORT/   -> BASE
//   HOTLINE_STAFF        DIR/staff.json {password, logins, totp}     -> STAFF
//   HOTLINE_SCREENSHOTS  where shoot() saves                          -> SHOTS
//   HOTLINE_TEXTS        BUILD/gen/texts.def (the page texts)        -> loadTexts()
//
// Exports:
//   BASE, STAFF, STAFF_PASSWORD, SHOTS
//   url(path)                        absolute URL under BASE
//   launch()                         Debian's chromium, JavaScript off by default
//                                    in newPage({javaScriptEnabled}) as you like
//   launchForStaff()                 launch(), once it has checked that
//                                    tools/browser.sh set BASE and STAFF up
//   totpCode(secretBase32, atSeconds) RFC 6238 (SHA-1, 30 s, 6 digits)
//   totpNow(login)                   the code of login's known secret now
//   freshTotp(login)                 a code the daemon has not seen yet
//                                    (waits for the next 30 s step if needed)
//   loginAs(page, baseUrl, login, {password, next})
//                                    fills the login form (and the TOTP code
//                                    when the login needs one), submits, and
//                                    checks that the staff home (or next) opened
//   logout(page)                     the logout button of the page header
//   activate(page, baseUrl, login, code, password)
//                                    the holder's step at /staff/activate: fills
//                                    login, one-time code and the new password
//                                    twice, submits, checks it was taken
//   shoot(page, name)                build/screenshots/NAME-phone.png (375x812)
//                                    and NAME-laptop.png (1280x800), full page
//   loadTexts()                      {M_ID: {kk, ru, en}} from texts.def (throws
//                                    unless it read every MSG row)
//   shownText(page, selector)        the element's text, white space folded
//   fitsWidth(page)                  {scrollWidth, clientWidth} of the page (needs a
//                                    context with javaScriptEnabled: true)
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.HOTLINE_URL || '';
export const SHOTS = process.env.HOTLINE_SCREENSHOTS || '';
const STAFF_FILE = process.env.HOTLINE_STAFF || '';
export const STAFF = STAFF_FILE && existsSync(STAFF_FILE)
	? JSON.parse(readFileSync(STAFF_FILE, 'utf8'))
	: { password: '', logins: [], totp: {} };
export const STAFF_PASSWORD = STAFF.password;

export function url(path) {
	return new URL(path, BASE).href;
}

export async function launch() {
	return chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', '--no-first-run'],
	});
}

export async function launchForStaff() {
	assert.ok(BASE, 'HOTLINE_URL is not set (run tools/browser.sh BUILD)');
	assert.ok(STAFF.password, 'HOTLINE_STAFF is not set (tools/staff-accounts.sh)');
	return launch();
}

function base32Decode(text) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0, value = 0;
	const out = [];
	for (const ch of text.replace(/=+$/, '').toUpperCase()) {
		const i = alphabet.indexOf(ch);
		if (i < 0)
			throw new Error(`not base32: ${text}`);
		value = (value << 5) | i;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

export function totpCode(secret, at) {
	const counter = Math.floor(at / 30);
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(counter));
	const mac = createHmac('sha1', base32Decode(secret)).update(msg).digest();
	const off = mac[mac.length - 1] & 0x0f;
	const v = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
	return String(v).padStart(6, '0');
}

export function totpNow(login) {
	return totpCode(STAFF.totp[login], Date.now() / 1000);
}

// The last step used per login, in a file next to staff.json: test files
// run as separate processes, and the daemon accepts a step only once.
function stepFile(login) {
	return join(dirname(STAFF_FILE), `totp-step-${login}`);
}

export async function freshTotp(login) {
	for (;;) {
		const now = Date.now() / 1000;
		const step = Math.floor(now / 30);
		let last = 0;
		try {
			last = Number(readFileSync(stepFile(login), 'utf8')) || 0;
		} catch { /* none yet */ }
		const candidate = Math.max(step - 1, last + 1);
		if (candidate <= step + 1 && !(candidate === step - 1 && now % 30 > 25)) {
			writeFileSync(stepFile(login), String(candidate));
			return totpCode(STAFF.totp[login], candidate * 30);
		}
		await new Promise((r) => setTimeout(r, (30 - (now % 30) + 0.2) * 1000));
	}
}

export async function loginAs(page, baseUrl, login, { password = STAFF_PASSWORD, next = '' } = {}) {
	const loginUrl = new URL('/staff/login' + (next ? `?next=${encodeURIComponent(next)}` : ''), baseUrl).href;
	await page.goto(loginUrl);
	await page.fill('#login', login);
	await page.fill('#password', password);
	if (STAFF.totp[login])
		await page.fill('#code', await freshTotp(login));
	await Promise.all([page.waitForNavigation(), page.click('#submit')]);
	const where = new URL(page.url()).pathname;
	assert.equal(where, next || '/staff/', `login as ${login} did not open ${next || '/staff/'} (at ${page.url()})`);
	assert.match(await page.textContent('#who'), new RegExp(`\\(${login}\\)`));
}

export async function activate(page, baseUrl, login, code, password) {
	await page.goto(new URL('/staff/activate', baseUrl).href);
	await page.fill('#login', login);
	await page.fill('#activation-code', code);
	await page.fill('#new-password', password);
	await page.fill('#new-password-again', password);
	await Promise.all([page.waitForNavigation(), page.click('#activate-submit')]);
	assert.ok(await page.isVisible('#done'), `activation of ${login} not taken (at ${page.url()})`);
}

export async function logout(page) {
	await Promise.all([page.waitForNavigation(), page.click('#logout')]);
}

export async function shoot(page, name) {
	const dir = SHOTS || join(process.cwd(), '..', '..', 'build', 'screenshots');
	mkdirSync(dir, { recursive: true });
	const before = page.viewportSize();
	await page.setViewportSize({ width: 375, height: 812 });
	await page.screenshot({ path: join(dir, `${name}-phone.png`), fullPage: true });
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.screenshot({ path: join(dir, `${name}-laptop.png`), fullPage: true });
	if (before)
		await page.setViewportSize(before);
}

export function loadTexts() {
	const src = readFileSync(process.env.HOTLINE_TEXTS, 'utf8');
	const lit = '"(?:[^"\\\\]|\\\\.)*"';
	const row = new RegExp(`^MSG\\((M_\\w+),\\s*(${lit}),\\s*(${lit}),\\s*(${lit})\\)\\s*$`, 'gm');
	const out = {};
	for (const m of src.matchAll(row))
		out[m[1]] = { kk: JSON.parse(m[2]), ru: JSON.parse(m[3]), en: JSON.parse(m[4]) };
	const rows = src.split('\n').filter((l) => l.startsWith('MSG(')).length;
	if (Object.keys(out).length !== rows)
		throw new Error(`${process.env.HOTLINE_TEXTS}: read ${Object.keys(out).length} of ${rows} MSG rows`);
	return out;
}

export async function shownText(page, selector) {
	return ((await page.locator(selector).textContent()) || '').replace(/\s+/g, ' ').trim();
}

export async function fitsWidth(page) {
	return page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		clientWidth: document.documentElement.clientWidth,
	}));
}
