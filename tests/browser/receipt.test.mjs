// The receipt cannot be lost by accident (issue 16; docs/http.md "The
// receipt page"), in a real browser with JavaScript off, at phone (390 px)
// and laptop (1366 px) width, in Kazakh and Russian: a report is answered
// 303 to /receipt (the receipt in no URL); the receipt survives a language
// switch, Back, reload and Forward; it prints alone and saves as a file;
// and a wrong receipt on /status stays in its field, the error tied to it.
//   HOTLINE_URL=http://127.0.0.1:PORT/ HOTLINE_SCREENSHOTS=DIR node --test
// (tools/browser.sh starts a stack and runs this.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BASE, SHOTS, loadTexts, url } from './common.mjs';

const TIMEOUT = 15_000;
const SIZES = {
	phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
	laptop: { viewport: { width: 1366, height: 768 } },
};
const OTHER = { kk: 'ru', ru: 'kk' };
const RECEIPT_RE = /^\d{4}(?: \d{4}){6}$/;
const T = loadTexts();

let browser;

before(async () => {
	assert.ok(BASE, 'HOTLINE_URL is not set (run tools/browser.sh BUILD)');
	if (SHOTS)
		mkdirSync(SHOTS, { recursive: true });
	browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
		timeout: 30_000,
	});
});

after(async () => {
	await browser?.close();
});

