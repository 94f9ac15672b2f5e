// What the commission and custodian browser tests need besides the staff
// login (common.mjs): a report sent the way a reporter sends it, and the
// earlier steps of the procedure taken with the stack's hotlinectl, as the
// compliance manager and the director would.
//   stackDir()            the stack's folder (where staff.json, pp, keys are)
//   passphrase()          the passphrase of the stack's secret keys (DIR/pp)
//   hotlinectl(...args)   runs BUILD/hotlinectl on the stack's database
//   sendReport(fields)    POSTs /report; returns {regNo, receipt}
//   fitsPhone(page)       asserts that the page has no horizontal scroll at 375 px
//   almatyToday()         today's date in Asia/Almaty (YYYY-MM-DD): the latest
//                         date an order, a request or a decision may bear
//   orderInvestigation(regNo, orderNo)
//                         triages a report as corruption, decides to investigate
//                         and orders it today with the "commission" account
//   submitConclusion(regNo)
//                         the commission's steps with hotlinectl: start, a
//                         conclusion, submitted to management
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BASE } from './common.mjs';

export function stackDir() {
	return dirname(process.env.HOTLINE_STAFF);
}

export function passphrase() {
	return readFileSync(join(stackDir(), 'pp'), 'utf8').split('\n')[0];
}

export function hotlinectl(...args) {
	const build = dirname(dirname(process.env.HOTLINE_TEXTS));
	const db = `host=${stackDir()}/pg/run dbname=hotline user=postgres`;
	// the stack's recovery key, so that a step seals the case to whoever it
	// entitles at once (the director after a triage: docs/keys.md), as the
	// integration tests do
	const env = {
		...process.env,
		HOTLINE_CASE_KEY: join(stackDir(), 'case.sec'),
		HOTLINE_CASE_PASSPHRASE_FILE: join(stackDir(), 'pp'),
	};
	return execFileSync(join(build, 'hotlinectl'), [...args, '--database', db],
		{ encoding: 'utf8', env });
}

// Waits until the deadline scanner has announced every appeal registered so
// far (the compliance notice, and for a named reporter the reply deadline,
// workflow/scanner.c): a case page read before and after would otherwise
// differ by that line.
// The browser stack scans every deadline_scan_interval (60 s by default).
export function waitScanned(timeoutMs = 90000) {
	const db = `host=${stackDir()}/pg/run dbname=hotline user=postgres`;
	const end = Date.now() + timeoutMs;
	for (;;) {
		const left = execFileSync('psql', [db, '-Atc', 'SELECT count(*) FROM hotline.deadlines WHERE NOT announced'],
			{ encoding: 'utf8' }).trim();
		if (left === '0')
			return;
		assert.ok(Date.now() < end, `${left} deadlines still unannounced after ${timeoutMs} ms`);
		execFileSync('sleep', ['0.5']);
	}
}

function textOf(html, id) {
	const m = html.match(new RegExp(`id="${id}"[^>]*>([^<]*)<`));
	return m ? m[1].trim() : null;
}

export async function sendReport(fields) {
	const body = new URLSearchParams({
		when_where: 'Office 214, last Monday',
		who: 'Head of procurement',
		director_involved: 'no',
		category: 'corruption',
		identity: 'anonymous',
		lang: 'en',
		...fields,
	});
	// 303 to the receipt page, which its cookie opens (docs/http.md "The
	// receipt page"); fetch keeps no cookies, so the redirect is followed here
	const sent = await fetch(new URL('/report', BASE), { method: 'POST', body, redirect: 'manual' });
	assert.equal(sent.status, 303, (await sent.text()).slice(0, 500));
	const cookie = (sent.headers.get('set-cookie') ?? '').split(';')[0];
	assert.match(cookie, /^receipt_page=[0-9a-f]+$/, 'the receipt page\'s cookie');
	const r = await fetch(new URL(sent.headers.get('location'), BASE), { headers: { cookie } });
	const html = await r.text();
	assert.equal(r.status, 200, html.slice(0, 500));
	const regNo = textOf(html, 'reg-no');
	const receipt = textOf(html, 'receipt');
	assert.ok(regNo && receipt, 'no receipt page');
	return { regNo, receipt };
}

export async function fitsPhone(page) {
	const before = page.viewportSize();
	await page.setViewportSize({ width: 375, height: 812 });
	const { scroll, client } = await page.evaluate(() => ({
		scroll: document.documentElement.scrollWidth,
		client: document.documentElement.clientWidth,
	}));
	assert.ok(scroll <= client, `${page.url()}: ${scroll} px wide on a 375 px phone`);
	if (before)
		await page.setViewportSize(before);
}

export function almatyToday() {
	return new Date(Date.now() + 5 * 3600 * 1000).toISOString().slice(0, 10);
}

export function orderInvestigation(regNo, orderNo) {
	hotlinectl('case', 'triage', regNo, 'corruption');
	hotlinectl('case', 'decide', regNo, 'investigate', '--doc', 'resolution 4');
	hotlinectl('investigation', 'order', regNo, '--order-no', orderNo, '--order-date', almatyToday(),
		'--member', 'Test Commission|deputy director|commission',
		'--member', 'Omarova Gulnara|chief accountant',
		'--case-key', `${stackDir()}/case.sec`, '--passphrase-file', `${stackDir()}/pp`);
}

export function submitConclusion(regNo, findings) {
	const file = join(stackDir(), `conclusion-${regNo}.txt`);
	writeFileSync(file, findings);
	hotlinectl('investigation', 'start', regNo);
	hotlinectl('investigation', 'conclude', regNo, '--norms', 'Law on Combating Corruption, art. 8',
		'--text-file', file, '--case-public-key', `${stackDir()}/case.pub`);
	hotlinectl('investigation', 'submit', regNo);
}
