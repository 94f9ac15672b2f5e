// The director in a real browser (TOTP at login): a report triaged by the
// compliance manager waits in the queue with its deadline; the director
// acknowledges it, decides to forward it and opens the printable cover
// letter. A report naming the director is not in the director's queue and
// its page is 404 for the director; the alternate recipient sees it, and
// clears "names the director" with a reason, after which the director reads
// it (issue 14).
// The commission's submitted conclusion waits on the decisions page; the
// director reads it and records the decision with its document's number
// and date, the measures with theirs, and closes the case.
// Screenshots director-queue, director-case, director-letter,
// director-clear, director-refused, director-ruling, case-timeline-kk,
// case-timeline-ru.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launchForStaff, loginAs, shoot, url } from './common.mjs';
import { report, watchDialogs } from './reportkit.mjs';
import { almatyToday, fitsPhone, hotlinectl, orderInvestigation, sendReport, submitConclusion } from './casework.mjs';

// A day as the pages write it (base/html.h html_date): "7 Dec 2026" in
// English, "07.12.2026" in Kazakh and Russian.
function readerDate(iso) {
	const [y, m, d] = iso.split('-');
	const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov',
		'Dec'];
	return new RegExp(`${Number(d)} ${months[Number(m) - 1]} ${y}|${d}\\.${m}\\.${y}`);
}

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

async function triage(regNo) {
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'compliance');
	await page.goto(url(`/staff/case/${regNo}`));
	await page.check('#triage input[name="outcome"][value="corruption"]');
	await Promise.all([page.waitForNavigation(), page.click('#triage-submit')]);
	assert.equal(await page.getAttribute('#case-state', 'data-state'), 'to_director');
	await ctx.close();
}

test('the director decides, and never sees a report that names the director', async () => {
	const marker = `kickback-${Date.now()}`;
	const plain = await report(browser, {
		what: `A ${marker} was paid for the warehouse lease.`, when_where: 'March, Astana',
		who: 'Warehouse manager', category: 'corruption', director_involved: 'no',
		identity: 'anonymous',
	});
	const named = await report(browser, {
		what: `The general director took a ${marker}.`, when_where: 'April',
		who: 'The general director', category: 'corruption', director_involved: 'yes',
		identity: 'anonymous',
	});
	await triage(plain.regNo);
	await triage(named.regNo);

	const ctx = await browser.newContext({ javaScriptEnabled: true });
	const page = await ctx.newPage();
	const dialogs = watchDialogs(page);
	await loginAs(page, BASE, 'director');
	await Promise.all([page.waitForNavigation(), page.click('#menu a[href="/staff/decisions"]')]);
	const card = page.locator(`#queue li[data-reg-no="${plain.regNo}"]`);
	assert.equal(await card.count(), 1, 'the report waits for the director');
	assert.match(await card.textContent(), /\d{1,2} [A-Z][a-z]{2} \d{4}|\d{2}\.\d{2}\.\d{4}/,
		'with its deadline');
	assert.equal(await page.locator(`#queue li[data-reg-no="${named.regNo}"]`).count(), 0);
	await shoot(page, 'director-queue');

	// acknowledged on the case page, after the report (not from the queue)
	assert.equal(await card.locator('button.ack').count(), 0, 'no acknowledge in the queue');
	await Promise.all([page.waitForNavigation(), card.locator('a.button').click()]);
	await Promise.all([page.waitForNavigation(), page.click('#ack-submit')]);
	await page.goto(url(`/staff/case/${plain.regNo}`));
	assert.equal(await page.getAttribute('#case-state', 'data-state'), 'acknowledged');
	assert.match(await page.textContent('#content'), new RegExp(marker));
	await page.check('#decide input[name="decision"][value="forward"]');
	await page.fill('#decision-doc', 'resolution 7');
	await shoot(page, 'director-case');
	await Promise.all([page.waitForNavigation(), page.click('#decide-submit')]);
	assert.equal(await page.getAttribute('#case-state', 'data-state'), 'forwarded');
	await Promise.all([page.waitForNavigation(), page.click('#cover-letter')]);
	assert.equal(await page.textContent('#letter-reg-no'), plain.regNo);
	assert.doesNotMatch(await page.content(), new RegExp(marker), 'no content in the letter');
	await shoot(page, 'director-letter');

	const denied = await page.goto(url(`/staff/case/${named.regNo}`));
	assert.equal(denied.status(), 404);
	assert.doesNotMatch(await page.content(), new RegExp(marker));
	assert.deepEqual(dialogs, []);
	await ctx.close();

	const alt = await browser.newContext({ javaScriptEnabled: false });
	const apage = await alt.newPage();
	await loginAs(apage, BASE, 'alternate');
	await apage.goto(url('/staff/decisions'));
	assert.equal(await apage.locator(`#queue li[data-reg-no="${named.regNo}"]`).count(), 1);
	assert.equal(await apage.locator(`#queue li[data-reg-no="${plain.regNo}"]`).count(), 0);
	const ok = await apage.goto(url(`/staff/case/${named.regNo}`));
	assert.equal(ok.status(), 200);
	assert.match(await apage.textContent('#content'), /general director/);
	// the reporter said "yes": only the alternate clears it, with a reason
	assert.equal(await apage.getAttribute('#reporter-answer', 'data-answer'), 'yes');
	await apage.fill('#director-clear-reason', 'It is about the deputy director, not the director.');
	await shoot(apage, 'director-clear');
	await Promise.all([apage.waitForNavigation(), apage.click('#director-clear-submit')]);
	assert.equal(new URL(apage.url()).pathname, '/staff/decisions');
	assert.equal(await apage.locator(`#queue li[data-reg-no="${named.regNo}"]`).count(), 0);
	await alt.close();
	// now the director reads it, and the timeline says who cleared it
	const dctx = await browser.newContext({ javaScriptEnabled: false });
	const dpage = await dctx.newPage();
	await loginAs(dpage, BASE, 'director');
	const seen = await dpage.goto(url(`/staff/case/${named.regNo}`));
	assert.equal(seen.status(), 200);
	// the change is an event of the timeline, in words, with who made it
	assert.match(await dpage.textContent('#events li[data-kind="director_named"]'),
		/does not concern the director.*\(Test Alternate\)/);
	assert.match(await dpage.textContent('#notes'), /deputy director/);
	await dctx.close();
});

