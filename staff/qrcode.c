#include "crypto/secret.h"
#include "staff/qrcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

bool qrcode_svg_path(const char *text, char **path, int *size)
{
	*path = NULL;
	*size = 0;
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return false;
	int w = qr->width;
	/* at most one "M x y h n v 1 h -n z" per two modules of a row */
	size_t cap = (size_t)w * (size_t)w * 16 + 1;
	char *out = malloc(cap);
	if (!out) {
		secret_wipe(qr->data, (size_t)w * (size_t)w);
		QRcode_free(qr);
		return false;
	}
	size_t o = 0;
	out[0] = '\0';
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w;) {
			if (!(qr->data[y * w + x] & 1)) {
				x++;
				continue;
			}
			int run = 1;
			while (x + run < w && (qr->data[y * w + x + run] & 1))
				run++;
			int n = snprintf(out + o, cap - o, "M%d %dh%dv1h-%dz", x, y, run, run);
			if (n < 0 || (size_t)n >= cap - o) {
				secret_wipe(out, cap);
				free(out);
				secret_wipe(qr->data, (size_t)w * (size_t)w);
				QRcode_free(qr);
				return false;
			}
			o += (size_t)n;
			x += run;
		}
	}
	secret_wipe(qr->data, (size_t)w * (size_t)w);
	QRcode_free(qr);
	*path = out;
	*size = w;
	return true;
}

void qrcode_path_free(char *path)
{
	if (!path)
		return;
	secret_wipe(path, strlen(path));
	free(path);
}
