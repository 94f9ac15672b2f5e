// The archive and a reporter's message on a closed case, in a real browser
// (issue 13): the reporter writes on /status after the director closed the
// case, is redirected to a page that keeps no receipt in its address and
// says who will read the message; the compliance manager opens the archive
// from the menu, finds the closed case by its number with the unread mark,
// and reads the new message on the case page, which marks it read.
// Screenshots archive, archive-case at phone and laptop width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launchForStaff, loginAs, shoot } from './common.mjs';
import { fitsPhone, hotlinectl } from './casework.mjs';
import { lookUp, report } from './reportkit.mjs';

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

test('the compliance manager finds a closed case in the archive and reads the new message', async () => {
	const marker = `late-${Date.now()}`;
	const { receipt, regNo } = await report(browser, {
		what: 'A gift of a car to the head of the warehouse.',
		when_where: 'March, the central warehouse',
		who: 'Head of the warehouse',
		category: 'corruption',
		director_involved: 'no',
		identity: 'anonymous',
	});
	// the director finds no grounds: the case is closed
	hotlinectl('case', 'triage', regNo, 'corruption');
	hotlinectl('case', 'decide', regNo, 'no_grounds', '--doc', 'resolution 12');

	// the reporter writes anyway
	const reporter = await lookUp(browser, receipt);
	const rp = reporter.page;
	assert.match(await rp.textContent('#closed-reader'), /compliance manager/);
	const text = `I have new facts: the car was registered on ${marker}.`;
	await rp.fill('#followup textarea[name="message"]', text);
	await Promise.all([rp.waitForNavigation(), rp.click('#followup button[type="submit"]')]);
	const sentUrl = new URL(rp.url());
	assert.equal(sentUrl.pathname, '/status/sent');
	const digits = receipt.replace(/\D/g, '');
	assert.ok(!rp.url().includes(digits), 'the receipt is not in the address');
	assert.match(await rp.textContent('#sent'), /saved/);
	assert.match(await rp.textContent('#closed-reader'), /compliance manager/);
	await rp.reload(); // a refresh posts nothing again
	assert.match(await rp.textContent('#sent'), /saved/);
	await reporter.ctx.close();

	const ctx = await browser.newContext({ javaScriptEnabled: true });
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'compliance');
	await Promise.all([page.waitForNavigation(), page.click('#menu a[href="/staff/archive"]')]);
	assert.equal(new URL(page.url()).pathname, '/staff/archive');
	await page.fill('#a-reg_no', regNo);
	await Promise.all([page.waitForNavigation(), page.click('#archive-search')]);
	const row = page.locator('#archive tr.case-row');
	assert.equal(await row.count(), 1, 'found by its number');
	assert.equal(await row.getAttribute('data-state'), 'closed');
	assert.match(await row.locator('.badge.unread').textContent(), /1 new/);
	await fitsPhone(page);
	// the whole archive at phone width too
	await page.goto(`${BASE}staff/archive`);
	await fitsPhone(page);
	await shoot(page, 'archive');
	await page.goto(`${BASE}staff/archive?reg_no=${regNo}`);

	await Promise.all([page.waitForNavigation(), page.locator(`#archive a.reg-no:text-is("${regNo}")`).click()]);
	assert.equal(new URL(page.url()).pathname, `/staff/case/${regNo}`);
	assert.match(await page.textContent('#unread'), /1/);
	const fresh = page.locator('#messages article.from-reporter.unread');
	assert.equal(await fresh.count(), 1);
	assert.match(await fresh.textContent(), new RegExp(marker));
	await fitsPhone(page);
	await shoot(page, 'archive-case');
	// opened: read now, exactly one message (the refresh did not post it twice)
	await page.reload();
	assert.equal(await page.locator('#unread').count(), 0);
	assert.equal(await page.locator('#messages article.from-reporter').count(), 1);
	await ctx.close();
});
