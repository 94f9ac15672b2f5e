// The analyst in a real browser: logs in, opens the figures from the menu,
// reads the tables (no count of 1 or 2 is ever shown: "<3"), changes the
// period with the GET form without JavaScript, and the page fits a phone
// (the wide tables scroll inside their own box, not the page), in kk, ru
// and en. Screenshots: analyst-figures (phone, laptop).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launchForStaff, loginAs, shoot, url, fitsWidth, loadTexts } from './common.mjs';

const COUNT_RE = /^(0|<3|[1-9]\d*)$/;

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

async function cells(page, selector) {
	return (await page.locator(selector).allTextContents()).map((t) => t.trim());
}

test('the analyst reads the figures and changes the period without JavaScript', async () => {
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'analyst');
	await Promise.all([page.waitForNavigation(), page.click('nav a[href="/staff/figures"]')]);
	assert.equal(new URL(page.url()).pathname, '/staff/figures');
	for (const id of ['by-channel', 'by-category', 'by-state', 'routing', 'investigations'])
		assert.equal(await page.locator(`table#${id}`).count(), 1, id);
	assert.equal(await page.locator('#by-channel tbody tr').count(), 12);
	const all = await cells(page, 'td.num');
	assert.ok(all.length > 12 * 19, `${all.length} cells`);
	for (const v of all.filter((x) => x !== '—' && !x.endsWith('%')))
		assert.match(v, COUNT_RE);
	assert.ok(!all.includes('1') && !all.includes('2'), 'a count of 1 or 2 is shown');
	assert.match(await page.locator('#fig-small').textContent(), /<3/);
	await shoot(page, 'analyst-figures');

	// the period, through the GET form
	await page.fill('#from', '2025-01');
	await page.fill('#to', '2025-03');
	await Promise.all([page.waitForNavigation(), page.click('#period button')]);
	const u = new URL(page.url());
	assert.equal(u.searchParams.get('from'), '2025-01');
	assert.equal(u.searchParams.get('to'), '2025-03');
	// the months as the page's reader writes them, YYYY-MM in data-month
	const lang = await page.getAttribute('html', 'lang');
	const months = await cells(page, '#by-category tbody th');
	assert.deepEqual(months, lang === 'en' ? ['Jan 2025', 'Feb 2025', 'Mar 2025']
		: ['01.2025', '02.2025', '03.2025']);
	assert.deepEqual(await page.locator('#by-category tbody tr').evaluateAll(
		(rows) => rows.map((r) => r.dataset.month)), ['2025-01', '2025-02', '2025-03']);
	assert.equal(await page.getAttribute('#export', 'href'),
		'/staff/figures.csv?from=2025-01&to=2025-03');
	await ctx.close();
});

test('the figures fit a phone in kk, ru and en', async () => {
	const texts = loadTexts();
	const ctx = await browser.newContext({ javaScriptEnabled: true,
		viewport: { width: 375, height: 812 } });
	const page = await ctx.newPage();
	const csp = [];
	page.on('console', (m) => {
		if (/Content Security Policy/i.test(m.text()))
			csp.push(m.text());
	});
	await loginAs(page, BASE, 'analyst');
	for (const lang of ['kk', 'ru', 'en']) {
		await page.goto(url(`/staff/figures?lang=${lang}`));
		assert.equal(await page.getAttribute('html', 'lang'), lang);
		assert.equal((await page.locator('h1').textContent()).trim(), texts.M_FIG_TITLE[lang]);
		const w = await fitsWidth(page);
		assert.ok(w.scrollWidth <= w.clientWidth, `${lang}: the page is ${w.scrollWidth}px wide`);
		// the state table is wider than a phone: it scrolls in its own box
		const box = await page.evaluate(() => {
			const t = document.querySelector('#by-state');
			const wrap = t.parentElement;
			return { table: t.scrollWidth, wrap: wrap.clientWidth,
				overflow: getComputedStyle(wrap).overflowX };
		});
		assert.equal(box.overflow, 'auto');
		assert.ok(box.wrap <= 375, JSON.stringify(box));
	}
	assert.deepEqual(csp, []);
	await ctx.close();
});
