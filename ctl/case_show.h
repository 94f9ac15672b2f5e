/* hotlinectl case show: decrypts one case for a person who holds the keys.
 * A stand-in for the staff consoles, and the proof in tests that what the
 * daemon sealed can be opened again. */
#ifndef HOTLINE_CTL_CASE_SHOW_H
#define HOTLINE_CTL_CASE_SHOW_H

int case_show_main(int argc, char **argv);

#endif
