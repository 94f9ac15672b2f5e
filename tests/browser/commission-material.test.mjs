// What the commission needs, in a real browser with JavaScript off on a
// 390 px phone (issue 16): the reporter's file on the member's page, a
// request for materials, the materials received uploaded to it and listed
// (name, size, date, who), downloaded back to the same bytes; the
// conclusion to print and sign in Russian and Kazakh, no wider than the
// phone. Screenshots at 390 and 1366 px: commission-materials-* (ru),
// commission-materials-kk-*,
// commission-conclusion-ru-*, commission-conclusion-kk-*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, SHOTS, launchForStaff, loginAs, url } from './common.mjs';
import { almatyToday, hotlinectl, orderInvestigation } from './casework.mjs';

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1366, height: 900 };

// A report with one file, as the public form sends it.
async function reportWithFile(what, file) {
	const form = new FormData();
	for (const [k, v] of Object.entries({
		what, when_where: 'Office 214, last Monday', who: 'Head of procurement',
		director_involved: 'no', category: 'corruption', identity: 'anonymous', lang: 'en',
	}))
		form.append(k, v);
	form.append('files', new Blob([file.data], { type: file.type }), file.name);
	// 303 to the receipt page, which its cookie opens (docs/http.md "The
	// receipt page"); fetch keeps no cookies, so the redirect is followed here
	const sent = await fetch(new URL('/report', BASE), { method: 'POST', body: form, redirect: 'manual' });
	assert.equal(sent.status, 303, (await sent.text()).slice(0, 500));
	const cookie = (sent.headers.get('set-cookie') ?? '').split(';')[0];
	const r = await fetch(new URL(sent.headers.get('location'), BASE), { headers: { cookie } });
	const html = await r.text();
	assert.equal(r.status, 200, html.slice(0, 500));
	const m = html.match(/id="reg-no"[^>]*>([^<]*)</);
	assert.ok(m, 'no receipt page');
	return m[1].trim();
}

async function noOverflow(page, width) {
	const before = page.viewportSize();
	await page.setViewportSize({ width, height: 844 });
	const { scroll, client } = await page.evaluate(() => ({
		scroll: document.documentElement.scrollWidth,
		client: document.documentElement.clientWidth,
	}));
	assert.ok(scroll <= client, `${page.url()}: ${scroll} px wide at ${width} px`);
	if (before)
		await page.setViewportSize(before);
}

async function shots(page, name) {
	const dir = SHOTS || join(process.cwd(), '..', '..', 'build', 'screenshots');
	mkdirSync(dir, { recursive: true });
	const before = page.viewportSize();
	for (const [tag, size] of [['390', PHONE], ['1366', LAPTOP]]) {
		await page.setViewportSize(size);
		await page.screenshot({ path: join(dir, `${name}-${tag}.png`), fullPage: true });
	}
	if (before)
		await page.setViewportSize(before);
}

function ddmmyyyy(iso) {
	const [y, m, d] = iso.split('-');
	return `${d}.${m}.${y}`;
}

