// The public pages in a real browser (Debian's chromium, playwright-core),
// with JavaScript switched off as many reporters will have it: the report
// form in Kazakh, the receipt, the status page, a follow-up message; the
// phone layout and the error page. The contract is docs/http.md; the texts
// come from the catalogs in po/, as built into BUILD/gen/texts.def.
//   HOTLINE_URL=http://127.0.0.1:PORT/ HOTLINE_SCREENSHOTS=DIR node --test
// (tools/browser.sh starts a stack and runs this.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BASE, SHOTS, loadTexts, url } from './common.mjs';

const TIMEOUT = 15_000;

const LAPTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const PHONE_DEVICE = { viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

const SUBMIT = 'button:not([type]), button[type="submit"], input[type="submit"]';
const RECEIPT_RE = /^\d{4}(?: \d{4}){6}$/;
const REGNO_RE = /^(\d{4})-\d{6}$/;

// The texts of the pages: T.M_FORM_WHAT.kk and so on.
const T = loadTexts();

let browser;

before(async () => {
	assert.ok(BASE, 'HOTLINE_URL is not set (run tools/browser.sh BUILD)');
	assert.ok(Object.keys(T).length > 50, 'could not read the texts (HOTLINE_TEXTS)');
	if (SHOTS)
		mkdirSync(SHOTS, { recursive: true });
	browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
			'--disable-quic',
		],
		timeout: 30_000,
	});
});

after(async () => {
	await browser?.close();
});

async function newPage(options) {
	const context = await browser.newContext({ locale: 'kk-KZ', timezoneId: 'Asia/Almaty', ...options });
	context.setDefaultTimeout(TIMEOUT);
	context.setDefaultNavigationTimeout(TIMEOUT);
	const page = await context.newPage();
	return { context, page };
}

