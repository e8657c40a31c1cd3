/*
 * main.c — agendactl entry point (placeholder until the commands land in this issue).
 */
#include <stdio.h>

int main(void)
{
	puts("agendactl " AGENDA_VERSION);
	return 0;
}
