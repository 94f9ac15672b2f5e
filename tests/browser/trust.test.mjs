// The trust page and the organisation's face in a real browser, JavaScript
// off: an administrator saves the settings (name, logo, number, hours,
// e-mail, a text) on /staff/admin/settings, and a reporter reads them on
// /trust in Kazakh and Russian at phone (390 px) and laptop (1366 px)
// width; the link to it is on the form, the status page without a receipt
// and the error page; nothing is wider than a 320 px screen. Screenshots
// trust-*, trust-face-* (the header and footer on the other pages),
// staff-settings-* (docs/http.md, "The trust page").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { SHOTS, launchForStaff, loadTexts, loginAs, url } from './common.mjs';

const T = loadTexts();
const SIZES = { phone: { width: 390, height: 844 }, laptop: { width: 1366, height: 768 } };
const ORG = 'АО «Тест-Сенім» Қарағанды филиалы';
const PHONE = '+7 (7212) 40-50-60';
const EMAIL = 'senim@test-org.kz';
const HOURS_KK = 'Дүйсенбі–жұма, 08:30–17:30 (Астана уақыты)';
const HOURS_RU = 'Понедельник–пятница, 08:30–17:30 (время Астаны)';
const SAFETY_RU = 'Не пишите с рабочего компьютера.\nЗвоните с личного телефона.';

let browser;
before(async () => { browser = await launchForStaff(); });
after(() => browser?.close());

// A 96×32 PNG in the organisation's colours.
function logoPng() {
	const crc = (buf) => {
		let c, crcv = 0xffffffff;
		for (const b of buf) {
			c = (crcv ^ b) & 0xff;
			for (let k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			crcv = (crcv >>> 8) ^ c;
		}
		return (crcv ^ 0xffffffff) >>> 0;
	};
	const chunk = (type, data) => {
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const c = Buffer.alloc(4);
		c.writeUInt32BE(crc(td));
		return Buffer.concat([len, td, c]);
	};
	const w = 96, h = 32;
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	const rows = [];
	for (let y = 0; y < h; y++) {
		rows.push(0);
		for (let x = 0; x < w; x++)
			rows.push(...(x < 32 ? [0x0b, 0x6e, 0x4f] : [0xf2, 0xb7, 0x05]));
	}
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from(rows))), chunk('IEND', Buffer.alloc(0))]);
}

async function shot(page, name) {
	const dir = SHOTS || join(process.cwd(), '..', '..', 'build', 'screenshots');
	mkdirSync(dir, { recursive: true });
	for (const [size, vp] of Object.entries(SIZES)) {
		await page.setViewportSize(vp);
		await page.screenshot({ path: join(dir, `${name}-${size}.png`), fullPage: true });
	}
}

async function fits(page, width, what) {
	await page.setViewportSize({ width, height: 700 });
	const { scrollWidth, clientWidth } = await page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		clientWidth: document.documentElement.clientWidth,
	}));
	assert.ok(scrollWidth <= clientWidth, `${what} at ${width} px is ${scrollWidth} px wide`);
}

async function adminSaves(page, fields) {
	await page.goto(url('/staff/admin/settings?lang=ru'));
	for (const [id, value] of Object.entries(fields))
		await page.fill(`#set-${id}`, value);
	await Promise.all([page.waitForNavigation(), page.click('#settings-save')]);
	assert.equal(await page.locator('#done').count(), 1, await page.content());
}

