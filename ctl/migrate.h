/* hotlinectl migrate: applies numbered SQL files under an advisory lock. */
#ifndef HOTLINE_CTL_MIGRATE_H
#define HOTLINE_CTL_MIGRATE_H

int migrate_main(int argc, char **argv);

#endif
