// The compliance manager in a real browser: a report sent through the
// public form appears on the board, the case page shows it decrypted, the
// manager triages it to the director, replies, and the reporter reads the
// reply on /status. An XSS probe in every text field of a report shows
// escaped on the board and the case page with JavaScript on, and no dialog
// fires. Screenshots compliance-board, compliance-case at phone and laptop
// width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launchForStaff, loginAs, shoot, url } from './common.mjs';
import { lookUp, report, watchDialogs } from './reportkit.mjs';

const PROBE = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';
let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

test('the compliance manager triages a report end to end', async () => {
	const marker = `tender-${Date.now()}`;
	const { receipt, regNo } = await report(browser, {
		what: `The head of procurement asked for 5% of the ${marker} contract.`,
		when_where: 'Last Monday, office 214',
		who: 'A. Example, head of procurement',
		category: 'corruption',
		director_involved: 'no',
		identity: 'anonymous',
	});
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'compliance');
	await Promise.all([page.waitForNavigation(), page.click('#menu a[href="/staff/board"]')]);
	assert.equal(new URL(page.url()).pathname, '/staff/board');
	const row = page.locator('#board tr.case-row', { hasText: regNo });
	assert.equal(await row.count(), 1, 'the new report is on the board');
	assert.equal(await row.getAttribute('data-state'), 'registered');
	assert.match(await row.locator('.days-left').textContent(), /working days|overdue/);
	// filters without JavaScript
	await page.selectOption('#f-state', 'registered');
	await Promise.all([page.waitForNavigation(), page.click('#board-filter button')]);
	assert.match(page.url(), /state=registered/);
	assert.equal(await page.locator('#board tr.case-row', { hasText: regNo }).count(), 1);
	await shoot(page, 'compliance-board');

	await Promise.all([page.waitForNavigation(), page.locator(`#board a.reg-no:text-is("${regNo}")`).click()]);
	assert.equal(new URL(page.url()).pathname, `/staff/case/${regNo}`);
	assert.match(await page.textContent('#content'), new RegExp(marker));
	await shoot(page, 'compliance-case');

	// triage: corruption, to the director
	await page.check('#triage input[name="outcome"][value="corruption"]');
	await Promise.all([page.waitForNavigation(), page.click('#triage-submit')]);
	assert.equal(await page.getAttribute('#case-state', 'data-state'), 'to_director');
	assert.equal(await page.locator('#triage').count(), 0, 'triaged once, the form is gone');
	assert.match(await page.textContent('#deadlines'),
		/\d{1,2} [A-Z][a-z]{2} \d{4}|\d{2}\.\d{2}\.\d{4}/);

	// a reply the reporter reads on /status
	const answer = `Thank you, which contract? ${marker}`;
	await page.fill('#reply', answer);
	await Promise.all([page.waitForNavigation(), page.click('#send-reply')]);
	assert.match(await page.textContent('#messages'), new RegExp(marker));
	const reporter = await lookUp(browser, receipt);
	assert.match(await reporter.page.textContent('#messages .from-staff'), new RegExp(marker));
	await reporter.ctx.close();
	await ctx.close();
});

test('an XSS probe in every text field shows escaped', async () => {
	const { regNo } = await report(browser, {
		what: PROBE, when_where: PROBE, who: PROBE,
		category: 'corruption', director_involved: 'no', identity: 'anonymous',
	});
	const ctx = await browser.newContext({ javaScriptEnabled: true });
	const page = await ctx.newPage();
	const dialogs = watchDialogs(page);
	await loginAs(page, BASE, 'compliance');
	await page.goto(url('/staff/board'));
	assert.equal(await page.locator('#board tr.case-row', { hasText: regNo }).count(), 1);
	await page.goto(url(`/staff/case/${regNo}`));
	for (const field of ['what', 'when_where', 'who'])
		assert.equal(await page.textContent(`#content dd[data-field="${field}"]`), PROBE, field);
	await page.fill('#note', PROBE);
	await Promise.all([page.waitForNavigation(), page.click('#add-note')]);
	assert.match(await page.textContent('#notes'), /<script>alert\(1\)<\/script>/);
	assert.equal(await page.locator('main script, main img[src="x"]').count(), 0, 'no element injected');
	await page.waitForTimeout(300);
	assert.deepEqual(dialogs, [], 'a dialog fired');
	await ctx.close();
});
