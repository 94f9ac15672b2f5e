/* Wiping memory that held what a reporter sent, beyond the explicit
 * memset()s next to the data (docs/keys.md, "What memory holds").
 *
 * hotlined links daemon/wipe_free.c, which replaces free() and realloc()
 * for the whole process (libmicrohttpd, libpq, GMime, jansson included):
 * every freed block is zeroed before it goes back to malloc. hotlinectl
 * and the tests do not link it. */
#ifndef HOTLINE_BASE_WIPE_H
#define HOTLINE_BASE_WIPE_H

/* Zeroes WIPE_STACK_BYTES of the calling thread's stack below the caller's
 * frame: what deeper calls (parsers, printf, crypto) left there. Call it
 * from a shallow frame after work on clear text. */
#define WIPE_STACK_BYTES (64 * 1024)
void wipe_stack(void);

#endif
