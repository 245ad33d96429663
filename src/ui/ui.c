/* ui — the console's entry point and main loop; see include/ui/ui.h. */
#include "ui/ui.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connection.h"
#include "exitstatus.h"
#include "headless.h"
#include "loadsub.h"
#include "stopsig.h"
#include "ui/actions_ui.h"
#include "ui/app.h"
#include "ui/keyscript.h"
#include "ui/live.h"
#include "ui/record.h"
#include "replay.h"
#include "ui/theme.h"
#include "util.h"

/* A frame skipped while the terminal has not taken the last one is tried
 * again this much later (seconds). */
#define SKIP_RETRY_S 0.004

/* At most this much ingest before stdin is looked at again (seconds). */
#define DRAIN_BUDGET_S 0.005

/* What the loop counts: messages (for --count) and frames; with --stats-file
 * also the monotonic times of the run's milestones and of every key read and
 * the frame that answered it, written as JSON at exit (tests/bench/tui_bench.py
 * measures the key latency from outside with them). */
struct loop_stats {
	FILE *out;             /* --stats-file, opened before the screen; NULL: off */
	uint64_t messages, frames;
	uint64_t frames_skipped; /* due while the terminal took no output */
	double frame_s, frame_max_s; /* time spent drawing frames (app_draw) */
	double started, connected, first_message, last_message, exited; /* 0: not yet */
	size_t keys, answered, cap; /* key[answered..keys) wait for their frame */
	struct key_time {
		int key;
		double read, drawn; /* drawn: the first doupdate() completed after it */
	} *key;
};

static volatile sig_atomic_t resized, suspend_requested, continued;

static void on_terminal_signal(int sig)
{
	if (sig == SIGWINCH)
		resized = 1;
	else if (sig == SIGTSTP)
		suspend_requested = 1;
	else
		continued = 1;
}

/* Installed before ncurses starts, so it keeps its hands off them: its own
 * SIGWINCH and SIGTSTP handlers would work on its output, which is the
 * relay's pipe (ui/ttyout), not the terminal.  Each only sets a flag; the
 * loop acts (poll returns EINTR).  Stopping is stopsig's, as in every mode. */
static void install_signals(void)
{
	stopsig_install();
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_terminal_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGTSTP, &sa, NULL);
	sigaction(SIGCONT, &sa, NULL);
}


