/* A one-dimensional PostgreSQL array in the binary format the server reads
 * (array_recv), built element by element: many rows' values sent as one
 * parameter of one statement (intake/appeal.c, hotline.register_batch). */
#ifndef HOTLINE_BASE_PGARRAY_H
#define HOTLINE_BASE_PGARRAY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"

/* The element types used, by their PostgreSQL type OID. */
enum pgarray_type {
	PGARRAY_INT8 = 20,
	PGARRAY_TEXT = 25,
	PGARRAY_BYTEA = 17,
};

/* Owns data; zeroed is empty. failed: out of memory or over 1 GB, the
 * array is unusable (pgarray_done() says so). */
struct pgarray {
	unsigned char *data;
	size_t len, cap;
	unsigned want, count;
	bool failed;
};

/* Starts an array of n elements of type. */
void pgarray_begin(struct pgarray *a, enum pgarray_type type, unsigned n);
/* Appends an element: len bytes of data as the server's binary form of the
 * type (UTF-8 text, raw bytea, a big-endian int8); data NULL is SQL NULL. */
void pgarray_add(struct pgarray *a, const void *data, size_t len);
/* Appends a string (NULL is SQL NULL). */
void pgarray_add_text(struct pgarray *a, const char *s);
/* True when exactly the n elements were added and nothing failed: then
 * data/len are the parameter's value (format 1). */
bool pgarray_done(const struct pgarray *a) MUST_CHECK;
/* Frees the data; the struct is empty again. pgarray_free of an empty
 * array is a no-op. */
void pgarray_free(struct pgarray *a);

#endif
