// Revealing an identity in a real browser: the compliance manager asks,
// stating the reason; the director approves (TOTP); the reporter's status
// page says to whom the identity will be revealed; the custodian (TOTP)
// types a wrong passphrase, is refused, then the right one and reads the
// identity; the reporter's status page then says it was revealed. At phone
// and laptop width (screenshots reveal-request, reveal-approved-status,
// custodian-identity, reveal-revealed-status).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launchForStaff, loginAs, shoot, url } from './common.mjs';
import { fitsPhone, hotlinectl, passphrase, sendReport } from './casework.mjs';

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

async function statusNotice(page, receipt) {
	await page.goto(url('/status?lang=en'));
	await page.fill('#receipt', receipt);
	await Promise.all([page.waitForNavigation(), page.click('#status button[type="submit"]')]);
	const n = page.locator('#identity-notice');
	return (await n.count()) ? (await n.textContent()).replace(/\s+/g, ' ') : '';
}

test('the custodian reveals an identity once a second person approved', async () => {
	const name = `Aigerim Reporter ${Date.now()}`;
	const { regNo, receipt } = await sendReport({
		what: 'The procurement head asked for a bribe', identity: 'named', name, phone: '+77019998877',
	});
	hotlinectl('case', 'triage', regNo, 'corruption');

	// the compliance manager asks
	const staff = await browser.newContext({ javaScriptEnabled: false });
	let page = await staff.newPage();
	await loginAs(page, BASE, 'compliance');
	await page.goto(url(`/staff/reveal/new?case=${regNo}&lang=en`));
	await page.fill('#reason', 'The reporter must be heard as a witness (Law on Combating Corruption, art. 8).');
	await Promise.all([page.waitForNavigation(), page.click('main form button[type="submit"]')]);
	const requestPath = new URL(page.url()).pathname;
	assert.match(requestPath, /^\/staff\/reveal\/\d+$/);
	assert.equal(await page.getAttribute('#reveal-state', 'data-state'), 'requested');
	await fitsPhone(page);
	await shoot(page, 'reveal-request');
	await staff.close();

	const reporter = await browser.newContext({ javaScriptEnabled: false });
	const rpage = await reporter.newPage();
	assert.equal(await statusNotice(rpage, receipt), '', 'nothing is said before the approval');

	// the director approves
	const dctx = await browser.newContext({ javaScriptEnabled: false });
	page = await dctx.newPage();
	await loginAs(page, BASE, 'director');
	await page.goto(url(requestPath));
	await Promise.all([page.waitForNavigation(), page.click('#approve')]);
	assert.equal(await page.getAttribute('#reveal-state', 'data-state'), 'approved');
	await dctx.close();

	let notice = await statusNotice(rpage, receipt);
	assert.match(notice, /will be revealed to the compliance manager/);
	await fitsPhone(rpage);
	await shoot(rpage, 'reveal-approved-status');

	// the custodian: a wrong passphrase first, then the right one
	const cctx = await browser.newContext({ javaScriptEnabled: false });
	page = await cctx.newPage();
	await loginAs(page, BASE, 'custodian');
	await page.goto(url(requestPath));
	await page.fill('#passphrase', 'not the passphrase');
	await Promise.all([page.waitForNavigation(), page.click('#open-identity')]);
	assert.ok(await page.isVisible('#error'));
	assert.equal(await page.locator(`text=${name}`).count(), 0);
	await page.fill('#passphrase', passphrase());
	await Promise.all([page.waitForNavigation(), page.click('#open-identity')]);
	assert.match(await page.textContent('#identity'), new RegExp(name));
	assert.match(await page.textContent('#identity'), /\+77019998877/);
	await fitsPhone(page);
	await shoot(page, 'custodian-identity');
	await cctx.close();

	notice = await statusNotice(rpage, receipt);
	assert.match(notice, /was revealed to the compliance manager on \d{4}-\d{2}-\d{2}/);
	await shoot(rpage, 'reveal-revealed-status');
	await reporter.close();
});
