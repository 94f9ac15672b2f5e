// The commission in a real browser: a member logs in, finds the
// investigation they sit on, starts it, requests materials (due the next
// working day) and marks them received, writes the conclusion citing the
// norms and records the decision; at phone and laptop width (screenshots
// commission-list, commission-case, commission-concluded).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launchForStaff, loginAs, shoot, url } from './common.mjs';
import { fitsPhone, hotlinectl, passphrase, sendReport, stackDir } from './casework.mjs';

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

test('the commission concludes its investigation', async () => {
	const what = `Kickbacks on the 2025 contracts ${Date.now()}`;
	const { regNo } = await sendReport({ what, identity: 'named', name: 'Aida Reporter', phone: '+77010001122' });
	hotlinectl('case', 'triage', regNo, 'corruption');
	hotlinectl('case', 'decide', regNo, 'investigate', '--doc', 'resolution 4');
	const today = new Date(Date.now() + 5 * 3600 * 1000).toISOString().slice(0, 10);
	hotlinectl('investigation', 'order', regNo, '--order-no', '12-k', '--order-date', today,
		'--member', 'Test Commission|deputy director|commission',
		'--member', 'Omarova Gulnara|chief accountant',
		'--case-key', `${stackDir()}/case.sec`, '--passphrase-file', `${stackDir()}/pp`);
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
	await page.fill('#on', '2026-03-20');
	await Promise.all([page.waitForNavigation(), page.click('#new-request button[type="submit"]')]);
	const request = page.locator('li.request', { hasText: 'Head of accounting' });
	assert.equal(await request.locator('time.due').textContent(), '2026-03-26',
		'Friday 20 March 2026 + one working day across Nauryz');
	await Promise.all([page.waitForNavigation(), request.locator('button').click()]);
	assert.ok(await page.locator('li.request.received', { hasText: 'Head of accounting' }).isVisible());

	await page.fill('#findings', 'The contracts confirm the kickbacks.');
	await page.fill('#norms', 'Law on Combating Corruption, art. 8; Code of Ethics, p. 3.2');
	await page.fill('#proposed', 'A reprimand for the head of procurement.');
	await Promise.all([page.waitForNavigation(), page.click('#conclusion button[type="submit"]')]);
	assert.equal(await page.textContent('#findings-text'), 'The contracts confirm the kickbacks.');
	assert.match(await page.textContent('#norms-text'), /art\. 8/);

	await page.check('input[name="decision"][value="disciplinary"]');
	await Promise.all([page.waitForNavigation(), page.click('#decision button[type="submit"]')]);
	assert.ok((await page.textContent('#decision-text')).trim().length > 0);
	assert.ok(await page.isVisible('#doc'), 'the measures come next');
	await fitsPhone(page);
	await shoot(page, 'commission-concluded');
	const state = hotlinectl('investigation', 'show', regNo);
	assert.match(state, /investigation: decided/);
	await ctx.close();
});
