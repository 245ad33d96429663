/* actions — the operator's actions without the UI, for technicians' scripts:
 *
 *   drivr-console set-setpoint --system UUID --component CODE --service CODE
 *                 --characteristic CODE --value V [--wait] [connection options]
 *   drivr-console ack-event --event UUID [--system UUID] [--wait] [...]
 *   drivr-console issue-token --system UUID --device NAME
 *                 (--duration 1D | --permanent) [--token-out FILE] [--wait] [...]
 *   drivr-console update-system | create-component | update-component |
 *                 publish-datapoint | raise-event | resolve-event ...: the
 *                 platform's inputs (inputs.h), confirmed by the retained twin
 *                 (a datapoint: "sent, no error" after --error-wait)
 *   drivr-console COMMAND --help, drivr-console help COMMAND: its options
 *
 * stdout is data (issue-token's JWT, nothing else), stderr is talk: the
 * outcome line, warnings, progress (--quiet: errors only).  Every option
 * is checked before connecting — the command's own, the console's, the form
 * of uuids and durations, the user API token and --token-out — and all
 * that is wrong is said at once, one line each, exit 2.
 *
 * With --wait a broker that cannot be reached yet is waited for (Paho
 * retries) until --timeout: the action goes out once connected, after the
 * retained state settled (without --wait an unreachable broker is exit 1).
 *
 * Same path as the console: topic table, payload builders, validation
 * against the characteristic catalogue, requests followed to their end,
 * audit log.  Exit status (enum exit_status):
 * 0 confirmed (or delivered without --wait; a datapoint: sent, no error),
 * 1 connection failed,
 * 2 bad options or refused before sending, 3 rejected, 4 error reply,
 * 5 timed out, 6 refused by --read-only, 7 refused by the broker (a PUBACK
 * reason code >= 0x80, or the broker closed the connection on the publish),
 * 9 the outcome stands but its audit line (or issue-token's --token-out
 * file: the JWT then on stdout) could not be written — 9 replaces 0 only;
 * any other status is kept and the failure said on stderr. */
#ifndef DRIVR_ACTIONS_H
#define DRIVR_ACTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "exitstatus.h"
#include "topics.h"


/* True when argv[1] names an action. */
bool actions_is_action(const char *word);

/* Runs the action argv[1] (actions_is_action) with the rest of argv;
 * returns the exit status. */
int actions_main(int argc, char **argv);

/* The --help section naming the commands, for the console's --help. */
void actions_print_commands(const char *program, FILE *out);

/* `help COMMAND`: the command's usage and options on out; false (nothing
 * printed) when command is no command. */
bool actions_print_help(const char *command, const char *program, FILE *out);

#endif
