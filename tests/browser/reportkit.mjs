// Reports sent through the public form in a real page, for the tests of the
// staff pages: report(browser, fields) fills form#report on /?lang=en (no
// JavaScript), submits it and returns {receipt, regNo}.
import assert from 'node:assert/strict';
import { url } from './common.mjs';

export async function report(browser, fields) {
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await page.goto(url('/?lang=en'));
	const form = page.locator('form#report');
	for (const name of ['what', 'when_where', 'who'])
		if (fields[name] !== undefined)
			await form.locator(`[name="${name}"]:not([type="hidden"])`).fill(fields[name]);
	for (const name of ['category', 'director_involved', 'identity']) {
		const value = fields[name];
		if (value === undefined)
			continue;
		const select = form.locator(`select[name="${name}"]`);
		if ((await select.count()) > 0)
			await select.selectOption(value);
		else
			await form.locator(`input[type="radio"][name="${name}"][value="${value}"]`).check();
	}
	await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"], button:not([type])').first().click()]);
	const receipt = (await page.locator('#receipt').textContent()).trim();
	const regNo = (await page.locator('#reg-no').textContent()).trim();
	assert.match(regNo, /^\d{4}-\d{6}$/);
	await ctx.close();
	return { receipt, regNo };
}

// Opens /status with the receipt in a fresh page and returns the page.
export async function lookUp(browser, receipt) {
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await page.goto(url('/status?lang=en'));
	await page.locator('form#status [name="receipt"]').fill(receipt);
	await Promise.all([page.waitForNavigation(), page.locator('form#status button').click()]);
	return { ctx, page };
}

// Collects every dialog a page opens (an XSS probe must open none).
export function watchDialogs(page) {
	const seen = [];
	page.on('dialog', async (d) => {
		seen.push(d.message());
		await d.dismiss();
	});
	return seen;
}
