/* main.c - `campaign`: the command table does the rest (commands.c). */
#include "commands.h"

int main(int argc, char **argv)
{
	return commands_main(argc, argv);
}
