/* view_tokens — local API tokens per system: subject, roles, not-before,
 * expiry as a countdown, status, and the token's check: its header and
 * claims decoded and its signature verified against the domain's JWKS
 * (jwt.h: RS256 / RS512) — valid, bad signature, unknown key, expired, not
 * yet valid, malformed.  The JWKS key ids are listed under the table.  Token
 * strings (secrets) are never shown.  n issues a new token (actions_ui.c). */
#include <stdio.h>
#include <string.h>

#include "jwt.h"
#include "ui/actions_ui.h"
#include "ui/fmt.h"
#include "ui/view.h"
#include "util.h"

enum { COL_SYSTEM, COL_SUBJECT, COL_TYPE, COL_ROLES, COL_NOT_BEFORE, COL_EXPIRES, COL_STATUS,
       COL_CHECK };

static const struct table_column columns[] = {
	[COL_SYSTEM] = { "system", 10, 22, 2, false, false, false, .key = true },
	[COL_SUBJECT] = { "subject", 10, 24, 0, false, false, false, .key = true },
	[COL_TYPE] = { "type", 6, 10, 4, false, false, false },
	[COL_ROLES] = { "roles", 8, 0, 5, false, false, false },
	[COL_NOT_BEFORE] = { "not before", 19, 19, 6, false, true, false },
	[COL_EXPIRES] = { "expires", 16, 18, 0, false, true, false },
	[COL_STATUS] = { "status", 8, 10, 3, false, false, false },
	[COL_CHECK] = { "check", 15, 18, 1, false, false, false },
};

/* Verifying a signature costs an RSA operation: each token is checked once
 * per JWKS, and only the time claims are compared with "now" on every draw.
 * Keyed by a hash of the token and of the keys (a collision costs a wrong
 * column, not a wrong decision: nothing acts on it). */
#define CHECK_CACHE 256
static struct check_entry {
	uint64_t key;
	bool used;
	enum jwt_status status; /* at the time of the check */
	double nbf, exp;
} check_cache[CHECK_CACHE];

static uint64_t jwks_hash(const struct store *st)
{
	uint64_t h = hash_bytes("jwks", 4);
	size_t n = store_jwks_count(st);
	for (size_t i = 0; i < n; i++) {
		const struct jwks_key *k = store_jwks_at(st, i);
		const char *parts[] = { k->kid, k->alg, k->n, k->e };
		for (size_t p = 0; p < ARRAY_LEN(parts); p++)
			h = hash_mix(h, parts[p] ? parts[p] : "", parts[p] ? strlen(parts[p]) + 1 : 1);
	}
	return h;
}

static enum jwt_status token_check(struct ui *ui, const char *token)
{
	if (!token || !*token)
		return JWT_MALFORMED;
	uint64_t key = hash_mix(jwks_hash(ui->store), token, strlen(token));
	struct check_entry *e = &check_cache[key % CHECK_CACHE];
	if (!e->used || e->key != key) {
		size_t n = store_jwks_count(ui->store);
		struct jwt_info info;
		e->status = jwt_check(token, n ? store_jwks_at(ui->store, 0) : NULL, n, ui->now, &info);
		e->nbf = info.nbf;
		e->exp = info.exp;
		jwt_info_free(&info);
		e->key = key;
		e->used = true;
	}
	/* the signature verdict stays; time decides between these three */
	if (e->status != JWT_VALID && e->status != JWT_EXPIRED && e->status != JWT_NOT_YET_VALID)
		return e->status;
	if (e->exp != TIME_UNKNOWN && ui->now >= e->exp)
		return JWT_EXPIRED;
	if (e->nbf != TIME_UNKNOWN && ui->now < e->nbf) {
		ui_note_deadline(ui, e->nbf);
		return JWT_NOT_YET_VALID;
	}
	if (e->exp != TIME_UNKNOWN)
		ui_note_deadline(ui, e->exp);
	return JWT_VALID;
}

#define ROW_ID(list, item) (((uint64_t)(list) << 32) | (uint64_t)(item))

static void rows(struct view *v, struct table *t)
{
	size_t n = store_token_lists_count(v->ui->store);
	for (size_t i = 0; i < n; i++) {
		const struct token_list *l = store_token_list_at(v->ui->store, i);
		if (l->meta.deleted)
			continue;
		if (v->ctx.system[0] && (!l->system_uuid || strcmp(l->system_uuid, v->ctx.system)))
			continue;
		for (size_t k = 0; k < l->count; k++)
			table_add_row(t, ROW_ID(i, k));
	}
}

static const struct stored_token *token_at(const struct store *store, uint64_t id,
					   const struct token_list **list)
{
	*list = store_token_list_at(store, (size_t)(id >> 32));
	size_t k = (size_t)(id & 0xffffffffu);
	return k < (*list)->count ? &(*list)->items[k] : NULL;
}

