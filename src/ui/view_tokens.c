/* view_tokens — local API tokens per system: subject, roles, not-before,
 * expiry as a countdown, status, and a signature column (verification
 * arrives with a later issue: "unverified" until then).  The JWKS key ids
 * are listed under the table.  Token strings (secrets) are never shown. */
#include <stdio.h>
#include <string.h>

#include "ui/fmt.h"
#include "ui/view.h"

enum { COL_SYSTEM, COL_SUBJECT, COL_TYPE, COL_ROLES, COL_NOT_BEFORE, COL_EXPIRES, COL_STATUS,
       COL_SIGNATURE };

static const struct table_column columns[] = {
	[COL_SYSTEM] = { "system", 10, 22, 2, false, false, false },
	[COL_SUBJECT] = { "subject", 10, 24, 0, false, false, false },
	[COL_TYPE] = { "type", 6, 10, 4, false, false, false },
	[COL_ROLES] = { "roles", 8, 0, 1, false, false, false },
	[COL_NOT_BEFORE] = { "not before", 19, 19, 5, false, true, false },
	[COL_EXPIRES] = { "expires", 16, 18, 0, false, true, false },
	[COL_STATUS] = { "status", 8, 10, 3, false, false, false },
	[COL_SIGNATURE] = { "signature", 10, 10, 6, false, false, false },
};

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
	case COL_SIGNATURE:
		snprintf(out->text, sizeof(out->text), "unverified");
		out->role = UI_ROLE_MUTED;
		break;
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

static const struct key_help keys[] = {
	{ "Enter", "inspect the token list", true },
	{ NULL, NULL, false },
};

const struct view_ops view_tokens_ops = {
	.id = VIEW_TOKENS,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.cell = cell,
	.inspect = inspect,
	.footer = footer,
	.keys = keys,
};
