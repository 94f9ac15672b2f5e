/* hotlinectl unmask-key and unmask: the unmasking key split M-of-N among
 * its holders, and the opening of one released identity where the shares
 * come together, off the server (docs/reveal.md, docs/cli.md). Neither
 * needs the database. */
#ifndef HOTLINE_CTL_UNMASK_H
#define HOTLINE_CTL_UNMASK_H

/* argv[0] is the subcommand name. 0 on success, 1 on failure, 2 on a
 * usage error, with a message on stderr. */
int unmask_key_main(int argc, char **argv);
int unmask_main(int argc, char **argv);
/* The same key split again among new holders (a holder left): M old
 * shares in, N new share files out. */
int unmask_reshare_main(int argc, char **argv);

#endif