static void cell(struct view *v, uint64_t id, size_t col, int width, struct table_cell *out)
{
	struct ui *ui = v->ui;
	const struct token_list *l;
	const struct stored_token *tk = token_at(ui->store, id, &l);
	if (!tk) {
		snprintf(out->text, sizeof(out->text), "-");
		return;
	}
	switch (col) {
	case COL_SYSTEM:
		snprintf(out->text, sizeof(out->text), "%s", fmt_system_name(ui->store, l->system_uuid));
		break;
	case COL_SUBJECT:
		snprintf(out->text, sizeof(out->text), "%s",
			 tk->subject_name ? tk->subject_name : tk->subject_uuid ? tk->subject_uuid : "-");
		break;
	case COL_TYPE:
		snprintf(out->text, sizeof(out->text), "%s", tk->subject_type ? tk->subject_type : "");
		break;
	case COL_ROLES:
		snprintf(out->text, sizeof(out->text), "%s", tk->roles ? tk->roles : "");
		break;
	case COL_NOT_BEFORE:
		fmt_time(tk->not_before, out->text, sizeof(out->text));
		out->num = tk->not_before;
		break;
	case COL_EXPIRES:
		fmt_countdown(ui->now, tk->expires_at, out->text, sizeof(out->text));
		out->num = tk->expires_at;
		if (tk->expires_at > 0 && tk->expires_at < ui->now)
			out->role = UI_ROLE_ALERT_ERROR;
		else if (tk->expires_at > 0 && width > 0)
			ui_note_deadline(ui, tk->expires_at);
		break;
	case COL_STATUS:
		snprintf(out->text, sizeof(out->text), "%s", tk->status ? tk->status : "");
		break;
	case COL_CHECK: {
		enum jwt_status st = token_check(ui, tk->token);
		const struct ui_glyphs *g = ui->scr.g;
		snprintf(out->text, sizeof(out->text), "%s %s",
			 st == JWT_VALID ? g->level[LEVEL_SUCCESS] : st == JWT_NOT_YET_VALID
									 ? g->level[LEVEL_WARNING]
									 : g->level[LEVEL_ERROR],
			 jwt_status_name(st));
		out->role = st == JWT_VALID ? UI_ROLE_ALERT_SUCCESS
			    : st == JWT_NOT_YET_VALID ? UI_ROLE_ALERT_WARNING
						      : UI_ROLE_ALERT_ERROR;
		break;
	}
	}
}

static bool inspect(struct view *v, uint64_t id, struct inspect_target *out)
{
	(void)v;
	out->kind = INSPECT_TOKENS;
	out->index = (size_t)(id >> 32);
	return true;
}

/* The JWKS key ids, on one line under the table. */
static int footer(struct view *v, WINDOW *w, int y, int width, bool draw)
{
	if (!draw)
		return 1;
	struct ui *ui = v->ui;
	char line[1024];
	size_t n = store_jwks_count(ui->store), used;
	used = (size_t)snprintf(line, sizeof(line), "JWKS: %zu key%s", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n && used < sizeof(line); i++) {
		const struct jwks_key *k = store_jwks_at(ui->store, i);
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s kid %s (%s %s)",
					 i ? "," : ":", k->kid ? k->kid : "?", k->kty ? k->kty : "?",
					 k->alg ? k->alg : k->use ? k->use : "-");
	}
	screen_put(&ui->scr, w, y, 0, width, line, screen_attr(&ui->scr, UI_ROLE_MUTED), true, false);
	return 1;
}

/* n: a new token for the selected row's system (or the drilled-into one). */
static int key(struct view *v, int ch)
{
	if (ch != 'n')
		return KEY_UNHANDLED;
	uint64_t id;
	const char *system = v->ctx.system;
	if (table_selected(&v->table, &id)) {
		const struct token_list *l = store_token_list_at(v->ui->store, (size_t)(id >> 32));
		if (l && l->system_uuid)
			system = l->system_uuid;
	}
	actions_ui_new_token(v->ui, system);
	return KEY_HANDLED | KEY_REDRAW;
}

static const struct key_help keys[] = {
	{ "n", "new Local API Token for the selected row's system (GraphQL)", true, true },
	{ "Enter", "inspect the token list", true },
	{ NULL, NULL, false },
};

/* Token lists, the JWKS they are checked against, system names. */
static uint64_t data_stamp(struct view *v)
{
	static const enum topic_family families[] = { TOPIC_LOCAL_API_TOKENS, TOPIC_JWKS,
						      TOPIC_SYSTEM };
	return ui_families_stamp(v->ui, families, sizeof(families) / sizeof(families[0]));
}

const struct view_ops view_tokens_ops = {
	.id = VIEW_TOKENS,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.data_stamp = data_stamp,
	.cell = cell,
	.inspect = inspect,
	.footer = footer,
	.key = key,
	.keys = keys,
};
