/* A QR code as an SVG path (libqrencode), for pages that show one without
 * JavaScript or images: the TOTP enrolment page (staff/mytotp.c). */
#ifndef HOTLINE_STAFF_QRCODE_H
#define HOTLINE_STAFF_QRCODE_H

#include <stdbool.h>

#include "base/attr.h"

/* The QR code of text (8-bit mode, error correction M) as the "d" of one
 * SVG path in module units, each run of dark modules of a row one
 * rectangle; *size is the side in modules, without the quiet zone. *path is
 * malloc'd, freed with qrcode_path_free() (wiped: text may be a secret). */
bool qrcode_svg_path(const char *text, char **path, int *size) MUST_CHECK;
void qrcode_path_free(char *path);

#endif
