/* actions_ui — the operator's actions in the full-screen console: the
 * forms, the token worker, the JWT dialog; the requests reach the main
 * loop through action_flow (the same path as the one-shot actions).
 *
 *   e  setpoint editor (datapoints, setpoints): system / component / service
 *      / characteristic prefilled from the row, the characteristic looked up
 *      in the component model's catalogue, the value checked as it is typed
 *      (type, options, min / max / step), a preview of the exact topic and
 *      payload, confirm, publish QoS 1;
 *   a  event acknowledgement (events view: the selected event; elsewhere:
 *      the top unacknowledged alert of the alert pane), previewed and
 *      confirmed the same way;
 *   n  Local API Token (tokens view): system, requested device, short-lived
 *      with a duration or permanent; the GraphQL call runs on a worker thread
 *      that hands its result back through a pipe the main loop polls; the JWT
 *      is shown once and can be written to a file (mode 0600).
 *
 * Every request is followed to its end (requests.h): received messages come
 * through the ingest observer, PUBACKs and refused publishes through
 * actions_ui_transport, deadlines through actions_ui_tick.  A request made
 * while the connection is down waits in the outbox (state "queued") and is
 * published once connected and subscribed again; a publish the broker
 * refused is never re-sent.  Each request gets one audit line when it ends
 * (or when the console quits with it still pending).  --read-only refuses
 * every action.  The user API token is read by the worker thread only, and
 * never reaches the screen, the audit log or any log.
 *
 * Main thread only, except the token worker (which touches nothing but its
 * job). */
#ifndef DRIVR_UI_ACTIONS_UI_H
#define DRIVR_UI_ACTIONS_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "requests.h"
#include "ui/view.h"

/* Creates ui->requests and ui->actions and hooks the ingest observer. */
void actions_ui_init(struct ui *ui);
/* Audits what is still pending, waits for running token calls (bounded by
 * their time-out), frees everything.  Returns the audit lines that could
 * not be written in the whole run (said on stderr; the console exits 9). */
unsigned actions_ui_free(struct ui *ui);

/* Audit lines not written since the operator last acknowledged: true with
 * the status bar's segment in buf.  actions_ui_audit_ack (key A) clears it
 * and shows the last reason; false when there was nothing to acknowledge. */
bool actions_ui_audit_warning(const struct ui *ui, char *buf, size_t size);
bool actions_ui_audit_ack(struct ui *ui);

/* The main loop's side. */
void actions_ui_transport(struct ui *ui, const struct inbox_item *item);
/* Publishes what waits in the outbox, when connected and subscribed. */
void actions_ui_pump(struct ui *ui);
/* Time-outs and the outbox; returns the next deadline (monotonic), 0 when
 * none. */
double actions_ui_tick(struct ui *ui);
/* The token workers' pipe (poll for POLLIN), -1 when none was started. */
int actions_ui_fd(const struct ui *ui);
/* Takes the finished token calls. */
void actions_ui_collect(struct ui *ui);

/* A form or dialog is open: it takes every key and draws over the view. */
bool actions_ui_modal(const struct ui *ui);
int actions_ui_key(struct ui *ui, int key);
void actions_ui_draw(struct ui *ui);

/* The actions.  Each refuses under --read-only (with a notice). */
struct setpoint_prefill {
	const char *system_uuid, *component, *service, *characteristic, *value;
};
void actions_ui_edit_setpoint(struct ui *ui, const struct setpoint_prefill *prefill);
void actions_ui_ack_event(struct ui *ui, const struct event *event);
/* The top unacknowledged alert of the alert pane. */
void actions_ui_ack_top_alert(struct ui *ui);
void actions_ui_new_token(struct ui *ui, const char *system_uuid);
/* The platform inputs' forms (inputs.h builds and checks what they send;
 * each previews the exact topic and payload, JSON or MessagePack, before
 * the operator confirms).  A system or component not in the retained state
 * is said in a notice and nothing opens. */
/* u (systems): name, description, status, connection state, prefilled from
 * the twin; only the members changed are sent. */
void actions_ui_update_system(struct ui *ui, const char *system_uuid);
/* c (systems, components): a new component of the system (code NULL);
 * u (components): the component code, prefilled.  The model from a picker
 * of the component models the store knows. */
void actions_ui_edit_component(struct ui *ui, const char *system_uuid, const char *code);
/* d (components, datapoints): one datapoint for a component's
 * characteristic (prefill's value: the last one), typed by the model's
 * catalogue where known; ends as "sent, no error", never "confirmed". */
void actions_ui_publish_datapoint(struct ui *ui, const struct setpoint_prefill *prefill);
/* r (systems, components): an event on the system or one of its components
 * (component NULL or ""), the model from a picker of the event models for
 * that entity type; an end time only for a RANGED model. */
void actions_ui_raise_event(struct ui *ui, const char *system_uuid, const char *component);
/* R (events): resolve the selected ACTIVE RANGED event (its endTime). */
void actions_ui_resolve_event(struct ui *ui, const struct event *event);
/* Requests view: cancel one (queued: never sent; sent: no longer followed). */
void actions_ui_cancel(struct ui *ui, uint32_t id);

/* The request as notices and the Requests view name it, with its site:
 * "set Mill Lane 27 › heat-pump-1/heating/flow-temperature-setpoint = 57.5",
 * "acknowledge OVERHEAT at Mill Lane 27 › boiler-1 (event 732823e0)",
 * "issue 1D token for lamp at Mill Lane 27".  Raw: drawn through the
 * sanitiser like every device string. */
void actions_ui_request_label(const struct ui *ui, const struct request *q, char *buf, size_t size);

/* "… queued (outbox)", "✔ confirmed" ... and its role. */
enum ui_role actions_ui_state_text(const struct ui *ui, const struct request *q, char *buf,
				   size_t size);

#endif