async function shot(page, name) {
	if (SHOTS)
		await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function text(page, selector) {
	return ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

// What the page shows: its language, path, receipt and number.
async function shown(page) {
	return {
		lang: await page.locator('html').getAttribute('lang'),
		path: new URL(page.url()).pathname,
		receipt: (await page.locator('#receipt').count()) ? await text(page, '#receipt') : null,
		regNo: (await page.locator('#reg-no').count()) ? await text(page, '#reg-no') : null,
	};
}

// The receipt with one digit changed: the Damm check digit catches it.
function typo(receipt) {
	const d = receipt.replace(/ /g, '').split('');
	d[10] = String((Number(d[10]) + 1) % 10);
	return d.join('').replace(/(\d{4})(?=\d)/g, '$1 ');
}

for (const lang of ['kk', 'ru']) {
	for (const [size, device] of Object.entries(SIZES)) {
		test(`${lang}, ${size}: the receipt survives a language switch, Back and reload; prints; saves; a wrong receipt keeps the field`, async () => {
			const context = await browser.newContext({
				javaScriptEnabled: false, locale: 'kk-KZ', timezoneId: 'Asia/Almaty', acceptDownloads: true, ...device,
			});
			context.setDefaultTimeout(TIMEOUT);
			context.setDefaultNavigationTimeout(TIMEOUT);
			const page = await context.newPage();
			const answers = [];
			page.on('response', (r) => {
				if (r.frame() === page.mainFrame())
					answers.push({ method: r.request().method(), path: new URL(r.url()).pathname, status: r.status(), location: r.headers().location });
			});
			try {
				// Send a report.
				await page.goto(url(`/?lang=${lang}`));
				const form = page.locator('form#report');
				await form.locator('textarea[name="what"]').fill(`Сынақ хабарламасы / тестовое сообщение (${lang}, ${size})`);
				await form.locator('select[name="category"]').selectOption('corruption');
				await form.locator('input[type="radio"][name="identity"][value="anonymous"]').check();
				await Promise.all([
					page.waitForURL((u) => u.pathname === '/receipt'),
					form.locator('button[type="submit"], button:not([type])').first().click(),
				]);
				await page.waitForLoadState('load');
				const post = answers.find((a) => a.method === 'POST' && a.path === '/report');
				assert.equal(post?.status, 303, 'POST /report: 303');
				assert.equal(post.location, '/receipt', 'POST /report: to the receipt page');
				const first = await shown(page);
				assert.equal(first.lang, lang, 'receipt page: <html lang>');
				assert.match(first.receipt ?? '', RECEIPT_RE, 'the receipt is shown');
				const digits = first.receipt.replace(/ /g, '');
				assert.ok(!page.url().replace(/\D/g, '').includes(digits.slice(0, 8)), `the receipt is in the URL ${page.url()}`);
				assert.equal(await text(page, 'h1'), T.M_RECEIPT_TITLE[lang]);
				await shot(page, `receipt-${size}-${lang}`);

				// Printing gives the receipt alone.
				await page.emulateMedia({ media: 'print' });
				for (const sel of ['#receipt', '#reg-no', '#registered-at', '#status-at'])
					assert.ok(await page.locator(sel).isVisible(), `printed: ${sel}`);
				for (const sel of ['header', 'footer', '#keep', '#shown-for'])
					assert.ok(!(await page.locator(sel).first().isVisible()), `not printed: ${sel}`);
				await shot(page, `receipt-print-${size}-${lang}`);
				await page.emulateMedia({ media: 'screen' });
				assert.ok(await page.locator('#keep').isVisible(), 'the save link is on the screen');

				// Save as a file: the same receipt, in the page's language.
				const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#save-file').click()]);
				assert.equal(download.suggestedFilename(), `receipt-${first.regNo}.txt`);
				const saved = readFileSync(await download.path(), 'utf8');
				assert.ok(saved.includes(`${T.M_RECEIPT_CODE[lang]}: ${first.receipt}`), `the file has the receipt: ${saved}`);
				assert.ok(saved.includes(first.regNo), 'the file has the number');
				assert.ok(saved.includes(T.M_RECEIPT_ADVICE[lang]), 'the file is in the page\'s language');

				// The other language: the same receipt.
				const other = OTHER[lang];
				await Promise.all([
					page.waitForURL((u) => u.searchParams.get('lang') === other),
					page.locator(`#languages a[hreflang="${other}"]`).click(),
				]);
				const switched = await shown(page);
				assert.deepEqual(switched, { lang: other, path: '/receipt', receipt: first.receipt, regNo: first.regNo }, 'after a language switch');
				assert.equal(await text(page, 'h1'), T.M_RECEIPT_TITLE[other]);
				await shot(page, `receipt-switched-${size}-${other}`);

				// Back: the receipt in the first language, no resubmission.
				const posts = answers.filter((a) => a.method === 'POST').length;
				await page.goBack();
				assert.deepEqual(await shown(page), first, 'after Back');
				await page.reload();
				assert.deepEqual(await shown(page), first, 'after reload');
				// Back again: the empty form (a GET), and Forward: the receipt.
				await page.goBack();
				assert.equal(new URL(page.url()).pathname, '/', 'Back from the receipt: the form');
				assert.equal(await page.locator('form#report').count(), 1, 'the form is shown, not an error');
				await page.goForward();
				assert.deepEqual(await shown(page), first, 'after Forward');
				assert.equal(answers.filter((a) => a.method === 'POST').length, posts, 'nothing was posted again');

				// A wrong receipt on /status stays in its field.
				await page.goto(url(`/status?lang=${lang}`));
				const wrong = typo(first.receipt);
				const field = page.locator('form#status input[name="receipt"]');
				await field.fill(wrong);
				await Promise.all([page.waitForLoadState('load'), page.waitForURL((u) => u.pathname === '/status'), page.locator('form#status button').click()]);
				await page.locator('#error-receipt').waitFor();
				assert.equal(await field.inputValue(), wrong, 'the wrong receipt stays in the field');
				assert.equal(await field.getAttribute('aria-invalid'), 'true');
				assert.equal(await field.getAttribute('aria-describedby'), 'error-receipt');
				assert.equal(await text(page, '#error-receipt'), T.M_STATUS_ERR_TYPO[lang]);
				await shot(page, `status-wrong-receipt-${size}-${lang}`);
				// corrected, it opens the report
				await field.fill(first.receipt);
				await Promise.all([page.waitForLoadState('load'), page.locator('form#status button').click()]);
				await page.locator('#state').waitFor();
				assert.equal(await text(page, '#reg-no'), first.regNo, 'the corrected receipt opens the report');
			} finally {
				await context.close();
			}

			// Another browser (no cookie) is told plainly that the receipt is not shown.
			const elsewhere = await browser.newContext({ javaScriptEnabled: false, locale: 'kk-KZ', ...device });
			try {
				const other = await elsewhere.newPage();
				const r = await other.goto(url(`/receipt?lang=${lang}`));
				assert.equal(r.status(), 410, 'GET /receipt without its cookie');
				assert.equal(await text(other, '#receipt-gone'), T.M_RECEIPT_GONE[lang]);
				assert.equal(await other.locator('#receipt').count(), 0, 'no receipt shown');
				await shot(other, `receipt-gone-${size}-${lang}`);
			} finally {
				await elsewhere.close();
			}
		});
	}
}
