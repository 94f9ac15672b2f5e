// The registrar in a real browser, without JavaScript: a written appeal
// registered with a scanned page, and the printable registration ticket
// (talon, seed 001 L261) that the person takes away; its code then works on
// /status. Screenshots: registrar-form, registrar-ticket (phone, laptop)
// and registrar-ticket-print (the page as printed, in PDF media).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SHOTS, launchForStaff, loginAs, shoot, url, shownText } from './common.mjs';
import { join } from 'node:path';

const RECEIPT_RE = /^\d{4}(?: \d{4}){6}$/;
const REGNO_RE = /^\d{4}-\d{6}$/;

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

test('a registrar registers a written appeal and prints the ticket', async () => {
	const ctx = await browser.newContext({ javaScriptEnabled: false, locale: 'ru-RU' });
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'registrar');
	await page.goto(url('/staff/register?lang=ru'));
	assert.equal(await page.getAttribute('html', 'lang'), 'ru');
	await shoot(page, 'registrar-form');

	await page.check('input[name="channel"][value="written"]');
	await page.check('input[name="identity"][value="named"]');
	await page.fill('[name="name"]', 'Серикова Айгуль');
	await page.fill('[name="address"]', 'г. Астана, пр. Мангилик Ел 8, кв. 1');
	await page.fill('[name="what"]', 'В письме сообщается о вымогательстве при приёмке работ.');
	await page.selectOption('[name="category"]', 'corruption');
	await page.setInputFiles('[name="files"]', {
		name: 'скан-письма.pdf', mimeType: 'application/pdf',
		buffer: Buffer.from('%PDF-1.4\n% a scanned letter\n'),
	});
	await Promise.all([page.waitForNavigation(), page.click('#register')]);

	assert.equal(await page.locator('#ticket').count(), 1, 'no ticket');
	const regNo = await shownText(page, '#reg-no');
	const receipt = await shownText(page, '#receipt');
	assert.match(regNo, REGNO_RE);
	assert.match(receipt, RECEIPT_RE);
	assert.match(await shownText(page, '#ticket-how'), /\/status/);
	assert.ok(!(await page.content()).includes('вымогательстве'), 'content on the ticket');
	await shoot(page, 'registrar-ticket');
	// as printed: the header, menu and links are not on paper
	await page.emulateMedia({ media: 'print' });
	assert.equal(await page.isVisible('header'), false, 'the page header is printed');
	assert.equal(await page.isVisible('#ticket'), true);
	if (SHOTS)
		await page.screenshot({ path: join(SHOTS, 'registrar-ticket-print.png'), fullPage: true });
	await page.emulateMedia({ media: 'screen' });
	await ctx.close();

	const rctx = await browser.newContext({ javaScriptEnabled: false });
	const rpage = await rctx.newPage();
	await rpage.goto(url('/status?lang=ru'));
	await rpage.fill('form#status [name="receipt"]', receipt);
	await Promise.all([rpage.waitForNavigation(), rpage.click('form#status button')]);
	assert.equal(await shownText(rpage, '#reg-no'), regNo);
	await rctx.close();
});

test('the registrar form and the ticket fit a phone', async () => {
	const ctx = await browser.newContext({
		javaScriptEnabled: true, viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true,
	});
	const page = await ctx.newPage();
	await loginAs(page, BASE, 'registrar');
	const measure = async (what) => {
		const { scrollWidth, clientWidth } = await page.evaluate(() => ({
			scrollWidth: document.documentElement.scrollWidth,
			clientWidth: document.documentElement.clientWidth,
		}));
		assert.ok(scrollWidth <= clientWidth, `${what} at 375px: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);
	};
	for (const code of ['kk', 'ru', 'en']) {
		await page.goto(url(`/staff/register?lang=${code}`));
		await measure(`/staff/register?lang=${code}`);
	}
	await page.check('input[name="channel"][value="in_person"]');
	await page.fill('[name="what"]', 'Appeal handed in at the desk, to measure the ticket.');
	await page.selectOption('[name="category"]', 'other');
	await Promise.all([page.waitForNavigation(), page.click('#register')]);
	assert.match(await shownText(page, '#receipt'), RECEIPT_RE);
	await measure('the ticket (en)');
	await ctx.close();
});
