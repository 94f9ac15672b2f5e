// Revealing an identity in a real browser, M-of-N (docs/reveal.md): the
// compliance manager asks, stating the reason; the director approves
// (TOTP); the reporter's status page says to whom the identity will be
// revealed; the custodian (TOTP) downloads the reveal packet, which holds
// no name; `hotlinectl unmask` opens it with the custodian's and the
// alternate's shares, not with one; the custodian records the opening and
// the reporter's status page then says it was revealed. At phone and
// laptop width (screenshots reveal-request, reveal-approved-status,
// custodian-release, reveal-revealed-status).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BASE, launchForStaff, loginAs, shoot, url } from './common.mjs';
import { fitsPhone, hotlinectl, sendReport, stackDir } from './casework.mjs';

// `hotlinectl unmask` with the stack's shares of these roles (tools/stack.sh).
function unmask(packet, roles) {
	const build = dirname(dirname(process.env.HOTLINE_TEXTS));
	const args = ['unmask', '--packet', packet, '--json'];
	for (const role of roles)
		args.push('--share', join(stackDir(), `share-${role}`), '--passphrase-file', join(stackDir(), `pp-${role}`));
	return spawnSync(join(build, 'hotlinectl'), args, { encoding: 'utf8' });
}

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

	// the custodian downloads the packet, and it holds no name
	const cctx = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
	page = await cctx.newPage();
	await loginAs(page, BASE, 'custodian');
	await page.goto(url(requestPath));
	assert.equal(await page.locator('#confirm-opened').count(), 0, 'nothing to record before the release');
	const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-packet')]);
	const packetPath = await download.path();
	const packet = readFileSync(packetPath, 'utf8');
	assert.match(packet, /^hotline-reveal-packet-v1\n/);
	assert.ok(!packet.includes(name), 'the packet holds the identity sealed only');
	const binding = packet.match(/^binding ([0-9a-f]{64})$/m)[1];

	// off the server: one share is not enough, two are
	let u = unmask(packetPath, ['custodian']);
	assert.notEqual(u.status, 0);
	assert.match(u.stderr, /2 of the 3 are needed/);
	u = unmask(packetPath, ['custodian', 'alternate']);
	assert.equal(u.status, 0, u.stderr);
	const opened = JSON.parse(u.stdout);
	assert.equal(opened.identity.name, name);
	assert.equal(opened.identity.phone, '+77019998877');
	assert.equal(opened.binding, binding);

	// the custodian records the opening; the page shows the binding
	await page.goto(url(requestPath));
	assert.equal((await page.textContent('#packet-binding')).trim(), binding);
	await fitsPhone(page);
	await shoot(page, 'custodian-release');
	await Promise.all([page.waitForNavigation(), page.click('#confirm-opened')]);
	assert.equal(await page.getAttribute('#reveal-state', 'data-state'), 'revealed');
	assert.equal(await page.locator(`text=${name}`).count(), 0);
	await cctx.close();

	notice = await statusNotice(rpage, receipt);
	assert.match(notice, /was revealed to the compliance manager on \d{4}-\d{2}-\d{2}/);
	await shoot(rpage, 'reveal-revealed-status');
	await reporter.close();
});