test('the trust page shows what the administrator saved', async () => {
	const staff = await browser.newContext({ javaScriptEnabled: false });
	const admin = await staff.newPage();
	await loginAs(admin, url('/'), 'admin');
	await admin.goto(url('/staff/?lang=ru'));
	assert.equal(await admin.locator('#menu a[href="/staff/admin/settings"]').count(), 1, 'no menu entry');
	await admin.goto(url('/staff/admin/settings?lang=ru'));
	assert.equal(await admin.locator('#set-trust_email').count(), 1, await admin.content());
	// a wrong number is refused by the server, tied to its field (a wrong
	// address the browser itself refuses: the field is type="email")
	assert.equal(await admin.getAttribute('#set-trust_email', 'type'), 'email');
	await admin.fill('#set-trust_phone', 'call the office');
	await Promise.all([admin.waitForNavigation(), admin.click('#settings-save')]);
	assert.equal(await admin.getAttribute('#set-trust_phone', 'aria-invalid'), 'true');
	assert.equal(await admin.getAttribute('#set-trust_phone', 'aria-describedby'), 'err-trust_phone');
	assert.equal(await admin.getAttribute('#set-trust_phone', 'value'), 'call the office');
	assert.equal(await admin.locator('#errors a[href="#set-trust_phone"]').count(), 1);
	assert.equal((await admin.textContent('#err-trust_phone')).trim(), T.M_SET_ERR_PHONE.ru);
	await shot(admin, 'staff-settings-error');
	await adminSaves(admin, {
		organisation: ORG, trust_phone: PHONE, trust_email: EMAIL,
		trust_hours_kk: HOURS_KK, trust_hours_ru: HOURS_RU, trust_safety_ru: SAFETY_RU,
	});
	await admin.setInputFiles('#set-logo', { name: 'logo.png', mimeType: 'image/png', buffer: logoPng() });
	await Promise.all([admin.waitForNavigation(), admin.click('#logo-upload')]);
	assert.equal(await admin.locator('#done').count(), 1);
	assert.equal(await admin.getAttribute('#logo-now', 'data-type'), 'image/png');
	assert.match(await admin.textContent('#logo-now'), /PNG/);
	await shot(admin, 'staff-settings');

	const pub = await browser.newContext({ javaScriptEnabled: false });
	const page = await pub.newPage();
	try {
		for (const lang of ['kk', 'ru']) {
			for (const [size, vp] of Object.entries(SIZES)) {
				await page.setViewportSize(vp);
				await page.goto(url(`/trust?lang=${lang}`));
				assert.equal(await page.getAttribute('html', 'lang'), lang);
				assert.equal((await page.textContent('h1')).trim(), T.M_TRUST_TITLE[lang]);
				assert.equal((await page.textContent('#org-name')).trim(), ORG, `${lang} ${size}: header`);
				assert.equal((await page.textContent('#trust-org')).trim(), ORG);
				assert.equal((await page.textContent('#trust-phone')).trim(), PHONE);
				assert.equal(await page.getAttribute('#trust-phone a', 'href'), 'tel:+77212405060');
				assert.equal((await page.textContent('#trust-email')).trim(), EMAIL);
				assert.equal((await page.textContent('#trust-hours')).trim(), lang === 'kk' ? HOURS_KK : HOURS_RU);
				// the logo is drawn (its bytes arrived as an image)
				const drawn = await page.$eval('#logo', (img) => img.complete && img.naturalWidth);
				assert.equal(drawn, 96, `${lang} ${size}: logo`);
				assert.ok(await page.isVisible('#logo'));
				if (lang === 'ru') {
					assert.equal(await page.$eval('#safety-text', (e) => e.textContent), SAFETY_RU);
				} else {
					// kk keeps the default advice: own phone, mobile data
					assert.ok((await page.textContent('#safety')).includes(T.M_TRUST_SAFETY_DEVICE.kk));
				}
				assert.ok((await page.textContent('#privacy')).includes(T.M_TRUST_PRIVACY_IDENTITY[lang]));
			}
			await shot(page, `trust-${lang}`);
			await fits(page, 320, `/trust (${lang})`);
			// the link to it: the form, the status page without a receipt, an error page
			for (const [path, what] of [['/', 'form'], ['/status', 'status'], ['/no-such-page', 'error']]) {
				await page.setViewportSize(SIZES.phone);
				const resp = await page.goto(url(`${path}?lang=${lang}`));
				assert.equal(resp.status(), what === 'error' ? 404 : 200, path);
				assert.equal((await page.textContent('#trust-link')).trim(), T.M_TRUST_LINK[lang], `${what} ${lang}`);
				assert.equal((await page.textContent('#org-name')).trim(), ORG, `${what} ${lang}: header`);
				await shot(page, `trust-face-${what}-${lang}`);
				if (what === 'error')
					await fits(page, 320, `the error page (${lang})`);
			}
			await Promise.all([page.waitForNavigation(), page.click('#trust-link')]);
			assert.equal(new URL(page.url()).pathname, '/trust');
		}
	} finally {
		// the stack is shared with the other files: leave no face behind
		await admin.goto(url('/staff/admin/settings'));
		if (await admin.locator('#logo-remove').count())
			await Promise.all([admin.waitForNavigation(), admin.click('#logo-remove')]);
		await adminSaves(admin, {
			organisation: '', trust_phone: '', trust_email: '', trust_hours_kk: '', trust_hours_ru: '', trust_safety_ru: '',
		});
		await pub.close();
		await staff.close();
	}
});
