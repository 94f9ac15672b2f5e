/* hotlinectl investigation order|start|conclude|decide|measures|close|
 * extend|request|received|show: the service investigation (004 ch. 7). */
#ifndef HOTLINE_CTL_INVESTIGATE_H
#define HOTLINE_CTL_INVESTIGATE_H

int investigate_main(int argc, char **argv);

#endif
