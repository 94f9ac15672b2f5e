// The public report form when it comes back with errors (issue 16), in a real
// browser with JavaScript off, at phone (390 px) and laptop (1366 px) width,
// in Kazakh and Russian: the files attached survive (the page lists them as
// kept, and the appeal registered from the corrected form has them, checked
// by their SHA-256 in `hotlinectl case show`); each error is tied to its
// field (aria-invalid, aria-describedby) and linked from the summary; the
// identity fields do not autocomplete. And no public page (form, returned
// form, receipt, status, error pages) is wider than the viewport at 320 px.
// The contract is docs/http.md; the texts come from po/ through texts.def.
//   tools/browser.sh BUILD form.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { launch, loadTexts, shoot, url, fitsWidth } from './common.mjs';
import { hotlinectl, stackDir } from './casework.mjs';

const T = loadTexts();
const SUBMIT = 'form#report button[type="submit"]';
const SIZES = {
	phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
	laptop: { viewport: { width: 1366, height: 768 } },
};

let browser;

before(async () => {
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

async function newPage(options) {
	const context = await browser.newContext({ locale: 'kk-KZ', timezoneId: 'Asia/Almaty', ...options });
	context.setDefaultTimeout(15_000);
	return { context, page: await context.newPage() };
}

// Clicks the form's button (a real submission, no JavaScript) and returns
// the status of the POST's answer (303 when registered: the browser then
// shows /receipt).
async function send(page) {
	const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.frame() === page.mainFrame());
	const loaded = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
	await page.locator(SUBMIT).click();
	const [r] = await Promise.all([answer, loaded]);
	await page.waitForLoadState('load');
	return r.status();
}

function sha256(buf) {
	return createHash('sha256').update(buf).digest('hex');
}

function attachmentDigests(regNo) {
	const out = hotlinectl('case', 'show', regNo, '--case-key', join(stackDir(), 'case.sec'),
		'--passphrase-file', join(stackDir(), 'pp'));
	const found = [];
	(function walk(v) {
		if (Array.isArray(v))
			v.forEach(walk);
		else if (v && typeof v === 'object') {
			if (Array.isArray(v.attachments))
				for (const a of v.attachments)
					found.push(a.sha256);
			Object.values(v).forEach(walk);
		}
	})(JSON.parse(out));
	return [...new Set(found)].sort();
}

for (const lang of ['kk', 'ru']) {
	for (const [size, device] of Object.entries(SIZES)) {
		test(`files survive a form that comes back with errors (${lang}, ${size}, no JavaScript)`, async () => {
			const { context, page } = await newPage({ ...device, javaScriptEnabled: false });
			try {
				await page.goto(url(`/?lang=${lang}`));
				const form = page.locator('form#report');
				for (const name of ['name', 'phone', 'email', 'address'])
					assert.equal(await form.locator(`#${name}`).getAttribute('autocomplete'), 'off', `${name} autocomplete`);
				const what = `Қойма меңгерушісі ақша сұрады (${lang}, ${size}).`;
				await form.locator('#what').fill(what);
				await form.locator('#category').selectOption('corruption');
				// "give my name" without any way to reach them: refused by the server
				await form.locator('input[name="identity"][value="named"]').check();
				const files = [
					{ name: 'акт.pdf', mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 act ${lang} ${size} ${Date.now()}`) },
					{ name: 'фото.png', mimeType: 'image/png', buffer: Buffer.alloc(3000, `${lang}${size}`) },
				];
				await form.locator('#files').setInputFiles(files);
				assert.equal(await send(page), 400, 'the form comes back');

				// the summary links to the field in error, which points back at its message
				const summary = page.locator('#errors');
				assert.ok((await summary.textContent()).includes(T.M_ERR_SUMMARY[lang]));
				const links = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
				assert.deepEqual(links, ['#name'], 'summary links');
				const name = page.locator('#name');
				assert.equal(await name.getAttribute('aria-invalid'), 'true');
				assert.equal(await name.getAttribute('aria-describedby'), 'error-identity');
				assert.equal((await page.locator('#error-identity').textContent()).trim(), T.M_ERR_IDENTITY_MISSING[lang]);
				assert.equal(await page.locator('#what').getAttribute('aria-invalid'), null, 'a good field is not marked');

				// the files are kept, listed with their sizes; nothing asks for them again
				assert.equal((await page.locator('#files-kept').textContent()).trim(), T.M_ERR_FILES_KEPT[lang]);
				assert.equal(await page.locator('#files-again').count(), 0);
				const kept = page.locator('#kept li');
				assert.equal(await kept.count(), 2);
				assert.equal((await kept.nth(0).locator('.kept-name').textContent()).trim(), 'акт.pdf');
				assert.equal((await kept.nth(1).locator('.kept-name').textContent()).trim(), 'фото.png');
				assert.equal((await kept.nth(1).locator('.kept-size').textContent()).trim(), '3 КБ');
				assert.ok(await page.getByLabel(T.M_FORM_KEPT_REMOVE[lang]).first().isVisible(), 'a box removes a kept file');
				assert.equal(await page.locator('#what').inputValue(), what, 'the text is kept');
				if (size === 'phone') // shoot() takes both widths
					await shoot(page, `form-kept-${lang}`);

				// corrected: one appeal, with both files, byte for byte
				await page.locator('#phone').fill('+7 701 555 44 33');
				// registered: answered 303 to its receipt page (docs/http.md "The receipt page")
				assert.equal(await send(page), 303, 'the corrected form is registered');
				assert.equal(new URL(page.url()).pathname, '/receipt');
				const regNo = (await page.locator('#reg-no').textContent()).trim();
				assert.deepEqual(attachmentDigests(regNo), files.map((f) => sha256(f.buffer)).sort(),
					'the appeal has the kept files');
			} finally {
				await context.close();
			}
		});
	}
}

// Every public page at 320 px: its document no wider than the viewport. The
// measure needs JavaScript in the page's context; the pages have none.
test('no public page is wider than the viewport at 320 px (kk, ru)', async () => {
	const { context, page } = await newPage({ viewport: { width: 320, height: 640 }, javaScriptEnabled: true });
	try {
		async function check(what) {
			const w = await fitsWidth(page);
			const wide = w.scrollWidth > w.clientWidth
				? await page.evaluate(() => [...document.querySelectorAll('body *')]
					.filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
					.slice(0, 5).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`))
				: [];
			assert.ok(w.scrollWidth <= w.clientWidth, `${what}: ${w.scrollWidth} px wide at ${w.clientWidth} px (${wide.join(', ')})`);
		}
		for (const lang of ['kk', 'ru']) {
			await page.goto(url(`/?lang=${lang}`));
			await check(`the form (${lang})`);
			// the form with errors and a kept file
			await page.locator('#what').fill('Тексеру үшін.');
			await page.locator('#category').selectOption('gift');
			await page.locator('input[name="identity"][value="named"]').check();
			await page.locator('#files').setInputFiles({ name: 'өте-ұзын-атауы-бар-құжат-2026-жылғы-желтоқсан.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4') });
			await send(page);
			await check(`the returned form (${lang})`);
			await page.locator('#email').fill('reporter@example.kz');
			assert.equal(await send(page), 303);
			assert.equal(new URL(page.url()).pathname, '/receipt');
			await check(`the receipt (${lang})`);
			await shoot(page, `receipt-320-${lang}`);
			const receipt = (await page.locator('#receipt').textContent()).trim();
			await page.goto(url(`/status?lang=${lang}`));
			await check(`the status form (${lang})`);
			await page.locator('form#status [name="receipt"]').fill(receipt);
			await Promise.all([page.waitForNavigation(), page.locator('form#status button').click()]);
			await check(`the status page (${lang})`);
			await page.goto(url(`/status?lang=${lang}`));
			await page.locator('form#status [name="receipt"]').fill('1234 5678 9012 3456 7890 1234 5678');
			await Promise.all([page.waitForNavigation(), page.locator('form#status button').click()]);
			await check(`a wrong receipt (${lang})`);
			await page.goto(url(`/no-such-page?lang=${lang}`));
			await check(`the 404 page (${lang})`);
			await page.goto(url(`/report?lang=${lang}`));
			await check(`the 405 page (${lang})`);
			await page.goto(url(`/status/sent?lang=${lang}`));
			await check(`the message-sent page (${lang})`);
		}
	} finally {
		await context.close();
	}
});
