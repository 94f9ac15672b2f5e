/* Function attributes, each spelled once for the whole project. */
#ifndef HOTLINE_BASE_ATTR_H
#define HOTLINE_BASE_ATTR_H

/* The caller must look at the result: a bool that says whether it worked,
 * or a pointer that is NULL when it did not (CONTRIBUTING.md, "Errors"). */
#define MUST_CHECK __attribute__((warn_unused_result))

#endif
