/* commands.h — the subcommands of the hzprof binary, dispatched from main.c's table. */
#ifndef HZPROF_CLI_COMMANDS_H
#define HZPROF_CLI_COMMANDS_H

/* Each returns the process exit status. argv[0] is the subcommand name. */
int cmd_cost(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_flame(int argc, char **argv);
int cmd_plot(int argc, char **argv);

#endif
