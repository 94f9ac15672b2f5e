// The trust-line operator in a real browser, in Russian, without
// JavaScript: the console with the line's status, a call logged through the
// five steps of seed 004 L187-193 (a step left unticked is refused first),
// the receipt code read back from the page; then the caller, in a browser of
// their own, follows the report on /status with that code. Screenshots:
// operator-calls, operator-call-form, operator-call-refused,
// operator-receipt, operator-calls-after (phone and laptop).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launchForStaff, loginAs, shoot, url, loadTexts, shownText } from './common.mjs';

const RECEIPT_RE = /^\d{4}(?: \d{4}){6}$/;
const REGNO_RE = /^\d{4}-\d{6}$/;
const T = loadTexts();

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

async function submitForm(page, selector) {
	await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

test('an operator logs a call in Russian and the caller follows it on /status', async () => {
	const ctx = await browser.newContext({ javaScriptEnabled: false, locale: 'ru-RU' });
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'operator');

	await page.goto(url('/staff/calls?lang=ru'));
	assert.equal(await page.getAttribute('html', 'lang'), 'ru');
	const status = await page.getAttribute('#line-status', 'data-status');
	assert.ok(['open', 'weekend', 'holiday', 'before_hours', 'after_hours'].includes(status), status);
	await shoot(page, 'operator-calls');

	await submitForm(page, '#new-call');
	assert.equal(new URL(page.url()).pathname, '/staff/calls/new');
	assert.equal(await page.getAttribute('html', 'lang'), 'ru');
	// the script, in Russian, with the operator's own name
	assert.equal(await page.locator('li.step').count(), 5);
	assert.match(await shownText(page, '#step-1 .say'), /Вас слушает Test Operator \(оператор телефона доверия\)/);
	assert.equal(await shownText(page, '#step-1 h2'), T.M_CALL_STEP1_TITLE.ru);
	assert.match(await shownText(page, '#step-5 .say'), /государственную тайну/);
	await shoot(page, 'operator-call-form');

	// steps 1 to 4, as the call goes
	await page.check('input[name="step1"]');
	await page.check('input[name="step2"]');
	// the caller gives a name: nothing is preselected, the operator asks
	assert.equal(await page.locator('input[name="identity"]:checked').count(), 0);
	await page.check('input[name="identity"][value="named"]');
	await page.fill('[name="name"]', 'Петров Пётр Петрович');
	await page.fill('[name="phone"]', '+7 701 555 12 34');
	await page.check('input[name="step3"]');
	await page.fill('[name="what"]', 'Инспектор требовал деньги за положительное заключение.');
	await page.fill('[name="who"]', 'Инспектор отдела приёмки');
	await page.selectOption('[name="category"]', 'corruption');
	await page.check('input[name="step4"]');
	const closed = await page.locator('#outside-hours').count();
	assert.equal(closed, status === 'open' ? 0 : 1, 'the outside-hours reason is asked exactly when the line is closed');
	if (closed)
		await page.fill('[name="outside_reason"]', 'Звонок принят дежурным после окончания рабочего дня');
	// step 5 forgotten: refused, and nothing typed is lost
	await submitForm(page, '#save-call');
	assert.ok(await page.isVisible('#errors'));
	assert.match(await shownText(page, '#errors'), /5\. Сообщите о защите сведений/);
	assert.doesNotMatch(await shownText(page, '#errors'), /1\. Представьтесь/);
	assert.equal(await page.inputValue('[name="what"]'), 'Инспектор требовал деньги за положительное заключение.');
	assert.equal(await page.isChecked('input[name="step4"]'), true);
	await shoot(page, 'operator-call-refused');

	await page.check('input[name="step5"]');
	await submitForm(page, '#save-call');
	assert.equal(await page.getAttribute('html', 'lang'), 'ru');
	const receipt = await shownText(page, '#receipt');
	const regNo = await shownText(page, '#reg-no');
	assert.match(receipt, RECEIPT_RE);
	assert.match(regNo, REGNO_RE);
	assert.equal(await shownText(page, '#read-receipt'), T.M_CALL_READ_RECEIPT.ru);
	// the groups for dictation, with their digits spelled out in Russian
	const groups = await page.locator('#dictation .group').allTextContents();
	assert.deepEqual(groups, receipt.split(' '));
	const spoken = await page.locator('#dictation .spoken').first().textContent();
	const words = ['ноль', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
	assert.equal(spoken.trim(), [...groups[0]].map((d) => words[Number(d)]).join(' '));
	await shoot(page, 'operator-receipt');

	// the console lists the call by number and time, nothing more
	await page.goto(url('/staff/calls'));
	assert.ok((await page.locator('#my-calls td.reg-no').allTextContents()).includes(regNo));
	assert.ok(!(await page.content()).includes('Инспектор'));
	await shoot(page, 'operator-calls-after');
	await ctx.close();

	// the caller, elsewhere, with the code read to them
	const rctx = await browser.newContext({ javaScriptEnabled: false, locale: 'ru-RU' });
	const rpage = await rctx.newPage();
	await rpage.goto(url('/status?lang=ru'));
	await rpage.fill('form#status [name="receipt"]', receipt);
	await submitForm(rpage, 'form#status button');
	assert.equal(await shownText(rpage, '#reg-no'), regNo);
	assert.notEqual(await shownText(rpage, '#state'), '');
	await rctx.close();
});

// Measuring needs JavaScript: a context of its own, for the measurement only.
async function noSideScroll(page, what) {
	const { scrollWidth, clientWidth } = await page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		clientWidth: document.documentElement.clientWidth,
	}));
	assert.ok(scrollWidth <= clientWidth, `${what} at 375px: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);
}

test('the console, the call form and the receipt fit a phone, in every language', async () => {
	const ctx = await browser.newContext({
		javaScriptEnabled: true, viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true,
	});
	const page = await ctx.newPage();
	const csp = [];
	page.on('console', (m) => {
		if (/Content Security Policy/i.test(m.text()))
			csp.push(m.text());
	});
	let deskCss = 0;
	page.on('response', (r) => {
		if (r.url().endsWith('/staff/desk.css') && r.status() === 200)
			deskCss++;
	});
	await loginAs(page, BASE, 'operator');
	for (const code of ['kk', 'ru', 'en']) {
		for (const path of ['/staff/calls', '/staff/calls/new']) {
			await page.goto(url(`${path}?lang=${code}`));
			assert.equal(await page.getAttribute('html', 'lang'), code);
			await noSideScroll(page, `${path}?lang=${code}`);
		}
	}
	// a whole call, in Kazakh, to measure the receipt page too
	for (let i = 1; i <= 5; i++)
		await page.check(`input[name="step${i}"]`);
	await page.fill('[name="what"]', 'Пара сұрады: тексеру үшін өлшеу');
	await page.selectOption('[name="category"]', 'corruption');
	if (await page.locator('#outside-hours').count())
		await page.fill('[name="outside_reason"]', 'Кезекші қабылдады');
	await Promise.all([page.waitForNavigation(), page.click('#save-call')]);
	assert.match(await shownText(page, '#receipt'), RECEIPT_RE);
	await noSideScroll(page, 'the receipt page (kk)');
	await shoot(page, 'operator-receipt-kk');
	assert.ok(deskCss > 0, '/staff/desk.css was loaded');
	assert.deepEqual(csp, [], 'no Content-Security-Policy violations');
	await ctx.close();
});
