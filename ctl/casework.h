/* hotlinectl case triage|ack|decide|forwarded|declare-interest|cover-letter:
 * the procedure's steps for the compliance manager and the director until
 * the staff consoles take them over. */
#ifndef HOTLINE_CTL_CASEWORK_H
#define HOTLINE_CTL_CASEWORK_H

/* argv[0] is the step ("triage", ...). */
int casework_main(int argc, char **argv);

#endif
