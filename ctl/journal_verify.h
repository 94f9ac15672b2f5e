/* hotlinectl journal verify: recomputes the journal's hash chain. */
#ifndef HOTLINE_CTL_JOURNAL_VERIFY_H
#define HOTLINE_CTL_JOURNAL_VERIFY_H

int journal_verify_main(int argc, char **argv);

#endif
