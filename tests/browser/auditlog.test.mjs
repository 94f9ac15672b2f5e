// The audit log page and the desks' third person in a real browser,
// JavaScript off (issue 16): the compliance manager opens the audit log
// from the menu, reads the chain's verdict at the top and the actions in
// words, filters by a case; the page fits a phone. The operator's and the
// registrar's forms speak of the reporter in the third person, and a page
// with a form says when the session ends. Screenshots audit-ru, audit-kk,
// desk-operator-ru, desk-registrar-kk, case-idle-note-ru at phone and
// laptop width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launchForStaff, loginAs, shoot, url } from './common.mjs';
import { fitsPhone, hotlinectl } from './casework.mjs';
import { report } from './reportkit.mjs';

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

test('compliance reads the audit log with the chain verdict, in words, on a phone too', async () => {
	const { regNo } = await report(browser, {
		what: 'A tender was steered to a relative.', when_where: 'May, procurement',
		who: 'Procurement officer', category: 'corruption', director_involved: 'no',
		identity: 'anonymous',
	});
	hotlinectl('case', 'triage', regNo, 'corruption');
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'compliance');
	await page.goto(url(`/staff/case/${regNo}?lang=ru`));
	assert.match(await page.textContent('#idle-note'), /\d\d:\d\d.*Астаны/);
	await shoot(page, 'case-idle-note-ru');
	await Promise.all([page.waitForNavigation(), page.click('#menu a[href="/staff/audit"]')]);
	assert.equal(await page.getAttribute('#audit-chain', 'class'), 'chain ok');
	assert.match(await page.textContent('#audit-chain'), /Цепочка цела/);
	assert.match(await page.textContent('#audit'), /Просмотр дела/);
	assert.match(await page.textContent('#audit'), /\d\d\.\d\d\.\d{4} \d\d:\d\d/);
	await page.fill('#f-case', regNo);
	await Promise.all([page.waitForNavigation(), page.click('#audit-search')]);
	const rows = page.locator('#audit tbody tr');
	assert.ok(await rows.count() >= 2, 'the view and this reading of the case');
	for (const obj of await rows.locator('td:nth-child(5)').allTextContents())
		assert.ok(obj.startsWith(regNo), obj);
	await fitsPhone(page);
	await shoot(page, 'audit-ru');
	await page.goto(url('/staff/audit?lang=kk'));
	assert.match(await page.textContent('#audit-chain'), /Тізбек бүтін/);
	await fitsPhone(page);
	await shoot(page, 'audit-kk');
	await ctx.close();
});

test('the desks name the categories in the third person', async () => {
	for (const [login, path, lang, shot] of [
		['operator', '/staff/calls/new', 'ru', 'desk-operator-ru'],
		['registrar', '/staff/register', 'kk', 'desk-registrar-kk']]) {
		const ctx = await browser.newContext({ javaScriptEnabled: false });
		const page = await ctx.newPage();
		await loginAs(page, BASE, login);
		await page.goto(url(`${path}?lang=${lang}`));
		const cats = await page.locator('#field-category option').allTextContents();
		assert.ok(cats.includes(lang === 'ru' ? 'Заявителю предложили подарок'
			: 'Өтініш берушіге сыйлық ұсынылды'), cats.join(' | '));
		await fitsPhone(page);
		await shoot(page, shot);
		await ctx.close();
	}
});
