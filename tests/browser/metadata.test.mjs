// Files cleaned of metadata (issue 16, docs/http.md "Files cleaned of
// metadata") in a real browser, JavaScript off: the form's hint beside the
// files field in kk and ru at phone (390 px) and laptop (1366 px) width;
// then a report with a PNG carrying an author and a file mat2 cannot read,
// sent through the form, and the compliance manager's case page in ru and
// kk showing "cleaned" beside the one and "could not be cleaned" beside
// the other. Screenshots metadata-form-{kk,ru}-{phone,laptop},
// metadata-case-{ru,kk}-{phone,laptop}.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { BASE, SHOTS, launch, loadTexts, loginAs, url } from './common.mjs';

const T = loadTexts();
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1366, height: 768 };
let browser;
before(async () => { browser = await launch(); });
after(() => browser?.close());

function shotDir() {
	const dir = SHOTS || join(process.cwd(), '..', '..', 'build', 'screenshots');
	mkdirSync(dir, { recursive: true });
	return dir;
}

async function shootBoth(page, name) {
	for (const [size, vp] of [['phone', PHONE], ['laptop', LAPTOP]]) {
		await page.setViewportSize(vp);
		await page.screenshot({ path: join(shotDir(), `${name}-${size}.png`), fullPage: true });
	}
}

async function fits(page) {
	return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
}

function crc32(buf) {
	let c, crc = 0xffffffff;
	for (const b of buf) {
		c = (crc ^ b) & 0xff;
		for (let k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		crc = (crc >>> 8) ^ c;
	}
	return (crc ^ 0xffffffff) >>> 0;
}

function chunk(kind, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(kind, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([len, body, crc]);
}

// A 16×8 grey PNG with a tEXt Author chunk.
function pngWithAuthor(author) {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(16, 0);
	ihdr.writeUInt32BE(8, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 0; // greyscale
	const rows = Buffer.alloc(8 * 17, 0x80);
	for (let y = 0; y < 8; y++)
		rows[y * 17] = 0; // filter: none
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('tEXt', Buffer.from(`Author\0${author}`, 'latin1')),
		chunk('IDAT', deflateSync(rows)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

for (const lang of ['kk', 'ru']) {
	test(`the form says what cleaning removes and what it cannot (${lang})`, async () => {
		const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
		const page = await ctx.newPage();
		await page.goto(url(`/?lang=${lang}`));
		const hint = page.locator('#files-cleaned');
		assert.equal((await hint.textContent()).trim(), T.M_FORM_FILES_CLEANED[lang]);
		assert.ok(await hint.isVisible());
		// beside the file field, in its fieldset
		assert.equal(await page.locator('fieldset:has(#files) #files-cleaned').count(), 1);
		assert.ok(await fits(page), 'the form is no wider than a 390 px phone');
		await shootBoth(page, `metadata-form-${lang}`);
		await ctx.close();
	});
}

test('staff see which files were cleaned and which could not be', async () => {
	const author = `Author-${Date.now()}`;
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await page.goto(url('/?lang=en'));
	const form = page.locator('form#report');
	await form.locator('[name="what"]').fill('Photos of the delivery note attached.');
	const category = form.locator('select[name="category"]');
	if (await category.count())
		await category.selectOption('corruption');
	else
		await form.locator('input[type="radio"][name="category"][value="corruption"]').check();
	await form.locator('#files').setInputFiles([
		{ name: 'note.png', mimeType: 'image/png', buffer: pngWithAuthor(author) },
		{ name: 'scan.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a picture at all') },
	]);
	await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"], button:not([type])').first().click()]);
	const regNo = (await page.locator('#reg-no').textContent()).trim();
	assert.match(regNo, /^\d{4}-\d{6}$/);

	const staff = await browser.newContext({ javaScriptEnabled: false });
	const sp = await staff.newPage();
	await loginAs(sp, BASE, 'compliance');
	for (const lang of ['ru', 'kk']) {
		await sp.goto(url(`/staff/case/${regNo}?lang=${lang}`));
		const png = sp.locator('#files li', { hasText: 'note.png' });
		const jpg = sp.locator('#files li', { hasText: 'scan.jpg' });
		assert.equal((await png.locator('.cleaned').textContent()).trim(), T.M_CASE_FILE_CLEANED[lang]);
		assert.equal(await png.locator('.not-cleaned').count(), 0);
		assert.equal((await jpg.locator('.not-cleaned').textContent()).trim(), T.M_CASE_FILE_NOT_CLEANED[lang]);
		await shootBoth(sp, `metadata-case-${lang}`);
	}
	// the cleaned PNG no longer names its author
	const href = await sp.locator('#files li', { hasText: 'note.png' }).locator('a.file').getAttribute('href');
	const body = await (await sp.request.get(url(href))).body();
	assert.equal(body.subarray(0, 8).toString('latin1'), '\x89PNG\r\n\x1a\n');
	assert.ok(!body.includes(Buffer.from(author)), 'the author is gone');
	await staff.close();
	await ctx.close();
});
