/* headless — the non-interactive modes on the same pipeline as the console:
 *
 *   --log       one JSON object per received message (and per connection
 *               event) on stdout; --count N / --timeout S end it.  With
 *               --format csv or a template: logformat.h's lines instead,
 *               and no event lines on stdout.
 *   --snapshot  connect, load the retained state in stages (loadplan.h)
 *               until every stage is in (bounded by --timeout), print the
 *               store as one JSON document with its verdict: "complete", or
 *               "incomplete" with the reasons.
 *
 * With --replay FILE both run offline on the file's messages (replay.h),
 * paced by --speed; a replayed snapshot is complete when the whole file
 * went in.
 *
 * Exit status (exitstatus.h): EXIT_OK, EXIT_FAILED the connection failed
 * (reason on stderr), EXIT_INCOMPLETE a snapshot that is not complete
 * (printed all the same, the reasons on stderr and in the document). */
#ifndef DRIVR_HEADLESS_H
#define DRIVR_HEADLESS_H

#include "config.h"
#include "decode.h"
#include "exitstatus.h"
#include "store.h"
#include "topics.h"

struct cJSON;


/* Runs config_mode(config) == MODE_LOG or MODE_SNAPSHOT; returns the exit
 * status.  topics is borrowed. */
int headless_run(const struct config *config, const struct topic_table *topics);

/* The --log line of one message (a new object the caller deletes): the
 * decoded view, and the payload as received ("encoding": "utf-8" or
 * "base64", "payload") so that --replay gives it back byte for byte. Pure.
 * The console's --record writes the same line (ui/record). */
struct cJSON *headless_log_object(const struct message_meta *msg, const struct topic_match *match,
				  const struct decode_result *result);

struct store_limits;
/* The store's caps from --max-memory (its share), --history, --max-series. */
void headless_store_limits(const struct config *config, struct store_limits *limits);

#endif