async function shot(page, name) {
	if (!SHOTS)
		return;
	await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function lang(page) {
	return page.locator('html').getAttribute('lang');
}

// The security headers every page carries (docs/http.md).
function checkHeaders(response, what) {
	const h = response.headers();
	assert.match(h['content-type'] ?? '', /^text\/html;\s*charset=utf-8$/i, `${what}: Content-Type`);
	assert.match(h['content-security-policy'] ?? '', /default-src 'none'/, `${what}: Content-Security-Policy`);
	assert.match(h['content-security-policy'] ?? '', /frame-ancestors 'none'/, `${what}: Content-Security-Policy`);
	assert.equal(h['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options`);
	assert.equal(h['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`);
	assert.match(h['cache-control'] ?? '', /no-store/, `${what}: Cache-Control`);
}

async function open(page, path, wantStatus = 200) {
	const response = await page.goto(url(path));
	assert.ok(response, `GET ${path}: no response`);
	assert.equal(response.status(), wantStatus, `GET ${path}: status`);
	checkHeaders(response, `GET ${path}`);
	return response;
}

// Clicks a submit button (no JavaScript: a real form submission) and waits
// until the answer to POST path is loaded; returns that response.
async function submit(page, button, path, wantStatus) {
	const response = page.waitForResponse(
		(r) =>
			r.request().method() === 'POST' &&
			new URL(r.url()).pathname === path &&
			r.frame() === page.mainFrame(),
	);
	const navigated = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
	await button.click();
	const [r] = await Promise.all([response, navigated]);
	await page.waitForLoadState('load');
	assert.equal(r.status(), wantStatus, `POST ${path}: status`);
	checkHeaders(r, `POST ${path}`);
	return r;
}

// A choice field may be a <select> or radio buttons; the contract fixes
// only its name and values.
async function choose(form, name, value) {
	const select = form.locator(`select[name="${name}"]`);
	if ((await select.count()) > 0) {
		await select.selectOption(value);
		return;
	}
	await form.locator(`input[type="radio"][name="${name}"][value="${value}"]`).check();
}

async function chosen(form, name) {
	const select = form.locator(`select[name="${name}"]`);
	if ((await select.count()) > 0)
		return select.inputValue();
	const checked = form.locator(`input[type="radio"][name="${name}"]:checked`);
	return (await checked.count()) > 0 ? checked.getAttribute('value') : '';
}

function field(form, name) {
	return form.locator(`[name="${name}"]:not([type="hidden"])`);
}

// "YYYY-MM-DD HH:MM", now in Asia/Almaty: UTC+5 since 2024-03-01, computed
// as hotlined computes it. Not through Intl: Debian 12's node uses the
// system ICU 72, whose time zone data predates tzdata 2024a and still says
// UTC+6 for Almaty.
function almatyNow() {
	return new Date(Date.now() + 5 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

function minutesApart(a, b) {
	const asUtc = (s) => Date.parse(s.replace(' ', 'T') + ':00Z');
	return Math.abs(asUtc(a) - asUtc(b)) / 60_000;
}

// A 1x1 PNG.
const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
	'base64',
);

// Reads the receipt page, reached by 303 after the POST; returns
// { receipt, regNo }.
async function readReceipt(page) {
	assert.equal(new URL(page.url()).pathname, '/receipt', 'after the POST: the receipt page');
	assert.equal(await lang(page), 'kk', 'receipt page: <html lang>');
	const receipt = (await page.locator('#receipt').textContent()).trim();
	const regNo = (await page.locator('#reg-no').textContent()).trim();
	assert.match(receipt, RECEIPT_RE, 'receipt: 28 digits in 7 groups of 4');
	assert.match(regNo, REGNO_RE, 'reg-no: YYYY-NNNNNN');
	assert.equal(await page.locator('code#receipt').count(), 1, 'the receipt is a <code id="receipt">');
	assert.equal(await page.locator('strong#reg-no').count(), 1, 'the number is a <strong id="reg-no">');
	const year = almatyNow().slice(0, 4);
	assert.equal(regNo.slice(0, 4), year, 'reg-no: the year of registration');
	await page.getByText(T.M_RECEIPT_TITLE.kk).first().waitFor();
	return { receipt, regNo };
}

// Looks the receipt up on /status; leaves the page on the status page.
async function lookUp(page, receipt, regNo) {
	await open(page, '/status');
	assert.equal(await lang(page), 'kk', '/status: <html lang>');
	const form = page.locator('form#status');
	assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'post');
	assert.equal(await form.getAttribute('action'), '/status');
	await field(form, 'receipt').fill(receipt);
	await submit(page, form.locator(SUBMIT), '/status', 200);
	assert.equal(await lang(page), 'kk', 'status page: <html lang>');
	assert.equal((await page.locator('#reg-no').textContent()).trim(), regNo, 'status page: #reg-no');
	const state = page.locator('#state');
	assert.ok(await state.isVisible(), 'status page: #state is shown');
	assert.notEqual((await state.textContent()).trim(), '', 'status page: #state is not empty');
	// kk: as its readers write it, with the zone; the machine value in <time datetime>
	const shown = (await page.locator('#registered-at').textContent()).trim();
	assert.match(shown, /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2} \(Астана уақытымен\)$/, 'status page: #registered-at format');
	const at = await page.locator('#registered-at time').getAttribute('datetime');
	assert.match(at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'status page: #registered-at datetime');
	assert.ok(
		minutesApart(at, almatyNow()) <= 10,
		`status page: #registered-at ${at} is not Asia/Almaty now (${almatyNow()})`,
	);
	assert.equal(await page.locator('section#deadlines').count(), 1, 'status page: section#deadlines');
	assert.equal(await page.locator('section#messages').count(), 1, 'status page: section#messages');
	assert.equal(await page.locator('form#followup').count(), 1, 'status page: form#followup');
}

test('a report in Kazakh without JavaScript: form, receipt, status, follow-up', async () => {
	const { context, page } = await newPage({ javaScriptEnabled: false, viewport: LAPTOP });
	try {
		// Accept-Language kk-KZ picks Kazakh.
		await open(page, '/');
		assert.equal(await lang(page), 'kk', 'GET / with Accept-Language kk-KZ: <html lang>');
		assert.equal(await page.locator('meta[name="viewport"]').count(), 1, 'viewport meta tag');
		await page.getByText(T.M_FORM_TITLE.kk).first().waitFor();

		// The language links, and the cookie they set.
		const nav = page.locator('nav#languages');
		for (const code of ['ru', 'en', 'kk']) {
			const link = nav.locator(`a[href*="lang=${code}"]`);
			assert.equal(await link.count(), 1, `nav#languages: one link to ?lang=${code}`);
			const navigated = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
			await link.click();
			await navigated;
			await page.waitForLoadState('load');
			assert.equal(new URL(page.url()).searchParams.get('lang'), code, `?lang=${code} link`);
			assert.equal(await lang(page), code, `after ?lang=${code}: <html lang>`);
			await page.getByText(T.M_FORM_TITLE[code]).first().waitFor();
			if (code === 'en') {
				// the cookie wins over Accept-Language (kk-KZ)
				await open(page, '/');
				assert.equal(await lang(page), 'en', 'GET / after choosing English: the lang cookie');
			}
		}
		const cookie = (await context.cookies()).find((c) => c.name === 'lang');
		assert.equal(cookie?.value, 'kk', 'cookie lang=kk');
		assert.equal(cookie?.httpOnly, true, 'cookie lang is HttpOnly');
		assert.equal(cookie?.sameSite, 'Lax', 'cookie lang is SameSite=Lax');
		assert.equal(cookie?.path, '/', 'cookie lang has Path=/');

		await open(page, '/');
		assert.equal(await lang(page), 'kk');
		const form = page.locator('form#report');
		assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'post', 'form#report method');
		assert.equal(await form.getAttribute('action'), '/report', 'form#report action');
		assert.equal(await form.getAttribute('enctype'), 'multipart/form-data', 'form#report enctype');
		assert.ok(await page.locator('#limits').isVisible(), 'the limits (#limits) are printed on the form');
		assert.equal(await form.locator('input[type="hidden"][name="lang"]').inputValue(), 'kk', 'hidden lang');
		await shot(page, 'form-laptop-kk');

		const what =
			'Жабдықтау бөлімінің бастығы келісімшартқа қол қою үшін менен 500 000 теңге талап етті.\n' +
			'Ақшаны қолма-қол, кабинетінде беруді сұрады.';
		await field(form, 'what').fill(what);
		await field(form, 'when_where').fill('2025 жылғы 12 наурыз, Алматы қ., бас кеңсе, 3-қабат');
		await field(form, 'who').fill('Жабдықтау бөлімінің бастығы Т. Е. Омаров');
		await choose(form, 'category', 'corruption');
		await choose(form, 'director_involved', 'no');
		await choose(form, 'identity', 'named');
		await field(form, 'name').fill('Сейітова Айгүл Нұрланқызы');
		await field(form, 'phone').fill('+7 701 123 45 67');
		await form
			.locator('input[type="file"][name="files"]')
			.first()
			.setInputFiles({ name: 'шот-фактура.png', mimeType: 'image/png', buffer: PNG });
		await submit(page, form.locator(SUBMIT), '/report', 303);

		const { receipt, regNo } = await readReceipt(page);
		await shot(page, 'receipt-laptop-kk');

		await lookUp(page, receipt, regNo);
		await shot(page, 'status-laptop-kk');

		// A follow-up message in Kazakh.
		const followup = page.locator('form#followup');
		assert.equal(await followup.getAttribute('action'), '/status/message', 'form#followup action');
		assert.equal(await followup.getAttribute('enctype'), 'multipart/form-data', 'form#followup enctype');
		const hidden = await followup.locator('input[type="hidden"][name="receipt"]').inputValue();
		assert.equal(hidden.replace(/[\s-]/g, ''), receipt.replace(/\s/g, ''), 'form#followup hidden receipt');
		const message = 'Қосымша мәлімет: ақшаны 14 наурызда сағат 10:00-де беру керек. Куәгер бар — «Әріптесім».';
		await field(followup, 'message').fill(message);
		// POST/redirect/GET: 303 to /status/sent, whose address has no receipt
		await submit(page, followup.locator(SUBMIT), '/status/message', 303);
		assert.equal(new URL(page.url()).pathname, '/status/sent', 'after the follow-up: the page');
		assert.ok(!page.url().includes(receipt.replace(/\s/g, '')), 'no receipt in the address');
		assert.equal(await lang(page), 'kk', 'after the follow-up: <html lang>');
		assert.ok(await page.locator('#sent').isVisible(), 'after the follow-up: #sent');
		await shot(page, 'status-sent-laptop-kk');
		// the receipt again shows the conversation
		await lookUp(page, receipt, regNo);
		const mine = page.locator('section#messages article.message.from-reporter', { hasText: message });
		assert.equal(await mine.count(), 1, 'the follow-up is listed once in section#messages');
		await shot(page, 'status-followup-laptop-kk');
	} finally {
		await context.close();
	}
});

test('the Kazakh form labels its fields and buttons', async () => {
	const { context, page } = await newPage({ javaScriptEnabled: false, viewport: LAPTOP });
	try {
		await open(page, '/?lang=kk');
		const form = page.locator('form#report');
		const labels = {
			what: T.M_FORM_WHAT.kk,
			when_where: T.M_FORM_WHEN_WHERE.kk,
			who: T.M_FORM_WHO.kk,
			name: T.M_FORM_NAME.kk,
			phone: T.M_FORM_PHONE.kk,
			email: T.M_FORM_EMAIL.kk,
			address: T.M_FORM_ADDRESS.kk,
		};
		const problems = [];
		for (const [name, label] of Object.entries(labels)) {
			const byLabel = form.getByLabel(label);
			const n = await byLabel.count();
			if (n !== 1)
				problems.push(`label "${label}" names ${n} fields, want 1 (${name})`);
			else if ((await byLabel.getAttribute('name')) !== name)
				problems.push(`label "${label}" names field ${await byLabel.getAttribute('name')}, want ${name}`);
		}
		const button = form.getByRole('button', { name: T.M_FORM_SUBMIT.kk });
		if ((await button.count()) !== 1)
			problems.push(`no button named "${T.M_FORM_SUBMIT.kk}"`);
		assert.deepEqual(problems, []);
	} finally {
		await context.close();
	}
});

test('on a phone: no horizontal scroll; a missing field keeps what was typed', async () => {
	// Measuring needs JavaScript: a separate context, for the measurement only.
	{
		const { context, page } = await newPage({ ...PHONE_DEVICE, javaScriptEnabled: true });
		const cspViolations = [];
		page.on('console', (m) => {
			if (/Content Security Policy/i.test(m.text()))
				cspViolations.push(m.text());
		});
		let css = 0;
		page.on('response', (r) => {
			if (new URL(r.url()).pathname === '/style.css' && r.status() === 200)
				css++;
		});
		try {
			for (const code of ['kk', 'ru', 'en']) {
				for (const path of ['/', '/status']) {
					await open(page, `${path}?lang=${code}`);
					const { scrollWidth, clientWidth } = await page.evaluate(() => ({
						scrollWidth: document.documentElement.scrollWidth,
						clientWidth: document.documentElement.clientWidth,
					}));
					assert.ok(
						scrollWidth <= clientWidth,
						`${path}?lang=${code} at ${PHONE.width}px: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`,
					);
					if (code !== 'kk')
						await shot(page, `${path === '/' ? 'form' : 'status-form'}-phone-${code}`);
				}
			}
			assert.ok(css > 0, '/style.css was loaded');
			assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violations');
		} finally {
			await context.close();
		}
	}

	const { context, page } = await newPage({ ...PHONE_DEVICE, javaScriptEnabled: false });
	try {
		await open(page, '/');
		assert.equal(await lang(page), 'kk');
		await shot(page, 'form-phone-kk');

		// A missing field the browser itself cannot catch (the form marks
		// `what` and `category` required, so the browser keeps those from
		// being sent empty): "named" with no way to reach the reporter.
		// 400, the errors, everything typed kept.
		let form = page.locator('form#report');
		const typed = {
			what: 'Маған сыйлық ретінде қымбат телефон ұсынды.\n«Ешкімге айтпа» деді.',
			when_where: 'Кеше, Астана, 2-ғимарат',
			who: 'Директордың орынбасары',
		};
		for (const [name, value] of Object.entries(typed))
			await field(form, name).fill(value);
		await choose(form, 'category', 'gift');
		await choose(form, 'director_involved', 'yes');
		await choose(form, 'identity', 'named');
		await submit(page, form.locator(SUBMIT), '/report', 400);
		assert.equal(await lang(page), 'kk', 'error page: <html lang>');
		const errors = page.locator('#errors');
		assert.ok(await errors.isVisible(), '#errors is shown');
		assert.equal(await errors.getAttribute('role'), 'alert', '#errors has role=alert');
		assert.ok(await page.locator('#error-identity').isVisible(), '#error-identity is shown');
		assert.equal(await page.locator('#error-what').count(), 0, 'no #error-what: it was filled');
		assert.equal(await page.locator('#error-category').count(), 0, 'no #error-category: it was chosen');
		form = page.locator('form#report');
		for (const [name, value] of Object.entries(typed))
			assert.equal(await field(form, name).inputValue(), value, `${name} is kept`);
		assert.equal(await chosen(form, 'category'), 'gift', 'category is kept');
		assert.equal(await chosen(form, 'director_involved'), 'yes', 'director_involved is kept');
		assert.equal(await chosen(form, 'identity'), 'named', 'identity is kept');
		await shot(page, 'form-errors-phone-kk');

		// Corrected: an anonymous report, its receipt and status at phone width.
		await choose(form, 'identity', 'anonymous');
		await submit(page, form.locator(SUBMIT), '/report', 303);
		const { receipt, regNo } = await readReceipt(page);
		await shot(page, 'receipt-phone-kk');
		await lookUp(page, receipt, regNo);
		await shot(page, 'status-phone-kk');
	} finally {
		await context.close();
	}
});

test('contact details left with "anonymous": the form asks which was meant, on a phone, without JavaScript', async () => {
	const { context, page } = await newPage({ ...PHONE_DEVICE, javaScriptEnabled: false });
	try {
		await open(page, '/?lang=ru');
		let form = page.locator('form#report');
		assert.equal(await chosen(form, 'identity'), 'anonymous', '"stay anonymous" is preselected');
		assert.equal((await page.locator('#contact-hint').textContent()).trim(), T.M_FORM_CONTACT_HINT.ru);
		const typed = {
			what: 'Инспектор просил деньги за акт приёмки.',
			when_where: 'Вчера, склад №3',
			who: 'Инспектор Б.',
			phone: '+7 701 555 12 34',
			email: 'reporter@example.kz',
		};
		for (const [name, value] of Object.entries(typed))
			await field(form, name).fill(value);
		await choose(form, 'category', 'corruption');
		await form
			.locator('input[type="file"][name="files"]')
			.first()
			.setInputFiles({ name: 'акт.png', mimeType: 'image/png', buffer: PNG });
		// the reporter typed a phone number and left "stay anonymous" as it was
		await submit(page, form.locator(SUBMIT), '/report', 400);
		assert.equal(await page.locator('#receipt').count(), 0, 'nothing registered: no receipt');
		assert.ok((await page.locator('#errors').textContent()).includes(T.M_ERR_IDENTITY_ASK.ru), '#errors asks');
		assert.equal((await page.locator('#error-identity-ask').textContent()).trim(), T.M_FORM_ASK_QUESTION.ru);
		// the file is kept for the answer, not lost (issue 16; form.test.mjs)
		assert.equal(await page.locator('#files-again').count(), 0, 'nothing asks for the file again');
		assert.equal((await page.locator('#files-kept').textContent()).trim(), T.M_ERR_FILES_KEPT.ru);
		assert.equal((await page.locator('#kept .kept-name').first().textContent()).trim(), 'акт.png');
		form = page.locator('form#report');
		for (const [name, value] of Object.entries(typed))
			assert.equal(await field(form, name).inputValue(), value, `${name} is kept`);
		assert.equal(await chosen(form, 'category'), 'corruption', 'category is kept');
		assert.equal(await chosen(form, 'identity'), '', 'no answer is chosen for the reporter');
		const answers = form.getByLabel(T.M_FORM_ASK_NAMED.ru);
		assert.equal(await answers.count(), 1, 'the answer "give my name" is labelled');
		assert.equal(await form.getByLabel(T.M_FORM_ASK_DROP.ru).count(), 1, 'the answer "drop the details" is labelled');
		await shot(page, 'form-identity-question-phone-ru');
		// no answer: the browser itself keeps the form from being sent
		await form.locator(SUBMIT).first().click();
		assert.equal(new URL(page.url()).pathname, '/report', 'still on the question');
		await answers.check();
		await submit(page, form.locator(SUBMIT), '/report', 303);
		assert.equal(new URL(page.url()).pathname, '/receipt', 'after the POST: the receipt page');
		assert.equal(await lang(page), 'ru', 'receipt page: <html lang>');
		assert.match((await page.locator('#reg-no').textContent()).trim(), REGNO_RE, 'registered');
		assert.match((await page.locator('#receipt').textContent()).trim(), RECEIPT_RE, 'a receipt');
	} finally {
		await context.close();
	}
});