test('the director decides on the commission\'s submitted conclusion', async () => {
	const findings = `The contracts confirm the kickbacks ${Date.now()}.`;
	const { regNo } = await sendReport({ what: 'Kickbacks on the warehouse lease' });
	orderInvestigation(regNo, '21-k');
	submitConclusion(regNo, findings);
	const today = almatyToday();

	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'director');
	await page.goto(url('/staff/decisions?lang=en'));
	const waiting = page.locator('#rulings li', { hasText: regNo });
	assert.equal(await waiting.count(), 1, 'the submitted conclusion waits for the director');
	await Promise.all([page.waitForNavigation(), waiting.locator('a.button').click()]);
	assert.equal(new URL(page.url()).pathname, `/staff/case/${regNo}`);
	assert.equal(await page.textContent('#findings-text'), findings);
	assert.match(await page.textContent('#submitted'), readerDate(today));

	// a decision dated before the submission is refused with the reason
	await page.check('#ruling input[name="decision"][value="disciplinary"]');
	await page.fill('#ruling-doc', 'order 50-k');
	await page.fill('#ruling-date', '2026-01-05');
	await Promise.all([page.waitForNavigation(), page.click('#ruling-submit')]);
	const said = await page.textContent('#step-error');
	assert.match(said, /before the commission submitted/);
	// the dates compared, written as the page writes dates, never ISO
	assert.match(said, readerDate('2026-01-05'));
	assert.match(said, readerDate(today));
	assert.doesNotMatch(said, /\d{4}-\d{2}-\d{2}/);
	await shoot(page, 'director-refused');
	await page.check('#ruling input[name="decision"][value="disciplinary"]');
	await page.fill('#ruling-doc', 'order 50-k');
	await page.fill('#ruling-date', today);
	await fitsPhone(page);
	await shoot(page, 'director-ruling');
	await Promise.all([page.waitForNavigation(), page.click('#ruling-submit')]);
	assert.match(await page.textContent('#decision-doc'), /order 50-k/);

	await page.fill('#measures-doc-no', 'order 51-k');
	await page.fill('#measures-date', today);
	await Promise.all([page.waitForNavigation(), page.click('#measures-submit')]);
	assert.match(await page.textContent('#measures-doc'), /order 51-k/);
	await Promise.all([page.waitForNavigation(), page.click('#close-submit')]);
	assert.equal(await page.getAttribute('#case-state', 'data-state'), 'closed');
	assert.match(hotlinectl('investigation', 'show', regNo), /investigation: closed/);
	// the closed case's timeline in words, in Kazakh and Russian: a
	// sentence per event, no code, the dates as dd.mm.yyyy with the zone
	for (const lang of ['kk', 'ru']) {
		await page.goto(url(`/staff/case/${regNo}?lang=${lang}`));
		const events = await page.locator('#events li').allTextContents();
		assert.ok(events.length >= 6, events.join('\n'));
		for (const e of events) {
			assert.doesNotMatch(e, /[a-z]+_[a-z]+|\{"|\d{4}-\d{2}-\d{2}/, e);
			assert.match(e, /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2} \(/, e);
		}
		assert.equal(await page.textContent('#investigation-state'),
			lang === 'kk' ? 'Жабылды' : 'Закрыта');
		await shoot(page, `case-timeline-${lang}`);
	}
	await ctx.close();
});
