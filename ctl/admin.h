/* hotlinectl settings set|show and hotlinectl calendar set|unset|show. */
#ifndef HOTLINE_CTL_ADMIN_H
#define HOTLINE_CTL_ADMIN_H

int settings_main(int argc, char **argv);
int calendar_main(int argc, char **argv);

#endif