static bool load_theme(const struct config *c, struct theme *theme)
{
	char err[600];
	if (!c->theme) {
		/* The default theme file is optional: without it, the built-in mono. */
		if (theme_load(theme, "default", err, sizeof(err)))
			return true;
		if (strncmp(err, "unknown theme", 13) != 0) {
			fprintf(stderr, "drivr-console: %s\n", err);
			return false;
		}
		theme_init_builtin(theme);
		return true;
	}
	if (!theme_load(theme, c->theme, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: %s\n", err);
		return false;
	}
	return true;
}

/* The client from the options, connecting (connection.h, as every mode):
 * the TLS files are checked here, before the screen is taken over.  A
 * failed first attempt is the status bar's, with the client's reason. */
static bool connect_broker(const struct config *c, struct connection *conn, int *status)
{
	switch (connection_open(conn, c)) {
	case CONNECTION_OK:
		return true;
	case CONNECTION_BAD_OPTION:
		*status = EXIT_USAGE;
		return false;
	case CONNECTION_FAILED:
		*status = EXIT_FAILED;
		return false;
	}
	return false;
}

static void handle_key(struct ui *ui, int key, bool *dirty)
{
	if (key == KEY_RESIZE) {
		screen_resize(&ui->scr, 0, 0);
		app_layout(ui);
		*dirty = true;
		return;
	}
	if (key == KEY_MOUSE) {
		MEVENT ev;
		if (getmouse(&ev) != OK)
			return;
		if (ev.bstate & BUTTON4_PRESSED)
			app_wheel(ui, -1);
		else if (ev.bstate & BUTTON5_PRESSED)
			app_wheel(ui, 1);
		else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
			app_click(ui, ev.y, ev.x);
		*dirty = true;
		return;
	}
	int r = app_key(ui, key);
	if (r & (KEY_REDRAW | KEY_HANDLED))
		*dirty = true;
}

static void stats_key_read(struct loop_stats *st, int key)
{
	if (!st->out)
		return;
	if (st->keys == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 256;
		st->key = xrealloc(st->key, st->cap * sizeof(*st->key));
	}
	st->key[st->keys++] = (struct key_time){ key, time_monotonic(), 0 };
}

/* A frame that began at `began` (monotonic) is on the terminal. */
static void stats_frame_drawn(struct loop_stats *st, double began)
{
	st->frames++;
	if (!st->out)
		return;
	double now = time_monotonic();
	st->frame_s += now - began;
	if (now - began > st->frame_max_s)
		st->frame_max_s = now - began;
	while (st->answered < st->keys)
		st->key[st->answered++].drawn = now;
}

/* One small JSON object; times are CLOCK_MONOTONIC seconds, null: never. */
static bool stats_write(struct loop_stats *st, const char *path)
{
	FILE *f = st->out;
	double t[] = { st->started, st->connected, st->first_message, st->last_message, st->exited };
	const char *name[] = { "started", "connected", "firstMessage", "lastMessage", "exited" };
	fprintf(f, "{\"messages\": %llu, \"frames\": %llu, \"frameSeconds\": %.6f",
		(unsigned long long)st->messages, (unsigned long long)st->frames, st->frame_s);
	fprintf(f, ", \"frameMaxSeconds\": %.6f", st->frame_max_s);
	fprintf(f, ", \"framesSkipped\": %llu", (unsigned long long)st->frames_skipped);
	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		fprintf(f, t[i] > 0 ? ", \"%s\": %.6f" : ", \"%s\": null", name[i], t[i]);
	fprintf(f, ", \"keys\": [");
	for (size_t i = 0; i < st->keys; i++) {
		const struct key_time *k = &st->key[i];
		fprintf(f, "%s\n  {\"key\": %d, \"read\": %.6f, ", i ? "," : "", k->key, k->read);
		fprintf(f, k->drawn > 0 ? "\"drawn\": %.6f}" : "\"drawn\": null}", k->drawn);
	}
	fprintf(f, "]}\n");
	bool ok = !ferror(f);
	if (fclose(f) != 0)
		ok = false;
	st->out = NULL;
	if (!ok)
		fprintf(stderr, "drivr-console: --stats-file %s: %s\n", path, strerror(errno));
	return ok;
}

static bool run_script_event(struct ui *ui, const struct script_event *ev, int *dumps)
{
	bool dirty = false;
	char err[512];
	switch (ev->kind) {
	case SCRIPT_KEY:
		handle_key(ui, ev->key, &dirty);
		break;
	case SCRIPT_RESIZE:
		screen_resize(&ui->scr, ev->b, ev->a);
		app_layout(ui);
		break;
	case SCRIPT_CLICK:
		app_click(ui, ev->a, ev->b);
		break;
	case SCRIPT_WHEEL:
		app_wheel(ui, ev->key);
		break;
	case SCRIPT_DUMP:
		if (ui->config->dump_screen) {
			app_draw(ui);
			char title[32];
			snprintf(title, sizeof(title), "dump %d", ++*dumps);
			if (!screen_dump(&ui->scr, ui->config->dump_screen, *dumps > 1, title, err,
					 sizeof(err))) {
				fprintf(stderr, "drivr-console: %s\n", err);
				return false;
			}
		}
		break;
	}
	app_draw(ui);
	return true;
}

/* --replay: the file's messages through the same ingest as live ones,
 * paced by their recorded times (--speed N; max: all before the first
 * frame).  Without --clock the console's clock is the replay's: the
 * recorded time of the last message in, so ages and staleness are what
 * they were when it was recorded. */
struct replay_feed {
	struct replay *file;  /* NULL once the end (or an error) was reached */
	struct replay_pace pace;
	struct message_meta next; /* read, waiting for its time */
	bool has_next;
	bool own_clock; /* no --clock: the clock follows the messages */
	char error[600];
};

/* Seconds until the next message is due (0: now), < 0 when none waits. */
static double feed_wait(const struct ui *ui, struct replay_feed *f)
{
	if (!f || !f->file)
		return -1;
	if (!f->has_next) {
		/* a message without "time" (a fixture) arrives at the clock's now */
		int got = replay_next(f->file, ui_clock(ui), &f->next, f->error, sizeof(f->error));
		if (got <= 0) {
			replay_close(f->file);
			f->file = NULL;
			return -1;
		}
		f->has_next = true;
	}
	double wait = replay_pace_wait(&f->pace, f->next.received_at, time_monotonic());
	return wait > 0 ? wait : 0;
}

/* Ingests the messages that are due, for at most `budget` seconds (< 0:
 * no limit); --count N quits once N messages are in. */
static void feed_due(struct ui *ui, struct replay_feed *f, struct loop_stats *st, double budget)
{
	uint64_t count = ui->config->count > 0 ? (uint64_t)ui->config->count : 0;
	double start = time_monotonic();
	double wait;
	while (!ui->quit && (wait = feed_wait(ui, f)) == 0) {
		ingest_message(&ui->ingest, &f->next);
		f->has_next = false;
		if (f->own_clock)
			ui->clock_fixed = f->next.received_at;
		if (f->pace.speed > 0) /* msg/s: the rate as replayed; at once, none */
			app_count_message(ui, f->next.received_at);
		st->messages++;
		st->last_message = time_monotonic();
		if (st->messages == 1)
			st->first_message = st->last_message;
		if (count && st->messages >= count)
			ui->quit = true;
		if (budget >= 0 && time_monotonic() - start > budget)
			break;
	}
}

/* The staged load: batches due go out; the state may have become complete
 * (the outbox waits for that). */
static void pump_plan(struct ui *ui)
{
	if (!ui->plan)
		return;
	ui->plan_wait_ms = loadsub_pump(ui->plan, ui->mqtt, time_now());
}

/* Applies whatever the inbox holds, for at most DRAIN_BUDGET_S; the rest
 * stays in *pending for the next turn of the loop (keys first).  With
 * --count N the console quits once N messages are in.  Returns how many
 * items it took from the inbox (0 when it went on with *pending). */
static size_t drain(struct ui *ui, struct inbox_item **pending, struct loop_stats *st)
{
	uint64_t count = ui->config->count > 0 ? (uint64_t)ui->config->count : 0;
	struct inbox *inbox = mqtt_inbox(ui->mqtt);
	size_t taken = 0;
	if (!*pending)
		*pending = inbox_take_all(inbox, &taken);
	double start = time_monotonic();
	unsigned n = 0;
	while (*pending) {
		struct inbox_item *item = *pending;
		*pending = item->next;
		if (item->kind == INBOX_MESSAGE) {
			struct message_meta meta;
			struct live_probe probe;
			inbox_message_meta(item, &meta);
			live_probe_before(ui, &meta, &probe); /* --bell */
			bool news = ingest_message(&ui->ingest, &meta);
			live_probe_after(ui, &probe);
			if (news) { /* not the load plan's end marker */
				app_count_message(ui, meta.received_at);
				st->messages++;
			}
			if (news && st->out) {
				st->last_message = time_monotonic();
				if (st->messages == 1)
					st->first_message = st->last_message;
			}
		} else {
			mqtt_status_apply(&ui->status, item);
			if (ui->plan)
				loadsub_event(ui->plan, item, time_now());
			actions_ui_transport(ui, item); /* PUBACKs and refused publishes */
			if (st->connected == 0 && ui->status.state == MQTT_STATE_CONNECTED)
				st->connected = time_monotonic();
		}
		inbox_item_free(item);
		if (count && st->messages >= count) {
			ui->quit = true;
			break;
		}
		if ((++n & 31) == 0 && time_monotonic() - start > DRAIN_BUDGET_S)
			break;
	}
	pump_plan(ui);
	/* connected and subscribed (again): the outbox goes out */
	actions_ui_pump(ui);
	struct inbox_stats stats;
	inbox_get_stats(inbox, &stats);
	ui->dropped = stats.dropped;
	return taken;
}

/* Milliseconds until the next real deadline, -1 when there is none. */
static int next_wait_ms(struct ui *ui, bool dirty, double next_frame, bool pending,
			double requests_deadline, double replay_s)
{
	if (pending)
		return 0;
	double mono = time_monotonic(), wall = ui_clock(ui);
	double wait = -1;
#define CONSIDER(s)                                 \
	do {                                        \
		double s_ = (s);                    \
		if (s_ < 0)                         \
			s_ = 0;                     \
		if (wait < 0 || s_ < wait)          \
			wait = s_;                  \
	} while (0)
	if (dirty)
		CONSIDER(next_frame - mono);
	if (ui->deadline > 0)
		CONSIDER(ui->deadline - wall);
	/* a request waiting for its PUBACK, answer or device times out */
	if (requests_deadline > 0)
		CONSIDER(requests_deadline - mono);
	if (ui->plan && ui->plan_wait_ms >= 0)
		CONSIDER(ui->plan_wait_ms / 1000.0);
	/* the next replayed message's time (--speed N) */
	if (replay_s >= 0)
		CONSIDER(replay_s);
	/* the reconnect countdown ticks every second while it runs */
	if (ui->mqtt && ui->status.next_retry_at > wall && ui->status.state != MQTT_STATE_CONNECTED)
		CONSIDER(floor(wall) + 1.0 - wall);
	/* the clock shows minutes; a fixed clock never changes */
	if (ui->clock_fixed < 0)
		CONSIDER(60.0 - fmod(wall, 60.0) + 0.01);
#undef CONSIDER
	return wait < 0 ? -1 : (int)ceil(wait * 1000.0);
}

/* What the signal handlers asked for. */
static void handle_signals(struct ui *ui, bool *dirty)
{
	if (suspend_requested) {
		suspend_requested = 0;
		screen_suspend(&ui->scr);
		continued = 0;
		*dirty = true;
	}
	if (continued) {
		continued = 0;
		screen_resume(&ui->scr);
		*dirty = true;
	}
	if (resized) {
		resized = 0;
		if (screen_follow_resize(&ui->scr))
			handle_key(ui, KEY_RESIZE, dirty);
	}
}

/* Ctrl-C with requests still pending asks, as q does (a second Ctrl-C,
 * or y, quits); true when the signal became that question. */
static bool ask_on_interrupt(struct ui *ui)
{
	if (ui->interrupt_asked || ui_pending_requests(ui) == 0 || !stopsig_take_interrupt())
		return false;
	ui->mode = INPUT_CONFIRM_QUIT;
	ui->interrupt_asked = true;
	return true;
}

static int run_loop(struct ui *ui, struct loop_stats *st, struct replay_feed *feed,
		    struct record *rec)
{
	bool dirty = true;
	double next_frame = 0, frame_gap = 1.0 / (double)ui->config->fps;
	uint64_t drawn_stamp = 0;
	struct inbox_item *pending = NULL;
	bool rec_told = false; /* a failed --record was shown */
	while (!ui->quit) {
		if (stopsig_requested()) {
			if (!ask_on_interrupt(ui))
				break;
			dirty = true;
		}
		handle_signals(ui, &dirty);
		double mono = time_monotonic();
		double requests_deadline = actions_ui_tick(ui);
		if (ui_stamp(ui) != drawn_stamp)
			dirty = true;
		if (dirty && mono >= next_frame && !screen_writable(&ui->scr)) {
			/* the previous frame is still on its way (a busy or stalled
			 * terminal): no frame now, its write would wait behind it.
			 * Looked at again soon, not a whole frame slot later: a key
			 * gets its answer as soon as the terminal has taken the last
			 * frame (a 50 ms slot added 50 ms to the key latency). */
			st->frames_skipped++;
			next_frame = mono + (frame_gap < SKIP_RETRY_S ? frame_gap : SKIP_RETRY_S);
		}
		if (dirty && mono >= next_frame) {
			drawn_stamp = ui_stamp(ui);
			app_draw(ui);
			stats_frame_drawn(st, mono);
			dirty = false;
			next_frame = mono + frame_gap;
		}
		/* stdin, the inbox, and the token workers' pipe once one ran */
		struct pollfd fds[3] = { { 0, POLLIN, 0 }, { -1, POLLIN, 0 }, { -1, POLLIN, 0 } };
		if (ui->mqtt)
			fds[1].fd = inbox_fd(mqtt_inbox(ui->mqtt));
		fds[2].fd = actions_ui_fd(ui);
		int ready = poll(fds, 3, next_wait_ms(ui, dirty, next_frame, pending, requests_deadline,
						      feed_wait(ui, feed)));
		if (ready < 0 && errno != EINTR) {
			screen_close(&ui->scr);
			fprintf(stderr, "drivr-console: poll: %s\n", strerror(errno));
			return EXIT_FAILED;
		}
		if (ready == 0) {
			dirty = true; /* a deadline passed: flash over, clock, countdown */
			pump_plan(ui);
			actions_ui_pump(ui);
		}
		if (ready < 0 || (ready > 0 && fds[0].revents)) {
			/* keys first, and KEY_RESIZE after SIGWINCH interrupted poll */
			bool keys = false;
			int key;
			while ((key = wgetch(stdscr)) != ERR) {
				stats_key_read(st, key);
				handle_key(ui, key, &dirty);
				keys = true;
			}
			if (fds[0].revents & (POLLHUP | POLLERR))
				break; /* the terminal went away */
			if (keys) {
				/* answered by a frame at once, not at the next frame
				 * slot; the inbox and the workers wait for that frame */
				next_frame = 0;
				continue;
			}
		}
		if (ui->mqtt && (pending || (ready > 0 && (fds[1].revents & POLLIN)))) {
			size_t taken = drain(ui, &pending, st);
			dirty = true;
			/* Under a flood, as in headless.c: after a small batch a short
			 * pause lets the next grow instead of waking once per message
			 * (an eventfd write, a wake-up and a lock hand-off each, which
			 * slow Paho's thread down).  Keys wait at most that long. */
			if (!pending && taken > 0 && taken < INGEST_BATCH_TARGET) {
				struct timespec pause = { 0, INGEST_BATCH_PAUSE_NS };
				nanosleep(&pause, NULL);
			}
		}
		if (ready > 0 && (fds[2].revents & POLLIN)) {
			actions_ui_collect(ui); /* a token call finished */
			dirty = true;
		}
		if (feed)
			feed_due(ui, feed, st, DRAIN_BUDGET_S);
		record_flush(rec); /* a follower of the file sees what is in */
		if (rec && record_error(rec)[0] && !rec_told) {
			ui_notice(ui, "recording stopped: %s", record_error(rec));
			rec_told = true;
			dirty = true;
		}
	}
	/* quitting (--count, q): keys read since the last frame get their frame */
	if (ui->quit && st->answered < st->keys) {
		double began = time_monotonic();
		app_draw(ui);
		stats_frame_drawn(st, began);
	}
	inbox_list_free(pending);
	return EXIT_OK;
}

int ui_run(const struct config *c, const struct topic_table *topics)
{
	struct theme theme;
	if (!load_theme(c, &theme))
		return EXIT_USAGE;
	struct keyscript script = { NULL, 0 };
	char err[600];
	if (c->keys && !keyscript_load(&script, c->keys, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: %s\n", err);
		return EXIT_USAGE;
	}
	struct store_limits limits;
	headless_store_limits(c, &limits);
	struct store *store = store_new(&limits);
	static struct ui ui; /* large; one per process */
	app_init(&ui, c, topics, store);

	int status = EXIT_OK;
	struct connection conn = { 0 };
	struct replay_feed feed = { 0 };
	struct record *rec = NULL;
	struct loop_stats st = { .started = time_monotonic() };
	if (c->stats_file && !(st.out = fopen(c->stats_file, "w"))) {
		fprintf(stderr, "drivr-console: --stats-file %s: %s\n", c->stats_file, strerror(errno));
		status = EXIT_USAGE;
		goto out;
	}
	if (c->record) {
		rec = record_open(c->record, (size_t)c->record_max_size, err, sizeof(err));
		if (!rec) {
			fprintf(stderr, "drivr-console: %s\n", err);
			status = EXIT_USAGE;
			goto out;
		}
		record_attach(rec, &ui.ingest); /* after app_init's observer */
	}
	if (c->replay) {
		const char *base = strrchr(c->replay, '/');
		snprintf(ui.replay_label, sizeof(ui.replay_label), "%s", base ? base + 1 : c->replay);
		feed.file = replay_open(c->replay, err, sizeof(err));
		if (!feed.file) {
			fprintf(stderr, "drivr-console: %s\n", err);
			status = EXIT_USAGE;
			goto out;
		}
		/* a screen dump shows the whole file: no pacing */
		replay_pace_init(&feed.pace, c->dump_screen ? 0 : c->speed_factor);
		feed.own_clock = !c->clock;
		/* replayed messages count as received ones: --count, --stats-file;
		 * at max speed they are all in before the first frame */
		if (feed.pace.speed <= 0)
			feed_due(&ui, &feed, &st, -1);
		if (feed.error[0]) {
			fprintf(stderr, "drivr-console: %s\n", feed.error);
			status = EXIT_USAGE;
			goto out;
		}
	} else {
		if (!connect_broker(c, &conn, &status))
			goto out;
		ui.mqtt = conn.mqtt;
		ui.broker = mqtt_server_uri(ui.mqtt);
		ui.tls = config_uses_tls(c);
		ui.insecure = ui.tls && c->insecure;
		ui.plan = connection_load_plan(c, topics);
		ui.ingest.plan = ui.plan;
		ui.plan_wait_ms = -1;
	}

	struct screen_options so = {
		.dump_path = c->dump_screen,
		.cols = c->size_cols,
		.rows = c->size_rows,
		.ascii = c->ascii,
		.no_color = c->no_color || (getenv("NO_COLOR") && *getenv("NO_COLOR")),
		.mouse = !c->no_mouse,
	};
	install_signals();
	if (!screen_open(&ui.scr, &so, &theme, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: %s\n", err);
		status = EXIT_USAGE;
		goto out;
	}
	app_layout(&ui);
	if (ui.scr.term_note[0]) /* a TERM without terminfo entry: which one draws */
		ui_notice(&ui, "%s", ui.scr.term_note);
	double first_frame = time_monotonic();
	app_draw(&ui);
	stats_frame_drawn(&st, first_frame); /* the first screen is a frame too */
	int dumps = 0;
	for (size_t i = 0; i < script.count && !ui.quit; i++)
		if (!run_script_event(&ui, &script.events[i], &dumps))
			status = EXIT_USAGE;
	if (c->dump_screen) {
		/* the final screen, after any <Dump> the script asked for */
		if (status == EXIT_OK) {
			app_draw(&ui);
			if (!screen_dump(&ui.scr, c->dump_screen, dumps > 0, dumps ? "final" : "screen",
					 err, sizeof(err))) {
				screen_close(&ui.scr);
				fprintf(stderr, "drivr-console: %s\n", err);
				status = EXIT_USAGE;
			}
		}
	} else if (!ui.quit) {
		status = run_loop(&ui, &st, c->replay ? &feed : NULL, rec);
	}
	if (feed.error[0]) {
		screen_close(&ui.scr);
		fprintf(stderr, "drivr-console: %s\n", feed.error);
		if (status == EXIT_OK)
			status = EXIT_USAGE;
	}
	app_free(&ui);
	screen_close(&ui.scr);
out:
	connection_close(&conn, ui.status.state == MQTT_STATE_CONNECTED);
	/* after the disconnect: what was still pending gets its audit line; a
	 * line not written makes a clean exit 9 (docs/actions.md) */
	if (actions_ui_free(&ui) && status == EXIT_OK)
		status = EXIT_UNRECORDED;
	/* Nothing lost unseen: what the session dropped is said once more at
	 * exit, and a clean exit becomes 8 (docs/actions.md). */
	const struct store_counters *sc = store_counters(store);
	uint64_t refused = 0;
	for (int k = 0; k < STORE_KIND_COUNT; k++)
		refused += sc->entities_refused[k];
	if (ui.dropped || refused) {
		fprintf(stderr,
			"drivr-console: this session dropped %llu message(s) and refused %llu "
			"entit%s at the --max-memory caps\n",
			(unsigned long long)ui.dropped, (unsigned long long)refused,
			refused == 1 ? "y" : "ies");
		if (status == EXIT_OK)
			status = EXIT_INCOMPLETE;
	}
	replay_close(feed.file);
	if (!record_close(rec, err, sizeof(err))) {
		/* a recording with a gap is not what the session saw */
		fprintf(stderr, "drivr-console: %s (the recording stops there)\n", err);
		if (status == EXIT_OK)
			status = EXIT_INCOMPLETE;
	}
	load_plan_free(ui.plan);
	keyscript_free(&script);
	store_free(store);
	if (st.out) {
		st.exited = time_monotonic();
		if (!stats_write(&st, c->stats_file) && status == EXIT_OK)
			status = EXIT_FAILED;
	}
	free(st.key);
	return status;
}
