/* ui — the console's entry point and main loop; see include/ui/ui.h. */
#include "ui/ui.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "headless.h"
#include "ui/actions_ui.h"
#include "ui/app.h"
#include "ui/keyscript.h"
#include "ui/replay.h"
#include "ui/theme.h"
#include "util.h"

/* At most this much ingest before stdin is looked at again (seconds). */
#define DRAIN_BUDGET_S 0.005

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
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

/* The MQTT client from the options (as headless_run does). */
static struct mqtt *connect_broker(const struct config *c, char **passphrase, int *status)
{
	char err[512];
	struct mqtt_options o;
	if (!headless_mqtt_options(c, &o, passphrase)) {
		*status = 2;
		return NULL;
	}
	enum mqtt_error e;
	struct mqtt *m = mqtt_new(&o, &e, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "drivr-console: %s\n", err);
		*status = e == MQTT_ERR_INVALID || e == MQTT_ERR_URL ? 2 : 1;
		return NULL;
	}
	/* TLS files are checked here, before the screen is taken over. */
	if (mqtt_connect(m, err, sizeof(err)) != MQTT_OK) {
		fprintf(stderr, "drivr-console: %s\n", err);
		mqtt_free(m);
		*status = 1;
		return NULL;
	}
	return m;
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

/* Applies whatever the inbox holds, for at most DRAIN_BUDGET_S; the rest
 * stays in *pending for the next turn of the loop (keys first). */
static void drain(struct ui *ui, struct inbox_item **pending)
{
	struct inbox *inbox = mqtt_inbox(ui->mqtt);
	if (!*pending)
		*pending = inbox_take_all(inbox, NULL);
	double start = time_monotonic();
	unsigned n = 0;
	while (*pending) {
		struct inbox_item *item = *pending;
		*pending = item->next;
		if (item->kind == INBOX_MESSAGE) {
			struct message_meta meta;
			inbox_message_meta(item, &meta);
			ingest_message(&ui->ingest, &meta);
			app_count_message(ui, meta.received_at);
		} else {
			mqtt_status_apply(&ui->status, item);
			actions_ui_transport(ui, item); /* PUBACKs and refused publishes */
		}
		inbox_item_free(item);
		if ((++n & 31) == 0 && time_monotonic() - start > DRAIN_BUDGET_S)
			break;
	}
	/* connected and subscribed (again): the outbox goes out */
	actions_ui_pump(ui);
	struct inbox_stats stats;
	inbox_get_stats(inbox, &stats);
	ui->dropped = stats.dropped;
}

/* Milliseconds until the next real deadline, -1 when there is none. */
static int next_wait_ms(struct ui *ui, bool dirty, double next_frame, bool pending,
			double requests_deadline)
{
	if (pending)
		return 0;
	double mono = time_monotonic(), wall = app_clock(ui);
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
		CONSIDER(requests_deadline - wall);
	/* the reconnect countdown ticks every second while it runs */
	if (ui->mqtt && ui->status.next_retry_at > wall && ui->status.state != MQTT_STATE_CONNECTED)
		CONSIDER(floor(wall) + 1.0 - wall);
	/* the clock shows minutes; a fixed clock never changes */
	if (ui->clock_fixed < 0)
		CONSIDER(60.0 - fmod(wall, 60.0) + 0.01);
#undef CONSIDER
	return wait < 0 ? -1 : (int)ceil(wait * 1000.0);
}

