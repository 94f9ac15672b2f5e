// The commission in a real browser: a member logs in, finds the
// investigation they sit on, starts it, requests materials (due the next
// working day) and marks them received, writes the conclusion citing the
// norms and submits it to management, whose decision it cannot take (the
// director's side: director.test.mjs); at phone and laptop width
// (screenshots commission-list, commission-case, commission-concluded).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launchForStaff, loginAs, shoot, url } from './common.mjs';
import { fitsPhone, hotlinectl, orderInvestigation, passphrase, sendReport, almatyToday } from './casework.mjs';

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

test('the commission concludes its investigation', async () => {
	const what = `Kickbacks on the 2025 contracts ${Date.now()}`;
	const { regNo } = await sendReport({ what, identity: 'named', name: 'Aida Reporter', phone: '+77010001122' });
	orderInvestigation(regNo, '12-k');
	const today = almatyToday();
	assert.ok(passphrase());

	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'commission');
	await page.goto(url('/staff/commission?lang=en'));
	const card = page.locator(`li.investigation[data-reg-no="${regNo}"]`);
	assert.equal(await card.count(), 1);
	const days = Number(await card.locator('.days-left').getAttribute('data-days'));
	assert.ok(days >= 9 && days <= 10, `ten working days from today's order, ${days} left`);
	await fitsPhone(page);
	await shoot(page, 'commission-list');

	await Promise.all([page.waitForNavigation(), card.locator('a').click()]);
	assert.equal(new URL(page.url()).pathname, `/staff/commission/${regNo}`);
	assert.equal(await page.textContent('#report-what'), what);
	assert.equal(await page.locator('text=+77010001122').count(), 0, 'the identity is not the commission\'s');
	await fitsPhone(page);
	await shoot(page, 'commission-case');

	await Promise.all([page.waitForNavigation(), page.click('#start')]);
	await page.fill('#to', 'Head of accounting');
	await page.fill('#what', 'Contracts of 2025 with the supplier');
	// a request is dated neither before the order nor after today
	const tomorrow = new Date(Date.parse(today) + 86400 * 1000).toISOString().slice(0, 10);
	await page.fill('#on', tomorrow);
	await Promise.all([page.waitForNavigation(), page.click('#new-request button[type="submit"]')]);
	assert.match(await page.textContent('#error'), /after today/i);
	await page.fill('#to', 'Head of accounting');
	await page.fill('#what', 'Contracts of 2025 with the supplier');
	await page.fill('#on', today);
	await Promise.all([page.waitForNavigation(), page.click('#new-request button[type="submit"]')]);
	const request = page.locator('li.request', { hasText: 'Head of accounting' });
	const shown = hotlinectl('investigation', 'show', regNo).match(/on (\d{4}-\d{2}-\d{2}): due (\d{4}-\d{2}-\d{2})/);
	assert.equal(shown[1], today);
	assert.equal(await request.locator('time.due').getAttribute('datetime'), shown[2],
		'one working day after the request, by the daemon\'s calendar');
	assert.ok(shown[2] > today);
	await Promise.all([page.waitForNavigation(), request.locator('button.mark-received').click()]);
	assert.ok(await page.locator('li.request.received', { hasText: 'Head of accounting' }).isVisible());

	await page.fill('#findings', 'The contracts confirm the kickbacks.');
	await page.fill('#norms', 'Law on Combating Corruption, art. 8; Code of Ethics, p. 3.2');
	await page.fill('#proposed', 'A reprimand for the head of procurement.');
	await Promise.all([page.waitForNavigation(), page.click('#conclusion button[type="submit"]')]);
	assert.equal(await page.textContent('#findings-text'), 'The contracts confirm the kickbacks.');
	assert.match(await page.textContent('#norms-text'), /art\. 8/);

	// the commission submits; the decision is not on its page
	assert.equal(await page.locator('input[name="decision"]').count(), 0);
	await Promise.all([page.waitForNavigation(), page.click('#submit-conclusion')]);
	// the page is in English: "7 Dec 2026" (html_date)
	const [y, m, d] = today.split('-');
	const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m) - 1];
	assert.ok((await page.textContent('#submitted')).includes(`${Number(d)} ${month} ${y}`));
	assert.ok(await page.isVisible('#awaiting-decision'));
	assert.equal(await page.locator('#submit-conclusion').count(), 0);
	assert.equal(await page.locator('#new-request').count(), 0, 'the term is met: no more requests');
	await fitsPhone(page);
	await shoot(page, 'commission-concluded');
	assert.match(hotlinectl('investigation', 'show', regNo), /investigation: submitted/);
	await ctx.close();
});
