// The reporter's status page in a real browser, JavaScript off, in Kazakh
// and Russian (issue 16): a report that names the director reads that the
// director's alternate has it, with the date dd.mm.yyyy and the zone; an
// anonymous report not considered reads why (clause 6.3 of the standard)
// and what the reporter can still do. No page is wider than a 320 px phone.
// Screenshots status-alternate-LANG, status-not-considered-LANG at 390 and
// 1366 px in build/screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHOTS, launch, loadTexts, shownText, url } from './common.mjs';
import { hotlinectl } from './casework.mjs';
import { report } from './reportkit.mjs';

let browser;
const texts = loadTexts();
before(async () => { browser = await launch(); });
after(() => browser?.close());

async function statusPage(receipt, lang) {
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await page.goto(url(`/status?lang=${lang}`));
	await page.locator('form#status [name="receipt"]').fill(receipt);
	await Promise.all([page.waitForNavigation(), page.locator('form#status button').click()]);
	return { ctx, page };
}

async function shootAt(page, name) {
	const dir = SHOTS || join(process.cwd(), '..', '..', 'build', 'screenshots');
	mkdirSync(dir, { recursive: true });
	for (const width of [390, 1366]) {
		await page.setViewportSize({ width, height: 844 });
		await page.screenshot({ path: join(dir, `${name}-${width}.png`), fullPage: true });
	}
}

async function fits(page, width) {
	await page.setViewportSize({ width, height: 844 });
	const { scroll, client } = await page.evaluate(() => ({
		scroll: document.documentElement.scrollWidth,
		client: document.documentElement.clientWidth,
	}));
	assert.ok(scroll <= client, `${page.url()}: ${scroll} px wide at ${width} px`);
}

test('a report naming the director reads the alternate, with its date and zone', async () => {
	const { receipt, regNo } = await report(browser, {
		what: 'The director signed a contract with his brother\'s firm.',
		when_where: 'May, head office',
		who: 'The director',
		category: 'corruption',
		director_involved: 'yes',
		identity: 'anonymous',
	});
	hotlinectl('case', 'triage', regNo, 'corruption');
	for (const lang of ['kk', 'ru']) {
		const { ctx, page } = await statusPage(receipt, lang);
		assert.equal(await shownText(page, '#state'), texts.M_STATUS_HEAD_TO_ALTERNATE[lang]);
		assert.equal(await shownText(page, '#who'), texts.M_STATUS_TEXT_ALTERNATE_WHO[lang]);
		const due = await shownText(page, '#due-director-notice');
		assert.match(due, /\d{2}\.\d{2}\.\d{4}/, `${lang}: the date as its readers write it`);
		assert.ok(due.includes(lang === 'kk' ? 'Астана уақытымен' : 'по времени Астаны'), due);
		assert.ok(!(await page.content()).includes(texts.M_STATUS_HEAD_TO_DIRECTOR[lang]));
		await fits(page, 320);
		await shootAt(page, `status-alternate-${lang}`);
		await ctx.close();
	}
});

test('an anonymous report not considered says why and what can still be done', async () => {
	const { receipt, regNo } = await report(browser, {
		what: 'The canteen serves cold food.',
		when_where: 'Every day',
		who: 'The canteen',
		category: 'other',
		director_involved: 'no',
		identity: 'anonymous',
	});
	hotlinectl('case', 'triage', regNo, 'anonymous');
	for (const lang of ['kk', 'ru']) {
		const { ctx, page } = await statusPage(receipt, lang);
		assert.equal(await shownText(page, '#state'), texts.M_STATUS_HEAD_NOT_CONSIDERED[lang]);
		assert.equal(await shownText(page, '#outcome'), texts.M_STATUS_TEXT_NOT_CONSIDERED[lang]);
		assert.equal(await shownText(page, '#can-do'), texts.M_STATUS_TEXT_NOT_CONSIDERED_CAN[lang]);
		assert.equal(await shownText(page, '#no-deadlines'), texts.M_STATUS_NONE_FINISHED[lang]);
		await fits(page, 320);
		await shootAt(page, `status-not-considered-${lang}`);
		await ctx.close();
	}
});