static int run_loop(struct ui *ui)
{
	bool dirty = true;
	double next_frame = 0, frame_gap = 1.0 / (double)ui->config->fps;
	uint64_t drawn_stamp = 0;
	struct inbox_item *pending = NULL;
	while (!ui->quit && !stop_requested) {
		double mono = time_monotonic();
		double requests_deadline = actions_ui_tick(ui);
		if (ui_stamp(ui) != drawn_stamp)
			dirty = true;
		if (dirty && mono >= next_frame) {
			drawn_stamp = ui_stamp(ui);
			app_draw(ui);
			dirty = false;
			next_frame = mono + frame_gap;
		}
		/* stdin, the inbox, and the token workers' pipe once one ran */
		struct pollfd fds[3] = { { 0, POLLIN, 0 }, { -1, POLLIN, 0 }, { -1, POLLIN, 0 } };
		if (ui->mqtt)
			fds[1].fd = inbox_fd(mqtt_inbox(ui->mqtt));
		fds[2].fd = actions_ui_fd(ui);
		int ready = poll(fds, 3, next_wait_ms(ui, dirty, next_frame, pending, requests_deadline));
		if (ready < 0 && errno != EINTR) {
			screen_close(&ui->scr);
			fprintf(stderr, "drivr-console: poll: %s\n", strerror(errno));
			return 1;
		}
		if (ready == 0)
			dirty = true; /* a deadline passed: flash over, clock, countdown */
		if (ui->mqtt && (pending || (ready > 0 && (fds[1].revents & POLLIN)))) {
			drain(ui, &pending);
			dirty = true;
		}
		if (ready > 0 && (fds[2].revents & POLLIN)) {
			actions_ui_collect(ui); /* a token call finished */
			dirty = true;
		}
		if (ready < 0 || (ready > 0 && fds[0].revents)) {
			/* keys, and KEY_RESIZE after SIGWINCH interrupted poll */
			int key;
			while ((key = wgetch(stdscr)) != ERR)
				handle_key(ui, key, &dirty);
			if (fds[0].revents & (POLLHUP | POLLERR))
				break; /* the terminal went away */
		}
	}
	inbox_list_free(pending);
	return 0;
}

int ui_run(const struct config *c, const struct topic_table *topics)
{
	struct theme theme;
	if (!load_theme(c, &theme))
		return 2;
	struct keyscript script = { NULL, 0 };
	char err[600];
	if (c->keys && !keyscript_load(&script, c->keys, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: %s\n", err);
		return 2;
	}
	struct store_limits limits;
	store_limits_default(&limits);
	limits.history_len = (size_t)c->history;
	limits.max_series = (size_t)c->max_series;
	struct store *store = store_new(&limits);
	static struct ui ui; /* large; one per process */
	app_init(&ui, c, topics, store);

	int status = 0;
	char *passphrase = NULL;
	if (c->replay) {
		const char *base = strrchr(c->replay, '/');
		snprintf(ui.replay_label, sizeof(ui.replay_label), "%s", base ? base + 1 : c->replay);
		long n = replay_file(&ui.ingest, c->replay, app_clock(&ui), err, sizeof(err));
		if (n < 0) {
			fprintf(stderr, "drivr-console: %s\n", err);
			status = 2;
			goto out;
		}
	} else {
		ui.mqtt = connect_broker(c, &passphrase, &status);
		if (!ui.mqtt)
			goto out;
		ui.broker = mqtt_server_uri(ui.mqtt);
		ui.tls = config_uses_tls(c);
	}

	struct screen_options so = {
		.dump_path = c->dump_screen,
		.cols = c->size_cols,
		.rows = c->size_rows,
		.ascii = c->ascii,
		.no_color = c->no_color || (getenv("NO_COLOR") && *getenv("NO_COLOR")),
		.mouse = !c->no_mouse,
	};
	if (!screen_open(&ui.scr, &so, &theme, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: %s\n", err);
		status = 2;
		goto out;
	}
	install_signals();
	app_layout(&ui);
	app_draw(&ui);
	int dumps = 0;
	for (size_t i = 0; i < script.count && !ui.quit; i++)
		if (!run_script_event(&ui, &script.events[i], &dumps))
			status = 2;
	if (c->dump_screen) {
		/* the final screen, after any <Dump> the script asked for */
		if (status == 0) {
			app_draw(&ui);
			if (!screen_dump(&ui.scr, c->dump_screen, dumps > 0, dumps ? "final" : "screen",
					 err, sizeof(err))) {
				screen_close(&ui.scr);
				fprintf(stderr, "drivr-console: %s\n", err);
				status = 2;
			}
		}
	} else if (!ui.quit) {
		status = run_loop(&ui);
	}
	app_free(&ui);
	screen_close(&ui.scr);
out:
	if (ui.mqtt) {
		if (ui.status.state == MQTT_STATE_CONNECTED)
			mqtt_disconnect(ui.mqtt, 1000, err, sizeof(err));
		mqtt_free(ui.mqtt);
	}
	/* after the disconnect: what was still pending gets its audit line */
	actions_ui_free(&ui);
	free(passphrase);
	keyscript_free(&script);
	store_free(store);
	return status;
}
