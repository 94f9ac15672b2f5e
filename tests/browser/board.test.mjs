// The compliance board paged, at phone width (issue 17): 120 cases written
// straight into the stack's tables (channel in person, due far ahead and
// registered long ago, so that the other files' boards and archives show
// them last, if at all); the compliance manager filters the board by
// channel with the plain GET form, sees the count and 50 rows, follows
// the next page's link to the second page, which continues the first
// without a repeat, then narrows it to one category. No page is wider
// than a 390 px phone. Screenshots board-page2 at phone and laptop width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, launchForStaff, loginAs, shoot } from './common.mjs';
import { stackDir } from './casework.mjs';

const CASES = 120;

function psql(sql) {
	const db = `host=${stackDir()}/pg/run dbname=hotline user=postgres`;
	return execFileSync('psql', [db, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { encoding: 'utf8' }).trim();
}

function fill() {
	psql(`INSERT INTO hotline.journal (year, seq, reg_no, registered_at, channel, content_digest,
	                                   prev_hash, row_hash)
	      SELECT 2100, i, format('2100-%s', lpad(i::text, 6, '0')),
	             timestamptz '2020-01-06 10:00+05' + i * interval '1 minute', 'in_person',
	             '\\x00', '\\x00', '\\x00'
	      FROM generate_series(1, ${CASES}) AS i`);
	psql(`INSERT INTO hotline.cases (journal_id, receipt_hash, category, director_involved,
	                                 anonymous, language, content_key_sealed, content, state)
	      SELECT id, sha256(id::text::bytea), CASE WHEN seq % 4 = 0 THEN 'gift' ELSE 'other' END,
	             'no', true, 'ru', '\\x00', '\\x00', 'registered'
	      FROM hotline.journal WHERE year = 2100`);
	psql(`INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, announced)
	      SELECT c.id, 'director_notice', current_date + 400 + j.seq % 7, now() + interval '400 days', true
	      FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id WHERE j.year = 2100`);
}

async function phoneFits(page) {
	const { scroll, client } = await page.evaluate(() => ({
		scroll: document.documentElement.scrollWidth,
		client: document.documentElement.clientWidth,
	}));
	assert.ok(scroll <= client, `${page.url()}: ${scroll} px wide on a 390 px phone`);
}

async function regNos(page) {
	return page.locator('#board tr.case-row a.reg-no').allTextContents();
}

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

test('the board pages by 50 and filters at phone width, without script', async () => {
	fill();
	const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'compliance');
	await page.goto(`${BASE}staff/board`);
	await phoneFits(page);
	// the filter form is a plain GET form
	await page.selectOption('#f-channel', 'in_person');
	await Promise.all([page.waitForNavigation(), page.click('#board-filter button[type="submit"]')]);
	assert.equal(new URL(page.url()).searchParams.get('channel'), 'in_person');
	const first = await regNos(page);
	assert.equal(first.length, 50);
	assert.match(await page.textContent('#board-count'), new RegExp(`\\b${CASES}\\b`));
	assert.equal(await page.locator('#board-first').count(), 0, 'no link back on the first page');
	await phoneFits(page);

	// the second page: a plain link carrying the last row's key
	const next = page.locator('#board-next');
	const href = await next.getAttribute('href');
	assert.match(href, /after_due=\d{4}-\d\d-\d\d&after_id=\d+/);
	assert.match(href, /channel=in_person/);
	await Promise.all([page.waitForNavigation(), next.click()]);
	const second = await regNos(page);
	assert.equal(second.length, 50);
	assert.equal(new Set([...first, ...second]).size, 100, 'no row of the first page again');
	assert.equal(await page.locator('#board-first').count(), 1);
	await phoneFits(page);
	await shoot(page, 'board-page2');

	// the third page holds the rest, and no next link
	await Promise.all([page.waitForNavigation(), page.click('#board-next')]);
	const third = await regNos(page);
	assert.equal(third.length, CASES - 100);
	assert.equal(await page.locator('#board-next').count(), 0);
	assert.equal(new Set([...first, ...second, ...third]).size, CASES);

	// narrowed to one category: a quarter of them, one page
	await page.goto(`${BASE}staff/board?channel=in_person`);
	await page.selectOption('#f-category', 'gift');
	await page.check('#f-overdue');
	await page.uncheck('#f-overdue');
	await Promise.all([page.waitForNavigation(), page.click('#board-filter button[type="submit"]')]);
	const gifts = await regNos(page);
	assert.equal(gifts.length, CASES / 4);
	assert.match(await page.textContent('#board-count'), new RegExp(`\\b${CASES / 4}\\b`));
	assert.equal(await page.locator('#board-next').count(), 0);
	await phoneFits(page);
	// none of them is overdue: overdue only shows none of them
	await page.check('#f-overdue');
	await Promise.all([page.waitForNavigation(), page.click('#board-filter button[type="submit"]')]);
	assert.equal((await regNos(page)).length, 0);
	await phoneFits(page);
	await ctx.close();
});