test('the commission keeps its materials and prints its conclusion', async () => {
	hotlinectl('settings', 'set', 'organisation', 'АО «Тест Энерго»');
	const evidence = { name: 'tender-protocol.pdf', type: 'application/pdf', data: Buffer.from(`%PDF-1.4 ${'x'.repeat(5000)}`) };
	const regNo = await reportWithFile(`Kickbacks on the tender ${Date.now()}`, evidence);
	orderInvestigation(regNo, '21-k');
	const today = almatyToday();

	const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: PHONE, acceptDownloads: true });
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'commission');
	const path = `/staff/commission/${regNo}`;
	await page.goto(url(`${path}?lang=ru`));
	// the reporter's own file, on the commission's page
	const reporterFile = page.locator('#files a.file');
	assert.equal(await reporterFile.textContent(), evidence.name);
	const [got] = await Promise.all([page.waitForEvent('download'), reporterFile.click()]);
	assert.equal(got.suggestedFilename(), evidence.name);

	await Promise.all([page.waitForNavigation(), page.click('#start')]);
	await page.fill('#to', 'Главный бухгалтер');
	await page.fill('#what', 'Договоры 2025 года с поставщиком');
	await page.fill('#on', today);
	await Promise.all([page.waitForNavigation(), page.click('#new-request button[type="submit"]')]);
	const card = page.locator('li.request', { hasText: 'Главный бухгалтер' });
	assert.equal(await card.count(), 1);

	// the materials received, uploaded to the request
	const explanation = { name: 'объяснение-бухгалтера.pdf', mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 ${'y'.repeat(300000)}`) };
	await card.locator('input[type="file"]').setInputFiles(explanation);
	assert.ok(await card.locator('input[name="received"]').isChecked());
	await Promise.all([page.waitForNavigation(), card.locator('.upload button[type="submit"]').click()]);
	const item = page.locator('li.request', { hasText: 'Главный бухгалтер' }).locator('li.material');
	assert.equal(await item.count(), 1);
	const text = (await item.textContent()).replace(/\s+/g, ' ');
	assert.match(text, /объяснение-бухгалтера\.pdf/);
	assert.match(text, /293 КБ/);
	assert.ok(text.includes(ddmmyyyy(today)), text);
	assert.match(text, /Test Commission/);
	assert.ok(await page.locator('li.request.received', { hasText: 'Главный бухгалтер' }).isVisible(),
		'the upload marked the request received');
	const [download] = await Promise.all([page.waitForEvent('download'), item.locator('a.material').click()]);
	const saved = await download.path();
	const { readFileSync } = await import('node:fs');
	assert.ok(readFileSync(saved).equals(explanation.buffer), 'the same bytes back');
	await noOverflow(page, 390);
	await page.locator('#requests').scrollIntoViewIfNeeded();
	await shots(page, 'commission-materials');
	await page.goto(url(`${path}?lang=kk`));
	assert.match(await page.locator('li.material').textContent(), /293 КБ .* жүктеген: Test Commission/);
	await noOverflow(page, 390);
	await page.locator('#requests').scrollIntoViewIfNeeded();
	await shots(page, 'commission-materials-kk');
	await page.goto(url(`${path}?lang=ru`));

	// the conclusion, then the document to sign
	await page.fill('#findings', 'Договоры 2025 года заключены по цене вдвое выше рыночной.');
	await page.fill('#norms', 'Закон «О противодействии коррупции», ст. 8');
	await page.fill('#proposed', 'Объявить выговор начальнику отдела закупок.');
	await Promise.all([page.waitForNavigation(), page.click('#conclusion button[type="submit"]')]);
	await Promise.all([page.waitForNavigation(), page.click('#print-conclusion')]);
	assert.equal(new URL(page.url()).pathname, `/staff/commission-conclusion/${regNo}`);
	assert.equal(await page.textContent('h1'), 'Заключение по результатам служебной проверки');
	assert.equal(await page.textContent('#concl-org'), 'АО «Тест Энерго»');
	assert.match(await page.textContent('#concl-order'), new RegExp(`№\\s21-k от ${ddmmyyyy(today).replace(/\./g, '\\.')}`));
	assert.match(await page.textContent('#concl-members'), /Omarova Gulnara/);
	assert.equal(await page.locator('.sign').count(), 2);
	await noOverflow(page, 390);
	await shots(page, 'commission-conclusion-ru');
	// printed: the on-screen lines are not on paper
	await page.emulateMedia({ media: 'print' });
	assert.equal(await page.locator('.screen').isVisible(), false);
	await page.emulateMedia({ media: 'screen' });

	await page.goto(url(`/staff/commission-conclusion/${regNo}?lang=kk`));
	assert.equal(await page.textContent('h1'), 'Қызметтік тексеру нәтижелері бойынша қорытынды');
	assert.match(await page.textContent('#concl-case'), new RegExp(regNo));
	await noOverflow(page, 390);
	await shots(page, 'commission-conclusion-kk');
	await ctx.close();
});
